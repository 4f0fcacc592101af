"""``client.fleet.uploads.upload_recording``: the classic session against real S3 (moto), sync and async.

The fake fleet API (fleet_api.py) mints real presigned PUTs; every uploaded object is read back and its SHA-256
compared with the source. Faults: a crash after init before the receipt is updated, after the PUTs before the
confirm, a lost confirm, a crash during finalize, a source changed between runs, answers contradicting the receipt,
foreign URLs, storage 5xx and dropped connections, two processes on one recording.
"""

from __future__ import annotations

import inspect
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from avala import AsyncClient, Client
from avala.errors import UploadStateError
from avala.types import UploadSession
from avala.uploads import _fleet_state
from avala.uploads._fleet import UploadProgress

from .fleet_api import FleetAPI
from .fleet_helpers import MODES, RECORDING, Crash, file_sha, make_source, run, sha
from .storage import Fault

pytestmark = pytest.mark.usefixtures("allow_loopback", "state_dir")
ON_EVERY_EVENT_LOOP = True  # each async test runs on the loop its ``mode`` names

FILES = {"lidar/000001.pcd": 300_000, "lidar/000002.pcd": 1, "camera/front/a.jpg": 70_000, "meta.json": 1234}


@pytest.fixture
def api(s3: Any) -> FleetAPI:
    return FleetAPI(s3)


@pytest.fixture
def proxied(s3: Any, storage_proxy: Any, allow_loopback: Any) -> FleetAPI:
    """The fake API minting URLs through the fault proxy."""
    allow_loopback(storage_proxy.endpoint)
    return FleetAPI(s3, s3.with_endpoint(storage_proxy.endpoint))


@pytest.fixture
def source(tmp_path: Path) -> Path:
    return make_source(tmp_path / "recording", FILES)


def receipt_of(api: FleetAPI) -> dict[str, Any]:
    path = _fleet_state.Receipt("https://api.avala.ai/api/v1", RECORDING).path
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def assert_stored(api: FleetAPI, source: Path) -> None:
    for name in FILES:
        assert sha(api.classic_object(RECORDING, name)) == file_sha(source / name), name


def puts(proxy: Any) -> list[str]:
    return [r.path.split("?")[0] for r in proxy.requests if r.method == "PUT"]


# --- the published surface -----------------------------------------------------------------------------------------


def test_signature_is_the_published_one() -> None:
    for cls in (Client, AsyncClient):
        method = cls(api_key="k").fleet.uploads.upload_recording
        params = inspect.signature(method).parameters
        assert list(params)[:6] == [
            "recording_uid",
            "source_dir",
            "storage_config_uid",
            "max_workers",
            "on_progress",
            "on_bytes",
        ]
        assert (params["storage_config_uid"].default, params["max_workers"].default) == (None, 4)
        assert params["on_progress"].default is None
        assert [p.kind for p in params.values()][2:] == [inspect.Parameter.KEYWORD_ONLY] * 4


# --- the happy path ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
async def test_upload_round_trip_then_a_rerun_sends_nothing(mode: str, api: FleetAPI, source: Path) -> None:
    progress: list[UploadProgress] = []
    sent: list[int] = []
    session = await run(
        api,
        mode,
        "upload_recording",
        RECORDING,
        source,
        max_workers=3,
        on_progress=progress.append,
        on_bytes=lambda path, delta: sent.append(delta),
    )
    total = sum(FILES.values())
    assert isinstance(session, UploadSession) and session.status == "completed"
    assert (session.total_files, session.total_bytes, session.confirmed_files, session.confirmed_bytes) == (
        4,
        total,
        4,
        total,
    )
    assert_stored(api, source)
    assert progress == [UploadProgress(4, 4, total, total, 0)] and sum(sent) == total
    assert api.calls == ["status", "init", "urls", "confirm", "status", "finalize", "status"]
    assert receipt_of(api)["phase"] == "completed"
    # The receipt is kept: running again checks the session and sends nothing.
    again = await run(api, mode, "upload_recording", RECORDING, str(source))
    assert again.uid == session.uid and again.status == "completed"
    assert api.calls[7:] == ["status", "status"]


@pytest.mark.parametrize("mode", MODES)
async def test_many_files_go_in_batches_of_100(mode: str, api: FleetAPI, tmp_path: Path) -> None:
    source = make_source(tmp_path / "many", {f"f{i:03}.bin": 10 + i for i in range(230)})
    progress: list[UploadProgress] = []
    session = await run(api, mode, "upload_recording", RECORDING, source, on_progress=progress.append)
    assert session.confirmed_files == 230
    assert api.calls.count("urls") == 3 and api.calls.count("confirm") == 3
    assert [p.uploaded_files for p in progress] == [100, 200, 230]


# --- crashes and lost answers --------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
async def test_lost_init_answer_is_never_followed_by_a_second_init(mode: str, api: FleetAPI, source: Path) -> None:
    api.lose_response.add("init")
    with pytest.raises(UploadStateError, match="unknown") as first:
        await run(api, mode, "upload_recording", RECORDING, source)
    assert "X-Amz" not in str(first.value)
    assert receipt_of(api)["phase"] == "initializing"
    with pytest.raises(UploadStateError, match="will not start a second session"):
        await run(api, mode, "upload_recording", RECORDING, source)
    assert api.calls.count("init") == 1


@pytest.mark.parametrize("mode", MODES)
async def test_rejected_init_leaves_no_receipt(mode: str, api: FleetAPI, source: Path) -> None:
    api.fail["init"] = (400, {"files": ["Too many files."]})
    with pytest.raises(UploadStateError, match="init_upload failed"):
        await run(api, mode, "upload_recording", RECORDING, source)
    assert not _fleet_state.Receipt("https://api.avala.ai/api/v1", RECORDING).path.exists()
    session = await run(api, mode, "upload_recording", RECORDING, source)
    assert session.status == "completed"


@pytest.mark.parametrize("mode", MODES)
async def test_crash_after_init_before_the_receipt_is_updated(
    mode: str, api: FleetAPI, source: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The process dies between the init answer and the receipt's 'active': the receipt says 'initializing', so
    the next run refuses rather than open a second session."""
    write = _fleet_state.Receipt.write

    def crash_on_active(self: Any, data: dict[str, Any]) -> None:
        if data.get("phase") == "active":
            raise Crash()
        write(self, data)

    monkeypatch.setattr(_fleet_state.Receipt, "write", crash_on_active)
    with pytest.raises(Crash):
        await run(api, mode, "upload_recording", RECORDING, source)
    monkeypatch.setattr(_fleet_state.Receipt, "write", write)
    with pytest.raises(UploadStateError, match=r"initializing|whether it was created is unknown"):
        await run(api, mode, "upload_recording", RECORDING, source)
    assert api.calls.count("init") == 1


@pytest.mark.parametrize("mode", MODES)
async def test_crash_after_put_before_confirm_resumes(
    mode: str, api: FleetAPI, source: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write = _fleet_state.Receipt.write

    def crash_on_confirming(self: Any, data: dict[str, Any]) -> None:
        if data.get("phase") == "confirming":
            raise Crash()
        write(self, data)

    monkeypatch.setattr(_fleet_state.Receipt, "write", crash_on_confirming)
    with pytest.raises(Crash):
        await run(api, mode, "upload_recording", RECORDING, source)
    assert "confirm" not in api.calls and receipt_of(api)["phase"] == "active"
    monkeypatch.setattr(_fleet_state.Receipt, "write", write)
    session = await run(api, mode, "upload_recording", RECORDING, source)
    assert session.status == "completed" and api.calls.count("init") == 1 and api.calls.count("confirm") == 1
    assert_stored(api, source)


@pytest.mark.parametrize("mode", MODES)
async def test_lost_confirm_answer_is_not_confirmed_twice(mode: str, api: FleetAPI, source: Path) -> None:
    api.lose_response.add("confirm")
    with pytest.raises(UploadStateError, match="may still be applied"):
        await run(api, mode, "upload_recording", RECORDING, source)
    assert receipt_of(api)["phase"] == "confirming"
    session = await run(api, mode, "upload_recording", RECORDING, source)
    assert session.status == "completed" and api.calls.count("confirm") == 1 and api.calls.count("urls") == 1


@pytest.mark.parametrize("mode", MODES)
async def test_unapplied_confirm_refuses_until_the_server_shows_it(mode: str, api: FleetAPI, source: Path) -> None:
    api.fail["confirm"] = (503, {"detail": "Temporarily unavailable."})
    with pytest.raises(UploadStateError, match="may still be applied"):
        await run(api, mode, "upload_recording", RECORDING, source)
    with pytest.raises(UploadStateError, match="may still be applied"):
        await run(api, mode, "upload_recording", RECORDING, source)
    assert api.calls.count("confirm") == 1


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("lost", [True, False], ids=["answer-lost", "not-applied"])
async def test_crash_during_finalize_resumes(mode: str, lost: bool, api: FleetAPI, source: Path) -> None:
    if lost:
        api.lose_response.add("finalize")
    else:
        api.fail["finalize"] = (503, {"detail": "Temporarily unavailable."})
    with pytest.raises(UploadStateError, match="finalize_upload failed"):
        await run(api, mode, "upload_recording", RECORDING, source)
    assert receipt_of(api)["phase"] == "finalizing"
    session = await run(api, mode, "upload_recording", RECORDING, source)
    assert session.status == "completed" and receipt_of(api)["phase"] == "completed"
    assert api.calls.count("finalize") == (1 if lost else 2) and api.calls.count("confirm") == 1


@pytest.mark.parametrize("mode", MODES)
async def test_completing_session_is_returned_and_completed_later(mode: str, api: FleetAPI, source: Path) -> None:
    api.finalize_completes = False
    session = await run(api, mode, "upload_recording", RECORDING, source)
    assert session.status == "completing" and receipt_of(api)["phase"] == "finalizing"
    api.classic[RECORDING].status = "completed"
    session = await run(api, mode, "upload_recording", RECORDING, source)
    assert session.status == "completed" and receipt_of(api)["phase"] == "completed"
    assert api.calls.count("finalize") == 1


# --- the source and the server must agree with the receipt ---------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
async def test_source_changed_between_runs_is_refused(mode: str, api: FleetAPI, source: Path) -> None:
    api.fail["urls"] = (503, {"detail": "Temporarily unavailable."})
    with pytest.raises(UploadStateError):
        await run(api, mode, "upload_recording", RECORDING, source)
    (source / "meta.json").write_bytes(b"{}")
    with pytest.raises(UploadStateError, match=r"other inputs .*source files"):
        await run(api, mode, "upload_recording", RECORDING, source)
    assert "confirm" not in api.calls


@pytest.mark.parametrize("mode", MODES)
async def test_file_changed_while_uploading_is_never_confirmed(mode: str, api: FleetAPI, source: Path) -> None:
    """The bytes sent are hashed while sending: a file rewritten (same size) between the inventory and its PUT is not
    confirmed, and the run says which file changed."""
    target = source / "lidar/000001.pcd"
    original = target.read_bytes()

    def rewrite(_: Any) -> None:
        if not rewritten:
            rewritten.append(True)
            target.write_bytes(bytes(len(original)))

    rewritten: list[bool] = []
    api.answers["urls"] = lambda payload: (rewrite(None), payload)[1]
    with pytest.raises(UploadStateError, match=r"lidar/000001\.pcd"):
        await run(api, mode, "upload_recording", RECORDING, source, max_workers=1)
    assert "lidar/000001.pcd" not in api.classic[RECORDING].confirmed
    assert len(api.classic[RECORDING].confirmed) == 3
    target.write_bytes(original)
    session = await run(api, mode, "upload_recording", RECORDING, source)
    assert session.status == "completed"
    assert_stored(api, source)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("action", "rewrite", "message"),
    [
        ("status", lambda p: {**p, "session_uid": "another"}, "another session"),
        ("status", lambda p: {**p, "confirmed_files": p["confirmed_files"] + 1}, "counters"),
        ("status", lambda p: {**p, "pending_paths": [*p["pending_paths"], "not/mine.bin"]}, "not in the manifest"),
        ("status", lambda p: {**p, "status": "abandoned"}, "abandoned"),
        ("confirm", lambda p: {**p, "confirmed_files": 99}, "counters"),
        ("init", lambda p: {**p, "total_files": 99}, "declares"),
        ("init", lambda p: {**p, "s3_prefix": "other/prefix/"}, "prefix"),
    ],
    ids=["other-session", "counters", "foreign-path", "abandoned", "confirm-counters", "init-totals", "init-prefix"],
)
async def test_answers_contradicting_the_receipt_are_refused(
    mode: str, action: str, rewrite: Any, message: str, api: FleetAPI, source: Path
) -> None:
    if action == "status":  # first a run that stops after init, then the status of the resumed run lies
        api.fail["urls"] = (503, {"detail": "Temporarily unavailable."})
        with pytest.raises(UploadStateError):
            await run(api, mode, "upload_recording", RECORDING, source)
    api.answers[action] = rewrite
    with pytest.raises(UploadStateError, match=message):
        await run(api, mode, "upload_recording", RECORDING, source)
    assert "finalize" not in api.calls


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("rewrite", "message"),
    [
        (lambda e: {**e, "put_url": "https://evil.example.com/x?X-Amz-Signature=s"}, "not an allowed storage host"),
        (lambda e: {**e, "s3_key": e["s3_key"] + ".other"}, "outside the session's prefix"),
        (lambda e: {**e, "put_url": e["put_url"].replace(".pcd?", ".pcx?")}, "writes another object"),
        (lambda e: {**e, "headers": {"x-amz-acl": "public-read"}}, "header the protocol does not allow"),
    ],
    ids=["host", "key", "url-path", "header"],
)
async def test_foreign_urls_are_refused_before_any_byte(
    mode: str, rewrite: Any, message: str, api: FleetAPI, source: Path, storage_proxy: Any
) -> None:
    api.answers["urls"] = lambda payload: {
        "urls": [rewrite(e) if e["path"].endswith(".pcd") else e for e in payload["urls"]]
    }
    with pytest.raises(UploadStateError, match=message) as refused:
        await run(api, mode, "upload_recording", RECORDING, source)
    assert "Signature" not in str(refused.value)
    assert api.s3.keys(api.bucket_classic) == [] and "confirm" not in api.calls


# --- storage faults ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
async def test_storage_5xx_and_dropped_connections_are_retried(
    mode: str, proxied: FleetAPI, source: Path, storage_proxy: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("avala.uploads._fleet.PUT_BACKOFF", (0.0, 0.0))
    storage_proxy.add(Fault(lambda m, p: m == "PUT" and "000001.pcd" in p, status=503, times=1))
    storage_proxy.add(Fault(lambda m, p: m == "PUT" and "a.jpg" in p, drop_after=1000, times=1))
    session = await run(proxied, mode, "upload_recording", RECORDING, source)
    assert session.status == "completed"
    assert_stored(proxied, source)


@pytest.mark.parametrize("mode", MODES)
async def test_storage_failing_three_times_fails_that_file_only(
    mode: str, proxied: FleetAPI, source: Path, storage_proxy: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("avala.uploads._fleet.PUT_BACKOFF", (0.0, 0.0))
    storage_proxy.add(Fault(lambda m, p: m == "PUT" and "a.jpg" in p, status=500, times=3))
    with pytest.raises(UploadStateError, match=r"a.jpg.*HTTP 500.*3 file\(s\) of the batch were confirmed") as failed:
        await run(proxied, mode, "upload_recording", RECORDING, source)
    assert "X-Amz" not in str(failed.value)
    assert len(proxied.classic[RECORDING].confirmed) == 3
    storage_proxy.requests.clear()
    session = await run(proxied, mode, "upload_recording", RECORDING, source)
    assert session.status == "completed" and [p.rsplit("/", 1)[-1] for p in puts(storage_proxy)] == ["a.jpg"]
    assert_stored(proxied, source)


@pytest.mark.parametrize("mode", MODES)
async def test_storage_403_is_not_retried(mode: str, proxied: FleetAPI, source: Path, storage_proxy: Any) -> None:
    storage_proxy.add(Fault(lambda m, p: m == "PUT" and "meta.json" in p, status=403, times=5))
    with pytest.raises(UploadStateError, match="HTTP 403"):
        await run(proxied, mode, "upload_recording", RECORDING, source)
    assert sum(1 for f in storage_proxy.faults if f.times == 4) == 1  # one attempt only


# --- one run per recording -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
async def test_a_second_process_on_the_same_recording_fails_at_once(
    mode: str, api: FleetAPI, source: Path, state_dir: Path
) -> None:
    lock = _fleet_state.Receipt("https://api.avala.ai/api/v1", RECORDING).lock.path
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, os, sys, time; fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600); "
            "fcntl.flock(fd, fcntl.LOCK_EX); print('locked', flush=True); time.sleep(60)",
            str(lock),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        started = time.monotonic()
        with pytest.raises(UploadStateError, match="another process is already running"):
            await run(api, mode, "upload_recording", RECORDING, source)
        assert time.monotonic() - started < 30  # fails at once, does not wait for the lock
        assert api.calls == []
    finally:
        holder.kill()
        holder.wait()
    session = await run(api, mode, "upload_recording", RECORDING, source)
    assert session.status == "completed"


# --- bad input -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
async def test_bad_arguments(mode: str, api: FleetAPI, source: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="max_workers"):
        await run(api, mode, "upload_recording", RECORDING, source, max_workers=0)
    with pytest.raises(UploadStateError, match="not a directory"):
        await run(api, mode, "upload_recording", RECORDING, tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(UploadStateError, match="no files"):
        await run(api, mode, "upload_recording", RECORDING, tmp_path / "empty")
    assert api.calls == []
