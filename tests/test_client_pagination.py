"""Auto-pagination through the client: lazy, filters and page size kept, loops refused, sync and async."""

from __future__ import annotations

from typing import Any

import pytest
from pytest_httpx import HTTPXMock

from avala import AsyncClient, AsyncCursorPage, Client, CursorPage
from avala.errors import AvalaError
from avala.types import DatasetItem
from tests.conftest import BASE

ITEMS = f"{BASE}/datasets/acme-ai/training-v2/items/"


def item(n: int) -> dict[str, Any]:
    return {"uid": f"item-{n}", "key": f"frames/{n}.jpg"}


def serve(httpx_mock: HTTPXMock, pages: list[tuple[str | None, list[int], str | None]]) -> None:
    """Register pages as (cursor sent, item numbers, next cursor)."""
    for cursor, numbers, next_cursor in pages:
        url = f"{ITEMS}?limit=2" + (f"&cursor={cursor}" if cursor else "")
        next_url = f"{ITEMS}?cursor={next_cursor}&limit=2" if next_cursor else None
        httpx_mock.add_response(
            url=url, json={"results": [item(n) for n in numbers], "next": next_url, "previous": None}, is_reusable=True
        )


def test_iter_all_walks_every_page_lazily(client: Client, httpx_mock: HTTPXMock) -> None:
    serve(httpx_mock, [(None, [1, 2], "c2"), ("c2", [], "c3"), ("c3", [3], None)])
    page = client.datasets.list_items("acme-ai", "training-v2", limit=2)
    assert len(httpx_mock.get_requests()) == 1
    assert len(page) == 2 and [i.uid for i in page] == ["item-1", "item-2"]  # iteration means "this page"
    walk = page.iter_all()
    assert [next(walk).uid, next(walk).uid] == ["item-1", "item-2"]
    assert len(httpx_mock.get_requests()) == 1  # nothing fetched before the first page is used up
    rest = list(walk)
    assert [i.uid for i in rest] == ["item-3"] and all(isinstance(i, DatasetItem) for i in rest)
    sent = [str(r.url) for r in httpx_mock.get_requests()]
    assert sent == [f"{ITEMS}?limit=2", f"{ITEMS}?limit=2&cursor=c2", f"{ITEMS}?limit=2&cursor=c3"]


def test_filters_are_kept_across_pages(client: Client, httpx_mock: HTTPXMock) -> None:
    base = f"{BASE}/datasets/?data_type=lidar&name=high+way&limit=1"
    httpx_mock.add_response(
        url=base, json={"results": [{"uid": "a", "name": "A", "slug": "a"}], "next": f"{BASE}/datasets/?cursor=n1"}
    )
    httpx_mock.add_response(
        url=f"{base}&cursor=n1", json={"results": [{"uid": "b", "name": "B", "slug": "b"}], "next": None}
    )
    names = [d.name for d in client.datasets.list(data_type="lidar", name="high way", limit=1).iter_all()]
    assert names == ["A", "B"]


def test_next_page_and_iter_pages(client: Client, httpx_mock: HTTPXMock) -> None:
    serve(httpx_mock, [(None, [1, 2], "c2"), ("c2", [3], None)])
    first = client.datasets.list_items("acme-ai", "training-v2", limit=2)
    second = first.next_page()
    assert isinstance(second, CursorPage) and [i.uid for i in second] == ["item-3"]
    assert second.next_page() is None
    assert [len(p) for p in first.iter_pages()] == [2, 1]


def test_repeated_cursor_is_an_error_not_a_loop(client: Client, httpx_mock: HTTPXMock) -> None:
    serve(httpx_mock, [(None, [1], "same"), ("same", [2], "same")])
    with pytest.raises(AvalaError, match="page already read"):
        list(client.datasets.list_items("acme-ai", "training-v2", limit=2).iter_all())
    assert len(httpx_mock.get_requests()) == 2


def test_bare_array_is_one_final_page(client: Client, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=f"{ITEMS}?limit=2", json=[item(1), item(2)])
    page = client.datasets.list_items("acme-ai", "training-v2", limit=2)
    assert [i.uid for i in page.iter_all()] == ["item-1", "item-2"] and not page.has_more


async def test_async_iter_all(async_client: AsyncClient, httpx_mock: HTTPXMock) -> None:
    serve(httpx_mock, [(None, [1, 2], "c2"), ("c2", [], "c3"), ("c3", [3], None)])
    page = await async_client.datasets.list_items("acme-ai", "training-v2", limit=2)
    assert isinstance(page, AsyncCursorPage) and [i.uid for i in page] == ["item-1", "item-2"]
    uids = [i.uid async for i in page.iter_all()]
    assert uids == ["item-1", "item-2", "item-3"]
    nxt = await page.next_page()
    assert nxt is not None and len(nxt) == 0 and nxt.next_cursor == "c3"


async def test_async_repeated_cursor(async_client: AsyncClient, httpx_mock: HTTPXMock) -> None:
    serve(httpx_mock, [(None, [1], "same"), ("same", [2], "same")])
    page = await async_client.datasets.list_items("acme-ai", "training-v2", limit=2)
    with pytest.raises(AvalaError, match="page already read"):
        [i async for i in page.iter_all()]
