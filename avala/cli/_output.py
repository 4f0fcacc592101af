"""Printing results: ``table`` for people, ``json``, ``jsonl`` and ``yaml`` for programs, on stdout only.

Values are the API's own: field names as on the wire, numbers as numbers, date-times as ISO 8601 strings. Rows are
printed as they come (an ``--all`` walk holds one page at a time); a table takes its column widths from the first
rows and cuts longer cells with ``…``, so it never has to hold the whole walk.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from collections.abc import Iterable, Iterator
from itertools import chain
from typing import Any, TextIO

FORMATS = ("table", "json", "jsonl", "yaml")
_TABLE_SAMPLE = 50  # rows read before the column widths are fixed
_MAX_CELL = 48
_PLAIN = re.compile(r"[A-Za-z_/][\w./@+\-]*")
_YAML_WORDS = frozenset({"true", "false", "null", "yes", "no", "on", "off", "y", "n", "~"})


def plain(value: Any) -> Any:
    """A result as JSON data: a model's ``to_dict()``, lists and dicts walked, date-times as ISO strings."""
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):
        return to_dict()
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    isoformat = getattr(value, "isoformat", None)
    return isoformat() if callable(isoformat) else value


def pick(row: Any, fields: list[str] | None) -> Any:
    """Only ``fields`` of an object, in that order (a field it lacks is null)."""
    if not fields or not isinstance(row, dict):
        return row
    return {name: row.get(name) for name in fields}


def dumps(value: Any, indent: int | None = None) -> str:
    """JSON text, non-ASCII kept."""
    return json.dumps(value, indent=indent, ensure_ascii=False)


# --- YAML (block style; JSON's escapes are valid in YAML double-quoted strings) -----------------------------------


def _yaml_scalar(value: Any) -> str:
    if isinstance(value, str):
        if _PLAIN.fullmatch(value) and value.lower() not in _YAML_WORDS:
            return value
        return dumps(value)
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, list):
        return "[]"
    return dumps(value)


def _yaml_lines(value: Any, indent: int) -> Iterator[str]:
    pad = " " * indent
    if isinstance(value, dict) and value:
        for key, item in value.items():
            name = _yaml_scalar(str(key))
            if isinstance(item, dict | list) and item:
                yield f"{pad}{name}:"
                yield from _yaml_lines(item, indent + 2 if isinstance(item, dict) else indent)
            else:
                yield f"{pad}{name}: {_yaml_scalar(item)}"
    elif isinstance(value, list) and value:
        for item in value:
            inner = list(_yaml_lines(item, indent + 2))
            if inner and isinstance(item, dict | list) and item:
                yield f"{pad}- {inner[0].lstrip()}"
                yield from inner[1:]
            else:
                yield f"{pad}- {_yaml_scalar(item)}"
    else:
        yield f"{pad}{_yaml_scalar(value)}"


def yaml(value: Any) -> str:
    """A JSON value as a YAML document."""
    return "\n".join(_yaml_lines(value, 0)) + "\n"


# --- tables -----------------------------------------------------------------------------------------------------


def cell(value: Any) -> str:
    """A value as table text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return dumps(value)
    return " ".join(str(value).split())


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def _columns(sample: list[dict[str, Any]], fields: list[str] | None, width: int) -> list[tuple[str, int]]:
    """The columns (name, width) that fit the terminal: scalar fields in order, unless --fields chose them."""
    if fields:
        names = fields
    else:
        names = [k for k in sample[0] if all(not isinstance(r.get(k), dict | list) for r in sample)]
        names = names or list(sample[0])
    columns: list[tuple[str, int]] = []
    used = 0
    for name in names:
        size = min(max([len(name)] + [len(cell(r.get(name))) for r in sample]), _MAX_CELL)
        if columns and not fields and used + 2 + size > width:
            continue
        columns.append((name, size))
        used += size + 2
    return columns


class Printer:
    """Writes results in one format to a stream."""

    def __init__(self, fmt: str, fields: list[str] | None, stream: TextIO | None = None) -> None:
        self.fmt = fmt
        self.fields = fields
        self.stream = stream or sys.stdout

    def write(self, text: str) -> None:
        """Write text and flush (a pipe's reader sees each row as it comes)."""
        self.stream.write(text)
        self.stream.flush()

    def value(self, result: Any) -> None:
        """One result: an object, a list or a scalar."""
        data = plain(result)
        if isinstance(data, list):
            self.rows(data)
            return
        data = pick(data, self.fields)
        if self.fmt == "yaml":
            self.write(yaml(data))
        elif self.fmt == "jsonl":
            self.write(dumps(data) + "\n")
        elif self.fmt == "json":
            self.write(dumps(data, indent=2) + "\n")
        elif isinstance(data, dict):
            size = max((len(k) for k in data), default=0)
            self.write("".join(f"{k.ljust(size)}  {cell(v)}".rstrip() + "\n" for k, v in data.items()))
        else:
            self.write(cell(data) + "\n")

    def rows(self, rows: Iterable[Any]) -> int:
        """Rows as they come; returns how many."""
        count = 0
        items = (pick(plain(r), self.fields) for r in rows)
        if self.fmt == "table":
            return self._table(items)
        if self.fmt == "json":
            for row in items:
                body = dumps(row, indent=2).replace("\n", "\n  ")
                self.write(("[\n  " if count == 0 else ",\n  ") + body)
                count += 1
            self.write("[]\n" if count == 0 else "\n]\n")
            return count
        for row in items:
            self.write(dumps(row) + "\n" if self.fmt == "jsonl" else yaml([row]))
            count += 1
        if count == 0 and self.fmt == "yaml":
            self.write("[]\n")
        return count

    def _table(self, items: Iterator[Any]) -> int:
        sample: list[Any] = []
        for row in items:
            sample.append(row)
            if len(sample) >= _TABLE_SAMPLE:
                break
        if not sample:
            return 0
        if not isinstance(sample[0], dict):
            count = 0
            for row in chain(sample, items):
                self.write(cell(row) + "\n")
                count += 1
            return count
        width = shutil.get_terminal_size((120, 24)).columns
        columns = _columns(sample, self.fields, width)
        self.write("  ".join(name.upper().ljust(size) for name, size in columns).rstrip() + "\n")
        count = 0
        for row in chain(sample, items):
            cells = [_cut(cell(row.get(name)), size).ljust(size) for name, size in columns]
            self.write("  ".join(cells).rstrip() + "\n")
            count += 1
        return count
