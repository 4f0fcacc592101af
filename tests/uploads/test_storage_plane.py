"""The storage plane against real S3 (moto on loopback): streaming from disk, byte hook, hashing, errors, no key."""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path
from typing import Any

import httpx
import pytest

from avala.errors import (
    APIConnectionError,
    QuotaExceededError,
    RateLimitError,
    ServerError,
    UploadStateError,
    ValidationError,
)
from avala.uploads._allow import StorageHostError
from avala.uploads._storage import (
    AsyncStoragePlane,
    FileChanged,
    FileRange,
    FormBody,
    RetryPolicy,
    StorageConnectionError,
    StorageError,
    StoragePlane,
    StorageRequest,
)

BUCKET = "plane"


@pytest.fixture
def data(tmp_path: Path) -> Path:
    path = tmp_path / "data.bin"
    path.write_bytes(os.urandom(3 * 1024 * 1024 + 17))
    return path


@pytest.fixture
def storage(s3: Any, storage_proxy: Any, allow_loopback: Any) -> Any:
    """S3 reached through the fault proxy, allowed by AVALA_STORAGE_HOSTS."""
    s3.create_bucket(BUCKET)
    allow_loopback(storage_proxy.endpoint)
    storage_proxy.s3 = s3.with_endpoint(storage_proxy.endpoint)
    return storage_proxy


class Plane:
    """Sends with the sync or the async plane, so every test runs against both."""

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def send(self, request: StorageRequest) -> httpx.Response:
        if self.kind == "sync":
            with StoragePlane(4) as plane:
                return plane.send(request)
        import asyncio

        async def go() -> httpx.Response:
            async with AsyncStoragePlane(4) as plane:
                return await plane.send(request)

        return asyncio.run(go())


@pytest.fixture(params=["sync", "async"])
def plane(request: pytest.FixtureRequest) -> Plane:
    return Plane(request.param)


def test_put_streams_the_file_with_byte_progress_and_hash(plane: Plane, storage: Any, s3: Any, data: Path) -> None:
    seen: list[int] = []
    hasher = hashlib.sha256()
    body = FileRange(data, on_bytes=seen.append, hasher=hasher, chunk_size=1024 * 1024)
    url = storage.s3.presigned_put(BUCKET, f"{plane.kind}/put.bin")
    response = plane.send(StorageRequest("PUT", url, "data.bin", {"X-Avala-Api-Key": "avk_leak"}, body))
    assert response.status_code == 200
    assert s3.read(BUCKET, f"{plane.kind}/put.bin") == data.read_bytes()
    assert sum(seen) == data.stat().st_size and max(seen) <= 1024 * 1024 and len(seen) == 4
    assert hasher.hexdigest() == hashlib.sha256(data.read_bytes()).hexdigest()
    sent = storage.requests[-1]
    lowered = {k.lower() for k in sent.headers}
    assert "x-avala-api-key" not in lowered and "authorization" not in lowered
    assert sent.headers["Content-Length"] == str(data.stat().st_size)


def test_a_range_sends_only_its_bytes(plane: Plane, storage: Any, s3: Any, data: Path) -> None:
    url = storage.s3.presigned_put(BUCKET, f"{plane.kind}/range.bin")
    plane.send(StorageRequest("PUT", url, "range", body=FileRange(data, 1000, 5000)))
    assert s3.read(BUCKET, f"{plane.kind}/range.bin") == data.read_bytes()[1000:6000]


def test_form_post_streams_fields_then_the_file(plane: Plane, storage: Any, s3: Any, data: Path) -> None:
    post = storage.s3.presigned_post(BUCKET, f"{plane.kind}/form.bin", "image/png")
    body = FormBody(post["fields"], "form.bin", "image/png", FileRange(data))
    response = plane.send(StorageRequest("POST", post["url"], "form.bin", body=body))
    assert response.status_code == 204
    assert s3.read(BUCKET, f"{plane.kind}/form.bin") == data.read_bytes()
    assert storage.requests[-1].size == body.length


def test_storage_5xx_is_a_storage_error_with_retry_after_and_no_url(plane: Plane, storage: Any, data: Path) -> None:
    from tests.uploads.storage import Fault

    storage.add(Fault(lambda m, p: m == "PUT", status=503, headers={"Retry-After": "7"}))
    seen: list[int] = []
    url = storage.s3.presigned_put(BUCKET, "fault.bin")
    with pytest.raises(StorageError) as info:
        plane.send(StorageRequest("PUT", url, "fault.bin", body=FileRange(data, on_bytes=seen.append)))
    error = info.value
    assert error.status_code == 503 and error.retry_after == 7 and error.code == "InjectedFault"
    assert "X-Amz" not in str(error) and "fault.bin" in str(error) and "/plane/" not in str(error)
    assert sum(seen) == 0  # what was reported is taken back
    assert RetryPolicy().retryable(error)


def test_a_dropped_connection_is_an_ambiguous_connection_error(plane: Plane, storage: Any, data: Path) -> None:
    from tests.uploads.storage import Fault

    storage.add(Fault(lambda m, p: m == "PUT", drop_after=100_000))
    seen: list[int] = []
    url = storage.s3.presigned_put(BUCKET, "drop.bin")
    with pytest.raises(StorageConnectionError) as info:
        plane.send(StorageRequest("PUT", url, "drop.bin", body=FileRange(data, on_bytes=seen.append)))
    assert info.value.ambiguous and info.value.status_code is None
    assert "X-Amz" not in str(info.value) and "127.0.0.1" in str(info.value)
    assert sum(seen) == 0
    assert RetryPolicy().retryable(info.value)


def test_a_refused_host_sends_nothing(plane: Plane, storage: Any, data: Path) -> None:
    seen: list[int] = []
    with pytest.raises(StorageHostError):
        plane.send(
            StorageRequest("PUT", "https://evil.example.com/k?sig=1", "x", body=FileRange(data, on_bytes=seen.append))
        )
    assert seen == [] and storage.requests == []


def test_a_file_that_shrinks_mid_send_fails_and_is_not_stored(plane: Plane, storage: Any, s3: Any, data: Path) -> None:
    body = FileRange(data)
    data.write_bytes(data.read_bytes()[:1000])  # shorter than the range now
    url = storage.s3.presigned_put(BUCKET, f"{plane.kind}/shrunk.bin")
    with pytest.raises((FileChanged, StorageError)):
        plane.send(StorageRequest("PUT", url, "shrunk.bin", body=body))
    assert not s3.exists(BUCKET, f"{plane.kind}/shrunk.bin")


def test_expect_eof_catches_a_file_that_grew(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"abcdef")
    body = FileRange(path, 0, 3, expect_eof=True)
    with pytest.raises(FileChanged, match="longer"):
        list(body)
    assert b"".join(FileRange(path, 0, 6, expect_eof=True)) == b"abcdef"


def test_the_httpx_log_line_loses_the_signed_query(storage: Any, data: Path, caplog: pytest.LogCaptureFixture) -> None:
    url = storage.s3.presigned_put(BUCKET, "logged.bin")
    with caplog.at_level(logging.INFO, logger="httpx"), StoragePlane(1) as plane:
        plane.send(StorageRequest("PUT", url, "logged.bin", body=FileRange(data)))
    lines = [r.getMessage() for r in caplog.records if r.name == "httpx"]
    assert lines and all("X-Amz-Signature" not in line and "X-Amz-Credential" not in line for line in lines)


def test_retry_policy() -> None:
    policy = RetryPolicy()
    assert policy.retryable(ServerError("x", 502))
    assert policy.retryable(RateLimitError("x", 429))
    assert policy.retryable(APIConnectionError("x"))
    assert not policy.retryable(ValidationError("x", 400))
    assert not policy.retryable(QuotaExceededError("x", 413))
    assert not policy.retryable(UploadStateError("x"))
    assert not policy.retryable(StorageError("x", 403, host="h", ambiguous=False))
    assert not policy.retryable(FileChanged("x"))
    assert not policy.retryable(ValueError("x"))
    assert policy.delay(0, None, lambda: 0.0) == 1.0
    assert policy.delay(3, None, lambda: 1.0) == 8.0 + 1.5
    assert policy.delay(10, None, lambda: 0.0) == 60.0
    assert policy.delay(0, StorageError("x", 503, host="h", ambiguous=True, retry_after=30), lambda: 0.0) == 30
    assert policy.delay(0, StorageError("x", 503, host="h", ambiguous=True, retry_after=10**6), lambda: 0.0) == 900
    fleet = RetryPolicy(attempts=3, base=1.0, cap=2.0, jitter=0.0)
    assert [fleet.delay(k, None, lambda: 0.5) for k in range(2)] == [1.0, 2.0]
