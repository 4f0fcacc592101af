"""CursorPage mechanics without HTTP: cursors from URLs, sequence behaviour, lazy walks, loop protection."""

from __future__ import annotations

import pytest

from avala import AsyncCursorPage, CursorPage
from avala._pagination import cursor_from_url, follow, next_params, split_page
from avala.errors import AvalaError


@pytest.mark.parametrize(
    ("url", "cursor"),
    [
        ("https://api.avala.ai/api/v1/datasets/?cursor=cD0yMDI2&limit=20", "cD0yMDI2"),
        ("/api/v1/datasets/?limit=20&cursor=abc%3D%3D", "abc=="),
        ("https://x/?page=3", "3"),
        ("https://x/?cursor=&page=2", "2"),
        ("https://x/?offset=40", None),
        ("", None),
        (None, None),
    ],
)
def test_cursor_from_url(url: str | None, cursor: str | None) -> None:
    assert cursor_from_url(url) == cursor


def test_split_page_and_bare_array() -> None:
    items, nxt, prev = split_page({"results": [1, 2], "next": "https://x/?cursor=n", "previous": None}, str)
    assert (items, nxt, prev) == (["1", "2"], "https://x/?cursor=n", None)
    assert split_page([1, 2], str) == (["1", "2"], None, None)
    assert split_page({"next": None}, str) == ([], None, None)
    with pytest.raises(TypeError):
        split_page("nope", str)
    with pytest.raises(TypeError):
        split_page({"results": {"a": 1}}, str)


def test_page_is_a_read_only_sequence() -> None:
    page = CursorPage(["a", "b", "c"], next_cursor="n")
    assert len(page) == 3 and list(page) == ["a", "b", "c"] and page[1] == "b" and page[-1] == "c"
    assert page[0:2] == ["a", "b"] and "b" in page and page.index("c") == 2
    assert page.has_more and not CursorPage([]).has_more
    assert page == CursorPage(["a", "b", "c"], next_cursor="n")
    assert repr(page) == "CursorPage(items=<3 items>, next_cursor='n')"


def chain(pages: dict[str | None, CursorPage[int]]) -> tuple[CursorPage[int], list[str]]:
    fetched: list[str] = []
    for page in pages.values():
        page._fetch = lambda params: (fetched.append(params["cursor"]), pages[params["cursor"]])[1]
    return pages[None], fetched


def test_iter_all_walks_lazily_and_follows_empty_pages() -> None:
    first, fetched = chain(
        {
            None: CursorPage([1, 2], "b"),
            "b": CursorPage([], "c"),
            "c": CursorPage([3], None),
        }
    )
    walk = first.iter_all()
    assert next(walk) == 1 and next(walk) == 2
    assert fetched == []
    assert list(walk) == [3]
    assert fetched == ["b", "c"]
    assert [len(p) for p in first.iter_pages()] == [2, 0, 1]


def test_repeated_cursor_stops_with_a_clear_error() -> None:
    first, _ = chain({None: CursorPage([1], "a"), "a": CursorPage([2], "b"), "b": CursorPage([3], "a")})
    with pytest.raises(AvalaError, match=r"asks for a page already read \(cursor='a'\)"):
        list(first.iter_all())


def test_next_page() -> None:
    first, _ = chain({None: CursorPage([1], "a"), "a": CursorPage([2], None)})
    second = first.next_page()
    assert second is not None and list(second) == [2]
    assert second.next_page() is None
    assert CursorPage([1], "x").next_page() is None  # a page built by hand cannot fetch


async def test_async_iter_all() -> None:
    pages = {None: AsyncCursorPage([1], "a"), "a": AsyncCursorPage([], "b"), "b": AsyncCursorPage([2, 3], None)}

    async def fetch(params: dict[str, str]) -> AsyncCursorPage[int]:
        return pages[params["cursor"]]

    for page in pages.values():
        page._fetch = fetch
    assert [item async for item in pages[None].iter_all()] == [1, 2, 3]
    nxt = await pages[None].next_page()
    assert nxt is pages["a"]
    loop = {None: AsyncCursorPage([1], "a"), "a": AsyncCursorPage([2], "a")}

    async def fetch_loop(params: dict[str, str]) -> AsyncCursorPage[int]:
        return loop[params["cursor"]]

    for page in loop.values():
        page._fetch = fetch_loop
    with pytest.raises(AvalaError, match="page already read"):
        [item async for item in loop[None].iter_all()]


@pytest.mark.parametrize(
    ("link", "params", "problem"),
    [
        ("https://x/orgs/?page=2", {"page": "2"}, None),
        ("/x/?limit=1&offset=1", {"limit": "1", "offset": "1"}, None),
        ("https://x/?cursor=abc%3D%3D&limit=20", {"cursor": "abc==", "limit": "20"}, None),
        (None, None, None),
        ("", None, None),
        ("https://x/", None, "a next link without query parameters, which names no page"),
        (7, None, "a next link that is not a URL but a JSON int"),
        ("http://[::1/?page=2", None, "a next link that is not a URL"),
    ],
)
def test_next_params(link: object, params: dict[str, str] | None, problem: str | None) -> None:
    assert next_params(link) == (params, problem)


def test_follow_keeps_the_call_arguments_and_replaces_its_position() -> None:
    query = {"name": "a", "limit": 2, "cursor": "old", "page": None}
    assert follow(query, {"page": "2"}) == {"name": "a", "limit": 2, "page": "2"}
    assert follow(None, {"cursor": "c"}) == {"cursor": "c"}
    assert follow({"limit": 2}, {"limit": "5", "offset": "5"}) == {"limit": "5", "offset": "5"}


def test_has_more_while_next_is_set() -> None:
    assert CursorPage([], next_link="https://x/?offset=3").has_more
    assert CursorPage([], next_link="https://x/").has_more  # set, though it cannot be followed
    assert not CursorPage([], next_link=None).has_more
