"""The ``avala`` command line (``pip install 'avala[cli]'``): every API operation as ``avala <group> <command>``.

The command table is generated from openapi.yaml (:mod:`avala.cli._table`); this package is the runner: output
formats, configuration, errors and exit codes, progress, and the few commands that are not one API call.
"""

from __future__ import annotations

import sys

__all__ = ["main"]


def main(argv: list[str] | None = None) -> None:
    """Run ``avala`` with ``argv`` (default: the process arguments) and exit with its status."""
    try:
        import click  # noqa: F401
    except ImportError:
        print("avala: the command line needs its extra: pip install 'avala[cli]'", file=sys.stderr)
        sys.exit(1)
    from ._main import run

    run(argv)
