"""Removing credentials from anything the SDK puts in an error message, an error body or a log line.

Two rules: values under a credential-like key (``password``, ``secret``, ``s3_secret_access_key``, ``token``, ...)
are replaced whatever they look like; any other string loses whatever looks like a credential (AWS keys, JWTs,
private keys, bearer tokens, provider keys, Avala API keys) and the caller's own API key.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import Any

REDACTED = "[redacted]"

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
        r"eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}",
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


@functools.cache
def _patterns() -> re.Pattern[str]:
    return re.compile(_PATTERN_TEXT, re.DOTALL)


def _normalise(key: str) -> str:
    return "".join(ch for ch in key.lower() if ch.isalnum())


def redact_text(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with every credential-looking substring and every given secret replaced by ``[redacted]``."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, REDACTED)
    return _patterns().sub(REDACTED, text)


def redact(value: Any, secrets: Iterable[str] = ()) -> Any:
    """A copy of a decoded JSON value with credentials redacted (see the module docstring). Never raises."""
    secrets = tuple(secrets)
    try:
        return _redact(value, secrets, force=False)
    except RecursionError:
        return REDACTED


def _redact(value: Any, secrets: tuple[str, ...], force: bool) -> Any:
    if isinstance(value, dict):
        return {
            key: _redact(item, secrets, force or (isinstance(key, str) and _normalise(key) in _SECRET_KEYS))
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return type(value)(_redact(item, secrets, force) for item in value)
    if value is None:
        return None
    if force:
        return REDACTED
    if isinstance(value, str):
        return redact_text(value, secrets)
    return value
