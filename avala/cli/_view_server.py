"""The loopback file server behind ``avala view FILE`` (:mod:`avala.cli._view`), loaded only when it runs.

The file is served on a loopback port (an ephemeral one unless ``--port``) until Ctrl-C: ``GET`` and ``HEAD`` of
that one file whatever the path (no request path ever reaches the file system), a single byte range per request
(206, or 416 when it cannot be satisfied), an ``ETag``, and CORS plus Private Network Access grants for the viewer's
origin only. The browser opens ``<viewer>/mcap?url=http://127.0.0.1:<port>/recording.mcap`` (``--no-browser``: the
URL is printed on stdout instead); the local file name never leaves the machine. Standard library only.
"""

from __future__ import annotations

import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlencode, urlsplit

MAGIC = b"\x89MCAP0\r\n"
SERVED = "recording.mcap"
_CHUNK = 1 << 20
_DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of a URL as a browser sends it in ``Origin`` (default port left out); "" if none."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        return ""
    if not parts.scheme or not parts.hostname:
        return ""
    scheme, host = parts.scheme.lower(), parts.hostname.lower()
    host = f"[{host}]" if ":" in host else host
    return f"{scheme}://{host}" if port in (None, _DEFAULT_PORTS.get(scheme)) else f"{scheme}://{host}:{port}"


def viewer_url(viewer: str, host: str, port: int) -> str:
    """The viewer page that loads the served file."""
    query = urlencode(
        {
            "url": f"http://{host}:{port}/{SERVED}",
            "utm_source": "cli",
            "utm_medium": "avala_view",
            "utm_campaign": "local_viewer",
        }
    )
    return f"{viewer.rstrip('/')}/mcap?{query}"


def byte_range(header: str, size: int) -> tuple[int, int] | None:
    """The first range of a ``bytes=`` header as inclusive ``(start, end)``; None when it cannot be satisfied."""
    if not header.startswith("bytes="):
        return None
    start_text, dash, end_text = header[len("bytes=") :].split(",", 1)[0].strip().partition("-")
    try:
        if not dash:
            return None
        if not start_text:  # the last N bytes
            count = int(end_text)
            start, end = max(0, size - count), size - 1
            if count <= 0:
                return None
        else:
            start = int(start_text)
            end = min(int(end_text) if end_text else size - 1, size - 1)
    except ValueError:
        return None
    return (start, end) if 0 <= start <= end and start < size else None


class FileServer(ThreadingHTTPServer):
    """A loopback server of one open file."""

    daemon_threads = True

    def __init__(self, path: str, port: int, origin: str | None) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.origin = origin
        self.fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        stat = os.fstat(self.fd)
        self.size = stat.st_size
        self.etag = f'"{stat.st_size:x}-{int(stat.st_mtime):x}"'
        self.lock = threading.Lock()

    def read_at(self, offset: int, length: int) -> bytes:
        """``length`` bytes at ``offset`` (safe across the handler threads)."""
        with self.lock:
            os.lseek(self.fd, offset, os.SEEK_SET)
            return os.read(self.fd, length)

    def server_close(self) -> None:
        """Stop listening and close the file."""
        try:
            super().server_close()
        finally:
            os.close(self.fd)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: FileServer

    def _cors(self) -> None:
        origin = self.headers.get("Origin")
        if origin is None or self.server.origin is None or origin != self.server.origin:
            return
        self.send_header("Access-Control-Allow-Origin", origin)
        self.send_header("Vary", "Origin")
        self.send_header("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", "Range")
        self.send_header("Access-Control-Expose-Headers", "Content-Range, Content-Length, Accept-Ranges, ETag")
        if self.headers.get("Access-Control-Request-Private-Network") == "true":
            self.send_header("Access-Control-Allow-Private-Network", "true")

    def _head(self, status: int, length: int, extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self._cors()
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Length", str(length))
        self.send_header("ETag", self.server.etag)
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()

    def do_OPTIONS(self) -> None:
        self.send_response(204)
        self._cors()
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_HEAD(self) -> None:
        self._head(200, self.server.size)

    def do_GET(self) -> None:
        size = self.server.size
        header = self.headers.get("Range")
        if header is None:
            self._head(200, size)
            self._send(0, size)
            return
        wanted = byte_range(header, size)
        if wanted is None:
            self._head(416, 0, {"Content-Range": f"bytes */{size}"})
            return
        start, end = wanted
        self._head(206, end - start + 1, {"Content-Range": f"bytes {start}-{end}/{size}"})
        self._send(start, end - start + 1)

    def _send(self, offset: int, length: int) -> None:
        while length > 0:
            chunk = self.server.read_at(offset, min(_CHUNK, length))
            if not chunk:
                return
            try:
                self.wfile.write(chunk)
            except (BrokenPipeError, ConnectionResetError):
                return
            offset, length = offset + len(chunk), length - len(chunk)

    def log_message(self, format: str, *args: Any) -> None:
        """No per-request log."""
