"""Base classes of the generated resource classes: they hold the transport and nothing else."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._transport import AsyncTransport, SyncTransport


class SyncResource:
    """A group of API operations (``client.datasets``); every method hands its request to the transport."""

    __slots__ = ("_transport",)

    def __init__(self, transport: SyncTransport) -> None:
        self._transport = transport

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"


class AsyncResource:
    """The async twin of :class:`SyncResource`."""

    __slots__ = ("_transport",)

    def __init__(self, transport: AsyncTransport) -> None:
        self._transport = transport

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"
