# pyright: strict
"""A misspelt method under ``with_raw_response``: both checkers must report it (tests/test_typing.py)."""

from __future__ import annotations

from avala import AsyncClient, Client


def sync_call(client: Client) -> None:
    client.with_raw_response.datasets.gett("training-v2")  # error: no such method


async def async_call(client: AsyncClient) -> None:
    await client.with_raw_response.datasets.gett("training-v2")  # error: no such method
