"""The storage-host allow-list: where a presigned URL may send bytes.

Every flow calls :func:`check_storage_url` on each URL a server hands it (a presigned POST, PUT or part URL) before
a byte is read or sent; :class:`~avala.uploads._storage.StoragePlane` calls it again on every request, so no flow can
forget. A URL passes when it is ``https``, has no user-info, explicit port or fragment, and its host is one of the
storage hosts of the Avala service:

- ``data.avala.ai``;
- Cloudflare R2: ``<32 hex>.r2.cloudflarestorage.com`` and ``<32 hex>.eu.r2.cloudflarestorage.com``;
- Amazon S3: ``s3``, ``s3-<x>``, ``s3.<region>`` or ``s3.dualstack.<region>`` right before ``amazonaws.com``,
  optionally preceded by ``<bucket>.`` (any other ``amazonaws.com`` host is refused);
- Google Cloud Storage: ``storage.googleapis.com`` and ``*.storage.googleapis.com``;
- Azure Blob Storage: ``*.blob.core.windows.net``.

**The one setting**: ``AVALA_STORAGE_HOSTS`` (read at each check) widens the list for a private deployment or a test:
entries separated by commas or spaces, each a host name (``minio.internal``), a domain wildcard
(``*.storage.example.com``), or an origin with scheme and port (``https://minio.internal:9000``,
``http://127.0.0.1:5000``). Plain ``http`` is accepted for loopback origins only (``localhost``, ``127.0.0.0/8``,
``::1``). A refused URL raises :class:`StorageHostError` (a ``ValueError``) naming the host, never the path or query.
"""

from __future__ import annotations

import functools
import ipaddress
import os
import re

import httpx

ENV_VAR = "AVALA_STORAGE_HOSTS"

_R2 = re.compile(r"^[0-9a-f]{32}(?:\.eu)?\.r2\.cloudflarestorage\.com$")
_S3 = re.compile(
    r"^(?:[a-z0-9][a-z0-9.-]*\.)?"  # optional <bucket>.
    r"(?:s3|s3-[a-z0-9-]+|s3\.dualstack\.[a-z0-9-]+|s3\.[a-z0-9-]+)"
    r"\.amazonaws\.com$"
)
_GCS = re.compile(r"^(?:[a-z0-9._-]+\.)?storage\.googleapis\.com$")
_AZURE = re.compile(r"^[a-z0-9-]+\.blob\.core\.windows\.net$")


class StorageHostError(ValueError):
    """A presigned URL points outside the storage-host allow-list; nothing was sent to it."""


def _builtin(host: str) -> bool:
    return host == "data.avala.ai" or any(p.match(host) for p in (_R2, _S3, _GCS, _AZURE))


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@functools.lru_cache(maxsize=8)
def _parse_setting(value: str) -> tuple[tuple[str, str, int | None] | str, ...]:
    """The entries of the setting: ``(scheme, host, port)`` origins and host names / ``*.domain`` wildcards."""
    entries: list[tuple[str, str, int | None] | str] = []
    for entry in (e for e in re.split(r"[\s,]+", value.strip().lower()) if e):
        if "://" in entry:
            origin = httpx.URL(entry)
            if origin.scheme not in ("http", "https") or (origin.scheme == "http" and not _loopback(origin.host)):
                raise StorageHostError(
                    f"{ENV_VAR}: {entry!r} is not allowed: plain http is accepted for loopback hosts only"
                )
            entries.append((origin.scheme, origin.host, origin.port))
        else:
            entries.append(entry)
    return tuple(entries)


def _extra_allows(url: httpx.URL, host: str) -> bool:
    for entry in _parse_setting(os.environ.get(ENV_VAR, "")):
        if isinstance(entry, tuple):
            if (url.scheme, host, url.port) == entry:
                return True
        elif url.scheme == "https" and url.port is None:
            if entry.startswith("*.") and host.endswith(entry[1:]) and len(host) > len(entry) - 1:
                return True
            if host == entry:
                return True
    return False


def check_storage_url(url: str | httpx.URL) -> httpx.URL:
    """Return ``url`` parsed if it may receive upload bytes, else raise :class:`StorageHostError`.

    The message names the host only: a presigned URL's path and query carry its signature.
    """
    try:
        parsed = httpx.URL(url) if isinstance(url, str) else url
    except (httpx.InvalidURL, TypeError, ValueError):
        raise StorageHostError("refusing an upload URL that does not parse") from None
    host = (parsed.host or "").lower()
    if not host:
        raise StorageHostError("refusing an upload URL without a host")
    if parsed.userinfo:
        raise StorageHostError(f"refusing an upload URL with user-info for host {host!r}")
    if parsed.fragment:
        raise StorageHostError(f"refusing an upload URL with a fragment for host {host!r}")
    if parsed.scheme == "https" and parsed.port is None and _builtin(host):
        return parsed
    if parsed.scheme in ("http", "https") and _extra_allows(parsed, host):
        return parsed
    shown = host + (f":{parsed.port}" if parsed.port is not None else "")
    raise StorageHostError(
        f"refusing to send upload bytes to {parsed.scheme}://{shown}: not an allowed storage host (https to an "
        f"Avala, R2, S3, GCS or Azure storage host). A private deployment can allow its host with {ENV_VAR}."
    )
