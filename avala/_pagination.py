"""Cursor pagination: one page of results, and lazy walks over every following page.

A page is a read-only sequence of this page's items (iteration, ``len``, indexing). ``iter_all()`` walks the
items of this page and of every page after it, fetching the next page only when the current one is used up, with
the original filters and page size, and holding one page at a time.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from typing import Any, ClassVar, TypeVar, overload
from urllib.parse import parse_qs, urlsplit

from .errors import AvalaError

T = TypeVar("T")


def cursor_from_url(url: Any) -> str | None:
    """The ``cursor`` (else ``page``) query value of a ``next``/``previous`` URL, absolute or relative."""
    if not url or not isinstance(url, str):
        return None
    query = parse_qs(urlsplit(url).query)
    values = query.get("cursor") or query.get("page")
    return values[0] if values else None


def split_page(data: Any, item: Callable[[Any], T]) -> tuple[list[T], str | None, str | None]:
    """Items and cursors of a page body; a bare JSON array is one final page."""
    if isinstance(data, list):
        return [item(element) for element in data], None, None
    if not isinstance(data, dict):
        raise TypeError(f"expected a page object or a JSON array, got {type(data).__name__}")
    results = data.get("results")
    if results is None:
        results = []
    elif not isinstance(results, list):
        raise TypeError(f"expected 'results' to be a JSON array, got {type(results).__name__}")
    items = [item(element) for element in results]
    return items, cursor_from_url(data.get("next")), cursor_from_url(data.get("previous"))


class BasePage(Sequence[T]):
    """The part shared by sync and async pages: this page's items and cursors."""

    __slots__ = ("_fetch", "items", "next_cursor", "previous_cursor")
    items: list[T]
    next_cursor: str | None
    previous_cursor: str | None
    _fetch: Callable[[str], Any] | None

    def __init__(
        self,
        items: list[T],
        next_cursor: str | None = None,
        previous_cursor: str | None = None,
    ) -> None:
        self.items = items
        self.next_cursor = next_cursor
        self.previous_cursor = previous_cursor
        self._fetch = None

    @property
    def has_more(self) -> bool:
        """Whether a next page exists."""
        return self.next_cursor is not None

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> list[T]: ...

    def __getitem__(self, index: int | slice) -> T | list[T]:
        return self.items[index]

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BasePage):
            return NotImplemented
        return (self.items, self.next_cursor, self.previous_cursor) == (
            other.items,
            other.next_cursor,
            other.previous_cursor,
        )

    __hash__: ClassVar[None] = None  # type: ignore[assignment]  # pages compare by value, so are unhashable

    def __repr__(self) -> str:
        return f"{type(self).__name__}(items=<{len(self.items)} items>, next_cursor={self.next_cursor!r})"

    def _next_cursor(self, seen: set[str]) -> str | None:
        cursor = self.next_cursor
        if cursor is None or self._fetch is None:
            return None
        if cursor in seen:
            raise AvalaError(f"The API returned the cursor {cursor!r} twice; stopping instead of looping forever.")
        seen.add(cursor)
        return cursor


class CursorPage(BasePage[T]):
    """One page of results from a sync client, with lazy access to the following pages."""

    __slots__ = ()

    def next_page(self) -> CursorPage[T] | None:
        """Fetch the next page, or None on the last page."""
        if self.next_cursor is None or self._fetch is None:
            return None
        page: CursorPage[T] = self._fetch(self.next_cursor)
        return page

    def iter_pages(self) -> Iterator[CursorPage[T]]:
        """This page, then each following page, fetched one at a time."""
        page: CursorPage[T] | None = self
        seen: set[str] = set()
        while page is not None:
            yield page
            cursor = page._next_cursor(seen)
            page = page._fetch(cursor) if cursor is not None and page._fetch is not None else None

    def iter_all(self) -> Iterator[T]:
        """Every item of this page and of every following page; memory stays at one page."""
        for page in self.iter_pages():
            yield from page.items


class AsyncCursorPage(BasePage[T]):
    """One page of results from an async client; ``async for item in page.iter_all()`` walks them all."""

    __slots__ = ()

    async def next_page(self) -> AsyncCursorPage[T] | None:
        """Fetch the next page, or None on the last page."""
        if self.next_cursor is None or self._fetch is None:
            return None
        fetch: Callable[[str], Awaitable[AsyncCursorPage[T]]] = self._fetch
        return await fetch(self.next_cursor)

    async def iter_pages(self) -> AsyncIterator[AsyncCursorPage[T]]:
        """This page, then each following page, fetched one at a time."""
        page: AsyncCursorPage[T] | None = self
        seen: set[str] = set()
        while page is not None:
            yield page
            cursor = page._next_cursor(seen)
            page = await page._fetch(cursor) if cursor is not None and page._fetch is not None else None

    async def iter_all(self) -> AsyncIterator[T]:
        """Every item of this page and of every following page; memory stays at one page."""
        async for page in self.iter_pages():
            for item in page.items:
                yield item
