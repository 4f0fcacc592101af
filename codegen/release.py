"""Releases of the SDK: the breaking-change gate, the changelog entry and the next version, from the spec diff.

The last release is recorded in the repository itself, so that a fresh clone without tags or history has it:
``release/openapi.yaml`` is the spec as released, ``avala/_version.py`` its version and ``CHANGELOG.md`` its entry.
Between releases, ``CHANGELOG.md`` has an ``## Unreleased`` section where a breaking change is acknowledged, one line
each, in the form the gate prints::

    - `operation.removed` at `/paths/~1datasets~1{uid}~1/delete`: datasets are deleted in the web app only.

It also holds the notes the spec diff cannot see (client features, the command line, uploads, fixes), written as they
land under Keep a Changelog headings (``### Added``, ``### Changed``, ``### Fixed``, ...: :data:`NOTE_HEADINGS`). The
release entry is both: each group's notes, then the spec diff's lines of that group.

- ``python -m codegen gate`` (``make spec-gate``, part of ``make check``): diff the released spec against the working
  tree; exit 1 when a breaking change is not acknowledged (each is printed with the line that acknowledges it).
- ``python -m codegen release --dry-run`` (``make release-notes``): print the next version and its changelog entry
  (the notes and the spec diff).
- ``python -m codegen release`` (``make release``): write them: the entry in ``CHANGELOG.md`` (breaking / added /
  changed, with the Python calls affected), the version in ``avala/_version.py``, and the released spec.

The version follows semver: a breaking change bumps the major version, an addition or a deprecation (a rename that
keeps the old name) the minor, any other change the patch; no change, no release.
"""

from __future__ import annotations

import argparse
import datetime
import re
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from .specdiff.cli import RELEASE, LoadError, load, release_spec
from .specdiff.cli import diff as spec_diff
from .specdiff.model import Change
from .specdiff.report import MAX_LISTED

CHANGELOG = "CHANGELOG.md"
VERSION_FILE = "avala/_version.py"
UNRELEASED = "## Unreleased"
ACK = re.compile(r"^\s*[-*]\s+`(?P<rule>[a-z][a-z.-]*)`\s+at\s+`(?P<location>[^`]+)`\s*:\s*(?P<reason>\S.*)$")
PLACEHOLDER = "WHY USERS MUST CHANGE THEIR CODE"
UNRELEASED_TEMPLATE = f"""{UNRELEASED}

<!-- A breaking change lands only once acknowledged here, one line each (`make spec-gate` prints them):
- `rule` at `location`: why it is worth breaking users, and what they change.
`make release` turns this section into the next version's entry. -->
"""


@dataclass(frozen=True)
class Acknowledgement:
    """A line of the ``## Unreleased`` section that accepts one breaking change."""

    rule: str
    location: str
    reason: str
    line: int

    @property
    def key(self) -> tuple[str, str]:
        """What it matches: (rule, location)."""
        return self.rule, self.location


def unreleased(changelog: str) -> tuple[int, str]:
    """The first line number (1-based) and the text of the ``## Unreleased`` section ("" when there is none)."""
    lines = changelog.splitlines()
    for index, line in enumerate(lines):
        if line.strip() == UNRELEASED:
            end = next((j for j in range(index + 1, len(lines)) if lines[j].startswith("## ")), len(lines))
            return index + 1, "\n".join(lines[index:end])
    return 0, ""


def acknowledgements(changelog: str) -> list[Acknowledgement]:
    """The acknowledgement lines of the ``## Unreleased`` section (a reason may go on over indented lines; HTML
    comments are not read)."""
    first, section = unreleased(changelog)
    found: list[Acknowledgement] = []
    in_comment = continuing = False
    for offset, line in enumerate(section.splitlines()):
        was_in_comment = in_comment or "<!--" in line
        in_comment = ("<!--" in line or in_comment) and "-->" not in line
        match = None if was_in_comment else ACK.match(line)
        if match:
            continuing = PLACEHOLDER not in match["reason"]
            if continuing:
                found.append(Acknowledgement(match["rule"], match["location"], match["reason"].strip(), first + offset))
        elif continuing and not was_in_comment and line[:1].isspace() and line.strip():
            found[-1] = replace(found[-1], reason=f"{found[-1].reason} {line.strip()}")
        else:
            continuing = False
    return found


# the headings of hand-written notes, in the order of an entry, with the version part each bumps at least
NOTE_HEADINGS = {
    "Breaking": "major",
    "Removed": "major",
    "Added": "minor",
    "Deprecated": "minor",
    "Changed": "patch",
    "Fixed": "patch",
    "Security": "patch",
}
GROUP_HEADINGS = {"breaking": "Breaking", "added": "Added", "changed": "Changed"}  # the spec diff's groups


def notes(changelog: str) -> dict[str, list[str]]:
    """The hand-written notes of the ``## Unreleased`` section by heading, each note with its continuation lines
    (acknowledgement lines, HTML comments and blank lines left out). A note before any heading or under a heading not
    in :data:`NOTE_HEADINGS` is a :class:`LoadError` naming its line."""
    first, section = unreleased(changelog)
    found: dict[str, list[str]] = {}
    heading: str | None = None
    in_comment = skipping = False
    for offset, line in enumerate(section.splitlines()[1:], start=1):
        was_in_comment = in_comment or "<!--" in line
        in_comment = ("<!--" in line or in_comment) and "-->" not in line
        if was_in_comment or not line.strip():
            continue
        if line.startswith("### "):
            heading = line[4:].strip()
            if heading not in NOTE_HEADINGS:
                expected = ", ".join(f"### {h}" for h in NOTE_HEADINGS)
                raise LoadError(f"{CHANGELOG}:{first + offset}: unknown heading {line.strip()!r} (use {expected})")
            found.setdefault(heading, [])
            skipping = False
        elif ACK.match(line):
            skipping = True  # an acknowledgement: it gives a breaking line of the spec diff its reason
        elif line[:1].isspace() and skipping:
            continue  # the acknowledgement's reason goes on
        elif line[:1].isspace() and heading and found[heading]:
            found[heading][-1] += "\n" + line.rstrip()  # the note goes on
        elif heading is None:
            raise LoadError(
                f"{CHANGELOG}:{first + offset}: a note needs a heading above it (### Added, ### Fixed, ...)"
            )
        else:
            skipping = False
            found[heading].append(line.rstrip())
    return {h: lines for h, lines in found.items() if lines}


def ack_line(change: Change) -> str:
    """The line that acknowledges ``change``."""
    return f"- `{change.rule}` at `{change.location}`: {PLACEHOLDER}"


def current_version(root: Path) -> str:
    """``__version__`` of ``avala/_version.py``: the last release."""
    match = re.search(r'__version__ = "([^"]+)"', (root / VERSION_FILE).read_text(encoding="utf-8"))
    if not match:
        raise LoadError(f"{VERSION_FILE}: no __version__")
    return match[1]


# non-breaking changes that still give users something new to use, or to move away from: a minor release
MINOR = frozenset({"operation.renamed-with-alias", "model.renamed-with-alias", "operation.deprecated"})


def kind(change: Change) -> str:
    """The changelog group: breaking, added or changed."""
    if change.breaking:
        return "breaking"
    return "added" if change.rule.endswith("added") else "changed"


def next_version(version: str, changes: Sequence[Change], notes: dict[str, list[str]] | None = None) -> str | None:
    """The semver successor of ``version`` for ``changes`` and the hand-written ``notes`` (None: nothing to
    release)."""
    bumps = {NOTE_HEADINGS[heading] for heading, lines in (notes or {}).items() if lines}
    if not changes and not bumps:
        return None
    major, minor, patch = (int(part) for part in re.findall(r"\d+", version)[:3])
    kinds = {kind(c) for c in changes}
    if "breaking" in kinds or "major" in bumps:
        return f"{major + 1}.0.0"
    if "added" in kinds or any(c.rule in MINOR for c in changes) or "minor" in bumps:
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


def calls(change: Change) -> str:
    """The Python calls a change affects, as Markdown code."""
    shown = [f"`{py or op}`" for op, py in change.affected[:MAX_LISTED]]
    if len(change.affected) > MAX_LISTED:
        shown.append(f"and {len(change.affected) - MAX_LISTED} more")
    return ", ".join(shown)


def bullet(change: Change, reasons: dict[tuple[str, str], str]) -> str:
    """One changelog line: the calls a change affects, the change, and for a breaking change why."""
    text = (
        f"- {calls(change)}: {change.message}."
        if change.affected
        else f"- {change.message[:1].upper()}{change.message[1:]}."
    )
    reason = reasons.get((change.rule, change.location))
    if reason:
        text += f" {reason[:1].upper()}{reason[1:]}"
    return text


def entry(
    version: str,
    changes: Sequence[Change],
    reasons: dict[tuple[str, str], str],
    day: str,
    notes: dict[str, list[str]] | None = None,
) -> str:
    """The changelog entry of a release: per heading (breaking, added, changed, ...), the hand-written notes, then
    the spec diff's lines."""
    lines = [f"## {version} ({day})", ""]
    for title in NOTE_HEADINGS:
        generated = [bullet(c, reasons) for c in changes if GROUP_HEADINGS[kind(c)] == title]
        chosen = (notes or {}).get(title, []) + generated
        if chosen:
            lines += [f"### {title}", "", *chosen, ""]
    return "\n".join(lines)


@dataclass
class Verdict:
    """The changes since the last release and what the changelog says of them."""

    base_version: str
    changes: list[Change]
    acks: list[Acknowledgement]
    notes: dict[str, list[str]]

    @property
    def unacknowledged(self) -> list[Change]:
        """Breaking changes no line acknowledges."""
        keys = {a.key for a in self.acks}
        return [c for c in self.changes if c.breaking and (c.rule, c.location) not in keys]

    @property
    def stale(self) -> list[Acknowledgement]:
        """Acknowledgements of no breaking change (fixed since, or mistyped)."""
        keys = {(c.rule, c.location) for c in self.changes if c.breaking}
        return [a for a in self.acks if a.key not in keys]


def verdict(root: Path, spec: str = "openapi.yaml") -> Verdict:
    """Diff the released spec against the working tree's and read the acknowledgements."""
    spec_path = str(root / spec)
    old, new = load(RELEASE, spec_path), load("WORKTREE", spec_path)
    changelog = root / CHANGELOG
    text = changelog.read_text(encoding="utf-8") if changelog.is_file() else ""
    return Verdict(
        current_version(root),
        spec_diff(old, new, str(release_spec(spec_path)), spec),
        acknowledgements(text),
        notes(text),
    )


def gate(root: Path) -> int:
    """``python -m codegen gate``: exit 1 when a breaking change since the last release is not acknowledged."""
    result = verdict(root)
    breaking = [c for c in result.changes if c.breaking]
    after = next_version(result.base_version, result.changes, result.notes)
    summary = (
        f"spec gate: {len(result.changes)} change{'' if len(result.changes) == 1 else 's'} since"
        f" {result.base_version} ({RELEASE_SPEC_TEXT}):"
        f" {len(breaking)} breaking, {len(result.changes) - len(breaking)} non-breaking"
        + (f"; next version {after}" if after else "")
    )
    for ack in result.stale:
        print(f"{CHANGELOG}:{ack.line}: acknowledges `{ack.rule}` at `{ack.location}`, which is no breaking change")
    missing = result.unacknowledged
    if not missing:
        print(summary + (" (all acknowledged)" if breaking else ""))
        return 0
    from .specdiff.report import text_line

    print(f"{summary}; {len(missing)} not acknowledged:", file=sys.stderr)
    for change in missing:
        print(f"  {text_line(change)}", file=sys.stderr)
    print(
        f"A breaking change needs an explicit acknowledgement: add under `{UNRELEASED}` in {CHANGELOG}, with the"
        " reason in place of the capitals:",
        file=sys.stderr,
    )
    for change in missing:
        print(f"  {ack_line(change)}", file=sys.stderr)
    print("or keep the old name with x-python-renamed-from (see openapi.yaml's header).", file=sys.stderr)
    return 1


RELEASE_SPEC_TEXT = "release/openapi.yaml"


def release(root: Path, dry_run: bool, day: str | None = None) -> int:
    """``python -m codegen release``: write (or with ``dry_run`` print) the next version's entry and bump."""
    result = verdict(root)
    if result.unacknowledged:
        print("release: unacknowledged breaking changes; run `make spec-gate` for the lines to add", file=sys.stderr)
        return 1
    version = next_version(result.base_version, result.changes, result.notes)
    if version is None:
        print(f"release: no API change and no note under {UNRELEASED} since {result.base_version}: nothing to release")
        return 0
    reasons = {a.key: a.reason for a in result.acks}
    text = entry(version, result.changes, reasons, day or datetime.date.today().isoformat(), result.notes)
    if dry_run:
        print(f"Next version: {version} (from {result.base_version})\n\n{text}", end="")
        return 0
    changelog = root / CHANGELOG
    old = changelog.read_text(encoding="utf-8") if changelog.is_file() else "# Changelog\n\n"
    first, section = unreleased(old)
    if section:
        start = sum(len(line) + 1 for line in old.splitlines()[: first - 1])
        new = old[:start] + UNRELEASED_TEMPLATE + "\n" + text + "\n" + old[start + len(section) :].lstrip("\n")
    else:
        head, _, rest = old.partition("\n## ")
        new = head.rstrip("\n") + "\n\n" + UNRELEASED_TEMPLATE + "\n" + text + ("\n## " + rest if rest else "")
    changelog.write_text(new, encoding="utf-8")
    version_file = root / VERSION_FILE
    source = version_file.read_text(encoding="utf-8")
    version_file.write_text(source.replace(f'"{result.base_version}"', f'"{version}"'), encoding="utf-8")
    shutil.copyfile(root / "openapi.yaml", release_spec(str(root / "openapi.yaml")))
    print(f"release: {result.base_version} -> {version}: wrote {CHANGELOG}, {VERSION_FILE}, {RELEASE_SPEC_TEXT}")
    print("Commit them, then tag the commit: git tag v" + version)
    return 0


def main(command: str, argv: list[str]) -> int:
    """Run ``gate`` or ``release``; returns the exit code (2: a spec or file cannot be read)."""
    parser = argparse.ArgumentParser(prog=f"python -m codegen {command}", description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", default=".", help="the repository root (default: .)")
    if command == "release":
        parser.add_argument("--dry-run", action="store_true", help="print the entry and version, write nothing")
        parser.add_argument("--date", help="the release date (default: today)")
    options = parser.parse_args(argv)
    root = Path(options.root).resolve()
    try:
        if command == "gate":
            return gate(root)
        return release(root, options.dry_run, options.date)
    except (LoadError, OSError) as exc:
        print(f"{command}: {exc}", file=sys.stderr)
        return 2
