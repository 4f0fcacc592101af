"""Turning an HTTP error response into a readable, typed :class:`~avala.errors.AvalaError`.

Message rules: a ``detail`` string is the message; DRF field errors ``{"name": ["This field is required."]}``
become ``name: This field is required.`` (and ``ValidationError.details``); an HTML or text page gives the status
and a short excerpt of its text; anything else gives ``HTTP <status>``. Credentials are redacted everywhere.
"""

from __future__ import annotations

import email.utils
import html
import json
import re
import time
from collections.abc import Iterable
from typing import Any

import httpx

from ._redaction import redact, redact_text
from .errors import AvalaError, RateLimitError, ValidationError, error_class_for_status

EXCERPT = 200
_TAGS = re.compile(r"<(script|style)\b.*?</\1>|<[^>]+>", re.DOTALL | re.IGNORECASE)


def excerpt(text: str, limit: int = EXCERPT) -> str:
    """A single-line excerpt of a body (tags stripped from HTML)."""
    if "<" in text and ">" in text:
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
    except ValueError:
        return response.text


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
        walk(body, "")
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
    """Seconds from ``retry-after-ms``, or ``Retry-After`` as seconds or an HTTP-date; None if absent or bad."""
    millis = headers.get("retry-after-ms")
    if millis:
        try:
            return max(0.0, float(millis) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def error_from_response(operation: str, response: httpx.Response, attempts: int, secrets: Iterable[str]) -> AvalaError:
    """The typed error for a non-2xx response."""
    status = response.status_code
    secrets = tuple(secrets)
    body = redact(decode_body(response), secrets)
    request_id = response.headers.get("x-request-id")
    if response.is_redirect:
        location = httpx.URL(response.headers.get("location", ""))
        where = f"{location.scheme}://{location.host}" if location.host else "another URL"
        message = f"HTTP {status}: the API redirected to {where}; the SDK does not follow redirects"
    else:
        message = redact_text(message_for(status, body), secrets)
    message = f"{operation}: {message}"
    cls = error_class_for_status(status)
    if cls is RateLimitError:
        return RateLimitError(
            message, status, body, retry_after_seconds(response.headers), request_id=request_id, attempts=attempts
        )
    if cls is ValidationError:
        details = body if isinstance(body, list) else field_errors(body)
        return ValidationError(message, status, body, details, request_id=request_id, attempts=attempts)
    return cls(message, status, body, request_id=request_id, attempts=attempts)
