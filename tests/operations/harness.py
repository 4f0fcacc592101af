"""The per-operation test table: what each SDK call must send and how it must read the answer.

A :class:`Case` names a call (``datasets.list_items``) with its arguments, the exact request it must produce
(method, URL with query, JSON body or no body at all), the response to serve and checks on the result. Every case
runs against ``Client`` and ``AsyncClient``. Expectations come from the API catalogue, not from ``openapi.yaml``,
so a spec or template mistake makes a case fail.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

NO_BODY = object()


@dataclass
class Case:
    """One expected exchange for one SDK call."""

    call: str
    method: str
    url: str  # relative to the base URL, with the exact query string
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    body: Any = NO_BODY
    status: int = 200
    response: Any = None
    check: Callable[[Any], None] = lambda result: None
    id: str = ""

    def __post_init__(self) -> None:
        self.id = self.id or self.call


def target(client: Any, call: str) -> Callable[..., Any]:
    """The bound method ``client.<call>``."""
    obj = client
    for part in call.split("."):
        obj = getattr(obj, part)
    return obj  # type: ignore[no-any-return]


async def invoke(client: Any, case: Case) -> Any:
    """Call the case's method on a sync or async client; an iterator it returns (a chunked call sends one request
    per step) is walked to the end into a list."""
    result = target(client, case.call)(*case.args, **case.kwargs)
    result = await result if inspect.isawaitable(result) else result
    if isinstance(result, AsyncIterator):
        return [item async for item in result]
    return list(result) if isinstance(result, Iterator) else result
