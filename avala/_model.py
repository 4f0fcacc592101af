"""Helpers the generated models call: date-time parsing, unknown-field capture, secret-hiding repr, dumping to a
dict and to JSON text."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

_datetime_fromisoformat = datetime.fromisoformat
_date_fromisoformat = date.fromisoformat


def parse_datetime(value: Any) -> datetime:
    """An ISO 8601 date-time (``2026-02-24T10:15:00Z``, with or without fraction or offset)."""
    try:  # the hot path of model parsing: a string, parsed in C, with no check before
        return _datetime_fromisoformat(value)
    except TypeError:
        if isinstance(value, datetime):
            return value
        raise TypeError(f"expected an ISO 8601 date-time string, got {type(value).__name__}") from None


def parse_date(value: Any) -> date:
    """An ISO 8601 calendar date (``2026-02-24``)."""
    try:
        return _date_fromisoformat(value)
    except TypeError:
        if isinstance(value, date):
            return value
        raise TypeError(f"expected an ISO 8601 date string, got {type(value).__name__}") from None


def extra_properties(data: Mapping[str, Any], known: frozenset[str]) -> dict[str, Any]:
    """The entries of ``data`` whose keys are not model fields (``from_dict`` calls it only when there are some)."""
    return {key: value for key, value in data.items() if key not in known}


def secret_repr(value: Any) -> str:
    """How a secret field shows in ``repr``: whether it is set, never its value."""
    return "None" if value is None else "'***'"


def to_json(value: Any) -> Any:
    """A JSON-ready copy of a model field value; a UTC date-time ends in ``Z``, as the API writes it."""
    if isinstance(value, datetime):
        text = value.isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return [to_json(item) for item in value]
    if isinstance(value, dict):
        return {key: to_json(item) for key, item in value.items()}
    to_dict = getattr(value, "to_dict", None)
    return to_dict() if callable(to_dict) else value


def dump_json(model: Any, wire_names: tuple[tuple[str, str], ...], indent: int | None) -> str:
    """A model as JSON text: compact like the API's (or indented by ``indent``), non-ASCII characters kept."""
    separators = (",", ":") if indent is None else (",", ": ")
    return json.dumps(
        dump(model, wire_names), ensure_ascii=False, allow_nan=False, indent=indent, separators=separators
    )


def dump(model: Any, wire_names: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    """A model as its JSON object: every field under its wire name in the spec's order, then the unknown fields (a
    known field wins over an unknown one of the same name)."""
    out: dict[str, Any] = {wire: to_json(getattr(model, name)) for name, wire in wire_names}
    for key, value in model.additional_properties.items():
        out.setdefault(key, value)
    return out
