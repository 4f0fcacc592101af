"""``make test-matrix``: the unit suite against the lowest supported and the newest httpx and attrs.

Each row of the matrix gets its own environment under ``.tools/matrix-<name>`` with the SDK (editable, without its
dependencies), the two runtime dependencies at the row's versions and the pinned test tools of the ``test``
dependency group. pytest-httpx is installed without its dependencies: each release pins one httpx minor version,
while what it mocks (``httpx.MockTransport``-style transports) works across the range. Left out here, because the
main run (``make test``) covers them and they do not depend on the httpx or attrs version: the contract tests (the
mock server), the generator's tests (spec diff, spec check), the type checkers' view and the documentation site.

    python scripts/test_matrix.py            # every row
    python scripts/test_matrix.py lowest     # one row
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
import tomllib
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def lower_bound(name: str) -> str:
    """``name==X`` for the ``>=X`` bound of a runtime dependency in pyproject.toml."""
    for requirement in PYPROJECT["project"]["dependencies"]:
        if re.split(r"[<>=!~ ;\[]", requirement, maxsplit=1)[0] == name:
            found = re.search(r">=\s*([\w.]+)", requirement)
            if found:
                version = found[1] if found[1].count(".") >= 2 else found[1] + ".0"
                return f"{name}=={version}"
    raise SystemExit(f"test-matrix: pyproject.toml gives {name} no lower bound")


def runtime_requirement(name: str) -> str:
    """The runtime requirement of ``name`` as pyproject.toml states it (the newest release it allows)."""
    for requirement in PYPROJECT["project"]["dependencies"]:
        if re.split(r"[<>=!~ ;\[]", requirement, maxsplit=1)[0] == name:
            return str(requirement)
    raise SystemExit(f"test-matrix: {name} is not a runtime dependency")


def dev_pin(name: str) -> str:
    """The exact pin of a development tool in the ``dev`` dependency group."""
    for requirement in PYPROJECT["dependency-groups"]["dev"]:
        if isinstance(requirement, str) and requirement.startswith(f"{name}=="):
            return requirement
    raise SystemExit(f"test-matrix: no {name}== pin in the dev dependency group")


MATRIX = {
    "lowest": [lower_bound("httpx"), lower_bound("attrs")],
    "newest": [runtime_requirement("httpx"), runtime_requirement("attrs")],
}
IGNORED = [
    "tests/contract",
    "tests/specdiff",
    "tests/test_speccheck.py",
    "tests/test_docs_site.py",
    "tests/test_typing.py",  # pyright and mypy over a user's script: the main run's
]


def run(command: list[str]) -> None:
    subprocess.run(command, check=True, cwd=ROOT)


def prepare(name: str, requirements: list[str]) -> Path:
    """The row's environment, made or brought up to date; its Python."""
    home = ROOT / ".tools" / f"matrix-{name}"
    python = home / "bin" / "python"
    if not python.exists():
        venv.create(home, with_pip=True)
        run([str(python), "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
    pip = [str(python), "-m", "pip", "install", "--quiet"]
    run([*pip, "--upgrade", "--group", "test", *requirements])
    run([*pip, "--no-deps", dev_pin("pytest-httpx")])
    run([*pip, "--no-deps", "--editable", "."])
    return python


def versions(python: Path) -> str:
    code = "import httpx, attrs, sys; print(f'httpx {httpx.__version__}, attrs {attrs.__version__}')"
    return subprocess.run([str(python), "-c", code], check=True, capture_output=True, text=True).stdout.strip()


def main(argv: list[str]) -> int:
    rows = argv or list(MATRIX)
    unknown = set(rows) - set(MATRIX)
    if unknown:
        print(f"test-matrix: no row {sorted(unknown)}; rows: {', '.join(MATRIX)}", file=sys.stderr)
        return 2
    results = []
    for name in rows:
        python = prepare(name, MATRIX[name])
        label = f"{name} ({versions(python)})"
        print(f"test-matrix: {label}", flush=True)
        ignores = [f"--ignore={path}" for path in IGNORED]
        started = time.monotonic()
        code = subprocess.run([str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", *ignores], cwd=ROOT)
        results.append((label, code.returncode, time.monotonic() - started))
    for label, returncode, seconds in results:
        print(f"test-matrix: {label}: {'passed' if returncode == 0 else 'FAILED'} in {seconds:.0f} s")
    return max(returncode for _, returncode, _ in results)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
