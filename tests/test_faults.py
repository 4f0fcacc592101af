"""Fault injection over real loopback sockets, sync and async: each fault gives the right outcome after the right
number of requests and backoff sleeps, and leaves no connection checked out of the pool.

The server (:class:`Loopback`) is a scripted HTTP/1.1 server on 127.0.0.1 in daemon threads: each request it reads
takes the next action of its script (reply, reset mid-body, stall, ...). Sleeping is recorded, never done; the jitter
is pinned to its maximum (``random() == 1.0``), so backoff delays are exact.
"""

from __future__ import annotations

import gzip
import inspect
import json
import logging
import socket
import struct
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from email.utils import formatdate
from typing import Any

import httpx
import pytest

from avala import AsyncClient, Client
from avala.errors import (
    APIConnectionError,
    APIResponseValidationError,
    APITimeoutError,
    AvalaError,
    RateLimitError,
    ServerError,
)
from tests.conftest import API_KEY, MODES

ON_EVERY_EVENT_LOOP = True  # async tests run on asyncio and on trio (tests/conftest.py)

# --- the loopback server ------------------------------------------------------------------------------------------

Action = Callable[[socket.socket, "Loopback"], bool]  # writes the answer; returns whether to keep the connection


@dataclass
class Seen:
    """One request as the server read it."""

    method: str
    target: str
    headers: dict[str, str]
    body: bytes


class Loopback:
    """A scripted HTTP/1.1 server on 127.0.0.1, an ephemeral port, one daemon thread per connection."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self.port: int = self._listener.getsockname()[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.script: list[Action] = []
        self.seen: list[Seen] = []
        self.release = threading.Event()  # ends every stall
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._serve, daemon=True)]
        self._threads[0].start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            thread = threading.Thread(target=self._connection, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _connection(self, conn: socket.socket) -> None:
        conn.settimeout(10)
        reader = conn.makefile("rb")
        try:
            while self._one(conn, reader):
                pass
        except OSError:
            pass
        finally:
            reader.close()
            conn.close()

    def _one(self, conn: socket.socket, reader: Any) -> bool:
        line = reader.readline(65537)
        if not line:
            return False
        method, target, _ = line.decode("latin-1").split(" ", 2)
        headers: dict[str, str] = {}
        while (header := reader.readline(65537)) not in (b"\r\n", b"\n", b""):
            name, value = header.decode("latin-1").split(":", 1)
            headers[name.strip().lower()] = value.strip()
        body = reader.read(int(headers.get("content-length") or 0))
        with self._lock:
            self.seen.append(Seen(method, target, headers, body))
            action = self.script.pop(0) if self.script else reply(599, b"the script is exhausted")
        return action(conn, self)

    def close(self) -> None:
        self.release.set()
        self._stop.set()
        self._listener.close()
        for thread in self._threads:
            thread.join(timeout=5)


def reply(status: int, body: bytes | str | dict[str, Any] = b"", headers: dict[str, str] | None = None) -> Action:
    """A complete response with a Content-Length; the connection stays open."""
    content_type = "application/json"
    if isinstance(body, dict):
        body = json.dumps(body).encode()
    elif isinstance(body, str):
        body, content_type = body.encode(), "text/html; charset=utf-8"

    def act(conn: socket.socket, server: Loopback) -> bool:
        head = {
            "Content-Type": content_type,
            "Content-Length": str(len(body)),
            "X-Request-Id": "req-7",
            **(headers or {}),
        }
        lines = "".join(f"{name}: {value}\r\n" for name, value in head.items())
        conn.sendall(f"HTTP/1.1 {status} Whatever\r\n{lines}\r\n".encode("latin-1") + body)
        return True

    return act


def reset_mid_body(conn: socket.socket, server: Loopback) -> bool:
    """Headers and part of the body, then a TCP reset."""
    conn.sendall(b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"uid": "ds')
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    return False


def close_mid_body(conn: socket.socket, server: Loopback) -> bool:
    """Headers and part of the body, then an orderly close: fewer bytes than the Content-Length announced."""
    conn.sendall(b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"uid": "ds')
    return False


def stall(conn: socket.socket, server: Loopback) -> bool:
    """Never answer (until the test ends): the client's read timeout fires."""
    server.release.wait(10)
    return False


DATASET = {"uid": "ds-1", "name": "Training", "slug": "training"}


# --- clients and the pool -----------------------------------------------------------------------------------------


@dataclass
class Probe:
    """A client wired for fault injection: recorded sleeps, pinned jitter, a count of the requests it sent."""

    client: Any
    sleeps: list[float] = field(default_factory=list)
    sent: list[httpx.Request] = field(default_factory=list)

    async def run(self, call: Callable[[Any], Any]) -> Any:
        result = call(self.client)
        return await result if inspect.isawaitable(result) else result

    async def close(self) -> None:
        closed = self.client.close()
        if inspect.isawaitable(closed):
            await closed


def make_probe(mode: str, base_url: str, **options: Any) -> Probe:
    """A sync or async client on ``base_url`` whose sleeps and requests are recorded."""
    options.setdefault("api_key", API_KEY)
    client: Any = (Client if mode == "sync" else AsyncClient)(base_url=base_url, **options)
    probe = Probe(client)
    transport = client._transport
    transport.random = lambda: 1.0
    if mode == "sync":
        transport.sleep = probe.sleeps.append
        transport.http.event_hooks["request"].append(probe.sent.append)
    else:

        async def sleep(seconds: float) -> None:
            probe.sleeps.append(seconds)

        async def count(request: httpx.Request) -> None:
            probe.sent.append(request)

        transport.sleep = sleep
        transport.http.event_hooks["request"].append(count)
    return probe


def checked_out(client: Any) -> list[Any]:
    """The pool's connections that are neither idle nor closed (serving a request), and requests waiting for one."""
    pool = client._transport.http._transport._pool
    busy = [conn for conn in pool.connections if not (conn.is_idle() or conn.is_closed())]
    return busy + list(getattr(pool, "_requests", []))


@pytest.fixture(autouse=True)
def _loopback_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AVALA_ALLOW_INSECURE_BASE_URL", "1")


@pytest.fixture
def server() -> Iterator[Loopback]:
    loopback = Loopback()
    yield loopback
    loopback.close()


@pytest.fixture
def other_host() -> Iterator[Loopback]:
    loopback = Loopback()
    yield loopback
    loopback.close()


@pytest.fixture(params=MODES)
def mode(request: pytest.FixtureRequest) -> str:
    """``sync``, or the event loop of an async client (asyncio, trio)."""
    return str(request.param)


@pytest.fixture
async def closed_port() -> AsyncIterator[int]:
    """A port nothing listens on: connecting is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    yield port


# --- the faults ---------------------------------------------------------------------------------------------------


def get(client: Any) -> Any:
    return client.datasets.get("ds-1")


def create(client: Any) -> Any:
    return client.datasets.create(name="Training", slug="training", data_type="image")


def delete(client: Any) -> Any:
    return client.agents.delete("ag-1")


@dataclass
class Fault:
    """A fault, what the SDK must do about it and how many requests it must send."""

    id: str
    script: Callable[[Loopback, Loopback], list[Action]]
    call: Callable[[Any], Any]
    sent: int
    sleeps: list[float]
    error: type[AvalaError] | None = None
    message: str = ""  # the exact message; {base} is the server's base URL
    prefix: str = ""  # or its beginning, when the rest is the operating system's wording
    result: Any = None
    extra: Callable[[Any], None] | None = None
    timeout: float = 30.0


def is_dataset(result: Any) -> None:
    assert (result.uid, result.name, result.slug) == ("ds-1", "Training", "training")


def waits_120_s(error: Any) -> None:
    assert (error.retry_after, error.status_code) == (120.0, 429)


def later(seconds: int) -> dict[str, str]:
    now = time.time()
    return {"Date": formatdate(now, usegmt=True), "Retry-After": formatdate(now + seconds, usegmt=True)}


HTML_502 = "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>"  # noqa: E501

FAULTS = [
    Fault(
        "refused-get",
        lambda s, o: [],
        get,
        3,
        [0.5, 1.0],
        APIConnectionError,
        prefix="datasets.get: GET {base}/datasets/ds-1/ failed after 3 attempt(s): ConnectError",
    ),
    Fault(
        "refused-post-is-retried-too",
        lambda s, o: [],
        create,
        3,
        [0.5, 1.0],
        APIConnectionError,
        prefix="datasets.create: POST {base}/datasets/ failed after 3 attempt(s): ConnectError",
    ),
    Fault("reset-mid-body-get", lambda s, o: [reset_mid_body, reply(200, DATASET)], get, 2, [0.5], extra=is_dataset),
    Fault(
        "reset-mid-body-post-not-retried",
        lambda s, o: [reset_mid_body],
        create,
        1,
        [],
        APIConnectionError,
        prefix="datasets.create: POST {base}/datasets/ failed after 1 attempt(s): ",
    ),
    Fault("closed-mid-body-get", lambda s, o: [close_mid_body, reply(200, DATASET)], get, 2, [0.5], extra=is_dataset),
    Fault(
        "read-timeout-get",
        lambda s, o: [stall, reply(200, DATASET)],
        get,
        2,
        [0.5],
        extra=is_dataset,
        timeout=0.3,
    ),
    Fault(
        "read-timeout-post-not-retried",
        lambda s, o: [stall],
        create,
        1,
        [],
        APITimeoutError,
        prefix="datasets.create: POST {base}/datasets/ timed out after 1 attempt(s): ReadTimeout",
        timeout=0.3,
    ),
    Fault(
        "429-retry-after-seconds-post",
        lambda s, o: [reply(429, {"detail": "Slow down."}, {"Retry-After": "2"}), reply(201, DATASET)],
        create,
        2,
        [2.0],
        extra=is_dataset,
    ),
    Fault(
        "429-retry-after-http-date",
        lambda s, o: [reply(429, {"detail": "Slow down."}, later(3)), reply(200, DATASET)],
        get,
        2,
        [3.0],
        extra=is_dataset,
    ),
    Fault(
        "429-asking-120-s-raises-at-once",
        lambda s, o: [reply(429, {"detail": "Request was throttled."}, {"Retry-After": "120"})],
        get,
        1,
        [],
        RateLimitError,
        message="datasets.get: Request was throttled.",
        extra=waits_120_s,
    ),
    Fault("503-then-success", lambda s, o: [reply(503, b""), reply(200, DATASET)], get, 2, [0.5], extra=is_dataset),
    Fault(
        "500-on-post-not-retried",
        lambda s, o: [reply(500, {"detail": "Internal server error."})],
        create,
        1,
        [],
        ServerError,
        message="datasets.create: Internal server error.",
    ),
    Fault(
        "html-502-retried-then-raised",
        lambda s, o: [reply(502, HTML_502)] * 3,
        get,
        3,
        [0.5, 1.0],
        ServerError,
        message="datasets.get: HTTP 502: 502 Bad Gateway 502 Bad Gateway nginx",
    ),
    Fault(
        "truncated-json-on-200",
        lambda s, o: [reply(200, b'{"uid": "ds-1", "name": "Tra')],
        get,
        1,
        [],
        APIResponseValidationError,
        message='datasets.get: HTTP 200 response with a body that is not valid JSON: {"uid": "ds-1", "name": "Tra',
    ),
    Fault("empty-200-on-void-operation", lambda s, o: [reply(200, b"")], delete, 1, [], result=None),
    Fault(
        "200-missing-a-required-field",
        lambda s, o: [reply(200, {"uid": "ds-1", "slug": "training"})],
        get,
        1,
        [],
        APIResponseValidationError,
        message=(
            "datasets.get: HTTP 200 response with the required field 'name' missing: "
            '{"uid": "ds-1", "slug": "training"}'
        ),
    ),
    Fault(
        "status-520-not-retried",
        lambda s, o: [reply(520, "Web server is returning an unknown error")],
        get,
        1,
        [],
        ServerError,
        message="datasets.get: HTTP 520: Web server is returning an unknown error",
    ),
    Fault(
        "302-to-another-host-not-followed",
        lambda s, o: [reply(302, b"", {"Location": f"http://localhost:{o.port}/steal?key=1"})],
        get,
        1,
        [],
        AvalaError,
        message="datasets.get: HTTP 302: the API redirected to http://localhost:{other}; the SDK does not follow "
        "redirects",
    ),
    Fault(
        "broken-gzip-on-200",
        lambda s, o: [reply(200, b"this is not gzip", {"Content-Encoding": "gzip"})],
        get,
        1,
        [],
        APIResponseValidationError,
        prefix="datasets.get: HTTP 200 response with a body that could not be decoded (Content-Encoding: gzip; ",
    ),
]


@pytest.mark.parametrize("fault", FAULTS, ids=[fault.id for fault in FAULTS])
async def test_fault(
    mode: str,
    fault: Fault,
    server: Loopback,
    other_host: Loopback,
    closed_port: int,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="avala")
    refused = fault.id.startswith("refused")
    base = f"http://127.0.0.1:{closed_port}" if refused else server.base
    server.script = fault.script(server, other_host)
    probe = make_probe(mode, base, timeout=fault.timeout)
    try:
        if fault.error is None:
            result = await probe.run(fault.call)
            if fault.extra is not None:
                fault.extra(result)
            else:
                assert result == fault.result
        else:
            with pytest.raises(fault.error) as info:
                await probe.run(fault.call)
            error = info.value
            assert type(error) is fault.error
            assert error.attempts == fault.sent
            expected = (fault.message or fault.prefix).replace("{base}", base).replace("{other}", str(other_host.port))
            if fault.message:
                assert str(error) == expected
            else:
                assert str(error).startswith(expected), str(error)
            assert API_KEY not in str(error) and API_KEY not in repr(error)
            if fault.extra is not None:
                fault.extra(error)
            if isinstance(error, APIConnectionError):
                assert error.status_code is None and error.request_id is None
                assert isinstance(error.__cause__, httpx.TransportError)
            elif isinstance(error, APIResponseValidationError) and "decoded" in error.message:
                assert isinstance(error.__cause__, httpx.DecodingError)
                assert error.request_id == "req-7"
            else:
                assert error.request_id == "req-7"
        assert len(probe.sent) == fault.sent
        assert len(server.seen) == (0 if refused else fault.sent)
        assert probe.sleeps == fault.sleeps
        assert checked_out(probe.client) == []
        assert other_host.seen == []
        requests = [record for record in caplog.records if record.getMessage().startswith("request ")]
        assert len(requests) == fault.sent
        assert API_KEY not in caplog.text
    finally:
        await probe.close()


async def test_retried_post_resends_the_same_body(mode: str, server: Loopback) -> None:
    server.script = [reply(429, {"detail": "Slow down."}, {"Retry-After": "0"}), reply(503), reply(201, DATASET)]
    probe = make_probe(mode, server.base, max_retries=3)
    try:
        with pytest.raises(ServerError):  # 503 on a POST is not retried; the 429 before it was
            await probe.run(create)
        bodies = [json.loads(seen.body) for seen in server.seen]
        assert bodies == [{"name": "Training", "slug": "training", "data_type": "image",
                           "visibility": "private", "create_metadata": True}] * 2  # fmt: skip
        assert [seen.headers["content-length"] for seen in server.seen] == [str(len(server.seen[0].body))] * 2
        assert probe.sleeps == [0.5]  # Retry-After: 0 is no wait asked: backoff
        assert checked_out(probe.client) == []
    finally:
        await probe.close()


async def test_the_redirect_target_never_sees_the_key(mode: str, server: Loopback, other_host: Loopback) -> None:
    server.script = [reply(307, b"", {"Location": f"{other_host.base}/api"})]
    probe = make_probe(mode, server.base)
    try:
        with pytest.raises(AvalaError) as info:
            await probe.run(get)
        assert info.value.status_code == 307
        assert other_host.seen == []
        assert server.seen[0].headers["x-avala-api-key"] == API_KEY  # the key went to the API host only
    finally:
        await probe.close()


async def test_a_connection_is_reused_after_a_retried_error(mode: str, server: Loopback) -> None:
    server.script = [reply(503, b""), reply(500, b""), reply(200, DATASET)]
    probe = make_probe(mode, server.base)
    try:
        is_dataset(await probe.run(get))
        pool = probe.client._transport.http._transport._pool
        assert len(pool.connections) == 1 and pool.connections[0].is_idle()
        assert probe.sleeps == [0.5, 1.0]
    finally:
        await probe.close()


async def test_the_pool_check_sees_a_leaked_connection(mode: str, server: Loopback) -> None:
    """The pool assertion above can fail: a response streamed and never closed keeps its connection checked out."""
    server.script = [reply(200, DATASET)]
    probe = make_probe(mode, server.base)
    try:
        http = probe.client._transport.http
        request = http.build_request("GET", f"{server.base}/datasets/ds-1/")
        if mode == "sync":
            response = http.send(request, stream=True)
            assert checked_out(probe.client) != []
            response.close()
        else:
            response = await http.send(request, stream=True)
            assert checked_out(probe.client) != []
            await response.aclose()
        assert checked_out(probe.client) == []
    finally:
        await probe.close()


async def test_gzip_body_is_decoded(mode: str, server: Loopback) -> None:
    """The control for the broken-gzip fault: a valid gzip body parses."""
    server.script = [reply(200, gzip.compress(json.dumps(DATASET).encode()), {"Content-Encoding": "gzip"})]
    probe = make_probe(mode, server.base)
    try:
        is_dataset(await probe.run(get))
        assert checked_out(probe.client) == []
    finally:
        await probe.close()
