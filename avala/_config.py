"""Client configuration: the API key, the base URL (and its HTTPS rule), the timeout, the retry budget, the bound on
a response body and the extra headers of ``with_options``."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx

DEFAULT_BASE_URL = "https://api.avala.ai/api/v1"
DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_RETRIES = 2
DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024
"""The most bytes a response body may decode to (64 MiB): dozens of times the largest page the API serves, small
enough that a hostile body (a gzip bomb) cannot exhaust memory."""
MAX_ARGUMENT = 2048
"""The longest identifier or query value (in characters) the SDK puts in a URL; a longer one is a mistake."""
_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
_TRUTHY = frozenset({"1", "true", "yes", "on"})
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")  # every control character but TAB


@dataclass(frozen=True, slots=True)
class ClientConfig:
    """The resolved settings of a client. The API key is kept out of ``repr``."""

    api_key: str | None = field(repr=False)
    base_url: str
    timeout: httpx.Timeout
    max_retries: int
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES


def resolve_api_key(api_key: str | None) -> str:
    """The API key from the argument, else ``AVALA_API_KEY``; a clear ValueError when there is none."""
    key = api_key if api_key else os.environ.get("AVALA_API_KEY", "")
    key = key.strip()
    if not key:
        raise ValueError(
            "No Avala API key: pass Client(api_key=...) or set the AVALA_API_KEY environment variable "
            "(create a key in your Avala account settings)."
        )
    if not key.isascii() or not key.isprintable() or any(ch.isspace() for ch in key):
        raise ValueError("The Avala API key contains characters an API key cannot have (check AVALA_API_KEY).")
    return key


def resolve_base_url(base_url: str | None) -> str:
    """The base URL from the argument, else ``AVALA_BASE_URL`` (an empty value is ignored), else the default.

    It must be ``https``; plain ``http`` is accepted only for localhost when ``AVALA_ALLOW_INSECURE_BASE_URL`` is
    truthy (1, true, yes, on). Trailing slashes are dropped.
    """
    url = (base_url or os.environ.get("AVALA_BASE_URL", "") or DEFAULT_BASE_URL).strip()
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValueError(f"Invalid Avala base_url {url!r}: expected an absolute https URL like {DEFAULT_BASE_URL}")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise ValueError("Invalid Avala base_url: it must not carry credentials, a query or a fragment")
    if parts.scheme == "http":
        allowed = os.environ.get("AVALA_ALLOW_INSECURE_BASE_URL", "").strip().lower() in _TRUTHY
        if not (allowed and parts.hostname in _LOCAL_HOSTS):
            raise ValueError(
                f"Invalid Avala base_url http://{parts.netloc}: the API key must travel over https. Plain http is "
                "allowed only for localhost, 127.0.0.1 or ::1 with AVALA_ALLOW_INSECURE_BASE_URL=1."
            )
    return url.rstrip("/")


def resolve_timeout(timeout: float | httpx.Timeout | None) -> httpx.Timeout:
    """An ``httpx.Timeout`` from seconds, a Timeout, or None (explicitly no timeout at all)."""
    if isinstance(timeout, httpx.Timeout):
        return timeout
    if timeout is None:
        return httpx.Timeout(None)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not timeout > 0:
        raise ValueError(f"timeout must be a positive number of seconds, an httpx.Timeout or None, not {timeout!r}")
    return httpx.Timeout(float(timeout))


def resolve_max_retries(max_retries: int) -> int:
    """A validated retry budget."""
    if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
        raise ValueError(f"max_retries must be an int >= 0, not {max_retries!r}")
    return max_retries


def resolve_max_response_bytes(max_response_bytes: int) -> int:
    """A validated bound on the decoded size of a response body."""
    if isinstance(max_response_bytes, bool) or not isinstance(max_response_bytes, int) or max_response_bytes < 1:
        raise ValueError(f"max_response_bytes must be an int >= 1, not {max_response_bytes!r}")
    return max_response_bytes


def resolve_headers(headers: Mapping[str, str] | None) -> dict[str, str]:
    """Extra request headers, checked now: a name or value that is not a str, or that holds CR, LF or another
    control character (which would end the header early), raises here rather than on the wire.

    Raises:
        TypeError: a name or value is not a str.
        ValueError: a name is empty or not a token, or a value holds a control character.
    """
    checked: dict[str, str] = {}
    for name, value in (headers or {}).items():
        if not isinstance(name, str) or not isinstance(value, str):
            raise TypeError(
                f"headers: names and values must be str, got {type(name).__name__} {name!r}: {type(value).__name__}"
            )
        if not _TOKEN.fullmatch(name):
            raise ValueError(f"headers: {name!r} is not a valid header name")
        if _CONTROL.search(value):
            raise ValueError(f"headers: the value of {name!r} contains CR, LF or another control character")
        checked[name] = value
    return checked


def resolve_config(
    api_key: str | None,
    base_url: str | None,
    timeout: float | httpx.Timeout | None,
    max_retries: int,
    *,
    require_api_key: bool = True,
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
) -> ClientConfig:
    """Resolve and validate every setting; raises ValueError before any request is made."""
    return ClientConfig(
        api_key=resolve_api_key(api_key) if require_api_key else None,
        base_url=resolve_base_url(base_url),
        timeout=resolve_timeout(timeout),
        max_retries=resolve_max_retries(max_retries),
        max_response_bytes=resolve_max_response_bytes(max_response_bytes),
    )
