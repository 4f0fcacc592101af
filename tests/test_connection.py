"""The connection side of a client: the headers each request carries, the pool a fan-out shares, and the
transport made once, on first use."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from pytest_httpx import HTTPXMock

from avala import AsyncClient, Client
from avala._transport import POOL_SIZE
from avala._version import __version__
from avala.resources.signup import Signup
from tests.conftest import API_KEY, BASE
from tests.test_faults import DATASET

URL = f"{BASE}/datasets/ds-1/"
USER_AGENT = f"avala-python/{__version__}"


def header_lists(request: httpx.Request) -> dict[str, list[str]]:
    """Each header name of a request with every value it was sent with (a duplicate would show as two)."""
    found: dict[str, list[str]] = {}
    for name, value in request.headers.multi_items():
        found.setdefault(name.lower(), []).append(value)
    return found


# --- headers ------------------------------------------------------------------------------------------------------


async def test_every_request_carries_the_sdk_headers_once(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=URL, json=DATASET, is_reusable=True)
    with Client(api_key=API_KEY) as client:
        client.datasets.get("ds-1")
    async with AsyncClient(api_key=API_KEY) as aclient:
        await aclient.datasets.get("ds-1")
    for request in httpx_mock.get_requests():
        headers = header_lists(request)
        assert headers["x-avala-api-key"] == [API_KEY]
        assert headers["accept"] == ["application/json"]
        assert headers["user-agent"] == [USER_AGENT]


async def test_a_callers_http_client_gets_the_headers_per_request_and_is_not_changed(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=URL, json=DATASET, is_reusable=True)
    with httpx.Client(headers={"X-Team": "perception"}) as http, Client(api_key=API_KEY, http_client=http) as client:
        client.datasets.get("ds-1")
        assert "x-avala-api-key" not in http.headers
    async with httpx.AsyncClient() as ahttp, AsyncClient(api_key=API_KEY, http_client=ahttp) as aclient:
        await aclient.datasets.get("ds-1")
        assert "x-avala-api-key" not in ahttp.headers
    sync_request, async_request = httpx_mock.get_requests()
    assert header_lists(sync_request)["x-team"] == ["perception"]
    for request in (sync_request, async_request):
        headers = header_lists(request)
        assert (headers["x-avala-api-key"], headers["user-agent"]) == ([API_KEY], [USER_AGENT])


async def test_with_options_headers_add_to_and_override_the_sdk_headers(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=URL, json=DATASET, is_reusable=True)
    with Client(api_key=API_KEY) as client:
        tagged = client.with_options(headers={"X-Trace": "t-1", "User-Agent": "pipeline/2"})
        tagged.datasets.get("ds-1")
        tagged.with_options(headers={"X-Trace": "t-2"}).datasets.get("ds-1")
        client.datasets.get("ds-1")
    first, second, parent = (header_lists(r) for r in httpx_mock.get_requests())
    assert (first["x-trace"], first["user-agent"], first["x-avala-api-key"]) == (["t-1"], ["pipeline/2"], [API_KEY])
    assert (second["x-trace"], second["user-agent"]) == (["t-2"], ["pipeline/2"])
    assert "x-trace" not in parent and parent["user-agent"] == [USER_AGENT]


@pytest.mark.parametrize("own_http", [True, False], ids=["sdk-http-client", "caller-http-client"])
def test_an_operation_without_auth_never_sends_the_key(httpx_mock: HTTPXMock, own_http: bool) -> None:
    httpx_mock.add_response(
        url=f"{BASE}/signup/", json={"user": {"uid": "u-1", "username": "ada"}, "api_key": "avk_new_key_000000"}
    )
    with httpx.Client() as http, Client(api_key=API_KEY, http_client=None if own_http else http) as client:
        Signup(client._transport).create(email="ada@example.com", password="correct horse battery")
    headers = header_lists(httpx_mock.get_requests()[0])
    assert "x-avala-api-key" not in headers
    assert headers["user-agent"] == [USER_AGENT]


# --- the connection pool ------------------------------------------------------------------------------------------


class LoopbackServer:
    """A keep-alive HTTP/1.1 server on 127.0.0.1 answering every request, after ``delay`` seconds, with a dataset;
    it counts the connections it accepts."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.accepted = 0
        self.server: asyncio.Server | None = None

    async def start(self) -> str:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = self.server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        body = httpx.Response(200, json=DATASET).content
        head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        try:
            while await reader.readuntil(b"\r\n\r\n"):
                await asyncio.sleep(self.delay)
                writer.write(head.encode() + body)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()


@pytest.fixture
async def loopback(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[tuple[LoopbackServer, str]]:
    monkeypatch.setenv("AVALA_ALLOW_INSECURE_BASE_URL", "1")
    server = LoopbackServer(delay=0.05)
    base_url = await server.start()
    yield server, base_url
    await server.stop()


async def test_a_fan_out_reuses_one_pool_of_pool_size_connections(loopback: tuple[LoopbackServer, str]) -> None:
    """Two bursts of 150 concurrent calls, from a client and its with_options copy: the pool's connections are
    opened once and reused, never more of them than the pool's size."""
    server, base_url = loopback
    async with AsyncClient(api_key=API_KEY, base_url=base_url) as client:
        for caller in (client, client.with_options(timeout=5)):
            results = await asyncio.gather(*(caller.datasets.get("ds-1") for _ in range(150)))
            assert {r.uid for r in results} == {DATASET["uid"]}
    assert server.accepted == POOL_SIZE


async def test_calls_beyond_the_pool_wait_their_turn_without_a_pool_timeout(
    loopback: tuple[LoopbackServer, str],
) -> None:
    """Waiting for a free connection happens in the SDK: the pool timeout applies to the connection, not the queue."""
    server, base_url = loopback
    timeout = httpx.Timeout(5.0, pool=0.01)
    async with AsyncClient(api_key=API_KEY, base_url=base_url, timeout=timeout, max_retries=0) as client:
        results = await asyncio.gather(*(client.datasets.get("ds-1") for _ in range(POOL_SIZE * 4)))
    assert len(results) == POOL_SIZE * 4 and server.accepted == POOL_SIZE


async def test_a_callers_http_client_keeps_its_own_limits(loopback: tuple[LoopbackServer, str]) -> None:
    server, base_url = loopback
    limits = httpx.Limits(max_connections=POOL_SIZE + 10, max_keepalive_connections=POOL_SIZE + 10)
    async with (
        httpx.AsyncClient(limits=limits) as http,
        AsyncClient(api_key=API_KEY, base_url=base_url, http_client=http) as client,
    ):
        await asyncio.gather(*(client.datasets.get("ds-1") for _ in range(60)))
    assert server.accepted == POOL_SIZE + 10


# --- the transport, made on first use -----------------------------------------------------------------------------


def test_the_transport_is_made_on_first_use_and_shared_by_copies(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=URL, json=DATASET)
    client = Client(api_key=API_KEY)
    assert "_transport" not in vars(client)
    copy = client.with_options(max_retries=0)
    transport = vars(client)["_transport"]
    assert copy._transport.http is transport.http
    client.datasets.get("ds-1")
    assert client._transport is transport
    client.close()
    assert transport.http.is_closed


def test_threads_racing_to_the_first_call_get_one_transport(monkeypatch: pytest.MonkeyPatch) -> None:
    """CPython 3.11's cached_property happens to lock too; from 3.12 on only the client's own lock makes this hold."""
    from avala import _transport

    made: list[Any] = []
    real_init = _transport.SyncTransport.__init__

    def slow_init(self: Any, *args: Any, **kwargs: Any) -> None:
        time.sleep(0.02)  # widens the window in which a second thread could make another one
        real_init(self, *args, **kwargs)
        made.append(self)

    monkeypatch.setattr(_transport.SyncTransport, "__init__", slow_init)
    client = Client(api_key=API_KEY)
    start = threading.Barrier(8)
    seen: list[Any] = []

    def first_call() -> None:
        start.wait()
        seen.append(client._transport)

    threads = [threading.Thread(target=first_call) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(made) == 1 and all(t is made[0] for t in seen)
    client.close()
