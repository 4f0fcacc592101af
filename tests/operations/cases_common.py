"""Helpers shared by the case modules (this module holds no cases of its own)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from .harness import NO_BODY, Case


def at(text: str) -> datetime:
    """The datetime a payload's ISO 8601 string must parse to (``Z`` read as UTC)."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def is_none(result: Any) -> None:
    assert result is None, f"expected None, got {result!r}"


def equals(result: Any, expected: Any) -> None:
    """Exactly ``expected``, of the same type (raw dicts come back as decoded)."""
    assert type(result) is type(expected) and result == expected, f"{result!r} != {expected!r}"


def is_models(result: Any, model: type, n: int) -> None:
    """A plain list (a bare-array endpoint) of ``n`` instances of ``model``."""
    assert type(result) is list, f"expected a list, got {type(result).__name__}"
    assert len(result) == n and all(isinstance(item, model) for item in result)


def void_cases(
    call: str,
    method: str,
    url: str,
    args: tuple[Any, ...] = (),
    kwargs: dict[str, Any] | None = None,
    body: Any = NO_BODY,
) -> list[Case]:
    """A void operation answered with 204, with 200 and an empty body, and with 200 and a JSON body: all give None."""
    common: dict[str, Any] = {"args": args, "kwargs": kwargs or {}, "body": body, "check": is_none}
    return [
        Case(call, method, url, status=204, **common),
        Case(call, method, url, status=200, id=f"{call}-200-empty", **common),
        Case(call, method, url, status=200, response={"detail": "done"}, id=f"{call}-200-json", **common),
    ]
