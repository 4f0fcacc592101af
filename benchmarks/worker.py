"""A measurement worker: one long-lived process per contender, driven line by line over stdin by ``run.py``.

``python worker.py httpx BASE_URL``  raw httpx, the floor;
``python worker.py sdk BASE_URL``    whatever ``avala`` the running interpreter imports: this SDK in ``.venv``, the
                                     published package in ``.bench/published-venv``.

Commands (one per line; the answer is one JSON line): ``get N``, ``list N``, ``parse N`` (client CPU seconds of N
calls or N page parses, ``time.process_time``), ``floor-get N``, ``floor-list N`` (the same calls through raw httpx
in this process: the baseline of this contender's ratios), ``fanout N`` (wall seconds of N concurrent gets through
one async client), ``quit``. Stdlib + httpx + the avala under test only: it must run in both environments.
"""

from __future__ import annotations

import asyncio
import gc
import json
import sys
import time
from collections.abc import Callable
from importlib import metadata
from typing import Any

import httpx
import payloads

API_KEY = "avk_bench_0123456789abcdef"


class Contender:
    """The calls one contender makes; subclasses fill them in."""

    def get(self) -> Any:
        """One ``GET /datasets/{uid}/``, parsed as far as the contender parses."""
        raise NotImplementedError

    def list_items(self) -> Any:
        """One ``GET /datasets/{owner}/{slug}/items/?limit=100``, parsed as far as the contender parses."""
        raise NotImplementedError

    def parser(self) -> Callable[[dict[str, Any]], Any] | None:
        """What turns one decoded item into a model (None: the contender has no models)."""
        return None

    def floor(self) -> Contender:
        """Raw httpx in this very process, on the same server: the baseline a ratio of this contender pairs with."""
        raise NotImplementedError

    async def fanout(self, count: int) -> float:
        """Wall seconds of ``count`` concurrent gets through one async client (connections included)."""
        raise NotImplementedError

    def describe(self) -> dict[str, Any]:
        """Versions and locations, printed with the figures so that nobody measures the wrong package."""
        return {"httpx": httpx.__version__, "python": sys.version.split()[0]}

    def check(self) -> None:
        """Fail loudly when a call does not return what the benchmark assumes (once, before any timing)."""


class RawHttpx(Contender):
    """The floor: ``httpx.Client.get(...).json()`` with the API key header, as a hand-written client would."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.headers = {"X-Avala-Api-Key": API_KEY, "Accept": "application/json"}
        self.http = httpx.Client(headers=self.headers, timeout=30.0)
        self.get_url = f"{base_url}/datasets/{payloads.DATASET_UID}/"
        self.items_url = f"{base_url}/datasets/{payloads.OWNER}/{payloads.SLUG}/items/"

    def get(self) -> Any:
        return self.http.get(self.get_url).json()

    def floor(self) -> Contender:
        return self

    def list_items(self) -> Any:
        return self.http.get(self.items_url, params={"limit": payloads.PAGE_SIZE}).json()

    async def fanout(self, count: int) -> float:
        async with httpx.AsyncClient(headers=self.headers, timeout=30.0) as http:
            started = time.perf_counter()
            results = await asyncio.gather(*(http.get(self.get_url) for _ in range(count)))
            elapsed = time.perf_counter() - started
        assert all(r.json()["uid"] == payloads.DATASET_UID for r in results)
        return elapsed

    def check(self) -> None:
        assert self.get()["uid"] == payloads.DATASET_UID
        assert len(self.list_items()["results"]) == payloads.PAGE_SIZE


class Sdk(Contender):
    """An ``avala`` package: ``Client(api_key, base_url)``, ``datasets.get`` and ``datasets.list_items``."""

    def __init__(self, base_url: str) -> None:
        import avala
        from avala.types import DatasetItem

        self.avala = avala
        self.base_url = base_url
        self.client = avala.Client(api_key=API_KEY, base_url=base_url)
        parse: Callable[[dict[str, Any]], Any] | None = getattr(DatasetItem, "from_dict", None)
        if parse is None:  # the published package's models are pydantic ones
            parse = DatasetItem.model_validate  # type: ignore[attr-defined]
        self.item = parse
        self.raw = RawHttpx(base_url)

    def floor(self) -> Contender:
        return self.raw

    def get(self) -> Any:
        return self.client.datasets.get(payloads.DATASET_UID)

    def list_items(self) -> Any:
        return self.client.datasets.list_items(payloads.OWNER, payloads.SLUG, limit=payloads.PAGE_SIZE)

    def parser(self) -> Callable[[dict[str, Any]], Any]:
        return self.item

    async def fanout(self, count: int) -> float:
        client = self.avala.AsyncClient(api_key=API_KEY, base_url=self.base_url)
        try:
            started = time.perf_counter()
            results = await asyncio.gather(*(client.datasets.get(payloads.DATASET_UID) for _ in range(count)))
            elapsed = time.perf_counter() - started
        finally:
            await client.close()
        assert all(r.uid == payloads.DATASET_UID for r in results)
        return elapsed

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "avala": metadata.version("avala"), "file": self.avala.__file__}

    def check(self) -> None:
        dataset = self.get()
        assert dataset.uid == payloads.DATASET_UID and dataset.created_at.year == 2026, dataset
        page = self.list_items()
        assert len(page) == payloads.PAGE_SIZE and page.next_cursor == "cD0yMDI2LTAyLTI0", page
        assert page.items[0].updated_at.tzinfo is not None


def cpu_seconds(call: Callable[[], Any], count: int) -> float:
    """Client CPU seconds of ``count`` calls (the server is another process)."""
    gc.collect()
    started = time.process_time()
    for _ in range(count):
        call()
    return time.process_time() - started


def parse_seconds(parse: Callable[[dict[str, Any]], Any], page: list[dict[str, Any]], count: int) -> float:
    """CPU seconds of turning the page's items into models ``count`` times."""
    gc.collect()
    started = time.process_time()
    for _ in range(count):
        [parse(element) for element in page]
    return time.process_time() - started


def main() -> None:
    """Set up, check, warm up, then answer commands until ``quit``."""
    kind, base_url = sys.argv[1], sys.argv[2]
    contender: Contender = RawHttpx(base_url) if kind == "httpx" else Sdk(base_url)
    contender.check()
    page = httpx.get(f"{base_url}/datasets/{payloads.OWNER}/{payloads.SLUG}/items/").json()["results"]
    parse = contender.parser()
    for _ in range(30):  # warm-up: connections, caches, lazily imported modules
        for warming in (contender, contender.floor()):
            warming.get()
            warming.list_items()
    print(json.dumps(contender.describe()), flush=True)
    for line in sys.stdin:
        command, _, argument = line.strip().partition(" ")
        count = int(argument or 0)
        if command == "quit":
            break
        if command == "get":
            value: float | None = cpu_seconds(contender.get, count)
        elif command == "list":
            value = cpu_seconds(contender.list_items, count)
        elif command == "floor-get":
            value = cpu_seconds(contender.floor().get, count)
        elif command == "floor-list":
            value = cpu_seconds(contender.floor().list_items, count)
        elif command == "parse":
            value = None if parse is None else parse_seconds(parse, page, count)
        elif command == "fanout":
            value = asyncio.run(contender.fanout(count))
        else:
            raise SystemExit(f"worker: unknown command {line!r}")
        print(json.dumps({"seconds": value}), flush=True)


if __name__ == "__main__":
    main()
