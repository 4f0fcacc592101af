"""``avala.signup`` / ``avala.async_signup``: create an account and get its first API key (no key is sent)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx

from ._config import DEFAULT_TIMEOUT, resolve_config
from ._transport import AsyncTransport, SyncTransport

if TYPE_CHECKING:
    from .types import SignupResponse


def signup(
    *,
    email: str,
    password: str,
    first_name: str | None = None,
    last_name: str | None = None,
    base_url: str | None = None,
    timeout: float | httpx.Timeout | None = DEFAULT_TIMEOUT,
) -> SignupResponse:
    """Create an Avala account; the response carries the new user and an API key.

    Args:
        email: The new account's email address.
        password: Its password (never logged, never in an error message).
        first_name: Optional first name.
        last_name: Optional last name.
        base_url: The API base URL; defaults to ``AVALA_BASE_URL``, else the production API.
        timeout: Request timeout in seconds.
    """
    from .resources.signup import Signup

    transport = SyncTransport(resolve_config(None, base_url, timeout, 0, require_api_key=False))
    try:
        return Signup(transport).create(email=email, password=password, first_name=first_name, last_name=last_name)
    finally:
        transport.close()


async def async_signup(
    *,
    email: str,
    password: str,
    first_name: str | None = None,
    last_name: str | None = None,
    base_url: str | None = None,
    timeout: float | httpx.Timeout | None = DEFAULT_TIMEOUT,
) -> SignupResponse:
    """The async twin of :func:`signup`."""
    from .resources.signup import AsyncSignup

    transport = AsyncTransport(resolve_config(None, base_url, timeout, 0, require_api_key=False))
    try:
        return await AsyncSignup(transport).create(
            email=email, password=password, first_name=first_name, last_name=last_name
        )
    finally:
        await transport.close()
