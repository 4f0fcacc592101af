"""Rendering of a list of changes as text, Markdown or JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence

from .model import Change

MAX_LISTED = 8
EMPTY = "No semantic changes."


def groups(changes: Sequence[Change]) -> tuple[list[Change], list[Change]]:
    """(breaking, non-breaking)."""
    return [c for c in changes if c.breaking], [c for c in changes if not c.breaking]


def _listed(change: Change, joiner: str) -> str:
    shown = [f"{op} ({py})" if py else op for op, py in change.affected[:MAX_LISTED]]
    more = len(change.affected) - MAX_LISTED
    if more > 0:
        shown.append(f"and {more} more")
    return joiner.join(shown)


def text_line(change: Change) -> str:
    """``[rule] METHOD /path (client.x.y) at <pointer>: message``."""
    if change.operation:
        subject = f" {change.operation} ({change.python})" if change.python else f" {change.operation}"
        return f"[{change.rule}]{subject} at {change.location}: {change.message}"
    line = f"[{change.rule}] at {change.location}: {change.message}"
    if change.affected:
        line = f"[{change.rule}] {len(change.affected)} operations at {change.location}: {change.message}"
        line += f"; affects {_listed(change, ', ')}"
    return line


def render_text(changes: Sequence[Change]) -> str:
    """Plain text, grouped by severity, one line per change."""
    if not changes:
        return EMPTY
    lines: list[str] = []
    for title, group in zip(("Breaking changes", "Non-breaking changes"), groups(changes), strict=True):
        lines.append(f"{title} ({len(group)})")
        lines.extend(f"  {text_line(change)}" for change in group)
    return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(changes: Sequence[Change]) -> str:
    """Markdown for a pull-request description: a heading and a table per severity."""
    if not changes:
        return f"## API changes\n\n{EMPTY}"
    breaking, other = groups(changes)
    lines = [f"## API changes: {len(breaking)} breaking, {len(other)} non-breaking"]
    for title, group in (("Breaking changes", breaking), ("Non-breaking changes", other)):
        lines += ["", f"### {title} ({len(group)})"]
        if not group:
            continue
        lines += ["", "| Rule | Operation | Location | Change |", "|---|---|---|---|"]
        for change in group:
            ops = "<br>".join(_cell(f"`{op}` `{py}`" if py else f"`{op}`") for op, py in change.affected[:MAX_LISTED])
            if len(change.affected) > MAX_LISTED:
                ops += f"<br>and {len(change.affected) - MAX_LISTED} more"
            lines.append(f"| `{change.rule}` | {ops or '-'} | `{_cell(change.location)}` | {_cell(change.message)} |")
    return "\n".join(lines)


def render_json(changes: Sequence[Change]) -> str:
    """A JSON object: ``breaking`` and ``non_breaking`` lists and their counts."""
    breaking, other = groups(changes)
    document = {
        "breaking": [c.to_dict() for c in breaking],
        "non_breaking": [c.to_dict() for c in other],
        "summary": {"breaking": len(breaking), "non_breaking": len(other)},
    }
    return json.dumps(document, indent=2)


RENDERERS = {"text": render_text, "markdown": render_markdown, "json": render_json}


def render(changes: Sequence[Change], fmt: str = "text") -> str:
    """Render ``changes`` in the format ``fmt`` (text, markdown or json)."""
    return RENDERERS[fmt](changes)
