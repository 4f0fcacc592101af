"""The transport: the one place that does I/O. It owns the httpx client, auth and headers, timeouts, retries,
rate-limit capture, status-to-error mapping and response parsing.

Retry policy (``max_retries`` extra attempts, default 2):

- connection failures where the request never reached the server (refused, DNS, pool timeout): every method;
- timeouts, dropped connections and 408/500/502/503/504: idempotent methods only (GET, HEAD, PUT, DELETE, OPTIONS);
- 429: every method; no other status is retried;
- the wait is what the server asked (``retry-after-ms``, ``Retry-After`` seconds or HTTP-date) up to 60 s, else
  exponential backoff from 0.5 s doubling to 8 s with full jitter; a server asking for more than 60 s gets the
  error at once, with ``retry_after`` set.

The policy is written once, as a generator (:meth:`BaseTransport._attempts`) that yields what to do next: a request
to send or a delay to sleep. :class:`SyncTransport` and :class:`AsyncTransport` only drive it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import random
import time
from collections.abc import Callable, Generator, Mapping
from typing import Any, TypeVar
from urllib.parse import quote

import httpx

from ._config import ClientConfig
from ._http_errors import error_from_response, excerpt, retry_after_seconds
from ._operation import Operation, PageOperation
from ._pagination import AsyncCursorPage, CursorPage, split_page
from ._redaction import redact_text
from ._version import __version__
from .errors import APIConnectionError, APIResponseValidationError, APITimeoutError, AvalaError, RateLimitError

T = TypeVar("T")
M = TypeVar("M")

log = logging.getLogger("avala")

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
INITIAL_BACKOFF = 0.5
MAX_BACKOFF = 8.0
MAX_RETRY_AFTER = 60.0
USER_AGENT = f"avala-python/{__version__}"
PARSE_ERRORS = (KeyError, TypeError, ValueError, AttributeError, IndexError)
# Failures after which the request certainly did not reach the server: safe to retry for any method.
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)

Step = httpx.Request | float


def configure_logging_from_env() -> None:
    """``AVALA_LOG=debug`` (or ``info``) sends the ``avala`` logger's lines to stderr."""
    level = os.environ.get("AVALA_LOG", "").strip().upper()
    if level in ("DEBUG", "INFO") and not log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
        log.addHandler(handler)
        log.setLevel(level)


def encode_segment(value: Any, operation: str) -> str:
    """A path parameter as one percent-encoded path segment: ``/``, ``?``, ``#`` and ``..`` cannot escape it."""
    if not isinstance(value, str):
        raise TypeError(f"{operation}: path parameters must be str, got {type(value).__name__} {value!r}")
    if not value.strip():
        raise ValueError(f"{operation}: a path parameter is empty; pass the object's identifier")
    segment = quote(value, safe="")
    if segment in (".", ".."):
        segment = segment.replace(".", "%2E")
    return segment


class RateLimitState:
    """The rate-limit headers of the last response, shared by a client and its ``with_options`` copies."""

    __slots__ = ("headers",)

    def __init__(self) -> None:
        self.headers: httpx.Headers | None = None

    def info(self) -> dict[str, str | None]:
        """``limit``/``remaining``/``reset`` and the same values under their ``x-ratelimit-*`` header names."""
        headers = self.headers
        values = [
            headers.get(f"x-ratelimit-{key}") if headers is not None else None
            for key in ("limit", "remaining", "reset")
        ]
        info: dict[str, str | None] = dict(zip(("limit", "remaining", "reset"), values, strict=True))
        info.update(zip(("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"), values, strict=True))
        return info


class RawResponse:
    """An HTTP response as ``client.with_raw_response`` returns it, before parsing.

    Attributes:
        status_code: The HTTP status.
        headers: The response headers.
        request_id: The ``X-Request-Id`` header, if any.
        retries: How many retries were taken before this response.
        http_response: The underlying ``httpx.Response``.
    """

    __slots__ = ("_parse", "headers", "http_response", "request_id", "retries", "status_code")

    def __init__(self, response: httpx.Response, attempts: int, parse: Callable[[], Any]) -> None:
        self.http_response = response
        self.status_code = response.status_code
        self.headers = response.headers
        self.request_id = response.headers.get("x-request-id")
        self.retries = attempts - 1
        self._parse = parse

    def parse(self) -> Any:
        """The result the method would have returned (a model, a page, a list, a dict or None)."""
        return self._parse()

    def __repr__(self) -> str:
        return f"<RawResponse {self.status_code} retries={self.retries} request_id={self.request_id!r}>"


class BaseTransport:
    """Everything but the I/O: building requests, the retry policy, parsing and errors."""

    def __init__(
        self,
        config: ClientConfig,
        *,
        headers: Mapping[str, str] | None = None,
        raw: bool = False,
        rate_limit: RateLimitState | None = None,
    ) -> None:
        self.config = config
        self.raw = raw
        self.rate_limit = rate_limit or RateLimitState()
        self.extra_headers = dict(headers or {})
        self._base_url = config.base_url
        self._timeout = config.timeout
        self._max_retries = config.max_retries
        self._secrets = (config.api_key,) if config.api_key else ()
        common = {"Accept": "application/json", "User-Agent": USER_AGENT, **self.extra_headers}
        self._public_headers = common
        self._headers = {**common, "X-Avala-Api-Key": config.api_key} if config.api_key else common
        self.sleep: Callable[[float], Any] = time.sleep
        self.random: Callable[[], float] = random.random
        self.clock: Callable[[], float] = time.monotonic

    def derive(
        self,
        *,
        timeout: httpx.Timeout | None = None,
        max_retries: int | None = None,
        headers: Mapping[str, str] | None = None,
        raw: bool | None = None,
    ) -> Any:
        """A transport of the same kind sharing this one's connection pool and rate-limit state."""
        config = dataclasses.replace(
            self.config,
            timeout=self.config.timeout if timeout is None else timeout,
            max_retries=self.config.max_retries if max_retries is None else max_retries,
        )
        factory: Any = type(self)
        twin = factory(
            config,
            self.http,  # type: ignore[attr-defined]
            headers={**self.extra_headers, **(headers or {})},
            raw=self.raw if raw is None else raw,
            rate_limit=self.rate_limit,
        )
        twin.sleep, twin.random, twin.clock = self.sleep, self.random, self.clock
        return twin

    # --- requests ----------------------------------------------------------------------------------------------

    def build(
        self,
        http: httpx.Client | httpx.AsyncClient,
        op: Operation[Any],
        path: tuple[str, ...],
        query: Mapping[str, Any] | None,
        body: Mapping[str, Any] | None,
    ) -> httpx.Request:
        """The HTTP request of one call; None arguments are left out."""
        url = self._base_url + (op.path.format(*[encode_segment(p, op.name) for p in path]) if path else op.path)
        params = {k: v for k, v in query.items() if v is not None} if query else None
        json_body = None
        if op.body is not None:
            json_body = {k: v for k, v in body.items() if v is not None} if body else {}
            if not json_body and op.body == "optional":
                json_body = None
        return http.build_request(
            op.method,
            url,
            params=params or None,
            json=json_body,
            headers=self._headers if op.auth else self._public_headers,
            timeout=self._timeout,
        )

    # --- the retry policy ---------------------------------------------------------------------------------------

    def _attempts(self, op: Operation[Any], request: httpx.Request) -> Generator[Step, Any, tuple[httpx.Response, int]]:
        """Yield the request to send (the driver sends back the response or throws the httpx error in) or a delay
        to sleep; return the successful response and the number of attempts. Raises the final AvalaError."""
        attempt = 0
        debug = log.isEnabledFor(logging.DEBUG)
        while True:
            attempt += 1
            started = time.perf_counter()
            if debug:
                log.debug("request %s %s (%s, attempt %d)", request.method, request.url, op.name, attempt)
            try:
                response: httpx.Response = yield request
            except httpx.TransportError as exc:
                error = self._connection_error(op, request, exc, attempt)
                if attempt > self._max_retries or not (isinstance(exc, NOT_SENT) or op.idempotent):
                    raise error from exc
                delay, reason = self._backoff(attempt), type(exc).__name__
            else:
                self.rate_limit.headers = response.headers
                if debug:
                    log.debug(
                        "response %d %s %s in %.1f ms (request_id=%s)",
                        response.status_code,
                        request.method,
                        request.url,
                        (time.perf_counter() - started) * 1000,
                        response.headers.get("x-request-id"),
                    )
                if response.is_success:
                    return response, attempt
                error = error_from_response(op.name, response, attempt, self._secrets)
                status = response.status_code
                retryable = status == 429 or (status in RETRY_STATUSES and op.idempotent)
                if not retryable or attempt > self._max_retries:
                    raise error
                asked = retry_after_seconds(response.headers)
                if asked is not None and asked > MAX_RETRY_AFTER:
                    if isinstance(error, RateLimitError):
                        error.retry_after = asked
                    raise error
                delay, reason = (asked if asked is not None else self._backoff(attempt)), f"HTTP {status}"
            log.info(
                "retrying %s in %.2f s after %s (attempt %d of %d)",
                op.name,
                delay,
                reason,
                attempt + 1,
                self._max_retries + 1,
            )
            yield delay

    def _backoff(self, attempt: int) -> float:
        """Full jitter: uniform in [0, min(8, 0.5 * 2 ** (attempt - 1))]."""
        return self.random() * min(MAX_BACKOFF, INITIAL_BACKOFF * 2.0 ** (attempt - 1))

    def _connection_error(
        self, op: Operation[Any], request: httpx.Request, exc: httpx.TransportError, attempts: int
    ) -> AvalaError:
        kind = APITimeoutError if isinstance(exc, httpx.TimeoutException) else APIConnectionError
        what = "timed out" if kind is APITimeoutError else "failed"
        detail = redact_text(str(exc) or type(exc).__name__, self._secrets)
        url = request.url.copy_with(query=None)
        message = f"{op.name}: {request.method} {url} {what} after {attempts} attempt(s): {detail}"
        return kind(message, None, None, attempts=attempts)

    # --- responses ----------------------------------------------------------------------------------------------

    def _decode(self, op: Operation[Any], response: httpx.Response, attempts: int) -> Any:
        try:
            return response.json()
        except ValueError as exc:
            problem = "an empty body" if not response.content else "a body that is not valid JSON"
            raise self._unusable(op, response, attempts, problem) from exc

    def _parse(self, op: Operation[T], response: httpx.Response, attempts: int) -> T:
        if not op.decode:
            return op.parse(None)
        data = self._decode(op, response, attempts)
        try:
            return op.parse(data)
        except PARSE_ERRORS as exc:
            raise self._unusable(op, response, attempts, _problem(exc)) from exc

    def _page(
        self, op: PageOperation[M], response: httpx.Response, attempts: int
    ) -> tuple[list[M], str | None, str | None]:
        data = self._decode(op, response, attempts)
        try:
            return split_page(data, op.item)
        except PARSE_ERRORS as exc:
            raise self._unusable(op, response, attempts, _problem(exc)) from exc

    def _unusable(self, op: Operation[Any], response: httpx.Response, attempts: int, problem: str) -> AvalaError:
        body = excerpt(redact_text(response.text, self._secrets)) if response.content else ""
        message = f"{op.name}: HTTP {response.status_code} response with {problem}" + (f": {body}" if body else "")
        return APIResponseValidationError(
            message,
            response.status_code,
            body or None,
            request_id=response.headers.get("x-request-id"),
            attempts=attempts,
        )


def _problem(exc: BaseException) -> str:
    if isinstance(exc, KeyError):
        return f"the required field {exc.args[0]!r} missing"
    return f"an unexpected value ({exc})"


class SyncTransport(BaseTransport):
    """The transport of :class:`~avala.Client`."""

    def __init__(
        self,
        config: ClientConfig,
        http: httpx.Client | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        raw: bool = False,
        rate_limit: RateLimitState | None = None,
    ) -> None:
        super().__init__(config, headers=headers, raw=raw, rate_limit=rate_limit)
        self.owns_http = http is None
        self.http = http if http is not None else httpx.Client(follow_redirects=False, timeout=config.timeout)

    def send(self, op: Operation[Any], request: httpx.Request) -> tuple[httpx.Response, int]:
        """Send with retries; return the successful response and the number of attempts."""
        attempts = self._attempts(op, request)
        step = next(attempts)
        while True:
            try:
                if isinstance(step, httpx.Request):
                    try:
                        response = self.http.send(step, follow_redirects=False)
                    except httpx.TransportError as exc:
                        step = attempts.throw(exc)
                    else:
                        step = attempts.send(response)
                else:
                    self.sleep(step)
                    step = attempts.send(None)
            except StopIteration as done:
                result: tuple[httpx.Response, int] = done.value
                return result

    def call(
        self,
        op: Operation[T],
        path: tuple[str, ...] = (),
        query: Mapping[str, Any] | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> T:
        """Run one operation and return its parsed result."""
        response, attempts = self.send(op, self.build(self.http, op, path, query, body))
        if self.raw:
            return RawResponse(response, attempts, lambda: self._parse(op, response, attempts))  # type: ignore[return-value]
        return self._parse(op, response, attempts)

    def call_page(
        self,
        op: PageOperation[M],
        path: tuple[str, ...] = (),
        query: Mapping[str, Any] | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> CursorPage[M]:
        """Run a page operation; the page can fetch the following pages with the same arguments."""
        return self._call_page(op, path, query, body, self.raw)

    def _call_page(
        self,
        op: PageOperation[M],
        path: tuple[str, ...],
        query: Mapping[str, Any] | None,
        body: Mapping[str, Any] | None,
        raw: bool,
    ) -> CursorPage[M]:
        response, attempts = self.send(op, self.build(self.http, op, path, query, body))

        def make() -> CursorPage[M]:
            page = CursorPage(*self._page(op, response, attempts))
            page._fetch = lambda cursor: self._call_page(op, path, {**(query or {}), "cursor": cursor}, body, False)
            return page

        if raw:
            return RawResponse(response, attempts, make)  # type: ignore[return-value]
        return make()

    def close(self) -> None:
        """Close the connection pool, if this transport created it."""
        if self.owns_http:
            self.http.close()


class AsyncTransport(BaseTransport):
    """The transport of :class:`~avala.AsyncClient`."""

    def __init__(
        self,
        config: ClientConfig,
        http: httpx.AsyncClient | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        raw: bool = False,
        rate_limit: RateLimitState | None = None,
    ) -> None:
        super().__init__(config, headers=headers, raw=raw, rate_limit=rate_limit)
        self.sleep = asyncio.sleep
        self.owns_http = http is None
        self.http = http if http is not None else httpx.AsyncClient(follow_redirects=False, timeout=config.timeout)

    async def send(self, op: Operation[Any], request: httpx.Request) -> tuple[httpx.Response, int]:
        """Send with retries; return the successful response and the number of attempts."""
        attempts = self._attempts(op, request)
        step = next(attempts)
        while True:
            try:
                if isinstance(step, httpx.Request):
                    try:
                        response = await self.http.send(step, follow_redirects=False)
                    except httpx.TransportError as exc:
                        step = attempts.throw(exc)
                    else:
                        step = attempts.send(response)
                else:
                    await self.sleep(step)
                    step = attempts.send(None)
            except StopIteration as done:
                result: tuple[httpx.Response, int] = done.value
                return result

    async def call(
        self,
        op: Operation[T],
        path: tuple[str, ...] = (),
        query: Mapping[str, Any] | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> T:
        """Run one operation and return its parsed result."""
        response, attempts = await self.send(op, self.build(self.http, op, path, query, body))
        if self.raw:
            return RawResponse(response, attempts, lambda: self._parse(op, response, attempts))  # type: ignore[return-value]
        return self._parse(op, response, attempts)

    async def call_page(
        self,
        op: PageOperation[M],
        path: tuple[str, ...] = (),
        query: Mapping[str, Any] | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> AsyncCursorPage[M]:
        """Run a page operation; the page can fetch the following pages with the same arguments."""
        return await self._call_page(op, path, query, body, self.raw)

    async def _call_page(
        self,
        op: PageOperation[M],
        path: tuple[str, ...],
        query: Mapping[str, Any] | None,
        body: Mapping[str, Any] | None,
        raw: bool,
    ) -> AsyncCursorPage[M]:
        response, attempts = await self.send(op, self.build(self.http, op, path, query, body))

        def make() -> AsyncCursorPage[M]:
            page = AsyncCursorPage(*self._page(op, response, attempts))
            page._fetch = lambda cursor: self._call_page(op, path, {**(query or {}), "cursor": cursor}, body, False)
            return page

        if raw:
            return RawResponse(response, attempts, make)  # type: ignore[return-value]
        return make()

    async def close(self) -> None:
        """Close the connection pool, if this transport created it."""
        if self.owns_http:
            await self.http.aclose()
