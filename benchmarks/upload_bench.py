"""The upload row of ``make bench``: ``datasets.upload_files`` against raw httpx streaming PUTs of the same bytes.

Two file mixes, each with ``workers=8`` (8 files, or 8 parts of one file, in flight):

- one file of ``AVALA_BENCH_UPLOAD_BIG_MB`` MiB (default 1024): the SDK uploads it as a v2 multipart upload in parts
  of ``ceil(size / 8)`` bytes (128 MiB for 1 GiB), each part presigned then PUT; raw httpx PUTs the same 8 byte ranges
  concurrently, each streamed from the file in 1 MiB chunks;
- ``AVALA_BENCH_UPLOAD_FILES`` files of 256 KiB (default 2000): the SDK presigns, PUTs and completes each; raw httpx
  PUTs each file, streamed.

A third contender, raw httpx speaking the same API protocol (presign, part signing, complete: what a hand-written
client must send), separates the protocol's cost from the SDK's. All go to the same loopback sink
(``upload_sink.py``, its own process, which also plays the API). Each contender runs in a fresh process per round
(``AVALA_BENCH_UPLOAD_ROUNDS``, default 3, in rotating order), which reports wall time, its own CPU time and its
peak RSS growth during the upload (``ru_maxrss`` after minus before). The SDK's figures
include its API calls (presign, part signing, complete) and its resume journal (in a temporary state directory);
raw httpx PUTs' are the transfer alone, the floor. Run on its own: ``.venv/bin/python benchmarks/upload_bench.py``.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
MiB = 1024 * 1024
WORKERS = 8
SMALL = 256 * 1024
CONTENDERS = ("ours", "raw", "protocol")


def settings() -> dict[str, int]:
    """The sizes of this run (environment overrides, for a quick check with small files)."""
    return {
        "big_mb": int(os.environ.get("AVALA_BENCH_UPLOAD_BIG_MB", "1024")),
        "files": int(os.environ.get("AVALA_BENCH_UPLOAD_FILES", "2000")),
        "rounds": int(os.environ.get("AVALA_BENCH_UPLOAD_ROUNDS", "3")),
    }


def make_files(root: Path, big_mb: int, count: int) -> dict[str, list[str]]:
    """The two mixes on disk: one big file, ``count`` small ones."""
    big = root / "big.bin"
    with open(big, "wb") as handle:
        for _ in range(big_mb):
            handle.write(os.urandom(MiB))
    small = root / "small"
    small.mkdir()
    paths = []
    for index in range(count):
        path = small / f"f{index:05d}.bin"
        path.write_bytes(os.urandom(SMALL))
        paths.append(str(path))
    return {"big": [str(big)], "small": paths}


# --- the worker process ------------------------------------------------------------------------------------------


def peak_rss_mb() -> float:
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 if sys.platform != "darwin" else peak / MiB


def worker(kind: str, port: int, listing: str) -> dict[str, Any]:
    """One upload in this fresh process: ``ours`` (the SDK) or ``raw`` (httpx); wall, CPU, RSS growth."""
    paths = json.loads(Path(listing).read_text())
    total = sum(os.path.getsize(p) for p in paths)
    base = f"http://127.0.0.1:{port}"
    if kind == "ours":
        import uuid

        import avala.resources.users
        import avala.uploads._datasets  # noqa: F401 - imported before the clock starts, as raw httpx is
        from avala import Client

        client = Client(api_key="avk_bench_0123456789", base_url=f"{base}/api/v1")
        client.users.me()  # the connection pool exists before the clock starts, as raw httpx's client does
        files = [(p, os.path.basename(p)) for p in paths]

        def run() -> int:
            return client.datasets.upload_files(
                dataset_name=f"bench-{uuid.uuid4()}",
                files=files,
                workers=WORKERS,
                dataset_upload_uid=str(uuid.uuid4()),
            )
    else:
        from concurrent.futures import ThreadPoolExecutor

        import httpx

        sys.path.insert(0, str(HERE))
        from upload_sink import MULTIPART_AT, part_size

        limits = httpx.Limits(max_connections=2 * WORKERS, max_keepalive_connections=2 * WORKERS)
        http = httpx.Client(limits=limits, headers={"X-Avala-Api-Key": "avk_bench_0123456789"})

        def chunks(path: str, offset: int, length: int) -> Any:
            with open(path, "rb", buffering=0) as handle:
                handle.seek(offset)
                while length:
                    chunk = handle.read(min(MiB, length))
                    length -= len(chunk)
                    yield chunk

        def put(url: str, path: str, offset: int, length: int) -> int:
            content = chunks(path, offset, length)
            response = http.put(url, content=content, headers={"Content-Length": str(length)})
            response.raise_for_status()
            return length

        if kind == "raw":  # the floor: the same bytes, PUT only
            jobs: list[tuple[str, int, int]] = []
            for path in paths:
                size = os.path.getsize(path)
                step = size if size < MULTIPART_AT else part_size(size)
                jobs.extend((path, offset, min(step, size - offset)) for offset in range(0, size, step))

            def run() -> int:
                with ThreadPoolExecutor(WORKERS) as pool:
                    return sum(pool.map(lambda job: put(f"{base}/sink/raw/{job[1]}", *job), jobs))

        else:  # "protocol": raw httpx speaking the same API protocol (presign, part signing, complete)
            api = f"{base}/api/v1/datasets/manual-upload"

            def upload(path: str) -> int:
                size = os.path.getsize(path)
                body = {"dataset_name": "raw", "file_path_in_dataset": os.path.basename(path), "content_length": size}
                target = http.post(f"{api}/file-upload-url/", json=body).raise_for_status().json()
                uid = target["upload_uid"]
                if target["method"] == "PUT":
                    sent = put(target["url"], path, 0, size)
                else:
                    step = target["part_size"]

                    def part(number: int) -> int:
                        signed = http.post(f"{api}/uploads/{uid}/parts/", json={"part_numbers": [number]})
                        url = signed.raise_for_status().json()["parts"][0]["url"]
                        offset = (number - 1) * step
                        return put(url, path, offset, min(step, size - offset))

                    with ThreadPoolExecutor(WORKERS) as pool:
                        sent = sum(pool.map(part, range(1, target["part_count"] + 1)))
                http.post(f"{api}/uploads/{uid}/complete/", json={}).raise_for_status()
                return sent

            def run() -> int:
                with ThreadPoolExecutor(WORKERS) as pool:
                    return sum(pool.map(upload, paths))

    rss_before = peak_rss_mb()
    cpu, wall = time.process_time(), time.perf_counter()
    sent = run()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    assert sent == total, (sent, total)
    return {"wall": wall, "cpu": cpu, "bytes": total, "rss_growth_mb": peak_rss_mb() - rss_before}


# --- the driver --------------------------------------------------------------------------------------------------


def measure(python: str = sys.executable) -> dict[str, Any]:
    """Every round of both mixes and both contenders; medians per (mix, contender)."""
    config = settings()
    results: dict[tuple[str, str], list[dict[str, Any]]] = {}
    with tempfile.TemporaryDirectory(prefix="avala-bench-upload-") as tmp:
        root = Path(tmp)
        mixes = make_files(root, config["big_mb"], config["files"])
        sink = subprocess.Popen([python, str(HERE / "upload_sink.py")], stdout=subprocess.PIPE, text=True)
        try:
            assert sink.stdout is not None
            port = int(sink.stdout.readline())
            env = {
                **os.environ,
                "AVALA_ALLOW_INSECURE_BASE_URL": "1",
                "AVALA_STORAGE_HOSTS": f"http://127.0.0.1:{port}",
                "AVALA_STATE_DIR": str(root / "state"),
            }
            for mix, paths in mixes.items():
                listing = root / f"{mix}.json"
                listing.write_text(json.dumps(paths))
                for round_ in range(config["rounds"]):
                    order = CONTENDERS[round_ % 3 :] + CONTENDERS[: round_ % 3]
                    for kind in order:
                        out = subprocess.run(
                            [python, __file__, "worker", kind, str(port), str(listing)],
                            env=env,
                            check=True,
                            capture_output=True,
                            text=True,
                            cwd=tempfile.gettempdir(),
                        ).stdout
                        results.setdefault((mix, kind), []).append(json.loads(out.strip().splitlines()[-1]))
        finally:
            sink.kill()
            sink.wait()
    summary: dict[str, Any] = {"config": config}
    for (mix, kind), runs in results.items():
        gib = runs[0]["bytes"] / (1024 * MiB)
        summary[f"{mix}/{kind}"] = {
            "mib_per_s": statistics.median(r["bytes"] / MiB / r["wall"] for r in runs),
            "cpu_s_per_gib": statistics.median(r["cpu"] / gib for r in runs),
            "rss_growth_mb": max(r["rss_growth_mb"] for r in runs),
            "spread": [round(r["bytes"] / MiB / r["wall"]) for r in runs],
        }
    for mix in mixes:
        for base in ("raw", "protocol"):
            ratios = [
                (o["bytes"] / o["wall"]) / (r["bytes"] / r["wall"])
                for o, r in zip(results[(mix, "ours")], results[(mix, base)], strict=True)
            ]
            summary[f"{mix}/ratio/{base}"] = statistics.median(ratios)
    return summary


def rows(summary: dict[str, Any]) -> list[list[str]]:
    """The table rows (the columns of ``run.py``'s table: figure, raw httpx, this SDK, ratio, published, ratio, goal,
    verdict); the published column holds raw httpx speaking the same API protocol."""
    config = summary["config"]
    names = {
        "big": f"upload 1 x {config['big_mb']} MiB (multipart, 8 parts in flight)",
        "small": f"upload {config['files']} x 256 KiB (8 files in flight)",
    }
    out = []
    for mix in ("big", "small"):
        ours, raw, protocol = (summary[f"{mix}/{kind}"] for kind in CONTENDERS)
        ratio, versus_protocol = summary[f"{mix}/ratio/raw"], summary[f"{mix}/ratio/protocol"]
        out.append(
            [
                f"{names[mix]}: MiB/s; CPU s/GiB",
                f"{raw['mib_per_s']:,.0f}; {raw['cpu_s_per_gib']:.2f}",
                f"{ours['mib_per_s']:,.0f}; {ours['cpu_s_per_gib']:.2f}",
                f"{ratio:.2f}x {ours['spread']} vs {raw['spread']}",
                f"raw httpx + API calls: {protocol['mib_per_s']:,.0f}; {protocol['cpu_s_per_gib']:.2f}",
                f"{versus_protocol:.2f}x",
                ">= 0.9x raw",
                "met" if ratio >= 0.9 else "MISSED",
            ]
        )
        out.append(
            [
                "  peak memory growth during the upload",
                f"{raw['rss_growth_mb']:.1f} MB",
                f"{ours['rss_growth_mb']:.1f} MB",
                "",
                f"{protocol['rss_growth_mb']:.1f} MB",
                "",
                "< 64 MB" if mix == "big" else "(reference)",
                ("met" if ours["rss_growth_mb"] < 64 else "MISSED") if mix == "big" else "",
            ]
        )
    return out


def main() -> None:
    """Measure and print the rows as a small table."""
    summary = measure()
    header = ["figure", "raw httpx PUTs", "this SDK", "ratio", "raw httpx, same protocol", "ratio", "goal", ""]
    for row in [header, *rows(summary)]:
        print(" | ".join(row))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "worker":
        print(json.dumps(worker(sys.argv[2], int(sys.argv[3]), sys.argv[4])))
    else:
        main()
