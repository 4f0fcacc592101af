"""``make bench`` compares like with like: its loopback server sends each response in one piece, and its raw httpx
contender of the async fan-out runs with this SDK's pool limits and bound on calls in flight. No figure is asserted:
these check the benchmark's set-up, not its results (the benchmark itself is not part of the suite)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import payloads  # noqa: E402  (benchmarks/)
import run  # noqa: E402

from avala._transport import POOL_LIMITS, POOL_SIZE  # noqa: E402


@pytest.fixture(scope="module")
def server() -> Iterator[run.Server]:
    started = run.Server()
    try:
        yield started
    finally:
        started.stop()


def test_each_response_leaves_the_server_in_one_send(server: run.Server) -> None:
    before = server.stats()
    item_url = f"{server.base_url}/datasets/{payloads.OWNER}/{payloads.SLUG}/items/"
    get_url = f"{server.base_url}/datasets/{payloads.DATASET_UID}/"
    clients = [httpx.Client(), httpx.Client()]  # two connections, a ~150 KB page and a small body on each
    try:
        for _ in range(5):
            for client in clients:
                page = client.get(item_url, params={"limit": 100})
                assert page.status_code == 200 and len(page.json()["results"]) == payloads.PAGE_SIZE
                assert client.get(get_url).json()["uid"] == payloads.DATASET_UID
                assert client.get(f"{server.base_url}/nowhere/").status_code == 404
    finally:
        for client in clients:
            client.close()
    after = server.stats()
    responses = after["responses"] - before["responses"]
    assert responses == 30
    # a head written apart from its body, or a page the kernel took in two sends, would show as more sends
    assert after["sends"] - before["sends"] == responses
    assert after["partial"] == before["partial"]


def test_raw_httpx_fans_out_with_the_sdks_pool_and_bound(server: run.Server) -> None:
    limits = run.fanout_limits()
    assert limits == {
        "max_connections": POOL_LIMITS.max_connections,
        "max_keepalive_connections": POOL_LIMITS.max_keepalive_connections,
        "keepalive_expiry": POOL_LIMITS.keepalive_expiry,
        "in_flight": POOL_SIZE,
    }
    worker = run.Worker("httpx", sys.executable, "httpx", server.base_url, cold=True)
    try:
        server.settle(0)
        server.stats(reset=True)
        assert worker.ask(f"fanout {4 * POOL_SIZE} {json.dumps(limits)}") > 0
        stats = server.stats()
        # httpx's defaults would open up to 100 connections for 80 concurrent gets; the SDK's pool opens 20
        assert 0 < stats["accepted"] <= POOL_SIZE and stats["peak_open"] <= POOL_SIZE
    finally:
        worker.stop()


def test_an_sdk_worker_parses_bytes_and_reports_its_decoder_and_pools(server: run.Server) -> None:
    worker = run.Worker("ours", sys.executable, "sdk", server.base_url, cold=True, env={"AVALA_NO_SPEEDUPS": "1"})
    try:
        assert worker.info["no_speedups"] == "1"
        assert worker.info["decoder"].startswith("json")  # AVALA_NO_SPEEDUPS=1: the standard library decodes
        pool = f"max_connections={POOL_SIZE}, max_keepalive_connections={POOL_SIZE}"
        assert worker.info["pool"].startswith(pool) and worker.info["async_pool"].startswith(pool)
        assert set(worker.info["stack"]) == set(run.STACK)
        for command in ("parse 2", "floor-parse 2", "get 2", "floor-get 2", "list 2", "floor-list 2"):
            assert worker.ask(command) >= 0
    finally:
        worker.stop()


def test_an_sdk_worker_with_the_speedups_decodes_with_orjson(server: run.Server) -> None:
    # orjson comes with the test dependency group (the tests run both decoders)
    worker = run.Worker("ours+orjson", sys.executable, "sdk", server.base_url, cold=True)
    try:
        assert worker.info["no_speedups"] is None
        assert worker.info["decoder"] == "orjson (avala._json)"
        assert worker.ask("parse 2") >= 0
    finally:
        worker.stop()
