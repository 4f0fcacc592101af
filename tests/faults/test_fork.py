"""After ``os.fork()`` a client uses fresh connections: parent and child never share a kept-alive socket (which
made each receive the other's responses). No multiprocessing: the test forks, the child reports over a pipe and
leaves with ``os._exit``. Sync and async."""

from __future__ import annotations

import asyncio
import json
import os
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from avala import AsyncClient, Client
from tests.conftest import API_KEY
from tests.faults.conftest import _Forever
from tests.test_faults import Loopback, Seen, reply

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")


class EchoServer(Loopback):
    """Answers ``GET /datasets/<uid>/`` with that dataset, a little late (so that concurrent calls overlap)."""

    def __init__(self) -> None:
        super().__init__()
        self.script = _Forever([self._echo])

    def _echo(self, conn: Any, server: Loopback) -> bool:
        seen: Seen = self.seen[-1]
        uid = seen.target.strip("/").split("/")[-1]
        time.sleep(0.01)
        return reply(200, {"uid": uid, "name": "n", "slug": "s"})(conn, server)

    @property
    def connections(self) -> int:
        return len(self._threads) - 1  # one thread accepts, one serves each connection


@pytest.fixture
def echo(monkeypatch: pytest.MonkeyPatch) -> Iterator[EchoServer]:
    monkeypatch.setenv("AVALA_ALLOW_INSECURE_BASE_URL", "1")
    server = EchoServer()
    yield server
    server.close()


def fork(child: Callable[[], Any]) -> tuple[int, int]:
    """Fork; the child runs ``child``, writes its JSON result (or its error) to a pipe and exits at once."""
    read, write = os.pipe()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # "this process is multi-threaded" (the test server)
        pid = os.fork()
    if pid == 0:  # pragma: no cover (the child)
        status = 0
        try:
            os.close(read)
            result: Any = child()
        except BaseException as exc:
            result, status = f"{type(exc).__name__}: {exc}", 1
        finally:
            try:
                os.write(write, json.dumps(result).encode())
            finally:
                os._exit(status)
    os.close(write)
    return pid, read


def collect(pid: int, read: int) -> Any:
    with os.fdopen(read, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    result = json.loads(data)
    assert status == 0, result
    return result


def test_a_sync_client_after_fork_uses_fresh_connections(echo: EchoServer) -> None:
    with Client(api_key=API_KEY, base_url=echo.base, timeout=5.0) as client:
        assert client.datasets.get("warm").uid == "warm"  # one kept-alive connection in the pool
        copy = client.with_options(max_retries=0)
        pid, read = fork(
            lambda: [client.datasets.get(f"child{i}").uid for i in range(4)] + [copy.datasets.get("c").uid]
        )
        parent = [client.datasets.get(f"parent{i}").uid for i in range(4)]
        child = collect(pid, read)
        assert parent == [f"parent{i}" for i in range(4)]
        assert child == [f"child{i}" for i in range(4)] + ["c"]
        assert echo.connections == 2  # the parent's, kept; the child's own
        assert client.datasets.get("after").uid == "after"  # the parent's pool is intact


def test_an_async_client_after_fork_uses_fresh_connections(echo: EchoServer) -> None:
    client = AsyncClient(api_key=API_KEY, base_url=echo.base, timeout=5.0)

    async def child_main() -> list[str]:
        return [(await client.datasets.get(f"child{i}")).uid for i in range(4)]

    def child() -> list[str]:
        # the child leaves the parent's loop alone: a prefork worker runs its own loop (here in a fresh thread,
        # since this one is inside the parent's running loop)
        results: list[Any] = []
        thread = threading.Thread(target=lambda: results.append(asyncio.run(child_main())))
        thread.start()
        thread.join(20)
        return results[0]

    async def main() -> tuple[list[str], list[str]]:
        assert (await client.datasets.get("warm")).uid == "warm"
        pid, read = fork(child)
        parent = [(await client.datasets.get(f"parent{i}")).uid for i in range(4)]
        await client.close()
        return parent, await asyncio.to_thread(collect, pid, read)

    parent, child_uids = asyncio.run(main())
    assert parent == [f"parent{i}" for i in range(4)]
    assert child_uids == [f"child{i}" for i in range(4)]
    assert echo.connections == 2
