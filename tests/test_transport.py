"""The transport's retry policy, backoff, Retry-After, typed failures and timeouts, sync and async, with
pytest-httpx serving the responses and sleeping recorded instead of done."""

from __future__ import annotations

import subprocess
import sys
from email.utils import formatdate
from typing import Any

import anyio
import httpx
import pytest
import sniffio
from pytest_httpx import HTTPXMock

from avala import AsyncClient, Client
from avala._operation import Operation, raw_object
from avala._transport import POOL_SIZE
from avala.errors import (
    APIConnectionError,
    APIResponseValidationError,
    APITimeoutError,
    AuthenticationError,
    AvalaError,
    ConflictError,
    ForbiddenError,
    NotFoundError,
    RateLimitError,
    ServerError,
    ValidationError,
)
from tests.conftest import API_KEY, BASE, MODES
from tests.test_faults import DATASET, Probe, make_probe

URL = f"{BASE}/datasets/ds-1/"

ON_EVERY_EVENT_LOOP = True  # async tests run on asyncio and on trio (tests/conftest.py)


@pytest.fixture(params=MODES)
def mode(request: pytest.FixtureRequest) -> str:
    """``sync``, or the event loop of an async client (asyncio, trio)."""
    return str(request.param)


def probe_for(mode: str, **options: Any) -> Probe:
    return make_probe(mode, BASE, **options)


async def call(probe: Probe, method: str, **options: Any) -> Any:
    """Call an ad-hoc operation ``x.op`` (``METHOD /x/a/``) answering a JSON object."""
    op = Operation("x.op", method, "/x/{}/", raw_object, body="optional")
    return await probe.run(lambda client: client._transport.call(op, ("a",), None, options or None))


def get(client: Any) -> Any:
    return client.datasets.get("ds-1")


# --- backoff and Retry-After --------------------------------------------------------------------------------------


async def test_backoff_doubles_from_half_a_second_and_caps_at_8(mode: str, httpx_mock: HTTPXMock) -> None:
    for _ in range(8):
        httpx_mock.add_response(url=URL, status_code=503)
    probe = probe_for(mode, max_retries=7)
    with pytest.raises(ServerError) as info:
        await probe.run(get)
    assert probe.sleeps == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
    assert info.value.attempts == 8 and len(probe.sent) == 8
    await probe.close()


@pytest.mark.parametrize(("jitter", "expected"), [(0.25, [0.125, 0.25, 0.5]), (0.0, [0.0, 0.0, 0.0])])
async def test_backoff_has_full_jitter(mode: str, httpx_mock: HTTPXMock, jitter: float, expected: list[float]) -> None:
    for _ in range(3):
        httpx_mock.add_response(url=URL, status_code=502)
    httpx_mock.add_response(url=URL, json=DATASET)
    probe = probe_for(mode, max_retries=3)
    probe.client._transport.random = lambda: jitter
    assert (await probe.run(get)).uid == "ds-1"
    assert probe.sleeps == expected
    await probe.close()


def _dates(offset: float, zone: str = "GMT") -> dict[str, str]:
    now = 1_800_000_000.0
    retry = formatdate(now + offset, usegmt=True).replace("GMT", zone)
    return {"Date": formatdate(now, usegmt=True), "Retry-After": retry}


@pytest.mark.parametrize(
    ("headers", "slept"),
    [
        ({"Retry-After": "2"}, 2.0),
        ({"Retry-After": "0"}, 0.5),
        ({"Retry-After": "1.5"}, 1.5),
        ({"Retry-After": "60"}, 60.0),
        ({"Retry-After": "-5"}, 0.5),
        ({"retry-after-ms": "0", "Retry-After": "3"}, 3.0),
        ({"retry-after-ms": "-100"}, 0.5),
        ({"retry-after-ms": "1500", "Retry-After": "9"}, 1.5),
        ({"Retry-After": "soon"}, 0.5),
        ({"Retry-After": "nan"}, 0.5),
        ({"Retry-After": "inf"}, 0.5),
        (_dates(7), 7.0),
        (_dates(-30), 0.5),
        (_dates(4, "-0000"), 4.0),
    ],
    ids=[
        "seconds",
        "zero",
        "fraction",
        "at-the-cap",
        "negative",
        "ms-zero-falls-back-to-seconds",
        "ms-negative",
        "ms-first",
        "garbage",
        "nan",
        "inf",
        "date",
        "date-past",
        "date-naive",
    ],
)
async def test_retry_after_is_honoured(mode: str, httpx_mock: HTTPXMock, headers: dict[str, str], slept: float) -> None:
    httpx_mock.add_response(url=URL, status_code=429, headers=headers, json={"detail": "Slow down."})
    httpx_mock.add_response(url=URL, json=DATASET)
    probe = probe_for(mode)
    assert (await probe.run(get)).uid == "ds-1"
    assert probe.sleeps == [slept]
    await probe.close()


async def test_retry_after_date_without_a_date_header_counts_from_the_local_clock(
    mode: str, httpx_mock: HTTPXMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("avala._http_errors.time.time", lambda: 1_800_000_000.0)
    headers = {"Retry-After": formatdate(1_800_000_005.0, usegmt=True)}
    httpx_mock.add_response(url=URL, status_code=503, headers=headers)
    httpx_mock.add_response(url=URL, json=DATASET)
    probe = probe_for(mode)
    await probe.run(get)
    assert probe.sleeps == [5.0]
    await probe.close()


@pytest.mark.parametrize(
    ("status", "headers", "cls", "asked"),
    [
        (429, {"Retry-After": "120"}, RateLimitError, 120.0),
        (429, {"retry-after-ms": "60001"}, RateLimitError, 60.001),
        (503, {"Retry-After": "61"}, ServerError, 61.0),
        (429, _dates(3600), RateLimitError, 3600.0),
    ],
)
async def test_a_longer_wait_than_60_s_raises_at_once(
    mode: str, httpx_mock: HTTPXMock, status: int, headers: dict[str, str], cls: type[AvalaError], asked: float
) -> None:
    httpx_mock.add_response(url=URL, status_code=status, headers=headers)
    probe = probe_for(mode)
    with pytest.raises(cls) as info:
        await probe.run(get)
    assert info.value.retry_after == pytest.approx(asked)
    assert info.value.attempts == 1 and len(probe.sent) == 1 and probe.sleeps == []
    await probe.close()


async def test_rate_limit_after_the_last_retry_keeps_retry_after(mode: str, httpx_mock: HTTPXMock) -> None:
    for _ in range(3):
        httpx_mock.add_response(url=URL, status_code=429, headers={"Retry-After": "1"})
    probe = probe_for(mode)
    with pytest.raises(RateLimitError) as info:
        await probe.run(get)
    assert (info.value.attempts, info.value.retry_after, info.value.status_code) == (3, 1.0, 429)
    assert probe.sleeps == [1.0, 1.0]
    await probe.close()


# --- what is retried ----------------------------------------------------------------------------------------------

METHODS = ["GET", "HEAD", "PUT", "DELETE", "OPTIONS", "POST", "PATCH"]
IDEMPOTENT = {"GET", "HEAD", "PUT", "DELETE", "OPTIONS"}
RETRIED_FOR_IDEMPOTENT = [408, 500, 502, 503, 504]
NEVER_RETRIED = [400, 401, 403, 404, 405, 409, 410, 418, 422, 499, 501, 505, 520, 529]


@pytest.mark.parametrize("status", [*RETRIED_FOR_IDEMPOTENT, 429, *NEVER_RETRIED])
async def test_which_statuses_are_retried(mode: str, httpx_mock: HTTPXMock, status: int) -> None:
    probe = probe_for(mode)
    for method in METHODS:
        retried = status == 429 or (status in RETRIED_FOR_IDEMPOTENT and method in IDEMPOTENT)
        for _ in range(3 if retried else 1):
            httpx_mock.add_response(
                method=method, status_code=status, json={"detail": "no"}, headers={"X-Request-Id": "r"}
            )
        probe.sent.clear()
        probe.sleeps.clear()
        with pytest.raises(AvalaError) as info:
            await call(probe, method)
        error = info.value
        assert error.attempts == len(probe.sent) == (3 if retried else 1), method
        assert probe.sleeps == ([0.5, 1.0] if retried else []), method
        assert (error.status_code, error.request_id, str(error)) == (status, "r", "x.op: no")
    await probe.close()


NOT_SENT = [httpx.ConnectError("refused"), httpx.ConnectTimeout("connect"), httpx.PoolTimeout("pool")]
MAYBE_SENT = [
    httpx.ReadTimeout("read"),
    httpx.WriteTimeout("write"),
    httpx.ReadError("reset"),
    httpx.WriteError("broken pipe"),
    httpx.RemoteProtocolError("Server disconnected without sending a response."),
    httpx.LocalProtocolError("bad"),
    httpx.CloseError("close"),
    httpx.ProxyError("proxy"),
]


@pytest.mark.parametrize("exc", NOT_SENT + MAYBE_SENT, ids=lambda exc: type(exc).__name__)
async def test_which_connection_failures_are_retried(
    mode: str, httpx_mock: HTTPXMock, exc: httpx.TransportError
) -> None:
    probe = probe_for(mode)
    kind = APITimeoutError if isinstance(exc, httpx.TimeoutException) else APIConnectionError
    what = "timed out" if kind is APITimeoutError else "failed"
    for method in METHODS:
        retried = any(exc is other for other in NOT_SENT) or method in IDEMPOTENT
        attempts = 3 if retried else 1
        for _ in range(attempts):
            httpx_mock.add_exception(exc, method=method)
        probe.sent.clear()
        with pytest.raises(kind) as info:
            await call(probe, method)
        error = info.value
        assert error.attempts == len(probe.sent) == attempts, method
        assert error.status_code is None and error.__cause__ is exc
        name = type(exc).__name__
        assert str(error) == f"x.op: {method} {BASE}/x/a/ {what} after {attempts} attempt(s): {name}: {exc}"
    await probe.close()


@pytest.mark.parametrize(
    "exc",
    [httpx.DecodingError("bad gzip"), httpx.TooManyRedirects("loop")],
    ids=lambda exc: type(exc).__name__,
)
async def test_no_httpx_error_escapes(mode: str, httpx_mock: HTTPXMock, exc: httpx.RequestError) -> None:
    httpx_mock.add_exception(exc)
    probe = probe_for(mode)
    with pytest.raises(AvalaError) as info:
        await probe.run(get)
    assert info.value.__cause__ is exc and info.value.attempts == 1
    await probe.close()


async def test_max_retries_is_per_client_and_per_call(mode: str, httpx_mock: HTTPXMock) -> None:
    for _ in range(1 + 2 + 3):
        httpx_mock.add_exception(httpx.ConnectError("refused"))
    probe = probe_for(mode, max_retries=0)
    with pytest.raises(APIConnectionError) as info:
        await probe.run(get)
    assert info.value.attempts == 1
    with pytest.raises(APIConnectionError) as info:
        await probe.run(lambda client: client.with_options(max_retries=1).datasets.get("ds-1"))
    assert info.value.attempts == 2
    probe.client = probe.client.with_options(max_retries=2)
    with pytest.raises(APIConnectionError) as info:
        await probe.run(get)
    assert info.value.attempts == 3 and len(probe.sent) == 6
    await probe.close()


async def test_raw_response_counts_retries(mode: str, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=URL, status_code=503)
    httpx_mock.add_response(url=URL, json=DATASET, headers={"X-Request-Id": "r-9"})
    probe = probe_for(mode)
    raw = await probe.run(lambda client: client.with_raw_response.datasets.get("ds-1"))
    assert (raw.status_code, raw.retries, raw.request_id, raw.parse().uid) == (200, 1, "r-9", "ds-1")
    await probe.close()


# --- responses the SDK cannot use ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "datasets.get: HTTP 200 response with an empty body"),
        (
            b"<html><body>Hello</body></html>",
            "datasets.get: HTTP 200 response with a body that is not valid JSON: Hello",
        ),
        (b'{"uid": 1', 'datasets.get: HTTP 200 response with a body that is not valid JSON: {"uid": 1'),
        (
            b"[1, 2]",
            "datasets.get: HTTP 200 response with an unexpected value ('list' object is not a mapping): [1, 2]",
        ),
        (b"[" * 100_000, "datasets.get: HTTP 200 response with a body that is not valid JSON: " + "[" * 199 + "…"),
        (
            b'{"uid": "u", "name": "n", "slug": "s", "created_at": "yesterday"}',
            "datasets.get: HTTP 200 response with an unexpected value (Invalid isoformat string: 'yesterday'): "
            '{"uid": "u", "name": "n", "slug": "s", "created_at": "yesterday"}',
        ),
    ],
    ids=["empty", "html", "truncated", "wrong-shape", "deep", "bad-date"],
)
async def test_an_unusable_2xx_names_operation_status_and_excerpt(
    mode: str, httpx_mock: HTTPXMock, content: bytes, message: str
) -> None:
    httpx_mock.add_response(url=URL, content=content, headers={"X-Request-Id": "r-2"})
    probe = probe_for(mode)
    with pytest.raises(APIResponseValidationError) as info:
        await probe.run(get)
    error = info.value
    assert str(error) == message
    assert (error.status_code, error.request_id, error.attempts, len(probe.sent)) == (200, "r-2", 1, 1)
    assert isinstance(error.__cause__, ValueError | KeyError | TypeError | AttributeError | RecursionError)
    await probe.close()


async def test_an_unusable_page(mode: str, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=f"{BASE}/datasets/", json={"results": 5})
    probe = probe_for(mode)
    with pytest.raises(APIResponseValidationError, match=r"^datasets.list: HTTP 200 response with an unexpected"):
        await probe.run(lambda client: client.datasets.list())
    await probe.close()


async def test_an_unusable_body_excerpt_is_redacted(mode: str, httpx_mock: HTTPXMock) -> None:
    body = {"uid": "u", "api_key": "avk_brand_new_key_123456", "password": "hunter2", "echo": API_KEY}
    httpx_mock.add_response(url=URL, json=body)
    probe = probe_for(mode)
    with pytest.raises(APIResponseValidationError) as info:
        await probe.run(get)
    assert str(info.value) == (
        "datasets.get: HTTP 200 response with the required field 'name' missing: "
        '{"uid": "u", "api_key": "[redacted]", "password": "[redacted]", "echo": "[redacted]"}'
    )
    await probe.close()


# --- error responses ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "body", "cls", "message"),
    [
        (400, {"name": ["This field is required."]}, ValidationError, "name: This field is required."),
        (401, {"detail": "Invalid API key."}, AuthenticationError, "Invalid API key."),
        (403, {"detail": "Forbidden."}, ForbiddenError, "Forbidden."),
        (404, {"detail": "Not found."}, NotFoundError, "Not found."),
        (409, {"slug": ["Taken."]}, ConflictError, "slug: Taken."),
        (422, ["bad"], ValidationError, "bad"),
        (499, None, AvalaError, "HTTP 499"),
        (500, b'{"detail": "bo', ServerError, 'HTTP 500: {"detail": "bo'),
        (520, None, ServerError, "HTTP 520"),
        (529, "<html><body><h1>Overloaded</h1></body></html>", ServerError, "HTTP 529: Overloaded"),
        (600, None, AvalaError, "HTTP 600"),
    ],
)
async def test_error_responses_read_well_and_carry_the_request_id(
    mode: str, httpx_mock: HTTPXMock, status: int, body: Any, cls: type[AvalaError], message: str
) -> None:
    headers = {"X-Request-Id": f"req-{status}"}
    if isinstance(body, bytes):
        httpx_mock.add_response(url=URL, status_code=status, content=body, headers=headers)
    elif isinstance(body, str):
        httpx_mock.add_response(url=URL, status_code=status, html=body, headers=headers)
    elif body is None:
        httpx_mock.add_response(url=URL, status_code=status, headers=headers)
    else:
        httpx_mock.add_response(url=URL, status_code=status, json=body, headers=headers)
    probe = probe_for(mode, max_retries=0)
    with pytest.raises(cls) as info:
        await probe.run(get)
    error = info.value
    assert type(error) is cls
    assert (str(error), error.status_code, error.request_id) == (f"datasets.get: {message}", status, f"req-{status}")
    if cls is ValidationError and isinstance(body, dict):
        assert error.details == [{"field": "name", "message": "This field is required."}]  # type: ignore[attr-defined]
    await probe.close()


async def test_a_deeply_nested_error_body_does_not_crash(mode: str, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=URL, status_code=400, content=b'{"a": ' * 50_000)
    probe = probe_for(mode)
    with pytest.raises(ValidationError) as info:
        await probe.run(get)
    assert str(info.value).startswith('datasets.get: HTTP 400: {"a": {"a":')
    await probe.close()


@pytest.mark.parametrize(
    ("location", "where"),
    [
        ("https://evil.example.com:8443/x?token=abc", "https://evil.example.com:8443"),
        ("/relative", "another URL"),
        ("", "another URL"),
    ],
)
async def test_a_redirect_names_only_the_origin(mode: str, httpx_mock: HTTPXMock, location: str, where: str) -> None:
    httpx_mock.add_response(url=URL, status_code=301, headers={"Location": location})
    probe = probe_for(mode)
    with pytest.raises(AvalaError) as info:
        await probe.run(get)
    assert str(info.value) == (
        f"datasets.get: HTTP 301: the API redirected to {where}; the SDK does not follow redirects"
    )
    assert len(probe.sent) == 1
    await probe.close()


async def test_a_malformed_location_is_a_typed_error(mode: str, httpx_mock: HTTPXMock) -> None:
    """httpx rejects it as a protocol error even without following: retried like one, then raised, typed."""
    httpx_mock.add_response(url=URL, status_code=302, headers={"Location": "http://[::1"}, is_reusable=True)
    probe = probe_for(mode)
    with pytest.raises(APIConnectionError, match="RemoteProtocolError: Invalid URL in location header") as info:
        await probe.run(get)
    assert info.value.attempts == 3
    await probe.close()


# --- timeouts -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("timeout", "expected"),
    [
        ("default", httpx.Timeout(30.0)),
        (5, httpx.Timeout(5.0)),
        (2.5, httpx.Timeout(2.5)),
        (httpx.Timeout(10.0, connect=2.0), httpx.Timeout(10.0, connect=2.0)),
        (None, httpx.Timeout(None)),
    ],
)
async def test_every_request_carries_the_timeout(
    mode: str, httpx_mock: HTTPXMock, timeout: Any, expected: httpx.Timeout
) -> None:
    httpx_mock.add_response(url=URL, json=DATASET)
    probe = probe_for(mode) if timeout == "default" else probe_for(mode, timeout=timeout)
    await probe.run(get)
    assert httpx_mock.get_requests()[0].extensions["timeout"] == expected.as_dict()
    await probe.close()


async def test_per_call_timeout_and_a_caller_http_client_without_one(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=URL, json=DATASET, is_reusable=True)
    with httpx.Client(timeout=None) as http, Client(api_key=API_KEY, http_client=http) as client:
        client.datasets.get("ds-1")
        client.with_options(timeout=3).datasets.get("ds-1")
    async with httpx.AsyncClient(timeout=None) as ahttp, AsyncClient(api_key=API_KEY, http_client=ahttp) as aclient:
        await aclient.datasets.get("ds-1")
    timeouts = [request.extensions["timeout"] for request in httpx_mock.get_requests()]
    assert timeouts == [httpx.Timeout(30.0).as_dict(), httpx.Timeout(3.0).as_dict(), httpx.Timeout(30.0).as_dict()]


# --- import cost --------------------------------------------------------------------------------------------------


def test_no_event_loop_library_is_imported_until_an_async_client_sleeps() -> None:
    code = (
        # (what httpx loads with itself is not avala's: httpx 0.27 imports httpcore, and so anyio and trio)
        "import sys, httpx; base = set(sys.modules)\n"
        "import avala\n"
        "client = avala.Client(api_key='k' * 20)\n"
        "print(sorted({'asyncio', 'anyio', 'trio'} & (set(sys.modules) - base)))\n"
        "client = avala.AsyncClient(api_key='k' * 20)\n"
        "print(sorted({'asyncio', 'anyio', 'trio'} & (set(sys.modules) - base)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[:2] == ["[]", "[]"]


# --- any event loop: the real sleep and pool semaphore, not the recorded ones -------------------------------------


async def test_retries_sleep_on_the_running_event_loop(anyio_backend: str, httpx_mock: HTTPXMock) -> None:
    """The default async sleep runs on whichever loop drives the call (asyncio.sleep under trio would raise)."""
    httpx_mock.add_response(url=URL, status_code=503, headers={"retry-after-ms": "1"})
    httpx_mock.add_response(url=URL, json=DATASET)
    async with AsyncClient(api_key=API_KEY) as client:
        raw = await client.with_raw_response.datasets.get("ds-1")
    assert raw.retries == 1 and raw.parse().uid == "ds-1"
    assert sniffio.current_async_library() == anyio_backend


async def test_a_fan_out_beyond_the_pool_waits_on_the_running_event_loop(
    anyio_backend: str, httpx_mock: HTTPXMock
) -> None:
    """More concurrent calls than the pool holds queue on the SDK's semaphore, on asyncio and on trio alike."""
    in_flight, most = 0, 0

    async def slow(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, most
        in_flight += 1
        most = max(most, in_flight)
        await anyio.sleep(0.01)
        in_flight -= 1
        return httpx.Response(200, json=DATASET)

    httpx_mock.add_callback(slow, url=URL, is_reusable=True)
    results: list[Any] = []
    async with AsyncClient(api_key=API_KEY) as client:

        async def one() -> None:
            results.append(await client.datasets.get("ds-1"))

        async with anyio.create_task_group() as group:
            for _ in range(POOL_SIZE + 5):
                group.start_soon(one)
    assert len(results) == POOL_SIZE + 5
    assert most == POOL_SIZE  # the semaphore held the rest back
