"""Pagination: one page of results, and lazy walks over every following page.

A page is a read-only sequence of this page's items (iteration, ``len``, indexing). The next page is the one the
server's own ``next`` link names, whatever its parameter (``cursor=``, ``page=``, ``offset=``): its query
parameters (``next_page_params``) are sent with the call's other arguments (filters, ``limit``), the call's own
position (``cursor``/``page``/``offset``) replaced. ``iter_all()`` walks the items of this page and of every page
after it, fetching the next page only when the current one is used up and holding one page at a time.

A walk never reports "no more pages" while the server sets ``next``, and never runs forever:

- a ``next`` link the SDK cannot follow (not a URL, no query, a query too long for a URL) raises
  :class:`~avala.errors.APIResponseValidationError` when the walk gets there;
- a ``next`` link that names a page already read of this walk raises it too (a loop);
- so do :data:`MAX_EMPTY_PAGES` consecutive empty pages that still say there is more (a server handing out fresh
  cursors forever);
- ``iter_pages(max_pages=N)`` / ``iter_all(max_pages=N)`` stop, without an error, after ``N`` pages.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from typing import Any, ClassVar, TypeVar, overload
from urllib.parse import parse_qsl, urlsplit

from ._config import MAX_ARGUMENT
from .errors import APIResponseValidationError

T = TypeVar("T")

MAX_EMPTY_PAGES = 10
"""Consecutive empty pages, each with a ``next`` link, after which a walk stops with an error."""
MAX_QUERY = 4 * MAX_ARGUMENT
"""The longest query of a ``next`` link a walk follows (a longer one would not fit in a URL with the call's own)."""
POSITION_PARAMS = frozenset({"cursor", "page", "offset"})
"""The query parameters that say where a page starts: a call's own are replaced by the next link's."""


def cursor_from_url(url: Any) -> str | None:
    """The ``cursor`` (else ``page``) query value of a ``next``/``previous`` URL, absolute or relative."""
    if not url or not isinstance(url, str):
        return None
    try:
        query = dict(parse_qsl(urlsplit(url).query))
    except ValueError:
        return None
    return query.get("cursor") or query.get("page") or None


def next_params(url: Any) -> tuple[dict[str, str] | None, str | None]:
    """The query parameters of a ``next`` link, and None; or None and why the link cannot be followed.

    A missing, null or empty link is the last page: ``(None, None)``.
    """
    if url is None or url == "":
        return None, None
    if not isinstance(url, str):
        return None, f"a next link that is not a URL but a JSON {type(url).__name__}"
    try:
        query = urlsplit(url).query
    except ValueError:
        return None, "a next link that is not a URL"
    if len(query) > MAX_QUERY:
        return None, f"a next link whose query is {len(query):,} characters long"
    pairs = parse_qsl(query, keep_blank_values=True)
    if not pairs:
        return None, "a next link without query parameters, which names no page"
    params = dict(pairs)
    for name, value in params.items():
        if len(value) > MAX_ARGUMENT or len(name) > MAX_ARGUMENT:
            return None, f"a next link whose {name[:40]!r} parameter is {len(value):,} characters long"
    return params, None


def follow(query: Mapping[str, Any] | None, params: dict[str, str]) -> dict[str, Any]:
    """The query of the next page: the call's arguments (its own position left out), then the next link's."""
    base = {key: value for key, value in (query or {}).items() if key not in POSITION_PARAMS}
    return {**base, **params}


def split_page(data: Any, item: Callable[[Any], T]) -> tuple[list[T], Any, Any]:
    """Items and the ``next``/``previous`` links of a page body; a bare JSON array is one final page."""
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
    return items, data.get("next"), data.get("previous")


class BasePage(Sequence[T]):
    """The part shared by sync and async pages: this page's items, where the next page is, the walk's bounds.

    Attributes:
        items: This page's items.
        next_cursor: The ``cursor`` (else ``page``) value of the ``next`` link, for paging by hand; None when the
            link carries neither (use ``next_page_params``) or on the last page.
        previous_cursor: The same, of the ``previous`` link.
        next_page_params: Every query parameter of the ``next`` link (``{"cursor": ...}``, ``{"page": "2"}``,
            ``{"limit": "20", "offset": "40"}``), or None on the last page.
    """

    __slots__ = ("_fetch", "_next_problem", "_operation", "items", "next_cursor", "next_page_params", "previous_cursor")
    items: list[T]
    next_cursor: str | None
    previous_cursor: str | None
    next_page_params: dict[str, str] | None
    _next_problem: str | None
    _fetch: Callable[[dict[str, str]], Any] | None
    _operation: str | None

    def __init__(
        self,
        items: list[T],
        next_cursor: str | None = None,
        previous_cursor: str | None = None,
        *,
        next_link: Any = None,
        previous_link: Any = None,
    ) -> None:
        self.items = items
        self.next_cursor = next_cursor if next_cursor is not None else cursor_from_url(next_link)
        self.previous_cursor = previous_cursor if previous_cursor is not None else cursor_from_url(previous_link)
        if next_link is None and next_cursor is not None:  # a page made by hand from a cursor
            self.next_page_params = {"cursor": next_cursor}
            self._next_problem = None
        else:
            self.next_page_params, self._next_problem = next_params(next_link)
        self._fetch = None
        self._operation = None

    @property
    def has_more(self) -> bool:
        """Whether the server says a next page exists (even one the SDK cannot follow: fetching it then raises)."""
        return self.next_page_params is not None or self._next_problem is not None

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
        return (self.items, self.next_page_params, self.previous_cursor) == (
            other.items,
            other.next_page_params,
            other.previous_cursor,
        )

    __hash__: ClassVar[None] = None  # type: ignore[assignment]  # pages compare by value, so are unhashable

    def __repr__(self) -> str:
        return f"{type(self).__name__}(items=<{len(self.items)} items>, next_cursor={self.next_cursor!r})"

    def _error(self, message: str) -> APIResponseValidationError:
        return APIResponseValidationError(message, operation=self._operation)

    def _next(self) -> dict[str, str] | None:
        """The next page's parameters; None on the last page or for a page that cannot fetch (made by hand)."""
        if self._next_problem is not None:
            raise self._error(f"the API answered {self._next_problem}; the next page cannot be fetched.")
        if self._fetch is None:
            return None
        return self.next_page_params

    def _step(self, walk: _Walk) -> dict[str, str] | None:
        """The next page's parameters within a walk, checked against its bounds; None to stop."""
        walk.pages += 1
        if walk.max_pages is not None and walk.pages >= walk.max_pages:
            return None
        params = self._next()
        if params is None:
            return None
        walk.empty = walk.empty + 1 if not self.items else 0
        if walk.empty >= MAX_EMPTY_PAGES:
            raise self._error(
                f"the API answered {walk.empty} empty pages in a row, each saying there is more; stopping instead "
                "of requesting forever."
            )
        key = frozenset(params.items())
        if key in walk.seen:
            shown = ", ".join(f"{name}={value[:40]!r}" for name, value in params.items())
            raise self._error(
                f"the API's next link asks for a page already read ({shown}); stopping instead of looping forever."
            )
        walk.seen.add(key)
        return params


class _Walk:
    """The state of one walk: pages read, the current run of empty pages, the next links already followed."""

    __slots__ = ("empty", "max_pages", "pages", "seen")
    max_pages: int | None
    pages: int
    empty: int
    seen: set[frozenset[tuple[str, str]]]

    def __init__(self, max_pages: int | None) -> None:
        if max_pages is not None and (isinstance(max_pages, bool) or not isinstance(max_pages, int) or max_pages < 1):
            raise ValueError(f"max_pages must be an int >= 1 or None, not {max_pages!r}")
        self.max_pages = max_pages
        self.pages = 0
        self.empty = 0
        self.seen = set()


class CursorPage(BasePage[T]):
    """One page of results from a sync client, with lazy access to the following pages."""

    __slots__ = ()

    def next_page(self) -> CursorPage[T] | None:
        """Fetch the next page, or None on the last page.

        Raises:
            APIResponseValidationError: the server's ``next`` link cannot be followed.
        """
        params = self._next()
        if params is None or self._fetch is None:
            return None
        page: CursorPage[T] = self._fetch(params)
        return page

    def iter_pages(self, *, max_pages: int | None = None) -> Iterator[CursorPage[T]]:
        """This page, then each following page, fetched one at a time; at most ``max_pages`` pages."""
        walk = _Walk(max_pages)
        page: CursorPage[T] | None = self
        while page is not None:
            yield page
            params = page._step(walk)
            page = page._fetch(params) if params is not None and page._fetch is not None else None

    def iter_all(self, *, max_pages: int | None = None) -> Iterator[T]:
        """Every item of this page and of every following page (of at most ``max_pages`` pages); memory stays at
        one page."""
        for page in self.iter_pages(max_pages=max_pages):
            yield from page.items


class AsyncCursorPage(BasePage[T]):
    """One page of results from an async client; ``async for item in page.iter_all()`` walks them all."""

    __slots__ = ()

    async def next_page(self) -> AsyncCursorPage[T] | None:
        """Fetch the next page, or None on the last page.

        Raises:
            APIResponseValidationError: the server's ``next`` link cannot be followed.
        """
        params = self._next()
        if params is None or self._fetch is None:
            return None
        fetch: Callable[[dict[str, str]], Awaitable[AsyncCursorPage[T]]] = self._fetch
        return await fetch(params)

    async def iter_pages(self, *, max_pages: int | None = None) -> AsyncIterator[AsyncCursorPage[T]]:
        """This page, then each following page, fetched one at a time; at most ``max_pages`` pages."""
        walk = _Walk(max_pages)
        page: AsyncCursorPage[T] | None = self
        while page is not None:
            yield page
            params = page._step(walk)
            page = await page._fetch(params) if params is not None and page._fetch is not None else None

    async def iter_all(self, *, max_pages: int | None = None) -> AsyncIterator[T]:
        """Every item of this page and of every following page (of at most ``max_pages`` pages); memory stays at
        one page."""
        async for page in self.iter_pages(max_pages=max_pages):
            for item in page.items:
                yield item
