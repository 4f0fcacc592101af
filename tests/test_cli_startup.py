"""The command line loads only what the command that runs needs: no HTTP stack, no SDK module, for help."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = (
    "httpx",
    "httpcore",
    "http.server",
    "avala._client",
    "avala._transport",
    "avala.resources",
    "avala.types",
    "rich",
    "tqdm",
)


def loaded_after(*argv: str) -> list[str]:
    """The heavy modules (and avala.cli modules) loaded by running ``avala ARGV`` in a fresh interpreter."""
    script = (
        "import sys, json\n"
        "from avala.cli import main\n"
        "try:\n"
        f"    main({list(argv)!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        f"names = [m for m in sys.modules if m.startswith({HEAVY!r}) or m.startswith('avala.cli.')]\n"
        "print(json.dumps(sorted(names)))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True).stdout
    return list(json.loads(out.strip().splitlines()[-1]))


def test_root_help_loads_the_table_and_no_command() -> None:
    assert loaded_after("--help") == [
        "avala.cli._completion",
        "avala.cli._config",
        "avala.cli._configure",
        "avala.cli._import",
        "avala.cli._main",
        "avala.cli._spec",
        "avala.cli._status",
        "avala.cli._table",
        "avala.cli._unsupported",
        "avala.cli._view",
    ]


def test_a_command_help_loads_its_builder_and_no_http_stack() -> None:
    loaded = loaded_after("datasets", "list", "--help")
    assert not [name for name in loaded if name.startswith(HEAVY)]
    assert "avala.cli._build" in loaded
