"""Walks follow the server's own ``next`` link, whatever its parameter, keep the caller's filters and page size,
never end while ``next`` is set, and never run forever. Real loopback servers; sync and async alike."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from avala._pagination import MAX_EMPTY_PAGES
from avala.errors import APIResponseValidationError
from tests.faults.conftest import Answering
from tests.test_faults import make_probe

ORGS = [{"uid": f"org-{n}", "name": f"Org {n}", "slug": f"org-{n}"} for n in range(1, 8)]


@pytest.fixture
def answering(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[Callable[..., Any]], Answering]]:
    servers: list[Answering] = []

    def start(answer: Callable[..., Any]) -> Answering:
        servers.append(Answering(answer))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


async def walk(mode: str, page: Any, **options: Any) -> list[Any]:
    if mode == "sync":
        return list(page.iter_all(**options))
    return [item async for item in page.iter_all(**options)]


async def pages_of(mode: str, page: Any, **options: Any) -> list[Any]:
    if mode == "sync":
        return list(page.iter_pages(**options))
    return [p async for p in page.iter_pages(**options)]


def page_number_server(base: list[str]) -> Callable[[str, dict[str, str]], Any]:
    """DRF page-number pagination as the live API pages organizations: ``next`` is ``?page=N``, no limit in it,
    and a ``cursor`` is ignored."""

    def answer(path: str, query: dict[str, str]) -> Any:
        size, number = int(query.get("limit", "3")), int(query.get("page", "1"))
        chunk = ORGS[(number - 1) * size : number * size]
        more = number * size < len(ORGS)
        return {
            "results": chunk,
            "next": f"{base[0]}/organizations/?page={number + 1}" if more else None,
            "previous": f"{base[0]}/organizations/?page={number - 1}" if number > 1 else None,
        }

    return answer


async def test_a_page_number_walk_reads_every_organization_once_with_limit_kept(mode: str, answering: Any) -> None:
    base: list[str] = []
    server = answering(page_number_server(base))
    base.append(server.base)
    probe = make_probe(mode, server.base)
    try:
        first = await probe.run(lambda c: c.organizations.list(limit=2))
        assert first.next_page_params == {"page": "2"} and first.next_cursor == "2" and first.has_more
        uids = [org.uid for org in await walk(mode, first)]
        assert uids == [org["uid"] for org in ORGS]  # each once, in order
        assert server.queries() == [{"limit": "2"}, {"limit": "2", "page": "2"}, {"limit": "2", "page": "3"},
                                    {"limit": "2", "page": "4"}]  # fmt: skip
        by_hand = await probe.run(lambda c: c.organizations.list(limit=2, page=3))
        assert [org.uid for org in by_hand] == ["org-5", "org-6"] and server.queries()[-1] == {
            "limit": "2",
            "page": "3",
        }
        last = await probe.run(lambda c: c.organizations.list(limit=2, page=4))
        assert not last.has_more and last.next_page_params is None
    finally:
        await probe.close()


async def test_a_stale_cursor_of_the_caller_is_replaced_by_the_next_link(mode: str, answering: Any) -> None:
    base: list[str] = []
    server = answering(page_number_server(base))
    base.append(server.base)
    probe = make_probe(mode, server.base)
    try:
        first = await probe.run(lambda c: c.organizations.list(limit=4, cursor="ignored"))
        assert len(await walk(mode, first)) == len(ORGS)
        assert server.queries()[1] == {"limit": "4", "page": "2"}  # the caller's own position is not resent
    finally:
        await probe.close()


async def test_an_offset_walk_follows_the_next_link(mode: str, answering: Any) -> None:
    """``next`` carries neither cursor nor page (``?limit=1&offset=1``): the walk still goes on, filters kept."""

    def answer(path: str, query: dict[str, str]) -> Any:
        offset, size = int(query.get("offset", "0")), int(query["limit"])
        assert query["name"] == "high way"
        more = offset + size < 3
        return {
            "results": [{"uid": f"ds-{offset + i}", "name": "n", "slug": "s"} for i in range(size)][: 3 - offset],
            "next": f"/api/v1/datasets/?limit={size}&offset={offset + size}" if more else None,
            "previous": None,
        }

    server = answering(answer)
    probe = make_probe(mode, server.base)
    try:
        first = await probe.run(lambda c: c.datasets.list(name="high way", limit=1))
        assert first.next_cursor is None and first.next_page_params == {"limit": "1", "offset": "1"}
        assert first.has_more  # never "no more pages" while next is set
        assert [d.uid for d in await walk(mode, first)] == ["ds-0", "ds-1", "ds-2"]
        assert [q.get("offset") for q in server.queries()] == [None, "1", "2"]
    finally:
        await probe.close()


async def test_a_cursor_walk_keeps_next_cursor_for_paging_by_hand(mode: str, answering: Any) -> None:
    def answer(path: str, query: dict[str, str]) -> Any:
        cursor = query.get("cursor")
        return {
            "results": [{"uid": f"ds-{cursor}", "name": "n", "slug": "s"}],
            "next": None
            if cursor == "c2"
            else f"https://elsewhere.example/x/?cursor={'c1' if cursor is None else 'c2'}",
            "previous": None,
        }

    server = answering(answer)
    probe = make_probe(mode, server.base)
    try:
        first = await probe.run(lambda c: c.datasets.list(limit=1))
        assert first.next_cursor == "c1"
        by_hand = await probe.run(lambda c: c.datasets.list(limit=1, cursor=first.next_cursor))
        assert by_hand.next_cursor == "c2"
        assert [d.uid for d in await walk(mode, first)] == ["ds-None", "ds-c1", "ds-c2"]
        assert [seen.target.split("?")[0] for seen in server.seen] == ["/datasets/"] * 4  # the link's host is not used
    finally:
        await probe.close()


async def test_endless_fresh_cursors_on_empty_pages_stop_with_an_error(mode: str, answering: Any) -> None:
    counter = itertools.count()
    server = answering(lambda path, query: {"results": [], "next": f"/datasets/?cursor=fresh{next(counter)}"})
    probe = make_probe(mode, server.base)
    try:
        first = await probe.run(lambda c: c.datasets.list())
        with pytest.raises(APIResponseValidationError) as info:
            await walk(mode, first)
        assert str(info.value) == (
            f"datasets.list: the API answered {MAX_EMPTY_PAGES} empty pages in a row, each saying there is more; "
            "stopping instead of requesting forever."
        )
        assert len(server.seen) == MAX_EMPTY_PAGES  # bounded: the first page and nine more
    finally:
        await probe.close()


async def test_the_caller_caps_pages(mode: str, answering: Any) -> None:
    counter = itertools.count()

    def endless(path: str, query: dict[str, str]) -> Any:
        n = next(counter)
        return {"results": [{"uid": f"ds-{n}", "name": "n", "slug": "s"}], "next": f"/datasets/?cursor=c{n}"}

    server = answering(endless)
    probe = make_probe(mode, server.base)
    try:
        first = await probe.run(lambda c: c.datasets.list())
        assert [d.uid for d in await walk(mode, first, max_pages=3)] == ["ds-0", "ds-1", "ds-2"]
        assert len(server.seen) == 3
        assert len(await pages_of(mode, first, max_pages=1)) == 1 and len(server.seen) == 3
        with pytest.raises(ValueError, match="max_pages must be an int >= 1"):
            await walk(mode, first, max_pages=0)
    finally:
        await probe.close()


async def test_a_next_link_back_to_a_page_already_read_is_an_error(mode: str, answering: Any) -> None:
    def answer(path: str, query: dict[str, str]) -> Any:
        number = int(query.get("page", "1"))
        return {"results": [ORGS[number]], "next": f"/organizations/?page={2 if number == 3 else number + 1}"}

    server = answering(answer)
    probe = make_probe(mode, server.base)
    try:
        first = await probe.run(lambda c: c.organizations.list())
        with pytest.raises(APIResponseValidationError, match=r"asks for a page already read \(page='2'\)"):
            await walk(mode, first)
        assert len(server.seen) == 3
    finally:
        await probe.close()


@pytest.mark.parametrize(
    ("link", "problem"),
    [
        ("https://api.avala.ai/api/v1/datasets/", "a next link without query parameters, which names no page"),
        (42, "a next link that is not a URL but a JSON int"),
        ({"cursor": "c"}, "a next link that is not a URL but a JSON dict"),
        ("/datasets/?cursor=" + "x" * 3_000, "a next link whose 'cursor' parameter is 3,000 characters long"),
        ("/datasets/?cursor=" + "x" * 70_000, "a next link whose query is 70,007 characters long"),
        (
            "/datasets/?" + "&".join(f"p{n}=x" for n in range(5_000)),
            "a next link whose query is 38,889 characters long",
        ),
    ],
    ids=["no-query", "number", "object", "long-cursor", "huge-cursor", "thousands-of-parameters"],
)
async def test_a_next_link_that_cannot_be_followed_is_a_clear_error(
    mode: str, answering: Any, link: Any, problem: str
) -> None:
    server = answering(lambda path, query: {"results": [{"uid": "ds-1", "name": "n", "slug": "s"}], "next": link})
    probe = make_probe(mode, server.base)
    try:
        first = await probe.run(lambda c: c.datasets.list())
        assert first.has_more and first.next_page_params is None  # the server said there is more
        expected = f"datasets.list: the API answered {problem}; the next page cannot be fetched."
        with pytest.raises(APIResponseValidationError) as info:
            await walk(mode, first)
        assert str(info.value) == expected
        with pytest.raises(APIResponseValidationError):
            await probe.run(lambda c: first.next_page())
        assert len(server.seen) == 1
    finally:
        await probe.close()


async def test_a_raw_page_follows_next_links_too(mode: str, answering: Any) -> None:
    base: list[str] = []
    server = answering(page_number_server(base))
    base.append(server.base)
    probe = make_probe(mode, server.base)
    try:
        raw = await probe.run(lambda c: c.with_raw_response.organizations.list(limit=3))
        assert len(await walk(mode, raw.parse())) == len(ORGS)
    finally:
        await probe.close()
