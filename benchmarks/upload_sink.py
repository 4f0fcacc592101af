"""The loopback sink of the upload benchmark: a fake Avala upload API and a storage sink on one port, in its own
process (so that it never competes with the client for the GIL).

API (``/api/v1``): ``GET /users/me/``; ``POST /datasets/manual-upload/file-upload-url/`` answers a v2 ``PUT`` target
for a file under 64 MiB and a ``MULTIPART`` one above (parts of ``ceil(size / 8)`` bytes, 5 to 128 MiB, so 8 parts
for 1 GiB: 128 MiB each); ``POST .../uploads/{uid}/parts/`` signs one part; ``POST .../complete/`` answers ``{}``.
Storage: any ``PUT /sink/...`` reads the body in 1 MiB chunks, discards it, and answers 200 with an ETag.
Prints ``<port>`` on stdout once listening; runs until killed.
"""

from __future__ import annotations

import asyncio
import json
import math
import sys
import uuid

MiB = 1024 * 1024
MULTIPART_AT = 64 * MiB


def part_size(size: int) -> int:
    """The part size the API hands out for a file (also used by the raw httpx contender)."""
    return min(128 * MiB, max(5 * MiB, math.ceil(size / 8)))


class Sink:
    def __init__(self) -> None:
        self.port = 0
        self.uploads: dict[str, int] = {}

    def answer(self, method: str, path: str, body: bytes) -> tuple[int, bytes]:
        if method == "PUT" and path.startswith("/sink/"):
            return 200, b""
        if path == "/api/v1/users/me/":
            return 200, json.dumps({"uid": "bench-user"}).encode()
        if path == "/api/v1/datasets/manual-upload/file-upload-url/":
            request = json.loads(body)
            size, relative = request["content_length"], request["file_path_in_dataset"]
            uid = str(uuid.uuid4())
            base = f"http://127.0.0.1:{self.port}/sink/{uid}"
            answer: dict[str, object]
            if size < MULTIPART_AT:
                answer = {"method": "PUT", "upload_uid": uid, "url": f"{base}/{relative}", "headers": {}}
            else:
                self.uploads[uid] = part_size(size)
                answer = {
                    "method": "MULTIPART",
                    "upload_uid": uid,
                    "part_size": part_size(size),
                    "part_count": math.ceil(size / part_size(size)),
                    "uploaded_parts": [],
                }
            return 200, json.dumps(answer).encode()
        if path.endswith("/parts/"):
            uid = path.split("/")[-3]
            (number,) = json.loads(body)["part_numbers"]
            url = f"http://127.0.0.1:{self.port}/sink/{uid}/part?partNumber={number}"
            return 200, json.dumps({"parts": [{"part_number": number, "url": url, "headers": {}}]}).encode()
        if path.endswith("/complete/"):
            return 200, b"{}"
        return 404, b'{"detail": "Not found."}'

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, target, _ = lines[0].split(" ", 2)
                headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:] if line)}
                remaining = int(headers.get("content-length", "0"))
                keep = b""
                while remaining:
                    chunk = await reader.read(min(remaining, MiB))
                    if not chunk:
                        return
                    remaining -= len(chunk)
                    if method != "PUT":
                        keep += chunk
                status, body = self.answer(method, target, keep)
                writer.write(
                    f'HTTP/1.1 {status} OK\r\nContent-Type: application/json\r\nETag: "e"\r\n'
                    f"Content-Length: {len(body)}\r\n\r\n".encode()
                    + body
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            return
        finally:
            writer.close()

    async def main(self) -> None:
        server = await asyncio.start_server(self.serve, "127.0.0.1", 0, limit=MiB)
        self.port = server.sockets[0].getsockname()[1]
        print(self.port, flush=True)
        async with server:
            await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(Sink().main())
    except KeyboardInterrupt:
        sys.exit(0)
