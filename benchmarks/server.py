"""A loopback HTTP/1.1 keep-alive server for the benchmarks, run in its own process (its CPU is not the client's).

Serves pre-encoded bodies on ``/api/v1``:

- ``GET /api/v1/datasets/{uid}/``: the dataset of :mod:`payloads`;
- ``GET /api/v1/datasets/{owner}/{slug}/items/``: the 100-item page, with a ``next`` link.

A second port answers ``/stats`` (connections accepted and the peak of connections open at once on the data port
since the last ``/reset``) and ``/reset``; control connections are never counted.

Prints ``<data port> <control port>`` on its first line of stdout, then serves until killed. Stdlib only.
"""

from __future__ import annotations

import asyncio
import json
import sys

import payloads

PREFIX = b"/api/v1"


class Counters:
    """Data-port connections: accepted since the last reset, open now, and the peak of open ones."""

    def __init__(self) -> None:
        self.accepted = 0
        self.open = 0
        self.peak = 0

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
            writer.write(answer.get(path, NOT_FOUND) if answer is not None else await control(path))
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
    stats = {"accepted": COUNTERS.accepted, "peak_open": COUNTERS.peak, "open": COUNTERS.open}
    return response(json.dumps(stats).encode())


async def main() -> None:
    """Start both ports on 127.0.0.1 and serve forever."""
    answer: dict[bytes, bytes] = {}

    async def data(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        COUNTERS.accepted += 1
        COUNTERS.open += 1
        COUNTERS.peak = max(COUNTERS.peak, COUNTERS.open)
        try:
            await serve_requests(reader, writer, answer)
        finally:
            COUNTERS.open -= 1

    async def ctl(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await serve_requests(reader, writer, None)

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
