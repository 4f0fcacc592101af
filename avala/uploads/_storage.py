"""The storage plane: every request to a presigned storage URL, for every upload flow.

A flow describes a request as a :class:`StorageRequest` (method, presigned URL, the headers the presign returned,
and a body streamed from disk: :class:`FileRange` for a PUT or a part, :class:`FormBody` for a presigned form POST)
and hands it to :class:`StoragePlane` (threads) or :class:`AsyncStoragePlane` (asyncio, trio). The plane:

- checks the URL against the allow-list (:mod:`avala.uploads._allow`) before a byte is read;
- sends with its own httpx client: no API key (an ``X-Avala-Api-Key`` or ``Authorization`` header from a presign is
  dropped), no redirects followed, inactivity timeouts (connect 30 s, read 300 s, write 600 s, pool 60 s), never the
  API transport and so never its retry loop;
- streams the body from disk in 1 MiB chunks (nothing is read whole into memory), calling the byte hook with each
  chunk as it is sent, hashing while sending when the flow passes a ``hasher``, and failing with
  :class:`FileChanged` on a short read (the file shrank) or, with ``expect_eof``, on bytes past the end;
- on failure rewinds the byte hook (calls it with minus what this attempt reported) and raises
  :class:`StorageError`: the status, the S3 error code and message when there is one, ``retry_after`` from a
  ``Retry-After`` header, and ``ambiguous`` when the bytes may have landed. Messages name the host, never the
  presigned path, query or form fields; httpx's own log lines for these requests lose their query string.

Retrying is the flow's decision, with :class:`RetryPolicy` (which errors are retryable, and the backoff honouring
``Retry-After``); flows sleep through :class:`~avala.uploads._engine.Sleep` so a stop wakes them.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import re
import secrets
import ssl
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import httpx

from .._http_errors import retry_after_seconds
from .._redaction import redact_text
from .._version import __version__
from ..errors import APIConnectionError, AvalaError, FileChangedError
from ._allow import check_storage_url

CHUNK_SIZE = 1 << 20
TIMEOUT = httpx.Timeout(connect=30.0, read=300.0, write=600.0, pool=60.0)
USER_AGENT = f"avala-python/{__version__}"
RETRYABLE_STATUSES = frozenset({408, 429})
_DROPPED_HEADERS = frozenset({"x-avala-api-key", "authorization", "cookie", "host", "content-length"})
# Bytes may have landed when the failure came after the connection was made.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
_MAX_ERROR_BODY = 64 * 1024

ByteHook = Callable[[int], None]


class FileChanged(FileChangedError, ValueError):
    """A file changed while it was being sent: shorter than its recorded size, or longer with ``expect_eof`` (a
    :class:`~avala.errors.FileChangedError`, and a ``ValueError`` as the published package raised)."""


class StorageError(AvalaError):
    """A storage request failed.

    Attributes:
        host: The storage host (never the presigned path or query).
        ambiguous: True when the bytes may have landed anyway (the connection failed after the request was sent);
            False for a refused connection and for an HTTP error answer (the storage said it did not store them).
        code: The storage provider's error code (``SlowDown``, ``RequestTimeout``, ...), when it gave one.
    """

    def __init__(
        self,
        message: str,
        status_code: int | None,
        *,
        host: str,
        ambiguous: bool,
        code: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, status_code, None, retry_after=retry_after)
        self.host = host
        self.ambiguous = ambiguous
        self.code = code


class StorageConnectionError(StorageError):
    """A storage request got no (complete) response: refused, reset, timed out."""


# --- bodies ---------------------------------------------------------------------------------------------------------


class FileRange:
    """``length`` bytes of a file from ``offset``, streamed in chunks as a request body.

    Args:
        path: The file.
        offset: Where the range starts.
        length: How many bytes (default: to the end of the file as it is now).
        on_bytes: Called with each chunk's size once it has been handed to the connection, and with minus the
            total on :meth:`rewind`.
        hasher: A ``hashlib`` object updated with every byte sent (hashing while sending).
        expect_eof: Fail with :class:`FileChanged` when the file has bytes past the range.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        offset: int = 0,
        length: int | None = None,
        *,
        on_bytes: ByteHook | None = None,
        hasher: Any = None,
        expect_eof: bool = False,
        chunk_size: int = CHUNK_SIZE,
    ) -> None:
        self.path = os.fspath(path)
        self.offset = offset
        self.length = os.path.getsize(self.path) - offset if length is None else length
        self.on_bytes = on_bytes
        self.hasher = hasher
        self.expect_eof = expect_eof
        self.chunk_size = chunk_size
        self.sent = 0

    def _next(self, handle: BinaryIO) -> bytes:
        wanted = min(self.chunk_size, self.length - self._read)
        chunk = handle.read(wanted)
        if len(chunk) != wanted:
            raise FileChanged(f"{self.path} is shorter than when its upload started: it changed while being sent")
        self._read += len(chunk)
        if self.hasher is not None:
            self.hasher.update(chunk)
        return chunk

    def _end(self, handle: BinaryIO) -> None:
        if self.expect_eof and handle.read(1):
            raise FileChanged(f"{self.path} is longer than when its upload started: it changed while being sent")

    def _start(self) -> BinaryIO:
        self._read = 0
        handle = open(self.path, "rb", buffering=0)  # noqa: SIM115 - closed by the iterators
        handle.seek(self.offset)
        return handle

    def _count(self, size: int) -> None:
        self.sent += size
        if self.on_bytes is not None:
            self.on_bytes(size)

    def __iter__(self) -> Iterator[bytes]:
        """The range in chunks (blocking reads)."""
        with self._start() as handle:
            while self._read < self.length:
                chunk = self._next(handle)
                yield chunk
                self._count(len(chunk))
            self._end(handle)

    async def __aiter__(self) -> AsyncIterator[bytes]:
        """The range in chunks, each read in a worker thread so the event loop never waits on the disk."""
        from anyio import to_thread

        handle = await to_thread.run_sync(self._start)
        try:
            while self._read < self.length:
                chunk = await to_thread.run_sync(self._next, handle)
                yield chunk
                self._count(len(chunk))
            await to_thread.run_sync(self._end, handle)
        finally:
            handle.close()

    def rewind(self) -> None:
        """Take back what this attempt reported to ``on_bytes`` (it failed: those bytes will be sent again)."""
        if self.sent and self.on_bytes is not None:
            self.on_bytes(-self.sent)
        self.sent = 0


def _quote_form(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


class FormBody:
    """A ``multipart/form-data`` body for a presigned POST: every field, then the file part named ``file``,
    streamed from a :class:`FileRange` with an exact ``Content-Length``."""

    def __init__(self, fields: Mapping[str, Any], filename: str, content_type: str, file: FileRange) -> None:
        boundary = secrets.token_hex(16)
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{_quote_form(str(k))}"\r\n\r\n{v}\r\n'.encode()
            for k, v in fields.items()
        ]
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{_quote_form(filename)}"'
            f"\r\nContent-Type: {content_type}\r\n\r\n".encode()
        )
        self.head = b"".join(parts)
        self.tail = f"\r\n--{boundary}--\r\n".encode()
        self.file = file
        self.content_type = f"multipart/form-data; boundary={boundary}"
        self.length = len(self.head) + file.length + len(self.tail)

    def __iter__(self) -> Iterator[bytes]:
        """The body in chunks."""
        yield self.head
        yield from self.file
        yield self.tail

    async def __aiter__(self) -> AsyncIterator[bytes]:
        """The body in chunks, file reads in a worker thread."""
        yield self.head
        async for chunk in self.file:
            yield chunk
        yield self.tail

    def rewind(self) -> None:
        """See :meth:`FileRange.rewind`."""
        self.file.rewind()


@dataclass
class StorageRequest:
    """One request to a presigned storage URL.

    Attributes:
        method: ``PUT`` or ``POST``.
        url: The presigned URL (checked against the allow-list when sent; never shown).
        what: What is being sent, for messages (``"part 3 of images/a.png"``); never a URL.
        headers: Headers the presign asked for.
        body: The body, streamed from disk, or None for an empty one.
        ok: Statuses other than 2xx that count as success (``{412}`` for an object already stored).
    """

    method: str
    url: str
    what: str
    headers: Mapping[str, str] = field(default_factory=dict)
    body: FileRange | FormBody | None = None
    ok: frozenset[int] = frozenset()


# --- retrying ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RetryPolicy:
    """When and how long to wait before trying again; each flow picks its numbers.

    Retryable: a storage or API connection failure or timeout, and HTTP 408, 429 and 5xx from either plane. Anything
    else (400, 403, 404, 413, a refused host, a changed file, a state error) fails at once. The wait before attempt
    ``k + 1`` (``k`` from 0) is ``min(cap, base * 2**k)`` plus a uniform jitter in ``[0, jitter]``; a longer
    ``Retry-After`` (capped at ``max_retry_after``) is waited instead.
    """

    attempts: int = 8
    base: float = 1.0
    cap: float = 60.0
    jitter: float = 1.5
    max_retry_after: float = 900.0

    def retryable(self, error: BaseException) -> bool:
        """Whether another attempt may succeed."""
        if isinstance(error, StorageConnectionError | APIConnectionError):
            return True
        if isinstance(error, AvalaError):
            status = error.status_code
            return status is not None and (status in RETRYABLE_STATUSES or 500 <= status <= 599)
        return False

    def delay(self, attempt: int, error: BaseException | None, random: Callable[[], float]) -> float:
        """Seconds to wait after failed attempt ``attempt`` (0-based)."""
        wait = min(self.cap, self.base * 2.0**attempt) + random() * self.jitter
        asked = getattr(error, "retry_after", None)
        if isinstance(asked, int | float) and asked > wait:
            wait = min(float(asked), self.max_retry_after)
        return wait


# --- the planes ----------------------------------------------------------------------------------------------------

_S3_CODE = re.compile(rb"<Code>([^<]{1,100})</Code>")
_S3_MESSAGE = re.compile(rb"<Message>([^<]{1,300})</Message>")
_SIGNED_QUERY = re.compile(r"(?i)(x-amz-|x-goog-|signature|sig=|se=|credential|token|expires)")


class _RedactSignedUrls(logging.Filter):
    """Drops the query string of a signed URL from httpx's log lines (``HTTP Request: PUT https://...``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and any(isinstance(a, httpx.URL) and a.query for a in args):
            record.args = tuple(
                a.copy_with(query=b"[redacted]")
                if isinstance(a, httpx.URL) and a.query and _SIGNED_QUERY.search(a.query.decode("ascii", "replace"))
                else a
                for a in args
            )
        return True


_FILTER = _RedactSignedUrls()


def _install_log_filter() -> None:
    httpx_log = logging.getLogger("httpx")
    if _FILTER not in httpx_log.filters:
        httpx_log.addFilter(_FILTER)


@functools.cache
def _tls() -> ssl.SSLContext:
    """One TLS context per process for every storage client (building one costs tens of milliseconds)."""
    return httpx.create_ssl_context()


class _PlaneBase:
    """Building requests and judging responses, for both planes."""

    def __init__(self, max_connections: int) -> None:
        _install_log_filter()
        self._options: dict[str, Any] = {
            "verify": _tls(),
            "follow_redirects": False,
            "timeout": TIMEOUT,
            "headers": {"User-Agent": USER_AGENT},
            "limits": httpx.Limits(
                max_connections=max_connections, max_keepalive_connections=max_connections, keepalive_expiry=30.0
            ),
        }

    @staticmethod
    def _headers(request: StorageRequest) -> dict[str, str]:
        headers = {str(k): str(v) for k, v in request.headers.items() if str(k).lower() not in _DROPPED_HEADERS}
        for name, value in headers.items():
            if "\r" in value or "\n" in value or "\r" in name or "\n" in name:
                raise ValueError(f"{request.what}: the upload target asked for a header with a line break")
        body = request.body
        if isinstance(body, FormBody):
            headers["Content-Type"] = body.content_type
        headers["Content-Length"] = str(0 if body is None else body.length)
        return headers

    @staticmethod
    def _failed(request: StorageRequest, host: str, exc: Exception) -> StorageError:
        if request.body is not None:
            request.body.rewind()
        detail = str(exc).split("\n", 1)[0]
        detail = re.sub(r"https?://\S+", "[url]", detail)[:200]
        return StorageConnectionError(
            redact_text(f"{request.what}: {request.method} to storage host {host} failed: {type(exc).__name__}")
            + (f" ({detail})" if detail else ""),
            None,
            host=host,
            ambiguous=not isinstance(exc, _NOT_SENT),
        )

    @staticmethod
    def _judge(request: StorageRequest, host: str, response: httpx.Response, content: bytes) -> httpx.Response:
        status = response.status_code
        if response.is_success or status in request.ok:
            return response
        if request.body is not None:
            request.body.rewind()
        code_match, message_match = _S3_CODE.search(content), _S3_MESSAGE.search(content)
        code = code_match.group(1).decode("utf-8", "replace") if code_match else None
        text = f"{request.what}: storage host {host} answered HTTP {status}"
        if code:
            text += f" {code}"
        if message_match:
            text += ": " + message_match.group(1).decode("utf-8", "replace")
        if response.is_redirect:
            text += " (a redirect; storage redirects are not followed)"
        return _raise(
            StorageError(
                redact_text(text),
                status,
                host=host,
                ambiguous=False,
                code=code,
                retry_after=retry_after_seconds(response.headers),
            )
        )


def _raise(error: StorageError) -> httpx.Response:
    raise error


class StoragePlane(_PlaneBase):
    """The storage plane for threads: one httpx client, safe to share between worker threads."""

    def __init__(self, max_connections: int = 16) -> None:
        super().__init__(max_connections)
        self.http = httpx.Client(**self._options)

    def send(self, request: StorageRequest) -> httpx.Response:
        """Send one request; return the response (body read) or raise :class:`StorageError`."""
        url = check_storage_url(request.url)
        host = url.host
        content: Any = iter(request.body) if request.body is not None else b""
        built = self.http.build_request(request.method, url, headers=self._headers(request), content=content)
        try:
            response = self.http.send(built, stream=True)
            try:
                data = b""
                for chunk in response.iter_bytes():
                    if len(data) < _MAX_ERROR_BODY:
                        data += chunk
            finally:
                response.close()
        except httpx.HTTPError as exc:
            raise self._failed(request, host, exc) from None
        except BaseException:
            if request.body is not None:
                request.body.rewind()
            raise
        return self._judge(request, host, response, data)

    def close(self) -> None:
        """Close the connections."""
        self.http.close()

    def __enter__(self) -> StoragePlane:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AsyncStoragePlane(_PlaneBase):
    """The storage plane for async code (any event loop httpx supports): one httpx async client."""

    def __init__(self, max_connections: int = 16) -> None:
        super().__init__(max_connections)
        self.http = httpx.AsyncClient(**self._options)

    async def send(self, request: StorageRequest) -> httpx.Response:
        """Send one request; return the response (body read) or raise :class:`StorageError`."""
        url = check_storage_url(request.url)
        host = url.host
        content: Any = request.body.__aiter__() if request.body is not None else b""
        built = self.http.build_request(request.method, url, headers=self._headers(request), content=content)
        try:
            response = await self.http.send(built, stream=True)
            try:
                data = b""
                async for chunk in response.aiter_bytes():
                    if len(data) < _MAX_ERROR_BODY:
                        data += chunk
            finally:
                await response.aclose()
        except httpx.HTTPError as exc:
            raise self._failed(request, host, exc) from None
        except BaseException:
            if request.body is not None:
                request.body.rewind()
            raise
        return self._judge(request, host, response, data)

    async def close(self) -> None:
        """Close the connections."""
        await self.http.aclose()

    async def __aenter__(self) -> AsyncStoragePlane:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()


def sha256() -> Any:
    """A fresh SHA-256 hasher, for flows that hash while sending."""
    return hashlib.sha256()
