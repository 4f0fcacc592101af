"""Command line of the generator driver: ``python -m codegen {generate,check,diff,gate,release}``."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


def _generate(root: Path, spec: Path) -> dict[str, str]:
    from .api import build_api
    from .cli import build_cli
    from .mixins import attach
    from .parse import load_document, parse_document
    from .render import format_sources, render

    document = load_document(spec)
    api = build_api(document, parse_document(document, spec))
    attach(api, root)
    return format_sources(render(api, root / "templates", build_cli(api, document)), root)


def main(argv: list[str] | None = None) -> int:
    """Run a driver command; returns the process exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "diff":
        from .specdiff import main as diff_main

        return diff_main(args[1:])
    if args and args[0] in ("gate", "release"):
        from .release import main as release_main

        return release_main(args[0], args[1:])
    parser = argparse.ArgumentParser(prog="python -m codegen", description=__doc__)
    parser.add_argument("command", choices=["generate", "check"], help="write the generated files, or check drift")
    parser.add_argument("--spec", default="openapi.yaml", help="the OpenAPI document (default: openapi.yaml)")
    parser.add_argument("--root", default=".", help="the repository root (default: .)")
    options = parser.parse_args(args)
    root = Path(options.root).resolve()
    from .parse import SpecError
    from .render import drift, write

    started = time.perf_counter()
    spec = root / options.spec
    try:
        files = _generate(root, spec)
    except SpecError as exc:
        text = spec.read_text(encoding="utf-8") if spec.is_file() else None
        for line in exc.report(options.spec, text):
            print(line, file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"{options.spec}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    if options.command == "check":
        problems = drift(files, root)
        for problem in problems:
            print(f"codegen check: {problem}", file=sys.stderr)
        if problems:
            print("codegen check: generated code differs from openapi.yaml + templates/; run `make codegen`.")
            return 1
        print(f"codegen check: {len(files)} generated files match ({time.perf_counter() - started:.2f} s)")
        return 0
    changes = write(files, root)
    for change in changes:
        print(f"codegen: {change}")
    print(f"codegen: {len(files)} files, {len(changes)} changed ({time.perf_counter() - started:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
