"""Command line: ``python -m codegen diff [OLD] [NEW]``."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from .model import Change
from .operations import diff_specs
from .report import RENDERERS, render
from .surface import surface

WORKTREE = "WORKTREE"
RELEASE = "RELEASE"
RELEASE_SPEC = "release/openapi.yaml"  # the spec of the last release, relative to the repository root


class LoadError(Exception):
    """A spec cannot be read or parsed."""


def parse(text: str, source: str) -> dict[str, Any]:
    """Parse YAML (or JSON) text into a document."""
    try:
        document = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        raise LoadError(f"{source}: not valid YAML: {exc}") from exc
    if not isinstance(document, dict):
        raise LoadError(f"{source}: not an OpenAPI document")
    return document


def release_spec(spec_path: str = "openapi.yaml") -> Path:
    """The spec of the last release (``release/openapi.yaml`` next to ``spec_path``), which ``RELEASE`` names."""
    return Path(spec_path).parent / RELEASE_SPEC


def load(arg: str, spec_path: str = "openapi.yaml") -> dict[str, Any]:
    """Load ``arg``: ``WORKTREE`` (the file at ``spec_path``), ``RELEASE`` (the last release's spec, see
    :func:`release_spec`), an existing file, or a git revision of ``spec_path``.

    A revision may also name the file itself (``HEAD~3:openapi.yaml``).
    """
    if arg == RELEASE:
        path = release_spec(spec_path)
        if not path.is_file():
            raise LoadError(f"{path}: no such file: the last release's spec is kept there (see CHANGELOG.md)")
        return parse(path.read_text(encoding="utf-8"), str(path))
    path = Path(spec_path if arg == WORKTREE else arg)
    if arg == WORKTREE or path.is_file():
        try:
            return parse(path.read_text(encoding="utf-8"), str(path))
        except OSError as exc:
            raise LoadError(f"{path}: {exc.strerror or exc}") from exc
    spec = Path(spec_path)
    where = spec.parent if str(spec.parent) else Path(".")
    obj = arg if ":" in arg else f"{arg}:./{spec.name}"
    try:
        done = subprocess.run(["git", "show", obj], cwd=where, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise LoadError(f"{arg}: cannot run git: {exc}") from exc
    if done.returncode != 0:
        detail = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"git exited {done.returncode}"
        raise LoadError(f"{arg}: neither a file nor a git revision of {spec_path} ({detail})")
    return parse(done.stdout, obj)


def main(argv: list[str] | None = None) -> int:
    """Diff two specs and print the changes; returns the exit code (1: breaking with --fail-on-breaking, 2: error)."""
    parser = argparse.ArgumentParser(
        prog="python -m codegen diff",
        description="Semantic diff of two OpenAPI documents: breaking and non-breaking changes for wire and SDK.",
    )
    parser.add_argument(
        "old", nargs="?", default=RELEASE, metavar="OLD", help=f"file, git revision, WORKTREE or RELEASE ({RELEASE})"
    )
    parser.add_argument("new", nargs="?", default=WORKTREE, metavar="NEW", help="file, git revision or WORKTREE")
    parser.add_argument("--format", choices=sorted(RENDERERS), default="text", help="output format (text)")
    parser.add_argument("--fail-on-breaking", action="store_true", help="exit 1 when a change is breaking")
    parser.add_argument(
        "--spec-path", default="openapi.yaml", help="the spec's path, for WORKTREE and git revisions (openapi.yaml)"
    )
    options = parser.parse_args(argv)
    try:
        old = load(options.old, options.spec_path)
        new = load(options.new, options.spec_path)
    except LoadError as exc:
        print(f"spec diff: {exc}", file=sys.stderr)
        return 2
    changes = diff(old, new, options.old, options.new)
    print(render(changes, options.format))
    return 1 if options.fail_on_breaking and any(c.breaking for c in changes) else 0


def diff(old: dict[str, Any], new: dict[str, Any], old_label: str = "OLD", new_label: str = "NEW") -> list[Change]:
    """Diff two loaded specs with their Python surfaces as the generator emits them; a side the generator cannot
    build from is named from its spec, which is said on stderr."""
    surfaces = surface(old, old_label), surface(new, new_label)
    for side in surfaces:
        if side.note:
            print(f"spec diff: {side.note}", file=sys.stderr)
    return diff_specs(old, new, surfaces)
