"""The generated ``wait`` commands: the SDK's polling policy, with the status shown on stderr as it changes."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import click

from .._wait import wait_until
from ._spec import C


def wait(get: Callable[..., Any], record: C, args: list[Any], values: dict[str, Any]) -> Any:
    """Poll ``get(*args)`` until the record's field holds an awaited value; return the last object."""
    assert record.wait is not None
    field, until, target, _, _ = record.wait
    wanted = (values.get(f"wait__{target}") or until[0],) if target else until
    started = time.monotonic()
    seen: list[Any] = []

    def fetch() -> Any:
        result = get(*args)
        status = getattr(result, field, None)
        if not values.get("quiet") and (not seen or seen[-1] != status):
            click.echo(f"{field}: {status} ({time.monotonic() - started:.0f} s)", err=True)
        seen.append(status)
        del seen[:-1]
        return result

    return wait_until(fetch, f"{record.callee}.wait", field, wanted, values["interval"], values["timeout"])
