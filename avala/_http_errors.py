"""Turning an HTTP error response into a readable, typed :class:`~avala.errors.AvalaError`.

Message rules: a ``detail`` string is the message; DRF field errors ``{"name": ["This field is required."]}``
become ``name: This field is required.`` (and ``ValidationError.details``); an HTML or text page gives the status
and a short excerpt of its text; anything else gives ``HTTP <status>``. Credentials are redacted everywhere.
Any integer status maps (see :func:`~avala.errors.error_class_for_status`); nothing here raises on a strange body.
"""

from __future__ import annotations

import email.utils
import html
import json
import math
import re
import time
from collections.abc import Iterable
from datetime import UTC
from typing import Any

import httpx

from ._redaction import redact, redact_text
from .errors import AvalaError, RateLimitError, ValidationError, error_class_for_status

EXCERPT = 200
_TAGS = re.compile(r"<(script|style)\b.*?</\1>|<[^>]+>", re.DOTALL | re.IGNORECASE)


def excerpt(text: str, limit: int = EXCERPT) -> str:
    """A single-line excerpt of a body (tags stripped from an HTML page)."""
    if text.lstrip().startswith("<"):
        text = html.unescape(_TAGS.sub(" ", text))
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def decode_body(response: httpx.Response) -> Any:
    """The JSON body if it is JSON, else its text (None when empty)."""
    content = response.content
    if not content:
        return None
    try:
        return json.loads(content)
    except (ValueError, RecursionError):
        return response.text


def body_excerpt(response: httpx.Response, secrets: Iterable[str]) -> str:
    """A short, credential-free excerpt of a response body ("" when empty)."""
    body = decode_body(response)
    if body is None:
        return ""
    if isinstance(body, str):
        return excerpt(redact_text(body, secrets))
    return excerpt(json.dumps(redact(body, secrets), ensure_ascii=False, default=str))


def field_errors(body: Any) -> list[dict[str, Any]]:
    """``{"field": ["msg", ...]}`` as ``[{"field": "field", "message": "msg"}, ...]`` (nested objects flattened)."""
    found: list[dict[str, Any]] = []

    def walk(value: Any, prefix: str) -> None:
        if isinstance(value, str):
            found.append({"field": prefix, "message": value})
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, prefix if isinstance(item, str) else f"{prefix}[{index}]")
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(item, f"{prefix}.{key}" if prefix else str(key))

    if isinstance(body, dict) and "detail" not in body:
        try:
            walk(body, "")
        except RecursionError:
            return []
    return found


def message_for(status: int, body: Any) -> str:
    """The readable message for an error response body."""
    if isinstance(body, dict):
        detail = body.get("detail")
        if isinstance(detail, str) and detail.strip():
            return detail.strip()
        errors = field_errors(body)
        if errors:
            return "; ".join(f"{e['field']}: {e['message']}" if e["field"] else e["message"] for e in errors)
        for key in ("message", "error"):
            if isinstance(body.get(key), str) and body[key].strip():
                return str(body[key]).strip()
    if isinstance(body, list) and body and all(isinstance(item, str) for item in body):
        return "; ".join(body)
    if isinstance(body, str) and body.strip():
        return f"HTTP {status}: {excerpt(body)}"
    return f"HTTP {status}"


def retry_after_seconds(headers: httpx.Headers, now: float | None = None) -> float | None:
    """Seconds from ``retry-after-ms``, or ``Retry-After`` as seconds or an HTTP-date; None if absent or bad.

    An HTTP-date is counted from the response's ``Date`` header when it has one (the server's clock, so a skewed
    local clock does not matter), else from ``now`` (default: the local clock).
    """
    millis = _seconds(headers.get("retry-after-ms"))
    if millis is not None:
        return millis / 1000
    value = headers.get("retry-after")
    if not value:
        return None
    seconds = _seconds(value)
    if seconds is not None:
        return seconds
    when = _http_date(value)
    if when is None:
        return None
    if now is None:
        now = _http_date(headers.get("date", ""))
    return max(0.0, when - (time.time() if now is None else now))


def _seconds(value: str | None) -> float | None:
    try:
        seconds = float(value) if value else math.nan
    except ValueError:
        return None
    return max(0.0, seconds) if math.isfinite(seconds) else None


def _http_date(value: str) -> float | None:
    try:
        when = email.utils.parsedate_to_datetime(value)
        if when.tzinfo is None:  # "-0000": an HTTP-date is always UTC
            when = when.replace(tzinfo=UTC)
        return when.timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def error_from_response(operation: str, response: httpx.Response, attempts: int, secrets: Iterable[str]) -> AvalaError:
    """The typed error for a non-2xx response."""
    status = response.status_code
    secrets = tuple(secrets)
    body = redact(decode_body(response), secrets, messages=True)
    request_id = response.headers.get("x-request-id")
    retry_after = retry_after_seconds(response.headers)
    if response.is_redirect:
        message = f"HTTP {status}: the API redirected to {_origin(response)}; the SDK does not follow redirects"
    else:
        message = redact_text(message_for(status, body), secrets)
    context: dict[str, Any] = {"request_id": request_id, "attempts": attempts, "operation": operation}
    cls = error_class_for_status(status)
    if cls is RateLimitError:
        return RateLimitError(message, status, body, retry_after, **context)
    if cls is ValidationError:
        details = body if isinstance(body, list) else field_errors(body)
        return ValidationError(message, status, body, details, retry_after=retry_after, **context)
    return cls(message, status, body, retry_after=retry_after, **context)


def _origin(response: httpx.Response) -> str:
    """``scheme://host[:port]`` of a redirect's ``Location`` (never its path or query, which may carry tokens)."""
    try:
        location = httpx.URL(response.headers.get("location", ""))
    except (httpx.InvalidURL, ValueError, TypeError):
        return "another URL"
    if not (location.scheme and location.host):
        return "another URL"
    return f"{location.scheme}://{location.host}" + (f":{location.port}" if location.port else "")
