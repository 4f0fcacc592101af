"""``client.fleet.uploads.upload_managed_recording`` (``fleet-managed-mcap-v1``) against real S3 (moto), sync and async.

Parts are 5 MiB here (moto's smallest multipart part) instead of 64 MiB, patched on both sides. The fake API mints
SigV4-shaped part URLs on moto in the protocol's exact form; after finalize the objects are read back and their
SHA-256 compared with the source.
"""

from __future__ import annotations

import datetime as dt
import inspect
import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest

from avala import AsyncClient, Client
from avala.errors import UploadStateError
from avala.types import ManagedFleetUploadStatus
from avala.uploads import _fleet_managed, _fleet_state
from avala.uploads._fleet import UploadProgress

from . import fleet_api
from .fleet_api import FleetAPI
from .fleet_helpers import MODES, RECORDING, Crash, file_sha, make_source, run, sha
from .storage import Fault

pytestmark = pytest.mark.usefixtures("allow_loopback", "state_dir")
ON_EVERY_EVENT_LOOP = True  # each async test runs on the loop its ``mode`` names

PART = 5 << 20
FILES = {"drive-0001.mcap": 2 * PART + 12345, "sub/drive-0002.MCAP": 777}


@pytest.fixture(autouse=True)
def small_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    """5 MiB parts, and the API retries without their backoff sleeps."""
    from avala.uploads._storage import RetryPolicy

    monkeypatch.setattr(_fleet_managed, "PART_SIZE", PART)
    monkeypatch.setattr(_fleet_managed, "API_RETRY", RetryPolicy(attempts=3, base=0.0, cap=0.0, jitter=0.0))
    monkeypatch.setattr(fleet_api, "PART", PART)


@pytest.fixture
def api(s3: Any) -> FleetAPI:
    return FleetAPI(s3)


@pytest.fixture
def proxied(s3: Any, storage_proxy: Any, allow_loopback: Any) -> FleetAPI:
    allow_loopback(storage_proxy.endpoint)
    return FleetAPI(s3, s3.with_endpoint(storage_proxy.endpoint))


@pytest.fixture
def source(tmp_path: Path) -> Path:
    return make_source(tmp_path / "mcap", FILES)


def receipt() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(_fleet_state.Receipt("https://api.avala.ai/api/v1", RECORDING).path.read_text())
    return data


def assert_stored(api: FleetAPI, source: Path) -> None:
    for name in FILES:
        assert sha(api.managed_object(RECORDING, name)) == file_sha(source / name), name


def part_puts(proxy: Any) -> list[tuple[str, str]]:
    """(file name, part number) of every part PUT the proxy forwarded."""
    found = []
    for r in proxy.requests:
        if r.method == "PUT":
            parts = urlsplit(r.path)
            found.append((parts.path.rsplit("/", 1)[-1], dict(parse_qsl(parts.query))["partNumber"]))
    return found


def test_signature_is_the_published_one() -> None:
    for cls in (Client, AsyncClient):
        params = inspect.signature(cls(api_key="k").fleet.uploads.upload_managed_recording).parameters
        assert list(params)[:5] == ["recording_uid", "source_dir", "max_workers", "wait_timeout", "on_progress"]
        assert (params["max_workers"].default, params["wait_timeout"].default, params["on_progress"].default) == (
            2,
            0,
            None,
        )


@pytest.mark.parametrize("mode", MODES)
async def test_round_trip_then_a_rerun_sends_nothing(
    mode: str, proxied: FleetAPI, source: Path, storage_proxy: Any
) -> None:
    progress: list[UploadProgress] = []
    sent: list[int] = []
    result = await run(
        proxied,
        mode,
        "upload_managed_recording",
        RECORDING,
        source,
        on_progress=progress.append,
        on_bytes=lambda path, delta: sent.append(delta),
    )
    total = sum(FILES.values())
    assert isinstance(result, ManagedFleetUploadStatus) and result.status == "completed"
    assert result.finalization is not None and result.finalization.state == "succeeded"
    assert result.finalization.dataset_uid == "2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f"
    assert_stored(proxied, source)
    assert sum(sent) == total and progress[-1] == UploadProgress(2, 2, total, total, 0)
    assert sorted(part_puts(storage_proxy)) == [
        ("drive-0001.mcap", "1"),
        ("drive-0001.mcap", "2"),
        ("drive-0001.mcap", "3"),
        ("drive-0002.MCAP", "1"),
    ]
    state = receipt()
    assert state["version"] == 3 and state["protocol"] == "fleet-managed-mcap-v1" and state["finalizing"] is True
    assert state["dataset_uid"] == result.finalization.dataset_uid
    assert all(o["transport_pin"] and o["generation_uid"] for o in state["originals"].values())
    assert not any(secret in json.dumps(state) for secret in ("X-Amz", "uploadId", "avk_fleet_test"))
    storage_proxy.requests.clear()
    again = await run(proxied, mode, "upload_managed_recording", RECORDING, source)
    assert again.finalization is not None and again.finalization.state == "succeeded"
    assert part_puts(storage_proxy) == [] and proxied.calls.count("managed finalize") == 1
    assert proxied.calls.count("managed admit") == 1 and proxied.calls.count("managed multipart/init") == 2


@pytest.mark.parametrize("mode", MODES)
async def test_crash_after_init_before_the_receipt_is_updated(
    mode: str, api: FleetAPI, source: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The init ran on the server but the receipt never got its generation: the next run adopts the generation the
    server shows for the file (it was requested: the receipt says 'initializing') and never inits twice."""
    write = _fleet_state.Receipt.write

    def crash_on_generation(self: Any, data: dict[str, Any]) -> None:
        if any(o.get("generation_uid") for o in data.get("originals", {}).values()):
            raise Crash()
        write(self, data)

    monkeypatch.setattr(_fleet_state.Receipt, "write", crash_on_generation)
    with pytest.raises(Crash):
        await run(api, mode, "upload_managed_recording", RECORDING, source)
    monkeypatch.setattr(_fleet_state.Receipt, "write", write)
    assert api.calls.count("managed multipart/init") == 1
    result = await run(api, mode, "upload_managed_recording", RECORDING, source)
    assert result.finalization is not None and result.finalization.state == "succeeded"
    assert api.calls.count("managed multipart/init") == 2  # one per file, ever
    assert_stored(api, source)


@pytest.mark.parametrize("mode", MODES)
async def test_dropped_part_resumes_with_only_the_missing_parts(
    mode: str, proxied: FleetAPI, source: Path, storage_proxy: Any
) -> None:
    storage_proxy.add(Fault(lambda m, p: m == "PUT" and "partNumber=2" in p and "0001" in p, drop_after=4096))
    with pytest.raises(UploadStateError, match="uncertain") as failed:
        await run(proxied, mode, "upload_managed_recording", RECORDING, source, max_workers=1)
    assert "X-Amz" not in str(failed.value) and "uploadId" not in str(failed.value)
    assert ("drive-0001.mcap", "1") in part_puts(storage_proxy)
    storage_proxy.requests.clear()
    result = await run(proxied, mode, "upload_managed_recording", RECORDING, source)
    assert result.finalization is not None and result.finalization.state == "succeeded"
    assert ("drive-0001.mcap", "1") not in part_puts(storage_proxy)
    assert ("drive-0001.mcap", "2") in part_puts(storage_proxy)
    assert_stored(proxied, source)


@pytest.mark.parametrize("mode", MODES)
async def test_storage_5xx_on_a_part_stops_then_resumes(
    mode: str, proxied: FleetAPI, source: Path, storage_proxy: Any
) -> None:
    storage_proxy.add(Fault(lambda m, p: m == "PUT" and "0002" in p, status=503))
    with pytest.raises(UploadStateError, match="HTTP 503"):
        await run(proxied, mode, "upload_managed_recording", RECORDING, source)
    result = await run(proxied, mode, "upload_managed_recording", RECORDING, source)
    assert result.finalization is not None and result.finalization.state == "succeeded"
    assert_stored(proxied, source)


@pytest.mark.parametrize("mode", MODES)
async def test_lost_finalize_answer_is_retried_in_process(mode: str, api: FleetAPI, source: Path) -> None:
    """finalize is idempotent per session: a lost answer is retried with the shared backoff, and the finalization
    keeps its uid."""
    api.lose_response.add("managed finalize")
    result = await run(api, mode, "upload_managed_recording", RECORDING, source)
    assert result.finalization is not None and result.finalization.state == "succeeded"
    assert api.calls.count("managed finalize") == 2 and receipt()["finalization_uid"] == result.finalization.uid


@pytest.mark.parametrize("mode", MODES)
async def test_crash_during_finalize_resumes_without_a_second_finalize(mode: str, api: FleetAPI, source: Path) -> None:
    def crash(payload: dict[str, Any]) -> dict[str, Any]:
        raise Crash()  # the server finalized; the client dies before reading the answer

    api.answers["managed finalize"] = crash
    with pytest.raises(Crash):
        await run(api, mode, "upload_managed_recording", RECORDING, source)
    assert receipt()["finalizing"] is True
    del api.answers["managed finalize"]
    result = await run(api, mode, "upload_managed_recording", RECORDING, source)
    assert result.finalization is not None and result.finalization.state == "succeeded"
    assert api.calls.count("managed finalize") == 1
    assert_stored(api, source)


@pytest.mark.parametrize("mode", MODES)
async def test_source_changed_between_runs_is_refused(mode: str, api: FleetAPI, source: Path) -> None:
    api.fail["managed multipart/parts"] = (400, {"detail": "No."})
    with pytest.raises(UploadStateError):
        await run(api, mode, "upload_managed_recording", RECORDING, source)
    (source / "sub/drive-0002.MCAP").write_bytes(b"changed")
    with pytest.raises(UploadStateError, match="other inputs"):
        await run(api, mode, "upload_managed_recording", RECORDING, source)
    assert "managed finalize" not in api.calls


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("rewrite", "message"),
    [
        (lambda p: {**p, "session_uid": "8d2b6c1e-3f4a-4b5c-9d6e-7f8091a2b3c4"}, "another protocol or session"),
        (lambda p: {**p, "files": [{**p["files"][0], "content_sha256": "0" * 64}, *p["files"][1:]]}, "SHA-256"),
        (lambda p: {**p, "files": [{**p["files"][0], "file_uid": "other"}, *p["files"][1:]]}, "file uid"),
        (lambda p: {**p, "extra": 1}, "expected the fields"),
        (
            lambda p: {
                **p,
                "files": [
                    {**f, "generation": {"generation_uid": "g", "number": 1, "state": "active"}} for f in p["files"]
                ],
            },
            "never requested|substituted",
        ),
    ],
    ids=["session", "sha", "file-uid", "extra-field", "generation"],
)
async def test_status_contradicting_the_receipt_is_refused(
    mode: str, rewrite: Any, message: str, api: FleetAPI, source: Path
) -> None:
    api.fail["managed multipart/parts"] = (400, {"detail": "No."})
    with pytest.raises(UploadStateError):
        await run(api, mode, "upload_managed_recording", RECORDING, source)
    api.answers["managed status"] = rewrite
    with pytest.raises(UploadStateError, match=message):
        await run(api, mode, "upload_managed_recording", RECORDING, source)
    assert "managed finalize" not in api.calls


def _with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query.update(changes)
    return urlunsplit(parts._replace(query=urlencode(query, safe="")))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("rewrite", "message"),
    [
        (lambda g: {**g, "expires_at": "2020-01-01T00:00:00Z"}, "foreign"),
        (
            lambda g: {
                **g,
                "url": _with_query(
                    g["url"],
                    **{"X-Amz-Date": "20200101T000000Z", "X-Amz-Credential": "AKIDTEST/20200101/auto/s3/aws4_request"},
                ),
                "expires_at": "2020-01-01T00:05:00Z",
            },
            "expired",
        ),
        (lambda g: {**g, "url": g["url"].replace("__cloud__/", "__cloud__/x")}, "foreign"),
        (lambda g: {**g, "url": _with_query(g["url"], uploadId="another-upload")}, "foreign"),
        (lambda g: {**g, "url": _with_query(g["url"], **{"X-Amz-Expires": "3600"})}, "foreign"),
        (lambda g: {**g, "url": "https://bucket.s3.amazonaws.com/x?uploadId=u"}, "foreign"),
        (lambda g: {**g, "headers": {"Content-Length": "1", "x-amz-acl": "public-read"}}, "other headers"),
        (lambda g: {**g, "offset": g["offset"] + 1}, "other bytes"),
    ],
    ids=["expiry-mismatch", "expired", "other-session-path", "pin", "long-expiry", "s3-host", "headers", "offset"],
)
async def test_expired_or_foreign_grants_are_refused(
    mode: str, rewrite: Any, message: str, proxied: FleetAPI, source: Path, storage_proxy: Any
) -> None:
    first: list[bool] = []

    def rewrite_later(grant: dict[str, Any]) -> dict[str, Any]:
        if not first:  # the first grant pins the transport; the later ones are the foreign ones
            first.append(True)
            return grant
        return dict(rewrite(grant))

    proxied.grant_rewrite = rewrite_later
    with pytest.raises(UploadStateError, match=message) as refused:
        await run(proxied, mode, "upload_managed_recording", RECORDING, source, max_workers=1)
    assert "X-Amz-Signature" not in str(refused.value)
    assert len(part_puts(storage_proxy)) == 1  # only the first, good grant was used
    proxied.grant_rewrite = None
    result = await run(proxied, mode, "upload_managed_recording", RECORDING, source)
    assert result.finalization is not None and result.finalization.state == "succeeded"


@pytest.mark.parametrize("mode", MODES)
async def test_grant_signed_in_the_future_is_refused(mode: str, api: FleetAPI, source: Path) -> None:
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=10)).replace(microsecond=0)
    stamp = later.strftime("%Y%m%dT%H%M%SZ")

    def future(grant: dict[str, Any]) -> dict[str, Any]:
        url = _with_query(
            grant["url"], **{"X-Amz-Date": stamp, "X-Amz-Credential": f"AKIDTEST/{stamp[:8]}/auto/s3/aws4_request"}
        )
        return {**grant, "url": url, "expires_at": fleet_api.expiry(url)}

    api.grant_rewrite = future
    with pytest.raises(UploadStateError, match="signed in the future"):
        await run(api, mode, "upload_managed_recording", RECORDING, source)


@pytest.mark.parametrize("mode", MODES)
async def test_wait_timeout_polls_until_the_finalization_ends(mode: str, api: FleetAPI, source: Path) -> None:
    original = api.m_finalize

    def pending_first(recording: str, body: dict[str, Any]) -> tuple[int, Any]:
        status, payload = original(recording, body)
        final = api.managed[recording].finalization
        assert final is not None
        done = dict(final)
        api.managed[recording].finalization = {
            **final,
            "state": "running",
            "code": "running",
            "publication_uid": None,
            "dataset_uid": None,
        }
        polls.append(done)
        return status, {**payload, "finalization": api.managed[recording].finalization}

    polls: list[dict[str, Any]] = []
    api.m_finalize = pending_first  # type: ignore[method-assign]
    original_status = api.m_status

    def status_then_done(recording: str, query: dict[str, Any]) -> tuple[int, Any]:
        if polls and api.calls.count("managed status") > 4:
            api.managed[recording].finalization = polls[0]
        return original_status(recording, query)

    api.m_status = status_then_done  # type: ignore[method-assign]
    result = await run(api, mode, "upload_managed_recording", RECORDING, source, wait_timeout=30)
    assert result.finalization is not None and result.finalization.state == "succeeded"


@pytest.mark.parametrize("mode", MODES)
async def test_the_managed_profile_is_checked_before_any_request(mode: str, api: FleetAPI, tmp_path: Path) -> None:
    not_mcap = make_source(tmp_path / "a", {"x.mcap": 10, "notes.txt": 5})
    with pytest.raises(UploadStateError, match=r"not an \.mcap file"):
        await run(api, mode, "upload_managed_recording", RECORDING, not_mcap)
    derived = make_source(tmp_path / "b", {"__derived__/x.mcap": 10})
    with pytest.raises(UploadStateError, match="__derived__"):
        await run(api, mode, "upload_managed_recording", RECORDING, derived)
    ok = make_source(tmp_path / "c", {"x.mcap": 10})
    with pytest.raises(UploadStateError, match="canonical lowercase UUID"):
        await run(api, mode, "upload_managed_recording", RECORDING.upper(), ok)
    with pytest.raises(ValueError, match="max_workers"):
        await run(api, mode, "upload_managed_recording", RECORDING, ok, max_workers=5)
    with pytest.raises(ValueError, match="wait_timeout"):
        await run(api, mode, "upload_managed_recording", RECORDING, ok, wait_timeout=3601)
    assert api.calls == []


@pytest.mark.parametrize("mode", MODES)
async def test_a_classic_receipt_is_not_taken_for_a_managed_one(mode: str, api: FleetAPI, source: Path) -> None:
    api.fail["urls"] = (400, {"detail": "No."})
    with pytest.raises(UploadStateError):
        await run(api, mode, "upload_recording", RECORDING, source)
    with pytest.raises(UploadStateError, match="classic upload receipt"):
        await run(api, mode, "upload_managed_recording", RECORDING, source)
