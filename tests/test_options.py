"""Per-call control: with_options shares the pool and closes nothing; with_raw_response exposes the response."""

from __future__ import annotations

import httpx
import pytest
from pytest_httpx import HTTPXMock

from avala import AsyncClient, Client, CursorPage, RawResponse
from avala.types import Dataset
from tests.conftest import API_KEY, BASE

DATASET = {"uid": "ds-1", "name": "D", "slug": "d"}


def test_with_options_shares_the_pool_and_does_not_close_it(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=f"{BASE}/datasets/ds-1/", json=DATASET, is_reusable=True)
    client = Client(api_key=API_KEY)
    fast = client.with_options(timeout=2.5, max_retries=0, headers={"X-Trace": "t1"})
    assert fast._transport.http is client._transport.http
    assert fast.timeout == httpx.Timeout(2.5) and fast.max_retries == 0
    assert client.timeout == httpx.Timeout(30.0) and client.max_retries == 2
    assert fast.datasets.get("ds-1").uid == "ds-1"
    request = httpx_mock.get_requests()[-1]
    assert request.headers["X-Trace"] == "t1" and request.headers["X-Avala-Api-Key"] == API_KEY
    assert request.extensions["timeout"] == httpx.Timeout(2.5).as_dict()
    fast.close()
    assert not client._transport.http.is_closed
    assert client.datasets.get("ds-1").uid == "ds-1"  # the parent still works
    assert "X-Trace" not in httpx_mock.get_requests()[-1].headers
    client.close()
    assert client._transport.http.is_closed


def test_with_options_shares_rate_limit_info(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(json=DATASET, headers={"X-RateLimit-Remaining": "41"})
    client = Client(api_key=API_KEY)
    client.with_options(max_retries=1).datasets.get("ds-1")
    assert client.rate_limit_info["remaining"] == "41"


def test_with_options_none_timeout_is_explicit_and_invalid_values_fail() -> None:
    client = Client(api_key=API_KEY)
    assert client.with_options(timeout=None).timeout == httpx.Timeout(None)
    assert client.with_options(headers={"a": "b"}).timeout == httpx.Timeout(30.0)
    with pytest.raises(ValueError):
        client.with_options(max_retries=-1)
    with pytest.raises(ValueError):
        client.with_options(timeout=-3)


def test_raw_response(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(status_code=503, json={"detail": "busy"})
    httpx_mock.add_response(json=DATASET, headers={"X-Request-Id": "req-9"})
    with Client(api_key=API_KEY) as client:
        client._transport.sleep = lambda s: None
        raw = client.with_raw_response.datasets.get("ds-1")
        assert isinstance(raw, RawResponse)
        assert raw.status_code == 200 and raw.request_id == "req-9" and raw.retries == 1
        assert raw.headers["content-type"] == "application/json"
        parsed = raw.parse()
        assert isinstance(parsed, Dataset) and parsed.uid == "ds-1"
        assert client.with_raw_response.datasets._transport is client._transport  # one pool, one retry policy
        assert not hasattr(client.with_raw_response.exports, "wait")  # polling has no single response


def test_raw_response_of_a_page_parses_to_a_walkable_page(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(
        url=f"{BASE}/datasets/", json={"results": [DATASET], "next": f"{BASE}/datasets/?cursor=c2", "previous": None}
    )
    httpx_mock.add_response(url=f"{BASE}/datasets/?cursor=c2", json={"results": [DATASET], "next": None})
    with Client(api_key=API_KEY) as client:
        raw = client.with_raw_response.datasets.list()
        page = raw.parse()
        assert isinstance(page, CursorPage)
        assert len(list(page.iter_all())) == 2


async def test_async_with_options_and_raw(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=f"{BASE}/datasets/ds-1/", json=DATASET, is_reusable=True)
    async with AsyncClient(api_key=API_KEY) as client:
        child = client.with_options(max_retries=5)
        assert child._transport.http is client._transport.http and child.max_retries == 5
        await child.close()
        assert not client._transport.http.is_closed
        raw = await client.with_raw_response.datasets.get("ds-1")
        assert raw.status_code == 200 and raw.retries == 0
        assert (raw.parse()).slug == "d"
    assert client._transport.http.is_closed
