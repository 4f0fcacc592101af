"""Polling until an object reaches a status: the policy behind every generated ``wait()`` method.

Written once as a generator of steps (None: fetch; a float: sleep that many seconds), driven by :func:`wait_until` and
:func:`async_wait_until`. It always fetches at least once, returns as soon as the status field holds one of the
awaited values, and raises :class:`~avala.errors.WaitTimeoutError` (carrying the last object) at the deadline.
"""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable, Callable, Collection, Generator
from typing import Any, TypeVar

from .errors import WaitTimeoutError

T = TypeVar("T")


def _check(interval: float, timeout: float) -> None:
    for name, value in (("interval", interval), ("timeout", timeout)):
        if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value) or value < 0:
            raise ValueError(f"{name} must be a number of seconds >= 0, not {value!r}")
    if interval <= 0:
        raise ValueError(f"interval must be > 0 seconds, not {interval!r}")


def _steps(
    name: str, field: str, until: Collection[Any], interval: float, timeout: float, clock: Callable[[], float]
) -> Generator[float | None, Any, Any]:
    deadline = clock() + timeout
    while True:
        last = yield None  # fetch
        if getattr(last, field, None) in until:
            return last
        remaining = deadline - clock()
        if remaining <= 0:
            wanted = ", ".join(map(str, until))
            raise WaitTimeoutError(
                f"gave up after {timeout:g} s; {field} is {getattr(last, field, None)!r}, waiting for {wanted}",
                last,
                operation=name,
            )
        yield min(interval, remaining)


def wait_until(
    fetch: Callable[[], T],
    name: str,
    field: str,
    until: Collection[Any],
    interval: float,
    timeout: float,
    *,
    sleep: Callable[[float], Any] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> T:
    """Call ``fetch`` until ``getattr(result, field)`` is in ``until``; return that result."""
    _check(interval, timeout)
    steps = _steps(name, field, until, interval, timeout, clock)
    step = next(steps)
    try:
        while True:
            if step is None:
                step = steps.send(fetch())
            else:
                sleep(step)
                step = next(steps)
    except StopIteration as done:
        result: T = done.value
        return result


async def async_wait_until(
    fetch: Callable[[], Awaitable[T]],
    name: str,
    field: str,
    until: Collection[Any],
    interval: float,
    timeout: float,
    *,
    sleep: Callable[[float], Awaitable[Any]],
    clock: Callable[[], float] = time.monotonic,
) -> T:
    """The async twin of :func:`wait_until`."""
    _check(interval, timeout)
    steps = _steps(name, field, until, interval, timeout, clock)
    step = next(steps)
    try:
        while True:
            if step is None:
                step = steps.send(await fetch())
            else:
                await sleep(step)
                step = next(steps)
    except StopIteration as done:
        result: T = done.value
        return result
