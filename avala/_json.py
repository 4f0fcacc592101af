"""JSON decoding of response bodies: orjson when it is installed (``pip install 'avala[speedups]'``), else the
standard library's ``json``; both give the same value, or the same error, for every body.

orjson is imported by the first decode, not with the SDK. ``AVALA_NO_SPEEDUPS=1`` (or ``true``, ``yes``, ``on``; read
once, when this module is imported) keeps the standard library even where orjson is installed.

Where orjson and the standard library disagree, the standard library's answer is the SDK's:

- every body orjson refuses is decoded again by ``json.loads``, whose value or error is the result: NaN and
  Infinity, lone surrogates, a UTF-8 byte order mark, UTF-16 and UTF-32 text, a number too large for a double,
  nesting deeper than orjson's 1024 levels, and whatever both refuse (so the error is always the standard library's);
- orjson reads an integer beyond 64 bits as a float: a body that may hold one (20 digits, or a minus sign and 19,
  after a ``[``, ``,``, ``:`` or whitespace) is decoded by ``json.loads``;
- on Python 3.11, ``json.loads`` refuses nesting deeper than the interpreter's recursion limit minus the recursion
  depth of the caller (about 990 levels at most): orjson is then held to a depth below that (the limit less twice
  the frames on the stack: C calls between them count too), deeper bodies go to ``json.loads``.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from typing import Any

from ._config import _TRUTHY

SPEEDUPS_DISABLED = os.environ.get("AVALA_NO_SPEEDUPS", "").strip().lower() in _TRUTHY
"""Whether ``AVALA_NO_SPEEDUPS`` is on (``1``, ``true``, ``yes``, ``on``) where the SDK was imported."""

ORJSON_MAX_DEPTH = 1024  # orjson refuses a body nested deeper
# Python 3.11's json nests as deep as the recursion limit allows, less the caller's recursion depth (its Python frames
# and the C calls between them: at most about twice the frames) and json's own few calls (3 measured); a bound too
# low is safe, a body deeper than it only goes to json.loads.
_STDLIB_FRAMES = 16
_DEPTH_BOUNDED = sys.version_info < (3, 12)  # 3.12 counts C recursion, whose limit (>= 1500) is past orjson's

# A body's bytes mapped to the classes that matter for a big integer: a digit or a minus sign (0), what may precede a
# number (S: [ , : and whitespace), anything else (.). A big integer is then an S and 20 0s (20 digits or more: past
# 2**64 - 1 maybe; a minus sign and 19 digits or more: past -2**63 maybe), or a body starting with 20 0s.
_CLASSES = bytes(
    ord("0") if chr(b) in "0123456789-" else ord("S") if chr(b) in "[,: \t\n\r" else ord(".") for b in range(256)
)
_RUN = b"0" * 20
_BIG = b"S" + _RUN


def stdlib_loads(data: bytes) -> Any:
    """``json.loads``: the reference every decoder of the SDK agrees with."""
    return json.loads(data)


def may_hold_big_integer(data: bytes) -> bool:
    """Whether ``data`` may hold an integer beyond 64 bits, which orjson would read as a float (True for some bodies
    that hold none: such digits inside a string)."""
    classes = data.translate(_CLASSES)
    run = classes.find(_RUN)  # fast, and most bodies have no such run of digits
    if run < 0:
        return False
    return run == 0 or classes.rfind(_BIG, run - 1) >= 0  # slower (rfind is the faster here): only after a run


def make_orjson_loads(orjson: Any) -> Callable[[bytes], Any]:
    """A decoder that uses ``orjson`` and agrees with ``json.loads`` on every body (see the module's docstring)."""
    orjson_loads = orjson.loads

    def loads(data: bytes) -> Any:
        if may_hold_big_integer(data):
            return json.loads(data)
        try:
            if _DEPTH_BOUNDED:
                depth = sys.getrecursionlimit() - 2 * _stack_depth() - _STDLIB_FRAMES  # json nests this deep at least
                pad = ORJSON_MAX_DEPTH - depth
                if pad > 0 and len(data) > 2 * depth:  # orjson held to json's depth (a shorter body cannot nest deeper)
                    return _unwrap(orjson_loads(b"[" * pad + data + b"]" * pad), pad)
            return orjson_loads(data)
        except ValueError:  # orjson refuses the body (or it is not one document): json.loads gives the answer
            return json.loads(data)

    return loads


def _stack_depth() -> int:
    """The number of frames on the calling thread's stack."""
    depth = 0
    frame = sys._getframe(1)
    while frame is not None:
        depth += 1
        frame = frame.f_back  # type: ignore[assignment]
    return depth


def _unwrap(value: Any, levels: int) -> Any:
    """The one value inside ``levels`` nested one-element lists (a body padded by ``[``/``]``).

    Raises:
        ValueError: a level is not a one-element list: the padded body was not one document (it was empty, or
            closed a padding list early).
    """
    for _ in range(levels):
        if type(value) is not list or len(value) != 1:
            raise ValueError("not one JSON document")
        value = value[0]
    return value


def _choose() -> Callable[[bytes], Any]:
    """orjson's decoder when it can be imported and is not disabled, else the standard library's."""
    if SPEEDUPS_DISABLED:
        return stdlib_loads
    try:
        import orjson
    except ImportError:
        return stdlib_loads
    return make_orjson_loads(orjson)


_decoder: Callable[[bytes], Any] | None = None


def loads(data: bytes) -> Any:
    """The value of a JSON body (bytes, as received), decoded as ``json.loads`` decodes it.

    Raises:
        ValueError: not JSON (``json.JSONDecodeError``), or not text in a Unicode encoding (``UnicodeDecodeError``).
        RecursionError: nested deeper than the standard library can decode.
    """
    decoder = _decoder
    if decoder is None:
        decoder = _use(_choose())
    return decoder(data)


def backend() -> str:
    """Which decoder :func:`loads` uses: ``"orjson"`` or ``"json"`` (choosing it on first use)."""
    decoder = _decoder if _decoder is not None else _use(_choose())
    return "json" if decoder is stdlib_loads else "orjson"


def _use(decoder: Callable[[bytes], Any]) -> Callable[[bytes], Any]:
    """Make ``decoder`` the one :func:`loads` uses (the tests and the benchmarks switch between the two)."""
    global _decoder
    _decoder = decoder
    return decoder
