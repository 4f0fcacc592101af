"""The Python SDK of the Avala API.

>>> from avala import Client
>>> client = Client()                      # reads AVALA_API_KEY
>>> page = client.datasets.list(limit=20)

Models live in :mod:`avala.types`, errors in :mod:`avala.errors`. The clients (and httpx with them), resource modules
and models are imported on first use, so ``import avala`` costs almost nothing (the ``avala`` command line starts
without loading httpx).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._version import __version__
from .errors import AvalaError

if TYPE_CHECKING:
    from ._client import AsyncClient, Client

    Avala = Client  # ``avala.Avala`` is ``avala.Client`` (the published package's alias, like the TypeScript SDK's)
    from ._pagination import AsyncCursorPage, CursorPage
    from ._signup import async_signup, signup
    from ._transport import RawResponse

__all__ = [
    "AsyncClient",
    "AsyncCursorPage",
    "Avala",
    "AvalaError",
    "Client",
    "CursorPage",
    "RawResponse",
    "__version__",
    "async_signup",
    "signup",
]


def __getattr__(name: str) -> Any:
    if name in ("Client", "AsyncClient", "Avala"):  # loaded on first use: the command line starts without httpx
        from . import _client

        return getattr(_client, "Client" if name == "Avala" else name)
    if name in ("CursorPage", "AsyncCursorPage"):
        from . import _pagination

        return getattr(_pagination, name)
    if name in ("signup", "async_signup"):
        from . import _signup

        return getattr(_signup, name)
    if name == "RawResponse":  # the transport module loads with a client's first call, not with the package
        from ._transport import RawResponse

        return RawResponse
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
