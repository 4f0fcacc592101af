"""Chunked calls (``x-python-chunked`` in openapi.yaml): a JSON-array body sent as consecutive requests of at most
``chunk_size`` items, as the published SDK's ``annotations.bulk_edit`` does.

The items are read lazily from any iterable, one chunk at a time, so a large file of edits is never held whole. A
chunk's request is sent when the caller asks for the next ``(chunk_index, result)``; a failure stops the walk with
:class:`~avala.errors.ChunkError`, whose ``chunk_index`` says where to resume (the earlier chunks were applied). The
policy (sizes, item checks, error wrapping) is written once; the sync and async drivers only send.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from .errors import AvalaError, ChunkError

if TYPE_CHECKING:
    from ._operation import Operation
    from ._transport import AsyncTransport, SyncTransport


def check_arguments(op: Operation[Any], items: Iterable[Any], chunk_size: int) -> None:
    """Checked when the method is called, before any request: ``ValueError`` unless ``chunk_size`` is a positive
    integer, ``TypeError`` unless ``items`` is an iterable of items (a dict or a string is not)."""
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1:
        raise ValueError(f"{op.name}: chunk_size must be a positive integer, got {chunk_size!r}")
    if isinstance(items, str | bytes | Mapping) or not isinstance(items, Iterable):
        raise TypeError(f"{op.name}: pass an iterable of edit objects, not a {type(items).__name__}")


def chunks(op: Operation[Any], items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """Consecutive lists of at most ``size`` items; every item must be a JSON object (``TypeError`` names the first
    that is not, before its chunk is sent)."""
    chunk: list[Any] = []
    for position, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise TypeError(f"{op.name}: item {position} is a {type(item).__name__}, not a JSON object")
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def send_chunks(
    transport: SyncTransport,
    op: Operation[Any],
    path: tuple[str, ...],
    items: Iterable[Any],
    chunk_size: int,
    *,
    raw: bool = False,
) -> Iterator[tuple[int, Any]]:
    """Check the arguments now; return the iterator that sends one chunk per step and yields its index and result
    (with ``raw``, its :class:`~avala.RawResponse`, for ``client.with_raw_response``)."""
    check_arguments(op, items, chunk_size)
    return _send(transport, op, path, items, chunk_size, raw)


def _send(
    transport: SyncTransport, op: Operation[Any], path: tuple[str, ...], items: Iterable[Any], size: int, raw: bool
) -> Iterator[tuple[int, Any]]:
    call = transport.call_raw if raw else transport.call
    for index, chunk in enumerate(chunks(op, items, size)):
        try:
            result = call(op, path, None, chunk)
        except AvalaError as exc:
            raise ChunkError(exc, index) from exc
        yield index, result


def async_send_chunks(
    transport: AsyncTransport,
    op: Operation[Any],
    path: tuple[str, ...],
    items: Iterable[Any],
    chunk_size: int,
    *,
    raw: bool = False,
) -> AsyncIterator[tuple[int, Any]]:
    """The async twin of :func:`send_chunks`: an async iterator sending one chunk per step."""
    check_arguments(op, items, chunk_size)
    return _async_send(transport, op, path, items, chunk_size, raw)


async def _async_send(
    transport: AsyncTransport, op: Operation[Any], path: tuple[str, ...], items: Iterable[Any], size: int, raw: bool
) -> AsyncIterator[tuple[int, Any]]:
    call = transport.call_raw if raw else transport.call
    for index, chunk in enumerate(chunks(op, items, size)):
        try:
            result = await call(op, path, None, chunk)
        except AvalaError as exc:
            raise ChunkError(exc, index) from exc
        yield index, result
