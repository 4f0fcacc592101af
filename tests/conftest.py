"""Shared fixtures: clients whose HTTP is served by pytest-httpx (no test ever reaches the network)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from avala import AsyncClient, Client

API_KEY = "avk_test_0123456789abcdef"
BASE = "https://api.avala.ai/api/v1"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AVALA_API_KEY", "AVALA_BASE_URL", "AVALA_ALLOW_INSECURE_BASE_URL", "AVALA_LOG"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def client() -> Iterator[Client]:
    with Client(api_key=API_KEY) as c:
        c._transport.sleep = lambda seconds: None
        yield c


@pytest.fixture
async def async_client() -> AsyncIterator[AsyncClient]:
    async def no_sleep(seconds: float) -> None:
        return None

    async with AsyncClient(api_key=API_KEY) as c:
        c._transport.sleep = no_sleep
        yield c
