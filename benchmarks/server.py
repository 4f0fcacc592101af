"""A loopback HTTP/1.1 keep-alive server for the benchmarks, run in its own process (its CPU is not the client's).

Serves pre-encoded bodies on ``/api/v1``:

- ``GET /api/v1/datasets/{uid}/``: the dataset of :mod:`payloads`;
- ``GET /api/v1/datasets/{owner}/{slug}/items/``: the 100-item page, with a ``next`` link.

Each response, head and body, is one ``bytes`` written with one ``write`` and sent by one ``send()`` system call (the
data sockets' send buffers are raised so that the kernel takes a whole page at once): a head and a body sent
separately meet delayed ACKs and inflate every client's time alike, which pulls ratios towards 1. The server counts
its ``send()`` calls on data sockets to prove it (``/stats``: ``responses``, ``sends``, ``partial``).

A second port answers ``/stats`` (connections accepted and the peak of connections open at once on the data port
since the last ``/reset``; responses and sends since start) and ``/reset``; control connections are never counted.

Prints ``<data port> <control port>`` on its first line of stdout, then serves until killed. Stdlib only.
"""

from __future__ import annotations

import asyncio
import json
import socket
import sys
from typing import Any

import payloads

PREFIX = b"/api/v1"
SEND_BUFFER = 4 << 20  # bytes: a 100-item page (~150 KB) leaves in one send() (Linux caps it at net.core.wmem_max)


class Counters:
    """Data-port connections: accepted since the last reset, open now, and the peak of open ones."""

    def __init__(self) -> None:
        self.accepted = 0
        self.open = 0
        self.peak = 0
        self.responses = 0  # since start: responses written on data connections
        self.sends = 0  # since start: send()/sendall()/sendmsg() calls on data sockets
        self.partial = 0  # since start: sends the kernel took only part of (the rest left in another send)
        self.data_fds: set[int] = set()

    def reset(self) -> None:
        """Start counting again (connections open now stay open, and count towards the peak)."""
        self.accepted = 0
        self.peak = self.open


def response(body: bytes, status: bytes = b"200 OK") -> bytes:
    """A complete keep-alive response with the headers an API server sends."""
    head = (
        b"HTTP/1.1 " + status + b"\r\n"
        b"content-type: application/json\r\n"
        b"content-length: " + str(len(body)).encode() + b"\r\n"
        b"x-request-id: req_0123456789abcdef\r\n"
        b"x-ratelimit-limit: 1000\r\nx-ratelimit-remaining: 999\r\nx-ratelimit-reset: 60\r\n"
        b"connection: keep-alive\r\n\r\n"
    )
    return head + body


def routes(base_url: str) -> dict[bytes, bytes]:
    """Request path -> complete response."""
    return {
        f"/api/v1/datasets/{payloads.DATASET_UID}/".encode(): response(payloads.encode(payloads.dataset())),
        f"/api/v1/datasets/{payloads.OWNER}/{payloads.SLUG}/items/".encode(): response(
            payloads.encode(payloads.page(base_url))
        ),
    }


NOT_FOUND = response(b'{"detail":"Not found."}', b"404 Not Found")


async def serve_requests(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, answer: dict[bytes, bytes] | None
) -> None:
    """Answer requests on one connection until the client closes it (bodies of requests are read and dropped)."""
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            line, _, headers = head.partition(b"\r\n")
            target = line.split(b" ", 2)[1]
            for header in headers.lower().split(b"\r\n"):
                if header.startswith(b"content-length:"):
                    await reader.readexactly(int(header[15:]))
            path = target.partition(b"?")[0]
            if answer is None:
                writer.write(await control(path))
            else:
                writer.write(answer.get(path, NOT_FOUND))  # head + body: one bytes, one write
                COUNTERS.responses += 1
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


COUNTERS = Counters()


async def control(path: bytes) -> bytes:
    """The control port: ``/stats`` and ``/reset``."""
    if path == b"/reset":
        COUNTERS.reset()
    c = COUNTERS
    stats = {
        "accepted": c.accepted,
        "peak_open": c.peak,
        "open": c.open,
        "responses": c.responses,
        "sends": c.sends,
        "partial": c.partial,
    }
    return response(json.dumps(stats).encode())


def count_sends() -> None:
    """Count every ``send``/``sendall``/``sendmsg`` on a data socket (asyncio's transports send through
    ``socket.socket``): the proof that each response leaves in one system call, not a head and then a body."""
    for name in ("send", "sendall", "sendmsg"):
        original = getattr(socket.socket, name)

        def counted(sock: socket.socket, data: Any, *args: Any, _original: Any = original) -> Any:
            sent = _original(sock, data, *args)
            if sock.fileno() in COUNTERS.data_fds:
                COUNTERS.sends += 1
                size = sum(len(b) for b in data) if isinstance(data, list | tuple) else len(data)
                if isinstance(sent, int) and sent < size:
                    COUNTERS.partial += 1
            return sent

        setattr(socket.socket, name, counted)


async def main() -> None:
    """Start both ports on 127.0.0.1 and serve forever."""
    answer: dict[bytes, bytes] = {}

    async def data(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        COUNTERS.accepted += 1
        COUNTERS.open += 1
        COUNTERS.peak = max(COUNTERS.peak, COUNTERS.open)
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER)
        fd = sock.fileno()
        COUNTERS.data_fds.add(fd)
        try:
            await serve_requests(reader, writer, answer)
        finally:
            COUNTERS.data_fds.discard(fd)
            COUNTERS.open -= 1

    async def ctl(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await serve_requests(reader, writer, None)

    count_sends()
    data_server = await asyncio.start_server(data, "127.0.0.1", 0, backlog=1024)
    control_server = await asyncio.start_server(ctl, "127.0.0.1", 0)
    port = data_server.sockets[0].getsockname()[1]
    answer.update(routes(f"http://127.0.0.1:{port}/api/v1"))
    print(port, control_server.sockets[0].getsockname()[1], flush=True)
    async with data_server, control_server:
        await asyncio.gather(data_server.serve_forever(), control_server.serve_forever())


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
