"""Client CPU of one 100-item ``datasets.list_items`` page: raw httpx + ``.json()`` against the SDK, with the standard
library's json and with orjson (``avala[speedups]``), measured in one process, interleaved and repeated.

    .venv/bin/python benchmarks/decode_micro.py [--rounds 30] [--batch 20]

The server runs in a child process (its CPU is not the client's) on loopback and writes each response, head and
body, in one ``sendall``: a head and a body written apart meet delayed ACKs, which inflate every client's time alike
and pull the ratios towards 1. Each round times a batch of calls of every variant, in a rotating order; a variant's
figure is the median of its per-call CPU time over the rounds (with the interquartile range), a ratio the median of
the per-round ratios (paired in time, so that the load of a shared machine cancels out as far as it can).

Goals (issue 20): the SDK at most 1.15x raw httpx + ``.json()`` without any extra, at most 0.8x with orjson. Independent
of ``run.py``; needs only the SDK, httpx and (for the orjson row) orjson.
"""

from __future__ import annotations

import argparse
import gc
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import payloads  # noqa: E402  (the benchmarks' shared payloads, next to this file)

GOALS = {"sdk json": 1.15, "sdk orjson": 0.8}


def serve() -> None:
    """The server: every GET gets the 100-item page, head and body in one write. Prints its port, serves forever."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    body = payloads.encode(payloads.page(f"http://127.0.0.1:{port}/api/v1"))
    whole = (
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: "
        + str(len(body)).encode()
        + b"\r\nx-request-id: req_0123456789abcdef\r\nconnection: keep-alive\r\n\r\n"
        + body
    )

    def handle(conn: socket.socket) -> None:
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        pending = b""
        with conn:
            while True:
                while b"\r\n\r\n" not in pending:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    pending += chunk
                _, pending = pending.split(b"\r\n\r\n", 1)  # a GET has no body
                conn.sendall(whole)

    print(port, flush=True)
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=handle, args=(conn,), daemon=True).start()


def variants(port: int) -> tuple[dict[str, Callable[[], Any]], Callable[[], None]]:
    """The calls to time, by name, and what closes their clients."""
    import httpx

    os.environ["AVALA_ALLOW_INSECURE_BASE_URL"] = "1"  # a plain-http loopback server
    import avala
    from avala import _json

    base = f"http://127.0.0.1:{port}/api/v1"
    url = f"{base}/datasets/{payloads.OWNER}/{payloads.SLUG}/items/"
    http = httpx.Client()
    client = avala.Client(api_key="bench", base_url=base)
    stdlib = _json.stdlib_loads
    try:
        import orjson
    except ImportError:
        fast = None
    else:
        fast = _json.make_orjson_loads(orjson)

    def raw() -> Any:
        return http.get(url, params={"limit": 100}).json()

    def sdk(decoder: Callable[[bytes], Any]) -> Callable[[], Any]:
        def call() -> Any:
            _json._use(decoder)
            return client.datasets.list_items(payloads.OWNER, payloads.SLUG, limit=100)

        return call

    calls: dict[str, Callable[[], Any]] = {"httpx + .json()": raw, "sdk json": sdk(stdlib)}
    if fast is not None:
        calls["sdk orjson"] = sdk(fast)

        def raw_orjson() -> Any:  # for reference: raw httpx decoded by orjson by hand (no model, no checks)
            return orjson.loads(http.get(url, params={"limit": 100}).content)

        calls["httpx + orjson"] = raw_orjson

    def close() -> None:
        http.close()
        client.close()

    return calls, close


def quartiles(values: list[float]) -> tuple[float, float, float]:
    q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return q1, median, q3


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--batch", type=int, default=20, help="calls per variant per round")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve()
        return 0
    server = subprocess.Popen([sys.executable, __file__, "--serve"], stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        calls, close = variants(port)
        names = list(calls)
        for name in names:  # warm up: connections open, modules imported, caches filled
            for _ in range(5):
                calls[name]()
        per_call: dict[str, list[float]] = {name: [] for name in names}
        for round_ in range(args.rounds):
            order = names[round_ % len(names) :] + names[: round_ % len(names)]
            for name in order:
                call = calls[name]
                gc.collect()
                started = time.process_time()
                for _ in range(args.batch):
                    call()
                per_call[name].append((time.process_time() - started) / args.batch * 1e6)
        close()
    finally:
        server.kill()
        server.wait()
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"client CPU per 100-item page, {args.rounds} rounds x {args.batch} calls (load average {load})")
    for name in names:
        q1, median, q3 = quartiles(per_call[name])
        print(f"  {name:<16} median {median:8.1f} us   IQR {q1:8.1f} .. {q3:8.1f}")
    base = per_call[names[0]]
    for name in names[1:]:
        if name not in GOALS:
            ratios = [mine / raw for mine, raw in zip(per_call[name], base, strict=True)]
            q1, median, q3 = quartiles(ratios)
            print(f"  {name} / raw: {median:.3f}x (IQR {q1:.3f} .. {q3:.3f}) (for reference)")
    for name, goal in GOALS.items():
        if name not in per_call:
            print(f"  {name}: orjson is not installed")
            continue
        ratios = [mine / raw for mine, raw in zip(per_call[name], base, strict=True)]
        q1, median, q3 = quartiles(ratios)
        verdict = "meets" if median <= goal else "misses"
        print(f"  {name} / raw: {median:.3f}x (IQR {q1:.3f} .. {q3:.3f}); goal <= {goal}x: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
