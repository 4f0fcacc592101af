"""What a user's type checker sees: tests/typing/user_script.py passes pyright (strict) and mypy --strict with its
``assert_type`` expectations (raw responses, pages, models), and each line of tests/typing/misspelt.py marked
``# error:`` is an error in both, and nothing else is."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TYPING = ROOT / "tests" / "typing"
PYRIGHT = ROOT / "node_modules" / ".bin" / "pyright"
CHECKERS = ["pyright", "mypy"]


def error_lines(checker: str, script: Path) -> list[int]:
    """The (1-based) lines where ``checker`` reports an error in ``script``."""
    if checker == "pyright":
        assert PYRIGHT.exists(), "pyright is missing: run `make` (npm ci installs it from package-lock.json)"
        command = [str(PYRIGHT), "--pythonpath", sys.executable, "--outputjson", str(script)]
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
        report = json.loads(done.stdout)
        return sorted(
            {d["range"]["start"]["line"] + 1 for d in report["generalDiagnostics"] if d["severity"] == "error"}
        )
    command = [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", "--show-error-codes", str(script)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode in (0, 1), done.stderr
    return sorted({int(line.split(":")[1]) for line in done.stdout.splitlines() if ": error:" in line})


@pytest.mark.parametrize("checker", CHECKERS)
def test_the_user_script_type_checks_with_every_expectation(checker: str) -> None:
    assert error_lines(checker, TYPING / "user_script.py") == []


@pytest.mark.parametrize("checker", CHECKERS)
def test_a_misspelt_raw_response_method_is_an_error(checker: str) -> None:
    script = TYPING / "misspelt.py"
    marked = [n for n, line in enumerate(script.read_text().splitlines(), 1) if "# error:" in line]
    assert len(marked) == 2
    assert error_lines(checker, script) == marked
