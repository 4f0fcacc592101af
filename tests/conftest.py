"""Shared fixtures: clients whose HTTP is served by pytest-httpx (no test ever reaches the network)."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Iterator

import pytest

from avala import AsyncClient, Client

API_KEY = "avk_test_0123456789abcdef"
BASE = "https://api.avala.ai/api/v1"


# Async tests run through anyio's pytest plugin, on asyncio, except those marked ``asyncio`` (the contract suite, on
# pytest-asyncio's session loop). A module that sets ``ON_EVERY_EVENT_LOOP = True`` (the transport, its retries and
# faults, wait()) runs each async test on asyncio and on trio: on the loop its ``mode`` names (``sync`` tests on
# asyncio), or on each loop in turn when it has no ``mode``.
EVENT_LOOPS = ("asyncio", "trio")
MODES = ("sync", *EVENT_LOOPS)


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makeitem(collector: pytest.Module | pytest.Class, name: str, obj: object) -> None:
    if (
        collector.istestfunction(obj, name)
        and inspect.iscoroutinefunction(obj)
        and collector.get_closest_marker("asyncio") is None
        and not any(mark.name == "asyncio" for mark in getattr(obj, "pytestmark", ()))
    ):
        pytest.mark.usefixtures("anyio_backend")(pytest.mark.anyio(obj))


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if (
        getattr(metafunc.module, "ON_EVERY_EVENT_LOOP", False)
        and "anyio_backend" in metafunc.fixturenames
        and "mode" not in metafunc.fixturenames
    ):
        metafunc.parametrize("anyio_backend", EVENT_LOOPS, indirect=True)


@pytest.fixture
def anyio_backend(request: pytest.FixtureRequest) -> str:
    """The event loop an async test runs on."""
    if hasattr(request, "param"):
        return str(request.param)
    if "mode" in request.fixturenames and getattr(request.module, "ON_EVERY_EVENT_LOOP", False):
        mode = str(request.getfixturevalue("mode"))
        return "asyncio" if mode == "sync" else mode
    return "asyncio"


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
