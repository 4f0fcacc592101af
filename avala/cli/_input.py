"""Commands whose body is a JSON array (``x-python-chunked``): the items come from ``--input FILE``.

The file is a JSON array, or JSON lines (one object per line; a ``.jsonl`` file, or any input whose first character
is not ``[``); ``-`` reads stdin. Every item is checked before anything is sent, against the item schema of the
spec (required properties, exactly-one-of groups, JSON types, closed value sets) and the command's further checks
(a module named in the table: the published CLI's rules for ``annotations bulk-edit``). A bad file or a bad item
is one line naming the file and the line (``edits.jsonl:7: edit 6: object_uuid is required``), exit code 5, and
no request. ``--dry-run`` stops after the checks; ``--check-only`` (where the command has a pre-flight) also runs
the pre-flight's read-only requests. Otherwise the items go out in chunks of ``--chunk-size`` through the SDK
method (one request per chunk), each chunk's result printed as it comes and its progress on stderr.
"""

from __future__ import annotations

import inspect
import json
import sys
from collections.abc import Callable, Iterator
from importlib import import_module
from typing import Any

import click

from ._spec import C, I

_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "object": (dict,),
    "array": (list,),
    "null": (type(None),),
}


class InputError(click.ClickException):
    """A bad ``--input`` file or item: exit code 5 (validation), nothing sent."""

    exit_code = 5


def _type_name(value: Any) -> str:
    for name, types in _JSON_TYPES.items():
        if isinstance(value, types) and not (isinstance(value, bool) and name in ("integer", "number")):
            return name
    return type(value).__name__


def _line_of(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n":
        position += 1
    return position


def _array(text: str, source: str) -> Iterator[tuple[int, Any]]:
    """The elements of a JSON array document with the line each starts on."""
    decoder = json.JSONDecoder()
    position = _skip_space(text, 0) + 1  # after "["
    position = _skip_space(text, position)
    if text.startswith("]", position):
        position = _skip_space(text, position + 1)
    else:
        while True:
            start = position
            try:
                value, position = decoder.raw_decode(text, position)
            except json.JSONDecodeError as exc:
                raise InputError(f"{source}:{exc.lineno}: invalid JSON: {exc.msg}") from None
            yield _line_of(text, start), value
            position = _skip_space(text, position)
            if text.startswith(",", position):
                position = _skip_space(text, position + 1)
                continue
            if text.startswith("]", position):
                position = _skip_space(text, position + 1)
                break
            what = "the end of the file" if position >= len(text) else repr(text[position])
            raise InputError(f"{source}:{_line_of(text, position)}: invalid JSON: expected ',' or ']', not {what}")
    if position < len(text):
        raise InputError(f"{source}:{_line_of(text, position)}: invalid JSON: extra data after the array")


def _lines(text: str, source: str) -> Iterator[tuple[int, Any]]:
    """The values of a JSON-lines document with their line numbers (blank lines skipped)."""
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{source}:{number}: invalid JSON: {exc.msg} (column {exc.colno})") from None


def read_items(path: str) -> tuple[str, list[tuple[int, Any]]]:
    """The items of ``path`` (``-``: stdin) with their line numbers, and the name to report the file by."""
    source = "<stdin>" if path == "-" else path
    try:
        if path == "-":
            text = sys.stdin.read()
        else:
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
    except UnicodeDecodeError:
        raise InputError(f"{source}: not UTF-8 text") from None
    except OSError as exc:
        raise click.BadParameter(f"cannot read {source}: {exc.strerror or exc}", param_hint="--input") from None
    text = text.removeprefix("\ufeff")
    as_lines = path.lower().endswith(".jsonl") or not text.lstrip().startswith("[")
    return source, list(_lines(text, source) if as_lines else _array(text, source))


def problem(schema: I, item: Any) -> str | None:
    """What is wrong with one item against its schema, or None."""
    if not isinstance(item, dict):
        return f"a JSON {_type_name(item)}, not an object"
    missing = [name for name in schema.required if name not in item]
    if missing:
        return f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} required"
    if schema.exactly_one:
        given = [name for name in schema.exactly_one if item.get(name) is not None]
        if len(given) != 1:
            names = " / ".join(schema.exactly_one)
            return f"only one of {names} is allowed" if given else f"one of {names} is required"
    for name, value in item.items():
        if name not in schema.properties:
            if schema.closed:
                return f"unknown property {name!r}"
            continue
        types, choices = schema.properties[name]
        found = _type_name(value)
        if types and not any(found == t or (t, found) == ("number", "integer") for t in types):
            return f"{name} must be a JSON {' or '.join(types)}, not a {found}"
        if choices and value not in choices:
            return f"{name} must be one of {', '.join(choices)}; got {value!r}"
    return None


def _checks(schema: I) -> Any:
    return import_module(f"{__package__}.{schema.checks}") if schema.checks else None


def validate(schema: I, source: str, items: list[tuple[int, Any]]) -> list[Any]:
    """The items, once every one passed; else the first problems on stderr and :class:`InputError`."""
    singular = schema.name.removesuffix("s")
    checks = _checks(schema)
    found = []
    for index, (line, item) in enumerate(items):
        why = problem(schema, item)
        if why is None and checks is not None:
            why = checks.check(item)
        if why is not None:
            found.append(f"{source}:{line}: {singular} {index}: {why}")
    if not items:
        raise InputError(f"{source}: no {schema.name} found")
    if len(found) == 1:
        raise InputError(f"{found[0]} (nothing was sent)")
    if found:
        for text in found[:20]:
            click.echo(f"avala: error: {text}", err=True)
        raise InputError(f"{source}: {len(found)} of {len(items)} {schema.name} are invalid; nothing was sent")
    return [item for _, item in items]


def run(
    ctx: click.Context,
    record: C,
    args: list[Any],
    kwargs: dict[str, Any],
    values: dict[str, Any],
    function: Callable[[], Callable[..., Any]],
) -> None:
    """Read, check and send the items of an ``--input`` command (``function`` gives the SDK method when needed)."""
    from ._build import printer

    schema = record.input
    assert schema is not None
    path = next(values[f"input__{p.name}"] for p in record.params if p.location == "input")
    size = kwargs.get("chunk_size")
    if size is not None and size < 1:
        raise click.BadParameter("must be a positive integer", param_hint="--chunk-size")
    source, numbered = read_items(path)
    click.echo(f"Loaded {len(numbered)} {schema.name} from {source}", err=True)
    items = validate(schema, source, numbered)
    checks = _checks(schema)
    if checks is not None:
        for line in checks.summary(items):
            click.echo(line, err=True)
    if values.get("dry_run"):
        click.echo(f"[DRY RUN] {len(items)} {schema.name} validated. No HTTP call made.", err=True)
        return
    method = function()
    if checks is not None:
        from ._main import State

        state = ctx.find_object(State)
        assert state is not None
        checks.preflight(state.client(), args, items)
        if values.get("check_only"):
            click.echo("[CHECK ONLY] All pre-flight checks passed. No POST made.", err=True)
            return
    if size is None:
        size = inspect.signature(method).parameters["chunk_size"].default
    total = (len(items) + size - 1) // size
    click.echo(f"Posting {len(items)} {schema.name} in {total} chunk(s) of {size}...", err=True)

    def rows() -> Iterator[dict[str, Any]]:
        for index, result in method(*args, items, **kwargs):
            click.echo(f"  chunk {index + 1}/{total} ok", err=True)
            yield {"chunk_index": index, "result": result}

    printer(ctx, values).rows(rows())
    click.echo(f"Done. {len(items)} {schema.name} posted across {total} chunk(s).", err=True)
