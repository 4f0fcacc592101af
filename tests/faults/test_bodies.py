"""A hostile server on loopback: bodies built to make the SDK work hard (regex bait, gzip bombs, endless drips).

Each case asserts the exact error type, that no secret and no wrong answer came out, and that the work stayed
bounded: time and memory bounds have generous factors (a 200 KB hostile body is handled in well under a second of
CPU, measured as process time so that a busy machine does not fail the test; without the bounds these cases took
10-35 s of CPU, or hundreds of MiB). Sync and async alike (``mode``).
"""

from __future__ import annotations

import gzip
import json
import socket
import time
import tracemalloc
import zlib
from functools import cache

import pytest

from avala._redaction import MAX_TEXT
from avala.errors import APIResponseValidationError, AvalaError, ServerError
from tests.conftest import API_KEY
from tests.test_faults import DATASET, Loopback, checked_out, get, is_dataset, make_probe, reply

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NSJ9.c2lnbmF0dXJlLXNlY3JldA"
SIZE = 200_000


def fill(unit: str, prefix: str = "") -> str:
    return prefix + unit * ((SIZE - len(prefix)) // len(unit))


HOSTILE_TEXT = {
    "script-runs": fill("<script ", "<html>"),
    "style-runs": fill("<style>", "<html>"),
    "anchor-runs": fill("<a", "<html>"),
    "closing-runs": fill("</", "<html>"),
    "eyJ-runs": fill("eyJ"),
    "jwt-and-key": fill(f"{JWT} X-Avala-Api-Key: {API_KEY} token={API_KEY} "),
    "private-key-id-runs": fill('"private_key_id": "'),
    "secret-key-runs": fill("aws_secret_access_key   "),
    "arn-runs": fill("arn:aws:"),
    "quoted-key-runs": fill('"password":'),
}
SECRETS = (API_KEY, "c2lnbmF0dXJlLXNlY3JldA")


def assert_clean(error: AvalaError) -> None:
    """No secret anywhere a user or a log can see it, and nothing unbounded kept."""
    for text in (str(error), repr(error), str(error.body), str(error.request_id)):
        for secret in SECRETS:
            assert secret not in text
    assert len(str(error)) < 600
    if isinstance(error.body, str):
        assert len(error.body) <= MAX_TEXT + 1


@pytest.mark.parametrize("kind", list(HOSTILE_TEXT))
async def test_a_hostile_error_body_costs_little(mode: str, server: Loopback, kind: str) -> None:
    """A 200 KB error page (retried twice, so three errors are built) is handled in well under a second."""
    server.script = [reply(502, HOSTILE_TEXT[kind])] * 3
    probe = make_probe(mode, server.base)
    try:
        started = time.process_time()
        with pytest.raises(ServerError) as info:
            await probe.run(get)
        elapsed = time.process_time() - started
        assert type(info.value) is ServerError and info.value.attempts == 3
        assert info.value.message.startswith("HTTP 502")
        assert_clean(info.value)
        assert elapsed < 1.0, f"{elapsed:.2f} s"
        assert checked_out(probe.client) == []
    finally:
        await probe.close()


@pytest.mark.parametrize("kind", list(HOSTILE_TEXT))
async def test_a_hostile_unparseable_success_body_costs_little(mode: str, server: Loopback, kind: str) -> None:
    server.script = [reply(200, HOSTILE_TEXT[kind].encode())]
    probe = make_probe(mode, server.base)
    try:
        started = time.process_time()
        with pytest.raises(APIResponseValidationError) as info:
            await probe.run(get)
        elapsed = time.process_time() - started
        assert info.value.message.startswith("HTTP 200 response with a body that is not valid JSON")
        assert_clean(info.value)
        assert elapsed < 1.0, f"{elapsed:.2f} s"
    finally:
        await probe.close()


async def test_a_huge_json_error_body_costs_little(mode: str, server: Loopback) -> None:
    body = {"detail": fill("eyJ"), "token": API_KEY, "extra": [fill("<a")] * 3}
    server.script = [reply(400, body)]
    probe = make_probe(mode, server.base)
    try:
        started = time.process_time()
        with pytest.raises(AvalaError) as info:
            await probe.run(get)
        assert time.process_time() - started < 1.0
        assert info.value.status_code == 400
        assert_clean(info.value)
    finally:
        await probe.close()


# --- the bound on a body ------------------------------------------------------------------------------------------


@cache
def gzip_bomb(inflated: int) -> bytes:
    """``inflated`` zero bytes, gzip-compressed (about a thousandth of that on the wire)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(1 << 20)
    parts = [packer.compress(block) for _ in range(inflated >> 20)]
    return b"".join([*parts, packer.flush()])


async def test_a_gzip_bomb_is_refused_within_the_bound(mode: str, server: Loopback) -> None:
    bomb = gzip_bomb(64 << 20)
    assert len(bomb) < 100_000
    server.script = [reply(200, bomb, {"Content-Encoding": "gzip"})]
    probe = make_probe(mode, server.base, max_response_bytes=1 << 20)
    try:
        tracemalloc.start()
        try:
            with pytest.raises(APIResponseValidationError) as info:
                await probe.run(get)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        error = info.value
        assert str(error) == (
            "datasets.get: HTTP 200 response with a body larger than 1 MiB, the client's max_response_bytes "
            "(not read further)"
        )
        assert error.body is None and error.attempts == 1 and error.request_id == "req-7"
        assert peak < 24 << 20, f"peak {peak / 1048576:.1f} MiB for a 1 MiB bound"  # 64 MiB without the bound
        assert len(server.seen) == 1 and probe.sleeps == []  # not retried
        assert checked_out(probe.client) == []
    finally:
        await probe.close()


@pytest.mark.parametrize("encoding", ["identity", "gzip"])
async def test_the_bound_is_exact(mode: str, server: Loopback, encoding: str) -> None:
    """A body of exactly max_response_bytes parses; one byte fewer allowed fails: the bound is the decoded size."""
    raw = json.dumps(DATASET).encode()
    wire, headers = (gzip.compress(raw), {"Content-Encoding": "gzip"}) if encoding == "gzip" else (raw, {})
    for limit, ok in ((len(raw), True), (len(raw) - 1, False)):
        server.script = [reply(200, wire, headers)]
        probe = make_probe(mode, server.base, max_response_bytes=limit)
        try:
            if ok:
                is_dataset(await probe.run(get))
            else:
                with pytest.raises(APIResponseValidationError, match=f"larger than {limit:,} bytes"):
                    await probe.run(get)
        finally:
            await probe.close()


def endless_drip(conn: socket.socket, server: Loopback) -> bool:
    """A chunked 200 that never ends: 4 KiB of JSON-ish bytes at a time, until the client hangs up."""
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
    chunk = b"1000\r\n" + b"[" * 4096 + b"\r\n"
    try:
        for _ in range(100_000):
            conn.sendall(chunk)
            time.sleep(0.0005)
    except OSError:
        pass
    return False


async def test_an_endless_drip_stops_at_the_bound(mode: str, server: Loopback) -> None:
    server.script = [endless_drip]
    probe = make_probe(mode, server.base, max_response_bytes=256 << 10)
    try:
        started = time.perf_counter()
        with pytest.raises(APIResponseValidationError, match="larger than 256 KiB"):
            await probe.run(get)
        assert time.perf_counter() - started < 10  # 64 chunks; the drip alone would last a minute
        assert len(server.seen) == 1
        assert checked_out(probe.client) == []
    finally:
        await probe.close()


def slow_drip(conn: socket.socket, server: Loopback) -> bool:
    """A valid body, one byte at a time."""
    body = json.dumps(DATASET).encode()
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body))
    for byte in body:
        conn.sendall(bytes([byte]))
        time.sleep(0.001)
    return True


async def test_a_slow_drip_is_read_whole(mode: str, server: Loopback) -> None:
    server.script = [slow_drip]
    probe = make_probe(mode, server.base)
    try:
        is_dataset(await probe.run(get))
    finally:
        await probe.close()


def test_the_default_bound_is_documented() -> None:
    from avala import AsyncClient, Client
    from avala._config import DEFAULT_MAX_RESPONSE_BYTES

    assert DEFAULT_MAX_RESPONSE_BYTES == 64 << 20
    assert Client(api_key=API_KEY)._config.max_response_bytes == 64 << 20
    assert AsyncClient(api_key=API_KEY, max_response_bytes=10)._config.max_response_bytes == 10
    for bad in (0, -1, 1.5, True, "1"):
        with pytest.raises(ValueError, match="max_response_bytes"):
            Client(api_key=API_KEY, max_response_bytes=bad)  # type: ignore[arg-type]


def test_a_secret_across_the_cut_is_redacted_whole() -> None:
    """Redaction reads past its cut, so a secret the cut falls inside never shows in part."""
    from avala._redaction import redact_text

    secret = "plain-s3cr3t-value-42"
    text = "x" * (MAX_TEXT - 5) + secret + "y" * 1000
    out = redact_text(text, [secret])
    assert len(out) == MAX_TEXT + 1 and out.endswith("…")
    assert secret[:5] not in out and "[reda" in out
    assert redact_text("short " + secret, [secret]) == "short [redacted]"
