"""Base classes of the generated resource classes: they hold the transport and nothing else.

Only resource modules import this module, and a resource is made with a transport: importing the transport here
costs nothing more, and lets ``typing.get_type_hints`` resolve every annotation at run time.
"""

from __future__ import annotations

import warnings

from ._transport import AsyncTransport, SyncTransport


def renamed(old: str, new: str) -> None:
    """Warn that the caller used ``old``, a deprecated alias of ``new`` (from the spec's ``x-python-renamed-from``)."""
    message = f"{old} is deprecated and will be removed in the next major release: use {new}"
    warnings.warn(message, DeprecationWarning, stacklevel=3)


class SyncResource:
    """A group of API operations (``client.datasets``); every method hands its request to the transport."""

    __slots__ = ("_transport",)
    _transport: SyncTransport

    def __init__(self, transport: SyncTransport) -> None:
        self._transport = transport

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"


class AsyncResource:
    """The async twin of :class:`SyncResource`."""

    __slots__ = ("_transport",)
    _transport: AsyncTransport

    def __init__(self, transport: AsyncTransport) -> None:
        self._transport = transport

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"
