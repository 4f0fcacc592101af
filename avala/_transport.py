"""The transport: the one place that does I/O. It owns the httpx client, auth and headers, timeouts, retries,
rate-limit capture, status-to-error mapping and response parsing.

Retry policy (``max_retries`` extra attempts, default 2):

- connection failures where the request never reached the server (refused, DNS, connect or pool timeout): every
  method;
- other timeouts, connections dropped mid-request or mid-body, and 408/500/502/503/504: idempotent methods only
  (GET, HEAD, PUT, DELETE, OPTIONS);
- 429: every method; no other status is retried, nor a response the SDK cannot use (not JSON, undecodable);
- the wait is what the server asked (``retry-after-ms``, ``Retry-After`` seconds or HTTP-date) up to 60 s, else
  exponential backoff from 0.5 s doubling to 8 s with full jitter; a server asking for more than 60 s gets the
  error at once, with ``retry_after`` set.

The policy is written once, as a generator (:meth:`BaseTransport._attempts`) that yields what to do next: a request
to send or a delay to sleep. :class:`SyncTransport` and :class:`AsyncTransport` only drive it: they send (never
following a redirect), read the body, and throw any ``httpx.RequestError`` back in. A request is built once; its
JSON body is bytes, so every attempt sends the same body.

Logging (``logging.getLogger("avala")``, on with ``AVALA_LOG=debug``): one DEBUG line per request, per response or
failed attempt, and per retry; URLs in them are redacted like error messages.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import math
import os
import random
import threading
import time
from collections.abc import Awaitable, Callable, Generator, Mapping, Sequence
from typing import Any, Generic, Self, TypeVar
from urllib.parse import quote

import httpx
from httpx._decoders import IdentityDecoder

from ._config import MAX_ARGUMENT, ClientConfig
from ._http_errors import body_excerpt, error_from_response
from ._json import loads
from ._operation import Operation, PageOperation
from ._pagination import AsyncCursorPage, CursorPage, follow, split_page
from ._redaction import header_text, redact_text, secret_values, secret_variants
from ._version import __version__
from .errors import APIConnectionError, APIResponseValidationError, APITimeoutError, AvalaError

T = TypeVar("T")
M = TypeVar("M")

log = logging.getLogger("avala")

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
INITIAL_BACKOFF = 0.5
MAX_BACKOFF = 8.0
MAX_RETRY_AFTER = 60.0
USER_AGENT = f"avala-python/{__version__}"
API_KEY_HEADER = "X-Avala-Api-Key"
# One pool per client, of POOL_SIZE connections, every one kept alive. httpx's default (100 connections, 20 kept
# alive) makes a burst of concurrent calls close and reopen connections without end, and httpcore's pool spends
# time proportional to (queued requests + idle connections) x connections on every request: a small pool whose
# calls wait their turn in the SDK (AsyncTransport) is faster in CPU and wall time. See the README, "Performance".
POOL_SIZE = 20
POOL_LIMITS = httpx.Limits(max_connections=POOL_SIZE, max_keepalive_connections=POOL_SIZE, keepalive_expiry=5.0)
PARSE_ERRORS = (KeyError, TypeError, ValueError, AttributeError, IndexError, RecursionError)
# Failures after which the request certainly did not reach the server: safe to retry for any method.
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
RAW_CHUNK = 8192  # raw bytes of a compressed body decoded at a time: at most ~8 MiB once inflated

Step = httpx.Request | float


class UnusableBody(Exception):
    """A response's status and headers arrived but its body cannot be used: it could not be decoded (a corrupt
    ``Content-Encoding``) or it decodes to more than ``max_response_bytes``. Nothing of it is kept; the drivers
    throw this into :meth:`BaseTransport._attempts`."""

    def __init__(self, response: httpx.Response, problem: str, cause: Exception | None = None) -> None:
        super().__init__(problem)
        self.response = response
        self.problem = problem
        self.cause = cause


_FORKS = [0]  # how many times this process is a fork child of the one that imported the SDK
_RENEWING = threading.Lock()


def _forked() -> None:
    _FORKS[0] += 1


if hasattr(os, "register_at_fork"):  # not on Windows, which has no fork
    os.register_at_fork(after_in_child=_forked)


class PoolState:
    """The connection pool a transport and its ``derive`` copies share, and where it may be used.

    After ``os.fork()`` the child's first call replaces a pool the SDK made with a fresh one (the parent's
    kept-alive sockets are left to the parent, never read or closed by the child); an async pool is used from one
    event loop, the one of its first call (a fork starts over).
    """

    __slots__ = ("forks", "http", "loop", "renew", "slots")

    def __init__(self, http: Any, renew: Callable[[], Any] | None) -> None:
        self.http = http
        self.renew = renew  # makes a fresh httpx client, for a pool the SDK owns; None for a caller's client
        self.forks = _FORKS[0]
        self.loop: Any = None
        self.slots: Any = None


class BoundedBody:
    """A response body read up to a bound on its decoded size; the drivers feed it the raw chunks.

    A compressed body is fed in raw pieces of :data:`RAW_CHUNK` bytes, so that one piece of a gzip bomb inflates to
    a few MiB at most before the bound is checked; past the bound, :class:`UnusableBody` is raised and nothing is
    kept. :meth:`finish` gives the response its content, as ``Response.read()`` would.
    """

    __slots__ = ("chunks", "decoder", "limit", "raw_chunk", "read", "response", "size")

    def __init__(self, response: httpx.Response, limit: int) -> None:
        self.response = response
        self.limit = limit
        self.size = 0
        self.chunks: list[bytes] = []
        # a response made in memory (a mock transport) has its content already: only its size is checked
        self.read = hasattr(response, "_content")
        if self.read:
            self.decoder: Any = None
            self._keep(response.content)
            self.chunks = []
        else:
            self.decoder = response._get_content_decoder()
        self.raw_chunk = None if type(self.decoder) is IdentityDecoder else RAW_CHUNK

    def add(self, raw: bytes) -> None:
        """Decode one raw chunk and keep it, unless the body grows past the bound."""
        self._keep(self.decoder.decode(raw))

    def _keep(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.limit:
            self.chunks.clear()
            limit = self.limit
            size = (
                f"{limit >> 20} MiB"
                if limit % 1048576 == 0
                else f"{limit >> 10} KiB"
                if limit % 1024 == 0
                else f"{limit:,} bytes"
            )
            problem = f"a body larger than {size}, the client's max_response_bytes (not read further)"
            raise UnusableBody(self.response, problem)
        self.chunks.append(data)

    def finish(self) -> None:
        """The end of the body: flush the decoder and set the response's content."""
        if self.read:
            return
        self._keep(self.decoder.flush())
        self.response._content = b"".join(self.chunks)


def configure_logging_from_env() -> None:
    """``AVALA_LOG=debug`` (or ``info``) sets the ``avala`` logger's level, and sends its lines to stderr when no
    handler would otherwise show them."""
    level = os.environ.get("AVALA_LOG", "").strip().upper()
    if level in ("DEBUG", "INFO"):
        log.setLevel(level)
        if not log.hasHandlers():
            handler = logging.StreamHandler()
            handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
            log.addHandler(handler)


async def _async_sleep(seconds: float) -> None:
    """Sleep on whatever event loop runs the call (asyncio, trio: anything anyio supports, as httpx does)."""
    import anyio  # only async clients pay for importing anyio

    await anyio.sleep(seconds)


def _running_loop() -> Any:
    """The running asyncio event loop, or None under another async library (trio)."""
    import asyncio  # only async clients pay for importing asyncio

    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _pool_slots() -> contextlib.AbstractAsyncContextManager[Any]:
    """The semaphore that bounds the calls in flight to the pool's size, on any event loop anyio supports."""
    import anyio  # only async clients pay for importing anyio

    try:  # anyio >= 4.5: a free slot is taken without a round trip through the scheduler, as asyncio's would be
        return anyio.Semaphore(POOL_SIZE, fast_acquire=True)
    except TypeError:
        return anyio.Semaphore(POOL_SIZE)


def encode_segment(value: Any, operation: str, name: str = "a path parameter") -> str:
    """A path parameter as one percent-encoded path segment: ``/``, ``?``, ``#`` and ``%`` cannot escape it.

    Raises:
        TypeError: not a str.
        ValueError: empty or blank, longer than :data:`MAX_ARGUMENT`, or a dot segment (``.``/``..``) that a proxy
            could resolve to another path.
    """
    if not isinstance(value, str):
        raise TypeError(f"{operation}: {name} must be a str, got {type(value).__name__}")
    if not value.strip():
        raise ValueError(f"{operation}: {name} is empty; pass the object's identifier")
    if value in (".", ".."):
        raise ValueError(f"{operation}: {name} cannot be {value!r}")
    if len(value) > MAX_ARGUMENT:
        raise ValueError(
            f"{operation}: {name} is {len(value):,} characters long; an identifier has at most {MAX_ARGUMENT:,}"
        )
    return quote(value, safe="")


def query_params(operation: str, query: Mapping[str, Any]) -> dict[str, Any]:
    """The query parameters of a call, None ones left out, each checked before anything is sent.

    Raises:
        TypeError: a value that is not a str, int, float or bool (it would go on the wire as its ``repr``).
        ValueError: a str longer than :data:`MAX_ARGUMENT` characters.
    """
    params: dict[str, Any] = {}
    for name, value in query.items():
        if value is None:
            continue
        kind = type(value)
        if (kind is not str and kind is not int and kind is not bool) and (
            not isinstance(value, str | int | float) or (isinstance(value, float) and not math.isfinite(value))
        ):
            raise TypeError(f"{operation}: {name} must be a str, int, float or bool, got {kind.__name__}")
        if isinstance(value, str) and len(value) > MAX_ARGUMENT:
            raise ValueError(f"{operation}: {name} is {len(value):,} characters long; at most {MAX_ARGUMENT:,} fit")
        params[name] = value
    return params


SecretsOf = Callable[[httpx.Request | None], tuple[str, ...]]


def no_secrets(request: httpx.Request | None) -> tuple[str, ...]:
    """No credentials to redact (the default of a hand-made :class:`RateLimitState` or :class:`RawResponse`)."""
    return ()


class RateLimitState:
    """The rate-limit headers of the last response, shared by a client and its ``with_options`` copies."""

    __slots__ = ("headers", "request", "secrets_of")
    headers: httpx.Headers | None
    request: httpx.Request | None
    secrets_of: SecretsOf

    def __init__(self, secrets_of: SecretsOf = no_secrets) -> None:
        self.headers = None
        self.request = None
        self.secrets_of = secrets_of

    def info(self) -> dict[str, str | None]:
        """``limit``/``remaining``/``reset`` and the same values under their ``x-ratelimit-*`` header names,
        redacted like everything a server sends."""
        headers = self.headers
        secrets = self.secrets_of(self.request) if headers is not None else ()
        values = [
            header_text(headers.get(f"x-ratelimit-{key}"), secrets) if headers is not None else None
            for key in ("limit", "remaining", "reset")
        ]
        info: dict[str, str | None] = dict(zip(("limit", "remaining", "reset"), values, strict=True))
        info.update(zip(("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"), values, strict=True))
        return info


class RawResponse(Generic[T]):
    """An HTTP response as ``client.with_raw_response`` returns it, before parsing; ``parse()`` gives the ``T`` the
    plain method returns (a model, a page, a list, a dict or None).

    Attributes:
        status_code: The HTTP status.
        headers: The response headers.
        request_id: The ``X-Request-Id`` header, if any (redacted like everything a server sends).
        retries: How many retries were taken before this response.
        http_response: The underlying ``httpx.Response``.
    """

    __slots__ = ("_parse", "_secrets_of", "headers", "http_response", "retries", "status_code")
    http_response: httpx.Response
    status_code: int
    headers: httpx.Headers
    retries: int
    _parse: Callable[[], T]
    _secrets_of: SecretsOf

    def __init__(
        self,
        response: httpx.Response,
        attempts: int,
        parse: Callable[[], T],
        secrets_of: SecretsOf = no_secrets,
    ) -> None:
        self.http_response = response
        self.status_code = response.status_code
        self.headers = response.headers
        self.retries = attempts - 1
        self._parse = parse
        self._secrets_of = secrets_of

    @property
    def request_id(self) -> str | None:
        """The ``X-Request-Id`` header, if any (redacted like everything a server sends)."""
        return header_text(self.headers.get("x-request-id"), self._secrets_of(self.http_response._request))

    def parse(self) -> T:
        """The result the method would have returned (a model, a page, a list, a dict or None)."""
        return self._parse()

    def __repr__(self) -> str:
        return f"<RawResponse {self.status_code} retries={self.retries} request_id={self.request_id!r}>"


class BaseTransport:
    """Everything but the I/O: building requests, the retry policy, parsing and errors."""

    http: httpx.Client | httpx.AsyncClient
    config: ClientConfig
    rate_limit: RateLimitState
    extra_headers: dict[str, str]
    base_headers: dict[str, str]
    owns_http: bool
    client_has_base_headers: bool
    sleep: Callable[[float], Any]
    random: Callable[[], float]
    clock: Callable[[], float]

    def __init__(
        self,
        config: ClientConfig,
        *,
        headers: Mapping[str, str] | None = None,
        rate_limit: RateLimitState | None = None,
    ) -> None:
        self.config = config
        self._secrets = secret_variants(config.api_key) if config.api_key else ()
        self.rate_limit = rate_limit or RateLimitState(self._secrets_of)
        self.extra_headers = dict(headers or {})
        self._base_url = config.base_url
        self._timeout = config.timeout
        self._max_retries = config.max_retries
        self._max_body = config.max_response_bytes
        self.base_headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
        if config.api_key:
            self.base_headers[API_KEY_HEADER] = config.api_key
        self.sleep = time.sleep
        self.random = random.random
        self.clock = time.monotonic

    def _use(self, http: Any, make: Callable[..., Any], headers_on_http: bool) -> None:
        """Send with ``http``, or with a client ``make`` builds (owned: closed with the transport), and settle what
        each request passes to it beyond its own settings: the headers (with and without the API key, for ``auth:
        false`` operations) and the timeout. A client the SDK made carries the base headers (so does the ``http`` of
        a ``derive`` copy, ``headers_on_http``) and a request only the extra ones: merging headers per request is a
        good part of the per-call cost. A caller's client is never changed."""
        self.owns_http = http is None
        options = self._owned_client_options()
        self.http = make(**options) if http is None else http
        # the pool's state: how to make a fresh pool after a fork (a derive copy is given its parent's instead)
        self._pool = PoolState(self.http, (lambda: make(**options)) if http is None else None)
        self._forks = _FORKS[0]
        self.client_has_base_headers = http is None or headers_on_http
        self._request_timeout: Any = self._timeout
        if self.client_has_base_headers:
            self._headers: dict[str, str] | None = self.extra_headers or None
            self._public_headers = self._headers
            if self._timeout == self.http.timeout:
                self._request_timeout = httpx.USE_CLIENT_DEFAULT
        else:
            self._headers = {**self.base_headers, **self.extra_headers}
            self._public_headers = {k: v for k, v in self._headers.items() if k != API_KEY_HEADER}

    def derive(
        self,
        *,
        timeout: httpx.Timeout | None = None,
        max_retries: int | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Self:
        """A transport of the same kind sharing this one's connection pool and rate-limit state."""
        config = dataclasses.replace(
            self.config,
            timeout=self.config.timeout if timeout is None else timeout,
            max_retries=self.config.max_retries if max_retries is None else max_retries,
        )
        factory: Any = type(self)
        twin = factory(
            config,
            self.http,
            headers={**self.extra_headers, **(headers or {})},
            rate_limit=self.rate_limit,
            headers_on_http=self.client_has_base_headers,
        )
        self._share_with(twin)
        result: Self = twin
        return result

    def _share_with(self, twin: Any) -> None:
        """Give a ``derive`` copy what belongs to the pool and the clock, not to the settings."""
        twin.sleep, twin.random, twin.clock = self.sleep, self.random, self.clock
        twin._pool, twin._forks = self._pool, self._forks

    def _after_fork(self) -> None:
        """The first call in a fork child: use the pool's fresh twin (made once, by whichever copy comes first)."""
        pool = self._pool
        with _RENEWING:
            if pool.forks != _FORKS[0]:
                if pool.renew is not None:
                    pool.http = pool.renew()
                    pool.slots = None
                pool.loop = None
                pool.forks = _FORKS[0]
        self.http = pool.http
        self._forks = pool.forks
        log.debug("after os.fork(): a fresh connection pool")

    def _closed(self, exc: RuntimeError) -> AvalaError:
        """The error for a call on a closed client (httpx raises a bare RuntimeError)."""
        if not self.http.is_closed:
            raise exc
        return AvalaError(
            "This client is closed (close() was called or its with-block ended): make a new client to send requests."
        )

    def _owned_client_options(self) -> dict[str, Any]:
        """The settings of an httpx client the SDK makes for itself."""
        return {
            "follow_redirects": False,
            "timeout": self.config.timeout,
            "headers": self.base_headers,
            "limits": POOL_LIMITS,
        }

    # --- requests ----------------------------------------------------------------------------------------------

    def build(
        self,
        http: httpx.Client | httpx.AsyncClient,
        op: Operation[Any],
        path: tuple[str, ...],
        query: Mapping[str, Any] | None,
        body: Mapping[str, Any] | Sequence[Any] | None,
    ) -> httpx.Request:
        """The HTTP request of one call; None arguments are left out (an array body is sent as given)."""
        url = self._base_url + (op.path.format(*self._segments(op, path)) if path else op.path)
        params = query_params(op.name, query) if query else None
        json_body: dict[str, Any] | list[Any] | None = None
        if op.body == "array":
            json_body = list(body or ())
        elif op.body is not None:
            json_body = {k: v for k, v in body.items() if v is not None} if isinstance(body, Mapping) and body else {}
            if not json_body and op.body == "optional":
                json_body = None
        request = http.build_request(
            op.method,
            url,
            params=params or None,
            json=json_body,
            headers=self._headers if op.auth else self._public_headers,
            timeout=self._request_timeout,
        )
        if not op.auth and self.client_has_base_headers:
            request.headers.pop(API_KEY_HEADER, None)
        return request

    @staticmethod
    def _segments(op: Operation[Any], path: tuple[str, ...]) -> list[str]:
        names = op.path_names
        return [
            encode_segment(value, op.name, names[index] if index < len(names) else f"path parameter {index + 1}")
            for index, value in enumerate(path)
        ]

    # --- the retry policy ---------------------------------------------------------------------------------------

    def _attempts(self, op: Operation[Any], request: httpx.Request) -> Generator[Step, Any, tuple[httpx.Response, int]]:
        """Yield the request to send (the driver sends back the read response or throws the httpx error in) or a
        delay to sleep; return the successful response and the number of attempts. Raises the final AvalaError."""
        attempt = 0
        debug = log.isEnabledFor(logging.DEBUG)
        where = f"{request.method} {redact_text(str(request.url), self._secrets_of(request))}" if debug else ""
        while True:
            attempt += 1
            started = time.perf_counter()
            if debug:
                log.debug("request %s (%s, attempt %d)", where, op.name, attempt)
            try:
                response: httpx.Response = yield request
            except UnusableBody as failure:
                response = failure.response
                self._record(response)
                if debug:
                    log.debug("response %d %s with %s", response.status_code, where, failure.problem)
                raise self._unusable(op, response, attempt, failure.problem, "") from failure.cause
            except httpx.RequestError as exc:
                if debug:
                    log.debug("failed %s after %s: %s", where, _elapsed(started), self._describe(exc, request))
                error = self._connection_error(op, request, exc, attempt)
                retryable = isinstance(exc, NOT_SENT) or (op.idempotent and isinstance(exc, httpx.TransportError))
                if not retryable or attempt > self._max_retries:
                    raise error from exc
                delay, reason = self._backoff(attempt), type(exc).__name__
            else:
                self._record(response)
                if debug:
                    request_id = header_text(response.headers.get("x-request-id"), self._secrets_of(request))
                    log.debug(
                        "response %d %s in %s (request_id=%s)",
                        response.status_code,
                        where,
                        _elapsed(started),
                        request_id,
                    )
                if response.is_success:
                    return response, attempt
                error = error_from_response(op.name, response, attempt, self._secrets_of(request))
                status = response.status_code
                retryable = status == 429 or (status in RETRY_STATUSES and op.idempotent)
                asked = error.retry_after
                if not retryable or attempt > self._max_retries or (asked is not None and asked > MAX_RETRY_AFTER):
                    raise error
                delay, reason = (asked if asked is not None else self._backoff(attempt)), f"HTTP {status}"
            if debug:
                log.debug(
                    "retry %s in %.2f s after %s (attempt %d of %d)",
                    op.name,
                    delay,
                    reason,
                    attempt + 1,
                    self._max_retries + 1,
                )
            yield delay

    def _succeeded(self, response: httpx.Response) -> bool:
        """Whether a first attempt's response ends the call: a success, whose rate limits are then recorded (all
        that :meth:`_attempts` would do with it). The drivers skip the policy's machinery for it."""
        if response.is_success:
            rate_limit = self.rate_limit
            rate_limit.headers, rate_limit.request = response.headers, response._request
            return True
        return False

    def _record(self, response: httpx.Response) -> None:
        """Keep a response's rate-limit headers (and its request, whose credentials redact them when read)."""
        rate_limit = self.rate_limit
        rate_limit.headers, rate_limit.request = response.headers, response._request

    @staticmethod
    def _resume(attempts: Generator[Step, Any, tuple[httpx.Response, int]], first: httpx.Response | Exception) -> Step:
        """Start the policy with its first attempt already made: hand it that attempt's response or failure."""
        next(attempts)
        return attempts.throw(first) if isinstance(first, Exception) else attempts.send(first)

    def _backoff(self, attempt: int) -> float:
        """Full jitter: uniform in [0, min(8, 0.5 * 2 ** (attempt - 1))]."""
        return self.random() * min(MAX_BACKOFF, INITIAL_BACKOFF * 2.0 ** (attempt - 1))

    def _redact(self, text: str) -> str:
        return redact_text(text, self._secrets)

    def _describe(self, exc: Exception, request: httpx.Request | None = None) -> str:
        """An exception as a message part; its text may quote the server's bytes (a malformed header line), so it
        is redacted with the request's credentials too."""
        detail = str(exc)
        text = f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
        return redact_text(text, self._secrets_of(request))

    def _secrets_of(self, request: httpx.Request | None) -> tuple[str, ...]:
        """The API key and the credentials this request carries (under credential-like keys of its JSON body or
        query), so that whatever a server echoes of them is redacted: bodies, headers, log lines. Only computed
        when something is shown."""
        if request is None:
            return self._secrets
        found = [*self._secrets, *secret_values(dict(request.url.params))]
        if request.content:
            with contextlib.suppress(ValueError, RecursionError):
                found.extend(secret_values(json.loads(request.content)))
        return tuple(found)

    def _connection_error(
        self, op: Operation[Any], request: httpx.Request, exc: httpx.RequestError, attempts: int
    ) -> AvalaError:
        kind = APITimeoutError if isinstance(exc, httpx.TimeoutException) else APIConnectionError
        what = "timed out" if kind is APITimeoutError else "failed"
        url = request.url.copy_with(query=None)
        message = f"{request.method} {url} {what} after {attempts} attempt(s): {self._describe(exc, request)}"
        return kind(self._redact(message), None, None, attempts=attempts, operation=op.name)

    # --- responses ----------------------------------------------------------------------------------------------

    def _decode(self, op: Operation[Any], response: httpx.Response, attempts: int) -> Any:
        try:
            return loads(response.content)
        except (ValueError, RecursionError) as exc:
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

    def _page(self, op: PageOperation[M], response: httpx.Response, attempts: int, page: type[Any]) -> Any:
        """The page of a response (a ``CursorPage`` or ``AsyncCursorPage``), which knows its next link."""
        data = self._decode(op, response, attempts)
        try:
            items, next_link, previous_link = split_page(data, op.item)
        except PARSE_ERRORS as exc:
            raise self._unusable(op, response, attempts, _problem(exc)) from exc
        made = page(items, next_link=next_link, previous_link=previous_link)
        made._operation = op.name
        return made

    def _unusable(
        self, op: Operation[Any], response: httpx.Response, attempts: int, problem: str, body: str | None = None
    ) -> AvalaError:
        """The error for a response the SDK cannot use: operation, status, problem and a redacted body excerpt."""
        if body is None:
            body = body_excerpt(response, self._secrets_of(response.request))
        message = f"HTTP {response.status_code} response with {problem}" + (f": {body}" if body else "")
        return APIResponseValidationError(
            self._redact(message),
            response.status_code,
            body or None,
            request_id=header_text(response.headers.get("x-request-id"), self._secrets_of(response._request)),
            attempts=attempts,
            operation=op.name,
        )


def _undecodable(response: httpx.Response, cause: httpx.DecodingError) -> str:
    encoding = response.headers.get("content-encoding", "?")
    return f"a body that could not be decoded (Content-Encoding: {encoding}; {cause})"


def _elapsed(started: float) -> str:
    return f"{(time.perf_counter() - started) * 1000:.1f} ms"


def _problem(exc: BaseException) -> str:
    if isinstance(exc, KeyError):
        return f"the required field {exc.args[0]!r} missing"
    if isinstance(exc, RecursionError):
        return "JSON nested too deeply"
    return f"an unexpected value ({exc})"


class SyncTransport(BaseTransport):
    """The transport of :class:`~avala.Client`."""

    http: httpx.Client

    def __init__(
        self,
        config: ClientConfig,
        http: httpx.Client | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        rate_limit: RateLimitState | None = None,
        headers_on_http: bool = False,
    ) -> None:
        super().__init__(config, headers=headers, rate_limit=rate_limit)
        self._use(http, httpx.Client, headers_on_http)

    def send(self, op: Operation[Any], request: httpx.Request) -> tuple[httpx.Response, int]:
        """Send with retries; return the successful response and the number of attempts."""
        if self._forks != _FORKS[0]:
            self._after_fork()
        first: httpx.Response | Exception | None = None
        if not log.isEnabledFor(logging.DEBUG):  # the first attempt, outside the policy: most calls end here
            try:
                first = self._exchange(request)
            except (httpx.RequestError, UnusableBody) as exc:
                first = exc
            else:
                if self._succeeded(first):
                    return first, 1
        attempts = self._attempts(op, request)
        try:
            step = next(attempts) if first is None else self._resume(attempts, first)
            while True:
                if isinstance(step, httpx.Request):
                    try:
                        response = self._exchange(step)
                    except (httpx.RequestError, UnusableBody) as exc:
                        step = attempts.throw(exc)
                    else:
                        step = attempts.send(response)
                else:
                    self.sleep(step)
                    step = attempts.send(None)
        except StopIteration as done:
            result: tuple[httpx.Response, int] = done.value
            return result

    def _exchange(self, request: httpx.Request) -> httpx.Response:
        """One attempt: send, read the whole body (up to the bound), release the connection whatever happens."""
        try:
            response = self.http.send(request, stream=True, follow_redirects=False)
        except RuntimeError as exc:
            raise self._closed(exc) from exc
        try:
            body = BoundedBody(response, self._max_body)
            if not body.read:
                for raw in response.iter_raw(body.raw_chunk):
                    body.add(raw)
                body.finish()
        except httpx.DecodingError as exc:
            raise UnusableBody(response, _undecodable(response, exc), exc) from exc
        finally:
            response.close()
        return response

    def call(
        self,
        op: Operation[T],
        path: tuple[str, ...] = (),
        query: Mapping[str, Any] | None = None,
        body: Mapping[str, Any] | Sequence[Any] | None = None,
    ) -> T:
        """Run one operation and return its parsed result."""
        response, attempts = self.send(op, self.build(self.http, op, path, query, body))
        return self._parse(op, response, attempts)

    def call_raw(
        self,
        op: Operation[T],
        path: tuple[str, ...] = (),
        query: Mapping[str, Any] | None = None,
        body: Mapping[str, Any] | Sequence[Any] | None = None,
    ) -> RawResponse[T]:
        """Run one operation and return its response, parsed only when asked."""
        response, attempts = self.send(op, self.build(self.http, op, path, query, body))
        return RawResponse(response, attempts, lambda: self._parse(op, response, attempts), self._secrets_of)

    def call_page(
        self,
        op: PageOperation[M],
        path: tuple[str, ...] = (),
        query: Mapping[str, Any] | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> CursorPage[M]:
        """Run a page operation; the page can fetch the following pages with the same arguments."""
        response, attempts = self.send(op, self.build(self.http, op, path, query, body))
        return self._make_page(op, response, attempts, path, query, body)

    def call_page_raw(
        self,
        op: PageOperation[M],
        path: tuple[str, ...] = (),
        query: Mapping[str, Any] | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> RawResponse[CursorPage[M]]:
        """Run a page operation and return its response; ``parse()`` gives the page."""
        response, attempts = self.send(op, self.build(self.http, op, path, query, body))
        return RawResponse(
            response, attempts, lambda: self._make_page(op, response, attempts, path, query, body), self._secrets_of
        )

    def _make_page(
        self,
        op: PageOperation[M],
        response: httpx.Response,
        attempts: int,
        path: tuple[str, ...],
        query: Mapping[str, Any] | None,
        body: Mapping[str, Any] | None,
    ) -> CursorPage[M]:
        page: CursorPage[M] = self._page(op, response, attempts, CursorPage)
        page._fetch = lambda params: self.call_page(op, path, follow(query, params), body)
        return page

    def close(self) -> None:
        """Close the connection pool, if this transport created it (in a fork child: the child's own pool, never
        the parent's sockets)."""
        if self._forks != _FORKS[0]:
            self._after_fork()
        if self.owns_http:
            self.http.close()


class AsyncTransport(BaseTransport):
    """The transport of :class:`~avala.AsyncClient`."""

    http: httpx.AsyncClient
    sleep: Callable[[float], Awaitable[Any]]
    slots: contextlib.AbstractAsyncContextManager[Any]

    def __init__(
        self,
        config: ClientConfig,
        http: httpx.AsyncClient | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        rate_limit: RateLimitState | None = None,
        headers_on_http: bool = False,
    ) -> None:
        super().__init__(config, headers=headers, rate_limit=rate_limit)
        self.sleep = _async_sleep
        # Calls beyond the pool's size wait here, not in httpcore's queue (costly when long, and bound by the pool
        # timeout); with_options copies share it with the pool. A caller's client keeps its own limits.
        self.slots = _pool_slots() if http is None else contextlib.nullcontext()
        self._loop: Any = None
        self._use(http, httpx.AsyncClient, headers_on_http)

    async def send(self, op: Operation[Any], request: httpx.Request) -> tuple[httpx.Response, int]:
        """Send with retries; return the successful response and the number of attempts."""
        if self._loop is not _running_loop() or self._forks != _FORKS[0]:
            self._bind(op)
        first: httpx.Response | Exception | None = None
        if not log.isEnabledFor(logging.DEBUG):  # the first attempt, outside the policy: most calls end here
            try:
                first = await self._exchange(request)
            except (httpx.RequestError, UnusableBody) as exc:
                first = exc
            else:
                if self._succeeded(first):
                    return first, 1
        attempts = self._attempts(op, request)
        try:
            step = next(attempts) if first is None else self._resume(attempts, first)
            while True:
                if isinstance(step, httpx.Request):
                    try:
                        response = await self._exchange(step)
                    except (httpx.RequestError, UnusableBody) as exc:
                        step = attempts.throw(exc)
                    else:
                        step = attempts.send(response)
                else:
                    await self.sleep(step)
                    step = attempts.send(None)
        except StopIteration as done:
            result: tuple[httpx.Response, int] = done.value
            return result

    def _share_with(self, twin: Any) -> None:
        super()._share_with(twin)
        twin.slots, twin._loop = self.slots, self._loop

    def _bind(self, op: Operation[Any]) -> None:
        """Check (and on first use record) the event loop the pool is used from; after a fork, start over."""
        if self._forks != _FORKS[0]:
            self._after_fork()
            pool = self._pool
            if pool.slots is None and pool.renew is not None:
                pool.slots = _pool_slots()
            if pool.slots is not None:
                self.slots = pool.slots
        loop = _running_loop()
        pool = self._pool
        if pool.loop is None:
            pool.loop = loop
        elif pool.loop is not loop:
            raise AvalaError(
                "This AsyncClient was first used in another event loop, to which its connections belong: make one "
                "AsyncClient per event loop (for instance inside the coroutine you pass to asyncio.run()).",
                operation=op.name,
            )
        self._loop = loop

    async def _exchange(self, request: httpx.Request) -> httpx.Response:
        """One attempt: wait for a free connection, send, read the whole body (up to the bound), release the
        connection."""
        async with self.slots:
            try:
                response = await self.http.send(request, stream=True, follow_redirects=False)
            except RuntimeError as exc:
                raise self._closed(exc) from exc
            try:
                body = BoundedBody(response, self._max_body)
                if not body.read:
                    async for raw in response.aiter_raw(body.raw_chunk):
                        body.add(raw)
                    body.finish()
            except httpx.DecodingError as exc:
                raise UnusableBody(response, _undecodable(response, exc), exc) from exc
            finally:
                await response.aclose()
        return response

    async def call(
        self,
        op: Operation[T],
        path: tuple[str, ...] = (),
        query: Mapping[str, Any] | None = None,
        body: Mapping[str, Any] | Sequence[Any] | None = None,
    ) -> T:
        """Run one operation and return its parsed result."""
        response, attempts = await self.send(op, self.build(self.http, op, path, query, body))
        return self._parse(op, response, attempts)

    async def call_raw(
        self,
        op: Operation[T],
        path: tuple[str, ...] = (),
        query: Mapping[str, Any] | None = None,
        body: Mapping[str, Any] | Sequence[Any] | None = None,
    ) -> RawResponse[T]:
        """Run one operation and return its response, parsed only when asked."""
        response, attempts = await self.send(op, self.build(self.http, op, path, query, body))
        return RawResponse(response, attempts, lambda: self._parse(op, response, attempts), self._secrets_of)

    async def call_page(
        self,
        op: PageOperation[M],
        path: tuple[str, ...] = (),
        query: Mapping[str, Any] | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> AsyncCursorPage[M]:
        """Run a page operation; the page can fetch the following pages with the same arguments."""
        response, attempts = await self.send(op, self.build(self.http, op, path, query, body))
        return self._make_page(op, response, attempts, path, query, body)

    async def call_page_raw(
        self,
        op: PageOperation[M],
        path: tuple[str, ...] = (),
        query: Mapping[str, Any] | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> RawResponse[AsyncCursorPage[M]]:
        """Run a page operation and return its response; ``parse()`` gives the page."""
        response, attempts = await self.send(op, self.build(self.http, op, path, query, body))
        return RawResponse(
            response, attempts, lambda: self._make_page(op, response, attempts, path, query, body), self._secrets_of
        )

    def _make_page(
        self,
        op: PageOperation[M],
        response: httpx.Response,
        attempts: int,
        path: tuple[str, ...],
        query: Mapping[str, Any] | None,
        body: Mapping[str, Any] | None,
    ) -> AsyncCursorPage[M]:
        page: AsyncCursorPage[M] = self._page(op, response, attempts, AsyncCursorPage)
        page._fetch = lambda params: self.call_page(op, path, follow(query, params), body)
        return page

    async def close(self) -> None:
        """Close the connection pool, if this transport created it (in a fork child: the child's own pool)."""
        if self._forks != _FORKS[0]:
            self._after_fork()
        if self.owns_http:
            await self.http.aclose()
