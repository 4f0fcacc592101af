"""datasets.upload_files / create_from_local against real S3 (moto) behind a fake Avala API: every fault of the
issue, with the sync and the async client. Stored objects are read back and compared byte for byte."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from avala.errors import FileChangedError, QuotaExceededError, UploadStateError
from avala.types import Dataset
from avala.uploads._allow import StorageHostError
from avala.uploads._storage import StorageError
from tests.conftest import API_KEY

from .conftest import Runner, write
from .fake_api import USER_UID, ApiFault, FakeAvala
from .storage import Fault

MiB = 1024 * 1024


def puts(proxy: Any, needle: str = "") -> list[Any]:
    """Storage requests (PUT/POST) the proxy forwarded, whose path contains ``needle``."""
    return [r for r in proxy.requests if r.method in ("PUT", "POST") and needle in r.path]


def state_files(state_dir: Path) -> list[Path]:
    return sorted(p for p in (state_dir / "datasets").glob("*") if p.is_file())


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A source directory: small files and one 12 MiB file (3 parts of 5 MiB)."""
    root = tmp_path / "src"
    write(root / "a.jpg", 1000, 1)
    write(root / "sub" / "b.png", 300_000, 2)
    write(root / "sub" / "deep" / "c.bin", 17, 3)
    write(root / "big.mcap", 12 * MiB + 123, 4)
    return root


def rels(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_create_from_local_stores_every_byte_and_finalizes(
    run_any_loop: Runner, fake_api: FakeAvala, storage_proxy: Any, tree: Path, state_dir: Path
) -> None:
    progress: list[tuple[str, int]] = []
    byte_total: dict[str, int] = {}

    def on_bytes(relative: str, delta: int) -> None:
        byte_total[relative] = byte_total.get(relative, 0) + delta

    dataset = run_any_loop.create_from_local(
        source=tree,
        name="Run 42",
        slug="run-42",
        data_type="image",
        on_progress=lambda r, n: progress.append((r, n)),
        on_bytes=on_bytes,
        wait=True,
        workers=3,
    )
    assert isinstance(dataset, Dataset) and dataset.status == "created"
    for relative in rels(tree):
        assert fake_api.read("Run 42", relative) == (tree / relative).read_bytes()
    sizes = {r: (tree / r).stat().st_size for r in rels(tree)}
    assert dict(progress) == sizes and byte_total == sizes
    (finalize,) = fake_api.calls("/datasets/manual-upload/")
    batch = finalize.pop("dataset_upload_uid")
    assert finalize == {"name": "Run 42", "slug": "run-42", "data_type": "image", "visibility": "private",
                        "create_metadata": True}  # fmt: skip
    presigns = fake_api.calls("/file-upload-url/")
    assert {p["dataset_upload_uid"] for p in presigns} == {batch}
    assert all(p["upload_protocol_version"] == 2 for p in presigns)
    assert len(puts(storage_proxy, "partNumber=")) == 3  # the big file went in 3 parts
    # the API key never went to storage; no presigned URL was ever written to disk; the state is gone
    assert all("x-avala-api-key" not in {k.lower() for k in r.headers} for r in storage_proxy.requests)
    left = [p.name for p in state_files(state_dir)]
    assert left == [
        "Run_42-" + left[0].split("-")[1].split(".")[0] + ".lock",
        "identity.json",
    ]  # no snapshot, no journal
    assert (state_dir / "datasets" / left[0]).read_bytes() == b""


def test_upload_files_v1_form_posts(run: Runner, fake_api: FakeAvala, tree: Path) -> None:
    files = [(str(tree / r), f"x/{r}") for r in rels(tree)]
    sent = run.upload_files(dataset_name="v1", files=files, workers=2)
    assert sent == sum((tree / r).stat().st_size for r in rels(tree))
    for relative in rels(tree):
        assert fake_api.read("v1", f"x/{relative}") == (tree / relative).read_bytes()
    assert all("dataset_upload_uid" not in p for p in fake_api.calls("/file-upload-url/"))


def test_a_second_run_sends_nothing_and_reports_every_file_skipped(
    run: Runner, fake_api: FakeAvala, storage_proxy: Any, tree: Path
) -> None:
    files = [(str(tree / r), r) for r in rels(tree)]
    first = run.upload_files(dataset_name="again", files=files)
    storage_proxy.reset()
    presigns = len(fake_api.calls("/file-upload-url/"))
    skipped: list[str] = []
    second = run.upload_files(dataset_name="again", files=files, on_skipped=skipped.append)
    assert first > 0 and second == 0
    assert sorted(skipped) == rels(tree)
    assert puts(storage_proxy) == [] and len(fake_api.calls("/file-upload-url/")) == presigns
    (tree / "a.jpg").write_bytes(b"changed")  # a changed file is sent again, alone
    third = run.upload_files(dataset_name="again", files=files)
    assert third == 7 and fake_api.read("again", "a.jpg") == b"changed"


def test_storage_5xx_then_success(run_any_loop: Runner, fake_api: FakeAvala, storage_proxy: Any, tree: Path) -> None:
    run = run_any_loop
    storage_proxy.add(Fault(lambda m, p: m == "PUT" and "a.jpg" in p, status=503, headers={"Retry-After": "0"}))
    storage_proxy.add(Fault(lambda m, p: "partNumber=2" in p, status=500, times=2))
    run.create_from_local(source=tree, name="flaky", slug="flaky", data_type="image")
    for relative in rels(tree):
        assert fake_api.read("flaky", relative) == (tree / relative).read_bytes()
    assert len([p for p in fake_api.calls("/file-upload-url/") if p["file_path_in_dataset"] == "a.jpg"]) == 2


def test_a_dropped_connection_mid_part_resends_only_missing_parts(
    run: Runner, fake_api: FakeAvala, storage_proxy: Any, tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from avala.uploads import _datasets
    from avala.uploads._storage import RetryPolicy

    monkeypatch.setattr(_datasets, "POLICY", RetryPolicy(attempts=1))  # the first failure ends the run
    files = [(str(tree / "big.mcap"), "big.mcap")]
    batch = "3c9a1f6e-2b4d-4c8e-9f1a-7d6b5e4c3a21"
    storage_proxy.add(Fault(lambda m, p: "partNumber=2" in p, drop_after=MiB))
    with pytest.raises(StorageError) as info:
        run.upload_files(dataset_name="dropped", files=files, dataset_upload_uid=batch, workers=1)
    assert info.value.ambiguous and "X-Amz" not in str(info.value)
    assert len(puts(storage_proxy, "partNumber=1")) == 1
    storage_proxy.reset()
    sent = run.upload_files(dataset_name="dropped", files=files, dataset_upload_uid=batch, workers=1)
    assert [r.path.split("partNumber=")[1][:1] for r in puts(storage_proxy, "partNumber=")] == ["2", "3"]
    assert sent == (tree / "big.mcap").stat().st_size - 5 * MiB
    assert fake_api.read("dropped", "big.mcap") == (tree / "big.mcap").read_bytes()


def test_a_file_modified_mid_upload_is_never_recorded_as_done(run: Runner, fake_api: FakeAvala, tree: Path) -> None:
    target = tree / "big.mcap"
    touched = threading.Event()

    def on_bytes(relative: str, delta: int) -> None:
        if not touched.is_set() and delta > 0:
            touched.set()
            with open(target, "r+b") as handle:  # same size, new bytes and mtime
                handle.write(b"\xff" * 10)
            os.utime(target, ns=(time.time_ns(), time.time_ns() + 10**9))

    files = [(str(target), "big.mcap")]
    with pytest.raises(FileChangedError, match="modified while"):
        run.upload_files(dataset_name="changing", files=files, on_bytes=on_bytes, workers=1)
    skipped: list[str] = []
    sent = run.upload_files(dataset_name="changing", files=files, on_skipped=skipped.append)
    assert skipped == [] and sent == target.stat().st_size
    assert fake_api.read("changing", "big.mcap") == target.read_bytes()


def test_quota_413_and_the_preflight(run: Runner, fake_api: FakeAvala, storage_proxy: Any, tree: Path) -> None:
    fake_api.quota = (100, 5000)  # the tree is far larger than the whole limit: refused before any byte
    with pytest.raises(QuotaExceededError) as info:
        run.create_from_local(source=tree, name="q", slug="q", data_type="image")
    assert (info.value.limit, info.value.used) == (5000, 100)
    assert fake_api.calls("/file-upload-url/") == [] and puts(storage_proxy) == []
    fake_api.quota = (4500, 5000)  # a.jpg fits the limit, not what is left: the presign's 413 decides
    for check_quota in (True, False):
        before = len(fake_api.calls("/file-upload-url/"))
        with pytest.raises(QuotaExceededError) as info:
            run.create_from_local(
                source=tree / "a.jpg", name="q2", slug="q2", data_type="image", check_quota=check_quota
            )
        assert (info.value.status_code, info.value.limit, info.value.used) == (413, 5000, 4500)
        assert len(fake_api.calls("/file-upload-url/")) == before + 1  # not retried
    assert puts(storage_proxy) == []


def test_a_presign_outside_the_allow_list_sends_nothing(
    run: Runner, fake_api: FakeAvala, storage_proxy: Any, tree: Path, state_dir: Path
) -> None:
    fake_api.storage_host_override = "https://evil.example.com"
    with pytest.raises(StorageHostError) as info:
        run.create_from_local(source=tree, name="allowlist", slug="allowlist", data_type="image", workers=1)
    assert "evil.example.com" in str(info.value) and "X-Amz" not in str(info.value)
    assert puts(storage_proxy) == []
    for path in state_files(state_dir):
        assert "X-Amz" not in path.read_text() and "evil" not in path.read_text()


def test_corrupt_or_foreign_state_fails_closed(
    run: Runner, fake_api: FakeAvala, storage_proxy: Any, tree: Path, state_dir: Path
) -> None:
    files = [(str(tree / "a.jpg"), "a.jpg")]
    run.upload_files(dataset_name="corrupt", files=files)
    (snapshot,) = (state_dir / "datasets").glob("corrupt-*.json")
    good = snapshot.read_text()
    storage_proxy.reset()
    snapshot.write_text(good[: len(good) // 2])
    with pytest.raises(UploadStateError) as info:
        run.upload_files(dataset_name="corrupt", files=files)
    assert str(snapshot) in str(info.value) and "Move it away" in str(info.value)
    data = json.loads(good)
    data["fingerprint"] = "https://elsewhere|||"
    snapshot.write_text(json.dumps(data))
    with pytest.raises(UploadStateError, match="another destination"):
        run.upload_files(dataset_name="corrupt", files=files)
    assert puts(storage_proxy) == []


def test_a_stored_file_gone_from_the_source_stops_the_upload(run: Runner, fake_api: FakeAvala, tree: Path) -> None:
    files = [(str(tree / r), r) for r in rels(tree)]
    run.upload_files(dataset_name="gone", files=files)
    with pytest.raises(ValueError, match="no longer in the source"):
        run.upload_files(dataset_name="gone", files=files[1:], resume=False)


def test_the_first_unrecoverable_error_stops_new_work(
    run: Runner, fake_api: FakeAvala, storage_proxy: Any, tmp_path: Path
) -> None:
    files = [(str(write(tmp_path / f"f{i}.bin", 100, i)), f"f{i}.bin") for i in range(20)]
    fake_api.faults.append(ApiFault(lambda m, p: p.endswith("/file-upload-url/"), 400, {"detail": "bad path"}))
    with pytest.raises(Exception, match="bad path"):
        run.upload_files(dataset_name="failfast", files=files, workers=2)
    assert len(fake_api.calls("/file-upload-url/")) <= 3  # the failure, and what was already running


def test_duplicate_destinations_are_refused_before_any_request(run: Runner, fake_api: FakeAvala, tree: Path) -> None:
    with pytest.raises(ValueError, match="same path in the dataset"):
        run.upload_files(dataset_name="dup", files=[(str(tree / "a.jpg"), "x"), (str(tree / "sub/b.png"), "x")])
    assert fake_api.requests == []


CHILD = textwrap.dedent(
    """
    import sys
    from avala import Client
    base, name, *paths = sys.argv[1:]
    with Client(api_key={key!r}, base_url=base) as client:
        client.datasets.upload_files(dataset_name=name, files=[(p, p.rsplit("/", 1)[1]) for p in paths], workers=1)
    """
).format(key=API_KEY)


def child(fake_api: FakeAvala, name: str, paths: list[Path]) -> subprocess.Popen[bytes]:
    env = {**os.environ}
    return subprocess.Popen([sys.executable, "-c", CHILD, fake_api.base_url, name, *map(str, paths)], env=env)


def test_two_processes_on_the_same_state(run: Runner, fake_api: FakeAvala, tree: Path, state_dir: Path) -> None:
    paths = [tree / "a.jpg", tree / "sub" / "b.png"]
    release = threading.Event()
    fake_api.gate = (lambda relative: relative == "b.png", release)
    process = child(fake_api, "shared", paths)
    try:
        deadline = time.monotonic() + 60
        while not any(b["file_path_in_dataset"] == "b.png" for b in fake_api.calls("/file-upload-url/")):
            assert time.monotonic() < deadline and process.poll() is None
            time.sleep(0.05)
        with pytest.raises(UploadStateError, match="another process"):
            run.upload_files(dataset_name="shared", files=[(str(p), p.name) for p in paths])
    finally:
        release.set()
        assert process.wait(60) == 0
    skipped: list[str] = []
    assert (
        run.upload_files(dataset_name="shared", files=[(str(p), p.name) for p in paths], on_skipped=skipped.append) == 0
    )
    assert sorted(skipped) == ["a.jpg", "b.png"]


def test_an_interrupted_run_resumed_by_a_new_process_resends_nothing_done(
    run: Runner, fake_api: FakeAvala, storage_proxy: Any, tmp_path: Path
) -> None:
    paths = [write(tmp_path / f"f{i}.bin", 50_000 + i, i) for i in range(5)]
    release = threading.Event()
    fake_api.gate = (lambda relative: relative == "f3.bin", release)
    process = child(fake_api, "killed", paths)
    try:
        deadline = time.monotonic() + 60
        while not any(b["file_path_in_dataset"] == "f3.bin" for b in fake_api.calls("/file-upload-url/")):
            assert time.monotonic() < deadline and process.poll() is None
            time.sleep(0.05)
        process.kill()  # SIGKILL: no cleanup, no flush
        process.wait(60)
    finally:
        release.set()
    assert len(puts(storage_proxy)) == 3  # f0, f1, f2 (form POSTs to the bucket URL)
    storage_proxy.reset()
    skipped: list[str] = []
    sent = run.upload_files(
        dataset_name="killed", files=[(str(p), p.name) for p in paths], on_skipped=skipped.append, workers=1
    )
    assert sorted(skipped) == ["f0.bin", "f1.bin", "f2.bin"]
    assert len(puts(storage_proxy)) == 2 and sent == paths[3].stat().st_size + paths[4].stat().st_size
    for path in paths:
        assert fake_api.read("killed", path.name) == path.read_bytes()


def test_the_storage_root_guard_refuses_to_finalize_under_another_account(
    run: Runner, fake_api: FakeAvala, tree: Path
) -> None:
    fake_api.user_uids = [USER_UID, "another-user"]  # before the upload, then after it
    with pytest.raises(UploadStateError, match="account behind this API key changed"):
        run.create_from_local(source=tree / "a.jpg", name="moved", slug="moved", data_type="image")
    assert fake_api.calls("/datasets/manual-upload/") == []  # never finalized
    dataset = run.create_from_local(source=tree / "a.jpg", name="moved", slug="moved", data_type="image")
    assert dataset.slug == "moved"


def test_an_organization_upload_sends_the_same_organization_everywhere(
    run: Runner, fake_api: FakeAvala, tree: Path
) -> None:
    org = "0b7d4e2a-6c1f-4a8e-9d3b-5f2a1c7e8b90"
    run.create_from_local(source=tree / "sub", name="org", slug="org", data_type="image", organization_uid=org)
    assert {p["organization_uid"] for p in fake_api.calls("/file-upload-url/")} == {org}
    assert fake_api.calls("/datasets/manual-upload/")[0]["organization_uid"] == org
    assert fake_api.calls("/users/me/") == []  # an organization upload needs no user lookup
    assert fake_api.read("org", "b.png", org) == (tree / "sub" / "b.png").read_bytes()


def test_no_presigned_url_or_form_field_in_logs_errors_or_state(
    run: Runner, fake_api: FakeAvala, storage_proxy: Any, tree: Path, state_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    storage_proxy.add(Fault(lambda m, p: m == "POST", status=503))  # one retried failure on the form POST
    with caplog.at_level(logging.DEBUG):
        run.upload_files(dataset_name="quiet", files=[(str(tree / "a.jpg"), "a.jpg")])
        run.create_from_local(source=tree, name="quiet2", slug="quiet2", data_type="image")
    ours = [r for r in caplog.records if r.name.split(".")[0] in ("avala", "httpx", "httpcore")]  # not the fake API
    text = "\n".join(record.getMessage() for record in ours)
    assert any(r.name == "httpx" for r in ours) and any(r.name == "avala" for r in ours)
    for secret in ("X-Amz-Signature", "X-Amz-Credential", "x-amz-signature", "policy", API_KEY):
        assert secret not in text
        for path in (state_dir / "datasets").glob("*"):
            assert secret not in path.read_text()


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_a_cancelled_async_upload_releases_the_lock_and_keeps_what_was_stored(
    backend: str, fake_api: FakeAvala, storage_proxy: Any, tmp_path: Path
) -> None:
    import anyio

    from avala import AsyncClient

    paths = [write(tmp_path / f"f{i}.bin", 10_000 + i, i) for i in range(4)]
    files = [(str(p), p.name) for p in paths]
    release = threading.Event()
    fake_api.gate = (lambda relative: relative == "f2.bin", release)

    async def cancelled() -> None:
        async with AsyncClient(api_key=API_KEY, base_url=fake_api.base_url) as client:
            with anyio.move_on_after(60) as scope:
                async with anyio.create_task_group() as group:

                    async def cancel_when_blocked() -> None:
                        while not any(
                            b["file_path_in_dataset"] == "f2.bin" for b in fake_api.calls("/file-upload-url/")
                        ):
                            await anyio.sleep(0.02)
                        scope.cancel()

                    group.start_soon(cancel_when_blocked)
                    await client.datasets.upload_files(dataset_name="cancelled", files=files, workers=1)
            assert scope.cancelled_caught

    try:
        anyio.run(cancelled, backend=backend)
    finally:
        release.set()
    skipped: list[str] = []
    storage_proxy.reset()
    sent = Runner(backend, fake_api.base_url).upload_files(
        dataset_name="cancelled", files=files, on_skipped=skipped.append
    )
    assert sorted(skipped) == ["f0.bin", "f1.bin"] and len(puts(storage_proxy)) == 2
    assert sent == paths[2].stat().st_size + paths[3].stat().st_size
