"""``Client`` and ``AsyncClient``: configuration, lazy resource attributes, context managers, per-call options.

A client validates its settings when it is made, but creates its transport (the httpx connection pool, and the
modules of the retry policy and error mapping) on first use: ``import avala; avala.Client()`` costs little more than
``import httpx``.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from functools import cached_property
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, TypeVar

import httpx

from ._client_resources import AsyncClientWithRawResponse, AsyncResources, ClientWithRawResponse, Resources
from ._config import (
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    ClientConfig,
    resolve_config,
    resolve_headers,
    resolve_max_retries,
    resolve_timeout,
)

if TYPE_CHECKING:
    from ._transport import AsyncTransport, BaseTransport, SyncTransport

T = TypeVar("T")

# Two threads making the first call on one client at once still get one transport (one connection pool).
_CREATING = threading.Lock()


def _configure_logging() -> None:
    """Apply ``AVALA_LOG`` now, as the constructor always did; the transport module loads only when it is set."""
    if os.environ.get("AVALA_LOG", "").strip():
        from ._transport import configure_logging_from_env

        configure_logging_from_env()


class _NotGiven:
    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Any = _NotGiven()


class _ClientBase:
    """What sync and async clients share: settings, rate-limit info and ``repr``."""

    _config: ClientConfig
    _transport: BaseTransport

    @property
    def base_url(self) -> str:
        """The API base URL requests go to."""
        return self._config.base_url

    @property
    def timeout(self) -> httpx.Timeout:
        """The timeout of every request."""
        return self._config.timeout

    @property
    def max_retries(self) -> int:
        """How many times a failed request may be retried."""
        return self._config.max_retries

    @property
    def rate_limit_info(self) -> dict[str, str | None]:
        """Rate-limit headers of the last response: ``limit``, ``remaining``, ``reset`` (also under their
        ``x-ratelimit-*`` header names); values are None before the first response or when absent."""
        return self._transport.rate_limit.info()

    def _configure(
        self, api_key: str | None, base_url: str | None, timeout: Any, max_retries: int, http: Any, max_bytes: int
    ) -> None:
        """Validate the settings now (bad ones raise here); the transport waits for the first call."""
        _configure_logging()
        self._config = resolve_config(api_key, base_url, timeout, max_retries, max_response_bytes=max_bytes)
        self._http_client = http

    def _once(self, make: Callable[[], T]) -> T:
        """The transport made by ``make``, unless another thread made it first (then that one)."""
        with _CREATING:
            made: T | None = self.__dict__.get("_transport")
            return made if made is not None else make()

    def with_options(
        self,
        *,
        timeout: float | httpx.Timeout | None = NOT_GIVEN,
        max_retries: int = NOT_GIVEN,
        headers: Mapping[str, str] | None = None,
    ) -> Self:
        """A client with other settings that shares this one's connection pool (closing it closes nothing).

        Args:
            timeout: Replaces the client's timeout (a float, an ``httpx.Timeout``, or None for none).
            max_retries: Replaces the client's retry count.
            headers: Extra headers on every request of the copy (added to, or replacing, the SDK's own).

        Raises:
            TypeError, ValueError: a header name or value that is not a str, or holds CR, LF or another control
                character; a bad timeout or retry count.
        """
        twin: Self = self._derived(timeout, max_retries, headers)
        return twin

    def _derived(self, timeout: Any, max_retries: Any, headers: Mapping[str, str] | None) -> Any:
        transport = self._transport.derive(
            timeout=None if timeout is NOT_GIVEN else resolve_timeout(timeout),
            max_retries=None if max_retries is NOT_GIVEN else resolve_max_retries(max_retries),
            headers=resolve_headers(headers) if headers else None,
        )
        twin = object.__new__(type(self))
        twin._config = transport.config
        twin._transport = transport
        return twin

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r}, max_retries={self.max_retries})"


class Client(_ClientBase, Resources):
    """Synchronous client for the Avala API.

    Args:
        api_key: Your API key; defaults to the ``AVALA_API_KEY`` environment variable.
        base_url: The API base URL; defaults to ``AVALA_BASE_URL``, else ``https://api.avala.ai/api/v1``.
        timeout: Seconds for each of connect, read, write and pool (a float), an ``httpx.Timeout``, or None
            for no timeout at all.
        max_retries: How many times a transient failure is retried (see the README, "Errors and retries").
        http_client: An ``httpx.Client`` to send requests with (proxies, custom transports); the SDK does not
            close it.
        max_response_bytes: The most bytes a response body may decode to (default 64 MiB); a larger one raises
            :class:`~avala.errors.APIResponseValidationError` and is not kept (see the README, "Reliability").

    Raises:
        ValueError: no API key, an invalid base URL, timeout, retry count or response bound.

    Use it as a context manager, or call :meth:`close`, to release connections. Calls may be made from several
    threads at once (httpx's pool is thread-safe); ``rate_limit_info`` then reflects whichever response came last.
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | httpx.Timeout | None = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        http_client: httpx.Client | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        self._configure(api_key, base_url, timeout, max_retries, http_client, max_response_bytes)

    # a cached_property is writable (with_options copies set it), which mypy does not know
    @cached_property
    def _transport(self) -> SyncTransport:  # type: ignore[override]
        """The transport, made on first use."""
        from ._transport import SyncTransport

        return self._once(lambda: SyncTransport(self._config, self._http_client))

    @cached_property
    def with_raw_response(self) -> ClientWithRawResponse:
        """This client's resources, whose methods return a :class:`~avala.RawResponse` (status, headers,
        ``request_id``, ``retries``) instead of the result; its ``parse()`` gives the result, typed."""
        return ClientWithRawResponse(self._transport)

    def close(self) -> None:
        """Close the connection pool (a no-op for ``with_options`` copies and a caller's ``http_client``)."""
        self._transport.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class AsyncClient(_ClientBase, AsyncResources):
    """Asynchronous client for the Avala API: the same resources and methods as :class:`Client`, awaited.

    Args:
        api_key: Your API key; defaults to the ``AVALA_API_KEY`` environment variable.
        base_url: The API base URL; defaults to ``AVALA_BASE_URL``, else ``https://api.avala.ai/api/v1``.
        timeout: Seconds for each of connect, read, write and pool (a float), an ``httpx.Timeout``, or None.
        max_retries: How many times a transient failure is retried.
        http_client: An ``httpx.AsyncClient`` to send requests with; the SDK does not close it.
        max_response_bytes: The most bytes a response body may decode to (default 64 MiB).

    Raises:
        ValueError: no API key, an invalid base URL, timeout, retry count or response bound.
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | httpx.Timeout | None = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        http_client: httpx.AsyncClient | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        self._configure(api_key, base_url, timeout, max_retries, http_client, max_response_bytes)

    # a cached_property is writable (with_options copies set it), which mypy does not know
    @cached_property
    def _transport(self) -> AsyncTransport:  # type: ignore[override]
        """The transport, made on first use."""
        from ._transport import AsyncTransport

        return self._once(lambda: AsyncTransport(self._config, self._http_client))

    @cached_property
    def with_raw_response(self) -> AsyncClientWithRawResponse:
        """This client's resources, whose methods return a :class:`~avala.RawResponse` (status, headers,
        ``request_id``, ``retries``) instead of the result; its ``parse()`` gives the result, typed."""
        return AsyncClientWithRawResponse(self._transport)

    async def close(self) -> None:
        """Close the connection pool (a no-op for ``with_options`` copies and a caller's ``http_client``)."""
        await self._transport.close()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()
