"""Removing credentials from anything the SDK puts in an error message, an error body or a log line.

Three rules:

- a value under a credential-like key (``password``, ``secret``, ``s3_secret_access_key``, ``token``, ...) is
  replaced whatever it looks like, in decoded JSON and in text (``"password": "..."``, ``token=...``); in an error
  body the sentences of a list under such a key are field-error messages and stay readable;
- any string loses whatever looks like a credential (AWS keys, JWTs, private keys, bearer tokens, provider keys,
  Avala API keys);
- any string loses the given secrets: the caller's API key (also percent-encoded) and the credentials it sent.

The same rule covers every path a server's bytes take to the user: error and unusable-response bodies, messages,
the ``X-Request-Id`` and rate-limit headers (``error.request_id``, ``rate_limit_info``, debug log lines). Its cost
is bounded whatever the input: a text longer than :data:`MAX_TEXT` characters is cut to that many *before* any
pattern runs, and every pattern runs in time linear in its input (none rescans a run it failed on).
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, quote_plus

REDACTED = "[redacted]"
MAX_TEXT = 8192
"""The most characters of one text that redaction returns; the rest is cut (``…`` marks the cut)."""
MAX_HEADER = 200
"""The most characters of a response header value the SDK shows."""
_OVERLAP = 512  # read past the cut, so that a secret (up to this long) straddling it is redacted whole

_SECRET_KEYS = frozenset(
    {
        "awssecretaccesskey",
        "secretaccesskey",
        "s3secretaccesskey",
        "awsaccesskeyid",
        "accesskeyid",
        "s3accesskeyid",
        "awssessiontoken",
        "apikey",
        "xavalaapikey",
        "authorization",
        "auth",
        "token",
        "accesstoken",
        "refreshtoken",
        "sessiontoken",
        "idtoken",
        "devicetoken",
        "secret",
        "password",
        "passwd",
        "pwd",
        "credentials",
        "privatekey",
        "privatekeyid",
        "clientsecret",
        "gcstorageauthjsoncontent",
    }
)

_PATTERN_TEXT = "|".join(
    [
        r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)",
        # a JWT starts a token: without the look-behind, a long run of "eyJeyJ..." is rescanned from each "eyJ"
        r"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}",
        r"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b",
        r"\b(?:FwoG|IQoJ)[A-Za-z0-9/+=]{20,}",
        r"\b1//[A-Za-z0-9_-]{20,}",
        r"\"private_key_id\"\s*:\s*\"[^\"]*\"",
        r"(?i:aws_?secret_?access_?key|secret_?access_?key)[\"']?\s*[:=]\s*[\"']?[A-Za-z0-9/+=]{20,}",
        r"\b(?:sk|pk|secret|key|token)_(?:live_|test_|prod_)?[A-Za-z0-9]{16,}",
        r"\bsk-[A-Za-z0-9_-]{20,}",
        r"\bavk_[A-Za-z0-9_-]{8,}",
        r"\b[0-9a-f]{40}\b",
        r"\b(?i:bearer)\s+[A-Za-z0-9._~+/=-]{8,}",
        r"(?i:x-avala-api-key)\s*[:=]\s*\S+",
        r"\barn:aws[a-z-]*:[a-z0-9-]*:[a-z0-9-]*:\d*:[^\s\"',]+",
    ]
)


# A credential-like key and its value in text: ``"password": "..."`` / ``'token': '...'`` (JSON or a Python repr)
# and ``token=...`` (a query string or a form). A bare ``password: ...`` is a field-error message, not matched.
_KEY_VALUE_TEXT = (
    r"(?<![\w-])(?:"
    r"([\"'])([A-Za-z][\w-]*)\1(\s*:\s*)(?:\"(?:[^\"\\]|\\.)*\"?|'[^']*'?|[^\s,;&{}\[\]\"']+)"
    r"|([A-Za-z][\w-]*)(\s*=\s*)[^\s&;,\"'<>]+"
    r")"
)


@functools.cache
def _patterns() -> re.Pattern[str]:
    return re.compile(_PATTERN_TEXT, re.DOTALL)


@functools.cache
def _key_values() -> re.Pattern[str]:
    return re.compile(_KEY_VALUE_TEXT)


def _normalise(key: str) -> str:
    return "".join(ch for ch in key.lower() if ch.isalnum())


def is_secret_key(key: Any) -> bool:
    """Whether values under this key are credentials (``password``, ``s3_secret_access_key``, ``api-key``, ...)."""
    return isinstance(key, str) and _normalise(key) in _SECRET_KEYS


def _redact_key_value(match: re.Match[str]) -> str:
    quote_char, key, separator = match.group(1), match.group(2), match.group(3)
    if key is None:
        key, separator = match.group(4), match.group(5)
        return f"{key}{separator}{REDACTED}" if is_secret_key(key) else match.group(0)
    if not is_secret_key(key):
        return match.group(0)
    return f"{quote_char}{key}{quote_char}{separator}{quote_char}{REDACTED}{quote_char}"


def secret_variants(secret: str) -> tuple[str, ...]:
    """A secret as it may appear in text: as is and percent-encoded (in a path or a query string)."""
    return tuple(dict.fromkeys((secret, quote(secret, safe=""), quote(secret), quote_plus(secret))))


def secret_values(value: Any) -> list[str]:
    """Every string under a credential-like key of a decoded JSON value (the credentials a request carries)."""
    found: list[str] = []

    def walk(item: Any, force: bool) -> None:
        if isinstance(item, dict):
            for key, child in item.items():
                walk(child, force or is_secret_key(key))
        elif isinstance(item, list | tuple):
            for child in item:
                walk(child, force)
        elif force and isinstance(item, str) and item:
            found.extend(secret_variants(item))

    with contextlib.suppress(RecursionError):
        walk(value, False)
    return found


def redact_text(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with every credential-looking substring and every given secret replaced by ``[redacted]``; a text
    longer than :data:`MAX_TEXT` characters is cut to that many (``…`` marks the cut).

    The patterns read :data:`MAX_TEXT` + 512 characters and the result is cut after, so that a secret the cut
    falls inside is redacted whole, never shown in part."""
    long = len(text) > MAX_TEXT
    if long:
        text = text[: MAX_TEXT + _OVERLAP]
    for secret in sorted(set(secrets), key=len, reverse=True):
        if secret and len(secret) >= 4:
            text = text.replace(secret, REDACTED)
    text = _patterns().sub(REDACTED, _key_values().sub(_redact_key_value, text))
    return text[:MAX_TEXT] + "…" if long else text


def header_text(value: str | None, secrets: Iterable[str] = ()) -> str | None:
    """A response header value as the SDK shows it (``request_id``, ``rate_limit_info``, log lines): redacted like
    any text, then cut to :data:`MAX_HEADER` characters."""
    if value is None:
        return None
    value = redact_text(value, secrets)
    return value if len(value) <= MAX_HEADER else value[:MAX_HEADER] + "…"


def redact(value: Any, secrets: Iterable[str] = (), *, messages: bool = False) -> Any:
    """A copy of a decoded JSON value with credentials redacted (see the module docstring). Never raises.

    With ``messages`` (an error body), a list under a credential-like key is taken for field-error messages
    (``{"password": ["This field is required."]}``): its sentences only lose what looks like a credential, any
    other entry (a single word, a number, an object) is replaced.
    """
    secrets = tuple(secrets)
    try:
        return _redact(value, secrets, False, messages)
    except RecursionError:
        return REDACTED


def _message(item: Any, secrets: tuple[str, ...]) -> Any:
    """An entry of a field-error list under a credential-like key: a sentence is a message, anything else is not."""
    if isinstance(item, str) and len(item.split()) > 1:
        return redact_text(item, secrets)
    return REDACTED if item is not None else None


def _redact(value: Any, secrets: tuple[str, ...], force: bool, messages: bool) -> Any:
    if isinstance(value, dict):
        return {key: _redact(item, secrets, force or is_secret_key(key), messages) for key, item in value.items()}
    if isinstance(value, list | tuple):
        if force and messages:
            return type(value)(_message(item, secrets) for item in value)
        return type(value)(_redact(item, secrets, force, messages) for item in value)
    if value is None:
        return None
    if force:
        return REDACTED
    if isinstance(value, str):
        return redact_text(value, secrets)
    return value
