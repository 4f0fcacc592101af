"""The record layouts of the generated command table (:mod:`avala.cli._table`)."""

from __future__ import annotations

from typing import Any, NamedTuple


class P(NamedTuple):
    """A parameter of a command."""

    name: str  # the SDK argument it fills
    location: str  # "path" (an argument), "query" or "body" (options), "wait" (an option of a wait command),
    # "input" (the items of a JSON-array body, read from a file), "call" (an SDK argument not on the wire: chunk_size)
    kind: str  # str, int, float, bool, list (of strings), json (any JSON value; @FILE reads one), items (--input)
    required: bool
    choices: tuple[str, ...]  # the spec's enum, empty when the values are open
    help: str
    flags: tuple[str, ...]  # option names; for a path parameter, extra names it may also be given as
    secret: bool  # a credential: never echoed, also read from AVALA_<NAME>


class I(NamedTuple):  # noqa: E742 (the table's one-letter record names)
    """The items of a JSON-array body (``x-python-chunked``), read from ``--input FILE``, and their schema."""

    name: str  # the SDK argument the items fill (``edits``)
    required: tuple[str, ...]  # properties every item has
    exactly_one: tuple[str, ...]  # properties of which each item has exactly one
    properties: dict[str, tuple[tuple[str, ...], tuple[str, ...]]]  # name -> (JSON types, closed choices); () any
    closed: bool  # an unknown property is an error
    checks: str | None  # module of avala.cli with the published CLI's further checks (and the --check-only pre-flight)


class C(NamedTuple):
    """A command: the SDK method it calls and how its arguments are given."""

    callee: str  # the client attribute path (``fleet.devices.list``) or ``avala.<module function>``
    kind: str  # the result: page, array, single, raw, field, none; or wait
    summary: str
    description: str
    confirm: bool  # deletes and cancels ask first (``--yes`` skips)
    params: tuple[P, ...]
    wait: tuple[str, tuple[str, ...], str | None, float, float] | None  # field, until, target option, interval, timeout
    input: I | None = None  # the items of an --input command
    defaults: dict[str, Any] | None = None  # values sent when an option is not given (the published CLI's defaults)
    # the option that chooses which credentials are used, and its value -> the prefix of the parameters it uses
    credentials_of: tuple[str, dict[str, str]] | None = None


class G(NamedTuple):
    """A group of commands."""

    help: str
    aliases: tuple[str, ...]  # other names of the group (the published CLI's)
    aliases_of: dict[str, str]  # other name -> command of this group
    foreign: dict[str, tuple[str, str]]  # name -> (group, command): a command of another group shown here too
    dispatch: dict[str, tuple[str, str]]  # name -> (command without settings, command with settings)
