"""Pagination benchmark (not a test): walk 100,000 dataset items over 1,000 pages with ``iter_all()``, sync and async.

The pages come from an ``httpx.MockTransport`` handed to the client as its ``http_client``, so the whole SDK path
runs (request building, retry policy, JSON decoding, model parsing, cursor following) without a network. Each page
is the realistic 100-item page of :mod:`payloads` with a ``next`` link until the last page.

Each walk runs in a fresh process, after a one-page warm-up (lazy imports). It prints items per second and the
peak memory growth: resident memory (RSS) sampled at every page, plus the process's peak RSS, minus the RSS when
the walk starts; after 10,000 items and after all 100,000. Memory is flat when both figures are about the same,
whatever the number of pages. Goal: growth under 10 MB. (RSS rather than ``tracemalloc``: tracing every allocation
makes a 100,000-item walk ten times slower; RSS also counts what the allocator keeps.)

    .venv/bin/python benchmarks/pagination.py          # a table
    .venv/bin/python benchmarks/pagination.py --json   # one JSON line (used by run.py)
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import httpx
import payloads

import avala

PAGES = 1_000
TOTAL = PAGES * payloads.PAGE_SIZE
BASE_URL = "https://api.avala.ai/api/v1"
ITEMS_PATH = f"/api/v1/datasets/{payloads.OWNER}/{payloads.SLUG}/items/"
ITEMS_JSON = payloads.encode(payloads.items())
CHECKPOINT = 10_000
MB = 1024 * 1024
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")


def handler(request: httpx.Request) -> httpx.Response:
    """Page ``cursor`` (0 when absent) of ``PAGES``; the last one has no ``next``."""
    assert request.url.path == ITEMS_PATH, request.url
    number = int(request.url.params.get("cursor", "0"))
    following = number + 1
    link = (
        b"null"
        if following == PAGES
        else f'"{BASE_URL}/datasets/{payloads.OWNER}/{payloads.SLUG}/items/?cursor={following}&limit=100"'.encode()
    )
    body = b'{"next":' + link + b',"previous":null,"results":' + ITEMS_JSON + b"}"
    return httpx.Response(200, content=body, headers={"content-type": "application/json"})


def rss() -> int:
    """Resident memory of this process now, in bytes (Linux ``/proc``; else the peak so far)."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * PAGE_BYTES
    except OSError:
        return peak_rss()


def peak_rss() -> int:
    """The peak resident memory of this process so far, in bytes."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


class Meter:
    """Counts the items of a walk, samples RSS at every page and keeps the peak growth."""

    def __init__(self) -> None:
        gc.collect()
        self.count = 0
        self.start = rss()
        self.peak_before = peak_rss()
        self.peak = self.start
        self.at_checkpoint = 0.0
        self.started = time.perf_counter()

    def see(self, item: Any) -> None:
        """One item walked."""
        self.count += 1
        if self.count % payloads.PAGE_SIZE == 0:
            self.peak = max(self.peak, rss())
            if self.count == CHECKPOINT:
                self.at_checkpoint = self.growth()

    def growth(self) -> float:
        """Peak RSS above the start, in MB (the process peak counts when the walk raised it)."""
        process_peak = peak_rss()
        peak = max(self.peak, process_peak if process_peak > self.peak_before else 0)
        return (peak - self.start) / MB

    def finish(self) -> dict[str, float]:
        """The figures of the walk."""
        elapsed = time.perf_counter() - self.started
        assert self.count == TOTAL, self.count
        return {
            "items_per_second": TOTAL / elapsed,
            "peak_growth_mb_at_10k": self.at_checkpoint,
            "peak_growth_mb": self.growth(),
        }


def sync_walk() -> dict[str, float]:
    """Walk every item with a sync client."""
    http = httpx.Client(transport=httpx.MockTransport(handler))
    with avala.Client(api_key="avk_bench", base_url=BASE_URL, http_client=http) as client:

        def items() -> Iterator[Any]:
            return client.datasets.list_items(payloads.OWNER, payloads.SLUG, limit=payloads.PAGE_SIZE).iter_all()

        for _ in items():  # warm-up: lazy imports, first allocations
            break
        meter = Meter()
        for item in items():
            meter.see(item)
        return meter.finish()


async def async_walk() -> dict[str, float]:
    """Walk every item with an async client."""
    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    async with avala.AsyncClient(api_key="avk_bench", base_url=BASE_URL, http_client=http) as client:

        async def first_page() -> avala.AsyncCursorPage[Any]:
            return await client.datasets.list_items(payloads.OWNER, payloads.SLUG, limit=payloads.PAGE_SIZE)

        async for _ in (await first_page()).iter_all():  # warm-up
            break
        meter = Meter()
        async for item in (await first_page()).iter_all():
            meter.see(item)
        return meter.finish()


def run(kind: str) -> dict[str, float]:
    """One walk in a fresh process, so that neither inherits the other's memory."""
    command = [sys.executable, os.path.abspath(__file__), "--walk", kind]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return result


def main() -> None:
    """Run both walks; print a table, or one JSON line with ``--json``."""
    args = sys.argv[1:]
    if "--walk" in args:
        kind = args[args.index("--walk") + 1]
        print(json.dumps(sync_walk() if kind == "sync" else asyncio.run(async_walk())))
        return
    results = {"sync": run("sync"), "async": run("async")}
    if "--json" in args:
        print(json.dumps(results))
        return
    print(f"Walk of {TOTAL:,} items over {PAGES:,} pages (mock transport); goal: peak memory growth < 10 MB")
    print("| walk  | items/s | peak RSS growth after 10,000 items | after 100,000 items |")
    print("|-------|--------:|-----------------------------------:|--------------------:|")
    for name, r in results.items():
        print(
            f"| {name:<5} | {r['items_per_second']:,.0f} | {r['peak_growth_mb_at_10k']:.1f} MB "
            f"| {r['peak_growth_mb']:.1f} MB |"
        )


if __name__ == "__main__":
    main()
