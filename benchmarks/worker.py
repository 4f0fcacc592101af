"""A measurement worker: one long-lived process per contender, driven line by line over stdin by ``run.py``.

``python worker.py httpx BASE_URL``  raw httpx, the floor;
``python worker.py sdk BASE_URL``    whatever ``avala`` the running interpreter imports: this SDK in
                                     ``.bench/sdk-venv``, the published package in ``.bench/published-venv``.
A third argument ``cold`` skips the warm-up calls (a worker that only parses needs no server).

Commands (one per line; the answer is one JSON line): ``get N``, ``list N``, ``parse N`` (client CPU seconds of N
calls or N page parses, ``time.process_time``), ``floor-get N``, ``floor-list N``, ``floor-parse N`` (the same
through raw httpx, ``json.loads`` for a parse, in this process: the baseline of this contender's ratios),
``fanout N LIMITS`` (wall seconds of N concurrent gets through one async client; LIMITS is the JSON of the pool
limits and the bound on calls in flight that raw httpx is given: the SDK's own), ``quit``. Stdlib + httpx + the
avala under test only: it must run in both environments.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
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

    def parser(self) -> Callable[[bytes], Any]:
        """What turns the bytes of a page body into what a caller gets: decoded JSON (raw httpx), models (an SDK)."""
        return json.loads  # what httpx's Response.json() does with a body's bytes

    def floor(self) -> Contender:
        """Raw httpx in this very process, on the same server: the baseline a ratio of this contender pairs with."""
        raise NotImplementedError

    async def fanout(self, count: int, limits: dict[str, Any]) -> float:
        """Wall seconds of ``count`` concurrent gets through one async client (connections included), each decoded
        as far as the contender decodes; ``limits`` are raw httpx's pool limits and bound on calls in flight."""
        raise NotImplementedError

    def describe(self) -> dict[str, Any]:
        """Versions and locations, printed with the figures so that nobody measures the wrong package."""
        stack = {name: metadata.version(name) for name in ("httpx", "httpcore", "h11", "anyio")}
        return {"httpx": httpx.__version__, "python": sys.version.split()[0], "stack": stack}

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

    async def fanout(self, count: int, limits: dict[str, Any]) -> float:
        pool = httpx.Limits(
            max_connections=limits["max_connections"],
            max_keepalive_connections=limits["max_keepalive_connections"],
            keepalive_expiry=limits["keepalive_expiry"],
        )
        slots = asyncio.Semaphore(limits["in_flight"])  # the SDK bounds its calls in flight the same way

        async def one(http: httpx.AsyncClient) -> Any:
            async with slots:
                return (await http.get(self.get_url)).json()

        async with httpx.AsyncClient(headers=self.headers, timeout=30.0, limits=pool) as http:
            started = time.perf_counter()
            results = await asyncio.gather(*(one(http) for _ in range(count)))
            elapsed = time.perf_counter() - started
        assert all(r["uid"] == payloads.DATASET_UID for r in results)
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
        item: Callable[[dict[str, Any]], Any] | None = getattr(DatasetItem, "from_dict", None)
        if item is None:  # the published package's models are pydantic ones
            item = DatasetItem.model_validate  # type: ignore[attr-defined, unused-ignore]
        self.item = item
        self.decode, self.decoder = decoder()
        self.raw = RawHttpx(base_url)

    def floor(self) -> Contender:
        return self.raw

    def get(self) -> Any:
        return self.client.datasets.get(payloads.DATASET_UID)

    def list_items(self) -> Any:
        return self.client.datasets.list_items(payloads.OWNER, payloads.SLUG, limit=payloads.PAGE_SIZE)

    def parser(self) -> Callable[[bytes], Any]:
        decode, item = self.decode, self.item

        def parse(body: bytes) -> list[Any]:  # what list_items does with a page's bytes: decode, then models
            return [item(element) for element in decode(body)["results"]]

        return parse

    async def fanout(self, count: int, limits: dict[str, Any]) -> float:
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
        return {
            **super().describe(),
            "avala": metadata.version("avala"),
            "file": self.avala.__file__,
            "decoder": self.decoder,
            "pool": pool_settings(self.client),
            "async_pool": self.async_pool(),
        }

    def async_pool(self) -> str:
        """The pool limits of a fresh ``AsyncClient`` (what the fan-out uses)."""
        client = self.avala.AsyncClient(api_key=API_KEY, base_url=self.base_url)
        try:
            return pool_settings(client)
        finally:
            asyncio.run(client.close())

    def check(self) -> None:
        dataset = self.get()
        assert dataset.uid == payloads.DATASET_UID and dataset.created_at.year == 2026, dataset
        page = self.list_items()
        assert len(page) == payloads.PAGE_SIZE and page.next_cursor == "cD0yMDI2LTAyLTI0", page
        assert page.items[0].updated_at.tzinfo is not None


def decoder() -> tuple[Callable[[bytes], Any], str]:
    """The JSON decoder of the ``avala`` under test and its name: ``avala._json.loads`` where the SDK has it (orjson
    or the standard library, as ``avala._json.backend()`` says), else ``json.loads`` (httpx's ``Response.json()``)."""
    try:
        from avala import _json  # type: ignore[attr-defined, unused-ignore]
    except ImportError:
        return json.loads, "json (httpx Response.json())"
    backend = getattr(_json, "backend", None)
    name = backend() if callable(backend) else ("orjson" if "orjson" in sys.modules else "json")
    return _json.loads, f"{name} (avala._json)"


def pool_settings(client: Any) -> str:
    """The pool limits of an SDK client's httpx client, as far as they can be read."""
    http = None
    for path in (("_transport", "http"), ("_transport", "_client")):
        http = client
        for attribute in path:
            http = getattr(http, attribute, None)
        if http is not None:
            break
    pool = getattr(getattr(http, "_transport", None), "_pool", None)
    if pool is None:
        return "?"
    return (
        f"max_connections={pool._max_connections}, max_keepalive_connections={pool._max_keepalive_connections}, "
        f"keepalive_expiry={pool._keepalive_expiry}"
    )


def cpu_seconds(call: Callable[[], Any], count: int) -> float:
    """Client CPU seconds of ``count`` calls (the server is another process)."""
    gc.collect()
    started = time.process_time()
    for _ in range(count):
        call()
    return time.process_time() - started


def parse_seconds(parse: Callable[[bytes], Any], body: bytes, count: int) -> float:
    """CPU seconds of turning the page's bytes into what a caller gets ``count`` times (JSON decoding included)."""
    gc.collect()
    started = time.process_time()
    for _ in range(count):
        parse(body)
    return time.process_time() - started


def main() -> None:
    """Set up, check, warm up, then answer commands until ``quit``."""
    kind, base_url = sys.argv[1], sys.argv[2]
    cold = sys.argv[3:] == ["cold"]
    contender: Contender = RawHttpx(base_url) if kind == "httpx" else Sdk(base_url)
    body = payloads.encode(payloads.page(base_url))  # the very bytes the server sends
    parse, floor_parse = contender.parser(), contender.floor().parser()
    assert len(parse(body) if kind == "sdk" else parse(body)["results"]) == payloads.PAGE_SIZE
    if not cold:
        contender.check()
        for _ in range(30):  # warm-up: connections, caches, lazily imported modules
            for warming in (contender, contender.floor()):
                warming.get()
                warming.list_items()
    for _ in range(3):
        parse(body)
    print(json.dumps({**contender.describe(), "no_speedups": os.environ.get("AVALA_NO_SPEEDUPS")}), flush=True)
    for line in sys.stdin:
        command, _, arguments = line.strip().partition(" ")
        argument, _, rest = arguments.partition(" ")
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
            value = parse_seconds(parse, body, count)
        elif command == "floor-parse":
            value = parse_seconds(floor_parse, body, count)
        elif command == "fanout":
            value = asyncio.run(contender.fanout(count, json.loads(rest)))
        else:
            raise SystemExit(f"worker: unknown command {line!r}")
        print(json.dumps({"seconds": value}), flush=True)


if __name__ == "__main__":
    main()
