"""The fleet upload row of ``make bench`` (runs alone too: ``python benchmarks/fleet_upload.py [--json] [--small]``).

1. Classic flow: a recording of 200 files (1 GiB in all; ``--small``: 64 MiB) through
   ``client.fleet.uploads.upload_recording`` with 4 workers, against raw httpx streaming PUTs of the same files with
   the same concurrency, to the same loopback sink. Reported: MB/s of each and their ratio, and how many times each
   byte was read from disk (the process's ``rchar`` from ``/proc/self/io``: bytes passed to ``read()``, sockets
   excluded) per byte of the recording.
2. Managed flow: one MCAP file of 4 GiB (``--small``: 512 MiB; a sparse file, so no disk space is used) through
   ``upload_managed_recording`` (64 MiB parts, 2 in flight): the peak RSS growth of the process while uploading it.

The sink is a stdlib asyncio server in its own process that reads every body in 1 MiB chunks, drops it and answers
200 with an ETag. The fleet API is an in-process ``httpx.MockTransport`` that mints presigned-shaped URLs to the
sink (allowed with ``AVALA_STORAGE_HOSTS``); the upload state goes to a temporary ``AVALA_STATE_DIR``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

RECORDING = "e4a096af-5712-4394-85e6-f708192a3b4c"
OWNER = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
FILES = 200
WORKERS = 4
CHUNK = 1 << 20
PART = 64 << 20


# --- the sink --------------------------------------------------------------------------------------------------------


async def _sink_connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.lower().split(b"\r\n"):
                if line.startswith(b"content-length:"):
                    length = int(line[15:])
            while length:
                chunk = await reader.read(min(length, CHUNK))
                if not chunk:
                    return
                length -= len(chunk)
            writer.write(b'HTTP/1.1 200 OK\r\netag: "0123456789abcdef"\r\ncontent-length: 0\r\n\r\n')
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def _serve() -> None:
    server = await asyncio.start_server(_sink_connection, "127.0.0.1", 0, limit=CHUNK * 2)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


class Sink:
    """The sink process."""

    def __init__(self) -> None:
        self.process = subprocess.Popen([sys.executable, __file__, "--sink"], stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        self.origin = f"http://127.0.0.1:{int(self.process.stdout.readline())}"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait()


# --- a fake fleet API minting URLs to the sink ----------------------------------------------------------------------


class FakeFleet:
    """The classic and managed fleet upload API, answering from memory; URLs point to the sink."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.classic: dict[str, Any] = {}
        self.managed: dict[str, Any] = {}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.split(f"/fleet/recordings/{RECORDING}/", 1)[1].strip("/")
        body = json.loads(request.content) if request.content else {}
        status, payload = getattr(self, path.replace("/", "_").replace("-", "_"))(body)
        return httpx.Response(status, json=payload)

    # classic
    def _status(self) -> dict[str, Any]:
        s = self.classic
        pending = [p for p in s["files"] if p not in s["confirmed"]]
        return {
            "session_uid": s["uid"],
            "status": s["status"],
            "total_files": len(s["files"]),
            "confirmed_files": len(s["confirmed"]),
            "total_bytes": sum(s["files"].values()),
            "confirmed_bytes": sum(s["files"][p] for p in s["confirmed"]),
            "pending_paths": pending[:1000],
        }

    def upload_status(self, _: Any) -> tuple[int, Any]:
        if not self.classic:
            return 404, {"detail": "No upload session found for this recording."}
        return 200, self._status()

    def upload_init(self, body: dict[str, Any]) -> tuple[int, Any]:
        files = {f["path"]: f["size_bytes"] for f in body["files"]}
        self.classic = {"uid": uuid.uuid4().hex, "files": files, "confirmed": set(), "status": "initiated"}
        prefix = f"fleet/bench/{RECORDING}/"
        self.classic["prefix"] = prefix
        return 201, {
            "uid": self.classic["uid"],
            "total_files": len(files),
            "total_bytes": sum(files.values()),
            "confirmed_files": 0,
            "confirmed_bytes": 0,
            "s3_prefix": prefix,
            "status": "initiated",
        }

    def upload_urls(self, body: dict[str, Any]) -> tuple[int, Any]:
        prefix = self.classic["prefix"]
        urls = [
            {
                "path": p,
                "put_url": f"{self.origin}/bench/{quote(prefix + p, safe='/~')}?X-Amz-Signature=0",
                "s3_key": prefix + p,
                "headers": {"Content-Type": "application/octet-stream"},
            }
            for p in body["file_paths"]
        ]
        return 200, {"urls": urls}

    def upload_confirm(self, body: dict[str, Any]) -> tuple[int, Any]:
        self.classic["confirmed"].update(f["path"] for f in body["files"])
        status = self._status()
        return 200, {
            k: status[k] for k in ("session_uid", "total_files", "total_bytes", "confirmed_files", "confirmed_bytes")
        }

    def upload_finalize(self, body: dict[str, Any]) -> tuple[int, Any]:
        self.classic["status"] = "completed"
        return 202, {"detail": "Finalization started."}

    # managed
    def _managed_status(self) -> dict[str, Any]:
        m = self.managed
        final = m.get("finalization")
        return {
            "protocol": "fleet-managed-mcap-v1",
            "session_uid": m["session"],
            "recording_uid": RECORDING,
            "status": "completed" if final else "uploading",
            "total_files": len(m["files"]),
            "total_bytes": sum(f["size_bytes"] for f in m["files"]),
            "confirmed_files": 0,
            "confirmed_bytes": 0,
            "files": [
                {
                    "file_uid": f["file_uid"],
                    "path": f["path"],
                    "size_bytes": f["size_bytes"],
                    "content_sha256": f["content_sha256"],
                    "content_type": "application/octet-stream",
                    "content_encoding": "",
                    "part_size": PART,
                    "part_count": max(1, -(-f["size_bytes"] // PART)),
                    "verified": bool(final),
                    "generation": None
                    if f.get("generation") is None
                    else {"generation_uid": f["generation"], "number": 1, "state": "completed" if final else "active"},
                }
                for f in m["files"]
            ],
            "finalization": final,
        }

    def managed_upload_admit(self, body: dict[str, Any]) -> tuple[int, Any]:
        files = [{**f, "file_uid": str(uuid.uuid4())} for f in body["files"]]
        self.managed = {"session": body["session_uid"], "files": files}
        return 201, self._managed_status()

    def managed_upload_status(self, _: Any) -> tuple[int, Any]:
        return 200, self._managed_status()

    def managed_upload_multipart_init(self, body: dict[str, Any]) -> tuple[int, Any]:
        f = next(f for f in self.managed["files"] if f["file_uid"] == body["file_uid"])
        f["generation"] = str(uuid.uuid4())
        return 201, {
            "protocol": "fleet-managed-mcap-v1",
            "session_uid": self.managed["session"],
            "file_uid": f["file_uid"],
            "generation_uid": f["generation"],
            "number": 1,
            "state": "active",
            "part_size": PART,
            "part_count": max(1, -(-f["size_bytes"] // PART)),
            "initialization_deadline": "2099-01-01T00:00:00Z",
        }

    def managed_upload_multipart_progress(self, body: dict[str, Any]) -> tuple[int, Any]:
        f = self.managed["files"][0]
        ids = {"file_uid": f["file_uid"], "generation_uid": f["generation"]}
        return 200, {
            "protocol": "fleet-managed-mcap-v1",
            "session_uid": self.managed["session"],
            **ids,
            "parts": [],
            "next_cursor": None,
        }

    def managed_upload_multipart_parts(self, body: dict[str, Any]) -> tuple[int, Any]:
        f = next(f for f in self.managed["files"] if f["file_uid"] == body["file_uid"])
        grants = []
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        stamp = now.strftime("%Y%m%dT%H%M%SZ")
        for n in body["numbers"]:
            size = min(PART, f["size_bytes"] - (n - 1) * PART)
            key = quote(f"__o__=/{OWNER}/__cloud__/{self.managed['session']}/{f['path']}", safe="/~")
            credential = quote(f"AKIDBENCH/{stamp[:8]}/auto/s3/aws4_request", safe="~")
            url = (
                f"{self.origin}/bench/{key}?uploadId=u1&partNumber={n}&X-Amz-Algorithm=AWS4-HMAC-SHA256"
                f"&X-Amz-Credential={credential}&X-Amz-Date={stamp}&X-Amz-Expires=300"
                f"&X-Amz-SignedHeaders=content-length%3Bhost&X-Amz-Signature={'0' * 64}"
            )
            grants.append(
                {
                    "grant_uid": str(uuid.uuid4()),
                    "part_number": n,
                    "offset": (n - 1) * PART,
                    "size_bytes": size,
                    "url": url,
                    "headers": {"Content-Length": str(size)},
                    "expires_at": (now + dt.timedelta(seconds=300)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                }
            )
        ids = {"file_uid": f["file_uid"], "generation_uid": f["generation"]}
        return 200, {
            "protocol": "fleet-managed-mcap-v1",
            "session_uid": self.managed["session"],
            **ids,
            "parts": grants,
        }

    def managed_upload_finalize(self, body: dict[str, Any]) -> tuple[int, Any]:
        self.managed["finalization"] = {
            "uid": str(uuid.uuid4()),
            "state": "succeeded",
            "stage": "publish",
            "attempts": 1,
            "failures": [],
            "code": "published",
            "available_at": "2026-02-24T10:15:00Z",
            "publication_uid": str(uuid.uuid4()),
            "dataset_uid": str(uuid.uuid4()),
        }
        return 202, {
            "protocol": "fleet-managed-mcap-v1",
            "session_uid": self.managed["session"],
            "finalization": self.managed["finalization"],
        }


# --- measurements ---------------------------------------------------------------------------------------------------


def rchar() -> int:
    """Bytes this process passed to read() so far (Linux); 0 elsewhere."""
    try:
        for line in Path("/proc/self/io").read_text().splitlines():
            if line.startswith("rchar:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def rss_now() -> int:
    """Resident set size now, bytes (Linux)."""
    try:
        return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return 0


def make_recording(root: Path, total: int) -> list[Path]:
    """``FILES`` files of ``total`` bytes in all (random bytes, so nothing compresses or dedups)."""
    size = total // FILES
    block = os.urandom(CHUNK)
    paths = []
    for i in range(FILES):
        path = root / f"cam{i % 4}" / f"{i:05}.bin"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as out:
            left = size
            while left:
                n = min(left, CHUNK)
                out.write(block[:n] if i % 2 else block[-n:])
                left -= n
        paths.append(path)
    return paths


def raw_httpx(paths: list[Path], root: Path, origin: str) -> float:
    """Seconds to PUT every file with raw httpx, streaming 1 MiB chunks, ``WORKERS`` at a time."""

    def chunks(path: Path) -> Any:
        with path.open("rb", buffering=0) as handle:
            while chunk := handle.read(CHUNK):
                yield chunk

    with httpx.Client(timeout=300, limits=httpx.Limits(max_connections=WORKERS)) as http:

        def put(path: Path) -> None:
            url = f"{origin}/bench/raw/{quote(path.relative_to(root).as_posix())}"
            headers = {"Content-Type": "application/octet-stream", "Content-Length": str(path.stat().st_size)}
            http.put(url, content=chunks(path), headers=headers).raise_for_status()

        started = time.perf_counter()
        with ThreadPoolExecutor(WORKERS) as pool:
            list(pool.map(put, paths))
        return time.perf_counter() - started


def sdk_classic(root: Path, fake: FakeFleet) -> float:
    """Seconds of ``upload_recording`` of the whole source (a fresh session and receipt each time)."""
    from avala import Client

    fake.classic = {}
    os.environ["AVALA_STATE_DIR"] = tempfile.mkdtemp(prefix="avala-bench-state-")
    with Client(api_key="bench", http_client=httpx.Client(transport=httpx.MockTransport(fake))) as client:
        started = time.perf_counter()
        session = client.fleet.uploads.upload_recording(RECORDING, root, max_workers=WORKERS)
        elapsed = time.perf_counter() - started
    assert session.confirmed_files == FILES, session
    return elapsed


def classic(total: int, rounds: int, origin: str) -> dict[str, Any]:
    """Throughput of both contenders (rounds alternate) and the read count per byte."""
    fake = FakeFleet(origin)
    with tempfile.TemporaryDirectory(prefix="avala-bench-rec-") as tmp:
        root = Path(tmp)
        paths = make_recording(root, total)
        size = sum(p.stat().st_size for p in paths)
        raw, ours, reads = [], [], []
        for r in range(rounds):
            order = ["raw", "ours"] if r % 2 == 0 else ["ours", "raw"]
            for name in order:
                if name == "raw":
                    raw.append(raw_httpx(paths, root, origin))
                else:
                    before = rchar()
                    ours.append(sdk_classic(root, fake))
                    reads.append((rchar() - before) / size)
        ratios = sorted(r / o for r, o in zip(raw, ours, strict=True))
    mb = size / 1e6
    return {
        "bytes": size,
        "raw_mb_s": mb / sorted(raw)[len(raw) // 2],
        "ours_mb_s": mb / sorted(ours)[len(ours) // 2],
        "ratio": ratios[len(ratios) // 2],
        "ratio_low": ratios[0],
        "ratio_high": ratios[-1],
        "reads_per_byte": sorted(reads)[len(reads) // 2],
    }


def managed(size: int, origin: str) -> dict[str, Any]:
    """Peak RSS growth while one sparse MCAP file of ``size`` bytes goes through the managed flow."""
    from avala import Client

    fake = FakeFleet(origin)
    os.environ["AVALA_STATE_DIR"] = tempfile.mkdtemp(prefix="avala-bench-state-")
    with tempfile.TemporaryDirectory(prefix="avala-bench-mcap-") as tmp:
        path = Path(tmp) / "drive.mcap"
        with path.open("wb") as out:
            out.truncate(size)  # sparse: reads as zeros, takes no disk space
        with Client(api_key="bench", http_client=httpx.Client(transport=httpx.MockTransport(fake))) as client:
            client.fleet.uploads  # noqa: B018 - load the modules before the baseline
            base = rss_now()
            started = time.perf_counter()
            result = client.fleet.uploads.upload_managed_recording(RECORDING, tmp, max_workers=2)
            elapsed = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    assert result.finalization is not None and result.finalization.state == "succeeded"
    return {"bytes": size, "seconds": elapsed, "peak_growth_mb": max(0, peak - base) / (1 << 20)}


def main() -> None:
    if "--sink" in sys.argv:
        asyncio.run(_serve())
        return
    small = "--small" in sys.argv
    sink = Sink()
    try:
        os.environ["AVALA_STORAGE_HOSTS"] = sink.origin
        # The managed file first: ru_maxrss is the peak of the whole process, so it must not follow the classic rows.
        managed_row = managed((512 << 20) if small else (4 << 30), sink.origin)
        classic_row = classic((64 << 20) if small else (1 << 30), 3 if small else 5, sink.origin)
    finally:
        sink.stop()
    result = {"classic": classic_row, "managed": managed_row}
    if "--json" in sys.argv:
        print(json.dumps(result))
        return
    c, m = classic_row, managed_row
    print(
        f"classic, {FILES} files / {c['bytes'] / (1 << 20):.0f} MiB, {WORKERS} workers: "
        f"raw httpx {c['raw_mb_s']:.0f} MB/s, "
        f"this SDK {c['ours_mb_s']:.0f} MB/s, {c['ratio']:.2f}x ({c['ratio_low']:.2f}-{c['ratio_high']:.2f}); "
        f"each byte read {c['reads_per_byte']:.2f} times"
    )
    print(
        f"managed, one {m['bytes'] / (1 << 30):.2f} GiB MCAP: peak RSS growth {m['peak_growth_mb']:.1f} MiB "
        f"in {m['seconds']:.1f} s"
    )


if __name__ == "__main__":
    main()
