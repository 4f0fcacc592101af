"""What a generated method knows about its API operation, and the result parsers it can use.

A generated resource module defines one :class:`Operation` (or :class:`PageOperation`) per API operation at import
time; calling the method only passes the arguments. The transport does every piece of I/O.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")
M = TypeVar("M")

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


class Operation(Generic[T]):
    """One API operation.

    Attributes:
        name: ``datasets.get``: the client attribute path and method, used in messages and logs.
        method: The HTTP method.
        path: The path template with ``{}`` placeholders for the path parameters, in order (given with their
            names, ``/datasets/{uid}/``, the names go to ``path_names``).
        path_names: The path parameters' argument names, for messages.
        parse: Turns the decoded JSON body into the result (:func:`ignore` for operations that return nothing).
        body: None when no body is sent; ``"required"`` when a JSON object is always sent (``{}`` at least);
            ``"optional"`` when nothing is sent if every body argument is None; ``"array"`` when the body is a JSON
            array, sent as given (a chunk of a chunked call).
        auth: Whether the API key is sent.
        idempotent: Whether retrying after a timeout or a 5xx is safe.
    """

    __slots__ = ("auth", "body", "decode", "idempotent", "method", "name", "parse", "path", "path_names")
    name: str
    method: str
    path: str
    path_names: tuple[str, ...]
    parse: Callable[[Any], T]
    body: str | None
    auth: bool
    idempotent: bool
    decode: bool  # whether the body is decoded (not for :func:`ignore`)

    def __init__(
        self,
        name: str,
        method: str,
        path: str,
        parse: Callable[[Any], T],
        *,
        body: str | None = None,
        auth: bool = True,
    ) -> None:
        self.name = name
        self.method = method
        self.path_names = tuple(_PLACEHOLDER.findall(path))
        self.path = _PLACEHOLDER.sub("{}", path) if self.path_names else path
        self.parse = parse
        self.body = body
        self.auth = auth
        self.idempotent = method in IDEMPOTENT_METHODS
        self.decode = parse is not ignore

    def __repr__(self) -> str:
        return f"<Operation {self.name}: {self.method} {self.path}>"


class PageOperation(Operation[list[M]]):
    """An operation answering one page ``{results, next, previous}``; ``parse`` builds one item."""

    __slots__ = ("item",)
    item: Callable[[Any], M]

    def __init__(
        self,
        name: str,
        method: str,
        path: str,
        item: Callable[[Any], M],
        *,
        body: str | None = None,
        auth: bool = True,
    ) -> None:
        super().__init__(name, method, path, list_of(item), body=body, auth=auth)
        self.item = item


def exactly_one(operation: str, **arguments: Any) -> None:
    """Raise ``ValueError`` unless exactly one of ``arguments`` is given (not None); called before a request is
    built, so nothing is sent. Values never appear in the message."""
    given = [name for name, value in arguments.items() if value is not None]
    if len(given) != 1:
        names = " or ".join(arguments)
        problem = f"both {' and '.join(given)} were given" if given else "neither was given"
        raise ValueError(f"{operation}: pass exactly one of {names}; {problem}")


def ignore(data: Any) -> None:
    """The result of an operation that returns nothing (its body, if any, is not even decoded)."""
    return None


def list_of(item: Callable[[Any], M] | None) -> Callable[[Any], list[M]]:
    """A parser for a JSON array (a page's ``results`` are accepted too), building each element with ``item``."""

    def parse(data: Any) -> list[M]:
        if isinstance(data, dict) and "results" in data:
            data = data["results"]
        if not isinstance(data, list):
            raise TypeError(f"expected a JSON array, got {type(data).__name__}")
        return list(data) if item is None else [item(element) for element in data]

    return parse


def raw_object(data: Any) -> dict[str, Any]:
    """The decoded JSON object itself."""
    if not isinstance(data, dict):
        raise TypeError(f"expected a JSON object, got {type(data).__name__}")
    return data


def result_field(name: str, kind: type[T]) -> Callable[[Any], T]:
    """A parser returning one field of the JSON object, checked to be of ``kind``."""

    def parse(data: Any) -> T:
        value = data[name]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise TypeError(f"field {name!r} should be {kind.__name__}, got {type(value).__name__}")
        return value

    return parse
