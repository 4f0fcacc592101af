"""Fixtures of the dataset upload tests: a fake Avala API minting real presigned URLs on the moto server (through the
fault proxy), clients on it, and a runner that calls the sync or the async client the same way."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest

from avala import AsyncClient, Client
from avala.uploads import _datasets
from avala.uploads._storage import RetryPolicy
from tests.conftest import API_KEY

from .fake_api import FakeAvala
from .storage import S3


@pytest.fixture
def fake_api(storage_proxy: Any, allow_loopback: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeAvala]:
    """The fake API, minting URLs on the fault proxy (allowed by AVALA_STORAGE_HOSTS)."""
    allow_loopback(storage_proxy.endpoint)
    monkeypatch.setenv("AVALA_ALLOW_INSECURE_BASE_URL", "1")
    api = FakeAvala(S3(storage_proxy.endpoint))
    storage_proxy.reset()  # its bucket creation is not an upload
    try:
        yield api
    finally:
        api.close()


@pytest.fixture(autouse=True)
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Backoffs of milliseconds: the policy's numbers are tested on their own."""
    monkeypatch.setattr(_datasets, "POLICY", RetryPolicy(attempts=4, base=0.01, cap=0.02, jitter=0.0))


class Runner:
    """Calls the upload methods on a sync or an async client, with the same arguments."""

    def __init__(self, kind: str, base_url: str) -> None:
        self.kind = kind
        self.base_url = base_url

    def call(self, method: str, **kwargs: Any) -> Any:
        if self.kind == "sync":
            with Client(api_key=API_KEY, base_url=self.base_url) as client:
                client._transport.sleep = lambda seconds: None
                return getattr(client.datasets, method)(**kwargs)

        async def go() -> Any:
            async def no_sleep(seconds: float) -> None:
                return None

            async with AsyncClient(api_key=API_KEY, base_url=self.base_url) as client:
                client._transport.sleep = no_sleep
                return await getattr(client.datasets, method)(**kwargs)

        return anyio.run(go, backend=self.kind)

    def upload_files(self, **kwargs: Any) -> Any:
        return self.call("upload_files", **kwargs)

    def create_from_local(self, **kwargs: Any) -> Any:
        return self.call("create_from_local", **kwargs)


@pytest.fixture(params=["sync", "asyncio"])
def run(request: pytest.FixtureRequest, fake_api: FakeAvala) -> Runner:
    """The runner, once with each client (the async one on asyncio)."""
    return Runner(str(request.param), fake_api.base_url)


@pytest.fixture(params=["sync", "asyncio", "trio"])
def run_any_loop(request: pytest.FixtureRequest, fake_api: FakeAvala) -> Runner:
    """The runner with the sync client, and the async one on asyncio and on trio."""
    return Runner(str(request.param), fake_api.base_url)


def write(path: Path, size: int, seed: int = 0) -> Path:
    """A file of ``size`` pseudo-random bytes."""
    import random

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(random.Random(seed).randbytes(size))
    return path
