"""Errors raised by the Avala SDK. Every one is an :class:`AvalaError`::

    AvalaError                       message, status_code, body, request_id, attempts, retry_after
    ├── APIConnectionError           the request got no (complete) response (status_code is None)
    │   └── APITimeoutError          ... because it timed out
    ├── APIResponseValidationError   a response the SDK cannot use: not JSON, truncated, a required field missing,
    │                                a body that cannot be decoded or is over max_response_bytes, a next link a
    │                                page walk cannot follow
    ├── AuthenticationError          401
    ├── ForbiddenError               403
    ├── NotFoundError                404
    ├── ConflictError                409
    ├── FileChangedError             an uploaded file changed while it was being sent (also a RuntimeError)
    ├── QuotaExceededError           413 from the upload endpoints: the owner's storage quota; ``limit``, ``used``
    ├── ValidationError              400 and 422; ``details`` holds the field errors
    ├── RateLimitError               429; ``retry_after`` in seconds when the server said
    ├── ServerError                  5xx
    ├── UploadStateError             the resume state of an upload cannot be trusted or used (corrupt, foreign,
    │                                locked by another process); the message says how to recover
    ├── WaitTimeoutError             a ``wait()`` helper gave up; ``last`` is the last object seen (also a TimeoutError)
    └── ChunkError                   a chunk of a chunked call failed; chunk_index says which (also a RuntimeError)

Any other status (a 3xx redirect, 405, 418, 499, ...) raises a plain :class:`AvalaError` carrying it. The original
exception, if any, is chained (``raise ... from``). Messages and bodies never carry the API key or other credentials.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "APIConnectionError",
    "APIResponseValidationError",
    "APITimeoutError",
    "AuthenticationError",
    "AvalaError",
    "ChunkError",
    "ConflictError",
    "FileChangedError",
    "ForbiddenError",
    "NotFoundError",
    "QuotaExceededError",
    "RateLimitError",
    "ServerError",
    "UploadStateError",
    "ValidationError",
    "WaitTimeoutError",
    "error_class_for_status",
]


class AvalaError(Exception):
    """Base class of every error the SDK raises.

    Attributes:
        message: A readable description, as the API worded it where it gave one (``Not found.``).
        operation: The SDK call that failed (``datasets.get``), or None. ``str(error)`` is
            ``"<operation>: <message>"``, so logs say which call failed.
        status_code: The HTTP status of the response, or None when there was no response.
        body: The decoded JSON body of the error response (credentials redacted), its text, or None.
        request_id: The ``X-Request-Id`` response header, to quote to Avala support.
        attempts: How many times the request was sent (1 + the retries taken).
        retry_after: Seconds the server asked to wait before trying again (``Retry-After`` or ``retry-after-ms``),
            or None when it did not say. The SDK sleeps through at most 60 s; when asked for more, it raises at
            once and this says how long.
    """

    def __init__(
        self,
        message: str,
        status_code: int | None = None,
        body: Any = None,
        *,
        request_id: str | None = None,
        attempts: int = 1,
        retry_after: float | None = None,
        operation: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.operation = operation
        self.status_code = status_code
        self.body = body
        self.request_id = request_id
        self.attempts = attempts
        self.retry_after = retry_after

    def __str__(self) -> str:
        return f"{self.operation}: {self.message}" if self.operation else self.message

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(message={self.message!r}, status_code={self.status_code!r}, "
            f"operation={self.operation!r})"
        )


class APIConnectionError(AvalaError):
    """The request did not get a complete response: connection refused or reset, DNS failure, TLS error, ..."""


class APITimeoutError(APIConnectionError):
    """The request timed out (connect, write, read or waiting for a pooled connection)."""


class APIResponseValidationError(AvalaError):
    """A response the SDK cannot use: a 2xx body that is not JSON, truncated or missing a required field, a body
    whose ``Content-Encoding`` cannot be decoded or that decodes past ``max_response_bytes``, or pages whose ``next``
    link a walk cannot follow (see :mod:`avala._pagination`). The message names the operation, the status and an
    excerpt."""


class AuthenticationError(AvalaError):
    """401: the API key is missing, wrong or revoked."""


class ForbiddenError(AvalaError):
    """403: the API key is valid but may not do this."""


class NotFoundError(AvalaError):
    """404: no such object, or not visible to this API key."""


class ConflictError(AvalaError):
    """409: the request conflicts with the current state (a duplicate slug, for instance)."""


class FileChangedError(AvalaError, RuntimeError):
    """A file changed while it was being uploaded (its size, modification time or inode differ from when it was
    sent): what is stored cannot be trusted, so it is never recorded as uploaded. Re-run once the file is stable."""


class QuotaExceededError(AvalaError):
    """413 from an upload endpoint, or the quota preflight: the upload would exceed the owner's storage quota.

    Attributes:
        limit: The owner's storage limit in bytes, or None when the server did not say.
        used: Bytes already used (open upload reservations included), or None when the server did not say.
    """

    def __init__(
        self,
        message: str,
        status_code: int | None = 413,
        body: Any = None,
        limit: int | None = None,
        used: int | None = None,
        *,
        request_id: str | None = None,
        attempts: int = 1,
        retry_after: float | None = None,
        operation: str | None = None,
    ) -> None:
        super().__init__(
            message,
            status_code,
            body,
            request_id=request_id,
            attempts=attempts,
            retry_after=retry_after,
            operation=operation,
        )
        self.limit = limit
        self.used = used


class UploadStateError(AvalaError):
    """The resume state of an upload cannot be used: unreadable, corrupt, written for another destination or
    batch, locked by another process, or contradicting the files on disk. Nothing is sent; the message names the
    state file and how to recover (wait for the other process, or start afresh with ``resume=False`` or by moving
    the file away)."""


class ValidationError(AvalaError):
    """400 or 422: the API rejected the request's parameters or body.

    Attributes:
        details: One entry per problem. For the usual field-error body ``{"name": ["This field is required."]}``
            each entry is ``{"field": "name", "message": "This field is required."}``; a JSON array body is kept
            as it is.
    """

    def __init__(
        self,
        message: str,
        status_code: int = 400,
        body: Any = None,
        details: list[Any] | None = None,
        *,
        request_id: str | None = None,
        attempts: int = 1,
        retry_after: float | None = None,
        operation: str | None = None,
    ) -> None:
        super().__init__(
            message,
            status_code,
            body,
            request_id=request_id,
            attempts=attempts,
            retry_after=retry_after,
            operation=operation,
        )
        self.details: list[Any] = details if details is not None else []


class RateLimitError(AvalaError):
    """429: too many requests; ``retry_after`` holds the seconds the server asked to wait, when it said."""

    def __init__(
        self,
        message: str,
        status_code: int = 429,
        body: Any = None,
        retry_after: float | None = None,
        *,
        request_id: str | None = None,
        attempts: int = 1,
        operation: str | None = None,
    ) -> None:
        super().__init__(
            message,
            status_code,
            body,
            request_id=request_id,
            attempts=attempts,
            retry_after=retry_after,
            operation=operation,
        )


class ServerError(AvalaError):
    """5xx: the API failed; transient ones are retried first."""


class WaitTimeoutError(AvalaError, TimeoutError):
    """A ``wait()`` helper reached its timeout before the object reached the awaited status.

    Attributes:
        last: The last object fetched while waiting.
    """

    def __init__(self, message: str, last: Any = None, *, operation: str | None = None) -> None:
        super().__init__(message, operation=operation)
        self.last = last


class ChunkError(AvalaError, RuntimeError):
    """One request of a chunked call (``annotations.bulk_edit``) failed: the chunks before ``chunk_index`` were
    applied, this one and the rest were not sent (or, for this one, not accepted). Resume with the items from
    ``chunk_index * chunk_size`` on. The error of that request is chained as ``__cause__``; its ``status_code``,
    ``body``, ``request_id``, ``attempts`` and ``retry_after`` are copied here. It is also a ``RuntimeError``, which
    is what the published SDK raises.

    Attributes:
        chunk_index: The index (from 0) of the chunk that failed.
    """

    def __init__(self, cause: AvalaError, chunk_index: int) -> None:
        super().__init__(
            f"chunk {chunk_index} failed: {cause.message}",
            cause.status_code,
            cause.body,
            request_id=cause.request_id,
            attempts=cause.attempts,
            retry_after=cause.retry_after,
            operation=cause.operation,
        )
        self.chunk_index = chunk_index


_BY_STATUS: dict[int, type[AvalaError]] = {
    400: ValidationError,
    401: AuthenticationError,
    403: ForbiddenError,
    404: NotFoundError,
    409: ConflictError,
    413: QuotaExceededError,
    422: ValidationError,
    429: RateLimitError,
}


def error_class_for_status(status: int) -> type[AvalaError]:
    """The error class for an HTTP status: the table above, :class:`ServerError` for 5xx, else AvalaError."""
    cls = _BY_STATUS.get(status)
    if cls is not None:
        return cls
    return ServerError if 500 <= status <= 599 else AvalaError
