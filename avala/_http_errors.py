"""Turning an HTTP error response into a readable, typed :class:`~avala.errors.AvalaError`.

Message rules: a ``detail`` string is the message; DRF field errors ``{"name": ["This field is required."]}``
become ``name: This field is required.`` (and ``ValidationError.details``); an HTML or text page gives the status
and a short excerpt of its text; anything else gives ``HTTP <status>``. Credentials are redacted everywhere.
Any integer status maps (see :func:`~avala.errors.error_class_for_status`); nothing here raises on a strange body.

Building an error costs little whatever the body: a body over :data:`MAX_JSON_BODY` bytes is not decoded as JSON,
a text body is cut to an excerpt (:data:`~avala._redaction.MAX_TEXT` characters) before any pattern reads it, and
tags are stripped in one pass.
"""

from __future__ import annotations

import email.utils
import html
import json
import math
import time
from collections.abc import Iterable
from datetime import UTC
from typing import Any

import httpx

from ._redaction import MAX_TEXT, header_text, redact, redact_text
from .errors import AvalaError, QuotaExceededError, RateLimitError, ValidationError, error_class_for_status

EXCERPT = 200
MAX_JSON_BODY = 65536
"""Error bodies up to this many bytes are decoded as JSON; a longer one is shown as an excerpt of its text."""
_HIDDEN_BLOCKS = ("script", "style")


def strip_tags(text: str) -> str:
    """``text`` without its HTML tags, ``<script>``/``<style>`` blocks and what follows an unclosed tag or block.

    One pass, linear in ``text``: each search starts where the last one ended, and a search that finds nothing
    ends the scan (nothing later can close what it looked for)."""
    lower = text.lower()
    parts: list[str] = []
    pos, end = 0, len(text)
    while pos < end:
        start = text.find("<", pos)
        if start < 0:
            parts.append(text[pos:])
            break
        parts.append(text[pos:start])
        close = start
        for name in _HIDDEN_BLOCKS:
            after = start + 1 + len(name)
            if lower.startswith(name, start + 1) and (after == end or not lower[after].isalnum()):
                close = lower.find("</" + name, after)
                break
        gt = text.find(">", close + 1) if close >= 0 else -1
        if gt < 0:
            break
        parts.append(" ")
        pos = gt + 1
    return "".join(parts)


def excerpt(text: str, limit: int = EXCERPT) -> str:
    """A single-line excerpt of a body (tags stripped from an HTML page); reads at most ``MAX_TEXT`` characters."""
    if len(text) > MAX_TEXT:
        text = text[:MAX_TEXT]
    if text.lstrip().startswith("<"):
        text = html.unescape(strip_tags(text))
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def decode_body(response: httpx.Response) -> Any:
    """The JSON body if it is JSON (and at most :data:`MAX_JSON_BODY` bytes), else the beginning of its text, cut
    to an excerpt (None when empty)."""
    content = response.content
    if not content:
        return None
    if len(content) <= MAX_JSON_BODY:
        try:
            return json.loads(content)
        except (ValueError, RecursionError):
            pass
    head = content[: (MAX_TEXT + 1024) * 4]  # enough bytes for MAX_TEXT characters and the redaction's overlap
    try:
        text = head.decode(response.encoding or "utf-8", errors="replace")
    except LookupError:
        text = head.decode("utf-8", errors="replace")
    return text + "…" if len(head) < len(content) else text


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
    local clock does not matter), else from ``now`` (default: the local clock). A wait of zero or less (``0``, a
    negative number, a date in the past) is no wait asked: None, so the caller backs off as if it were absent.
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
    seconds = when - (time.time() if now is None else now)
    return seconds if seconds > 0 else None


def _seconds(value: str | None) -> float | None:
    """A positive, finite number of seconds, else None."""
    try:
        seconds = float(value) if value else math.nan
    except ValueError:
        return None
    return seconds if math.isfinite(seconds) and seconds > 0 else None


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
    request_id = header_text(response.headers.get("x-request-id"), secrets)
    retry_after = retry_after_seconds(response.headers)
    if response.is_redirect:
        message = f"HTTP {status}: the API redirected to {_origin(response)}; the SDK does not follow redirects"
    else:
        message = redact_text(message_for(status, body), secrets)
    context: dict[str, Any] = {"request_id": request_id, "attempts": attempts, "operation": operation}
    cls = error_class_for_status(status)
    if cls is RateLimitError:
        return RateLimitError(message, status, body, retry_after, **context)
    if cls is QuotaExceededError:
        numbers = body if isinstance(body, dict) else {}
        limit, used = (_count(numbers.get(key)) for key in ("limit", "used"))
        return QuotaExceededError(message, status, body, limit, used, retry_after=retry_after, **context)
    if cls is ValidationError:
        details = body if isinstance(body, list) else field_errors(body)
        return ValidationError(message, status, body, details, retry_after=retry_after, **context)
    return cls(message, status, body, retry_after=retry_after, **context)


def _count(value: Any) -> int | None:
    """A byte count from an error body: a non-negative int, else None."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _origin(response: httpx.Response) -> str:
    """``scheme://host[:port]`` of a redirect's ``Location`` (never its path or query, which may carry tokens)."""
    try:
        location = httpx.URL(response.headers.get("location", ""))
    except (httpx.InvalidURL, ValueError, TypeError):
        return "another URL"
    if not (location.scheme and location.host):
        return "another URL"
    return f"{location.scheme}://{location.host}" + (f":{location.port}" if location.port else "")
