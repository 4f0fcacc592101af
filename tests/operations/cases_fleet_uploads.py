"""Cases for fleet.uploads: the classic upload session (operations.md rows 12-16, catalogue §4.1 and §7.13) and the
managed MCAP protocol ``fleet-managed-mcap-v1`` (rows 17-22).

The classic methods keep the published positional arguments (``confirm_upload(recording_uid, session_uid, files)``);
every managed call carries ``protocol`` and ``session_uid`` (in the JSON body of a POST, the query of a GET).
"""

from __future__ import annotations

from typing import Any

from avala.types import (
    ManagedFinalization,
    ManagedFinalizeResponse,
    ManagedFleetUploadStatus,
    ManagedGeneration,
    ManagedMultipartInit,
    ManagedMultipartProgress,
    ManagedOriginal,
    ManagedPartGrant,
    ManagedPartGrants,
    UploadSession,
    UploadStatusResponse,
    UploadUrlEntry,
    UploadUrlsResponse,
)

from .cases_common import at, equals
from .harness import Case
from .payloads import RECORDING_UID

REC = f"/fleet/recordings/{RECORDING_UID}"
SESSION = "7c1e2f40-9a3b-4d5e-8f60-1a2b3c4d5e6f"
MANAGED = "8d2b6c1e-3f4a-4b5c-9d6e-7f8091a2b3c4"
FILE_UID = "3b9d2e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f"
GENERATION = "6f7a8b9c-0d1e-4f2a-8b3c-4d5e6f7a8b9c"
PROTOCOL = "fleet-managed-mcap-v1"
SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
PREFIX = f"fleet/acme-ai/{RECORDING_UID}/"
PUT_URL = "https://acme.s3.us-west-2.amazonaws.com/" + PREFIX + "a.pcd?X-Amz-Signature=abc"
FILES = [{"path": "a.pcd", "size_bytes": 10}, {"path": "cam/b.jpg", "size_bytes": 5}]
SESSION_BODY = {
    "uid": SESSION,
    "total_files": 2,
    "total_bytes": 15,
    "confirmed_files": 0,
    "confirmed_bytes": 0,
    "s3_prefix": PREFIX,
    "status": "initiated",
}
STATUS_BODY = {
    "session_uid": SESSION,
    "status": "uploading",
    "total_files": 2,
    "confirmed_files": 1,
    "total_bytes": 15,
    "confirmed_bytes": 10,
    "pending_paths": ["cam/b.jpg"],
}
GENERATION_BODY = {"generation_uid": GENERATION, "number": 1, "state": "active"}
ORIGINAL = {
    "file_uid": FILE_UID,
    "path": "drive.mcap",
    "size_bytes": 100,
    "content_sha256": SHA,
    "content_type": "application/octet-stream",
    "content_encoding": "",
    "part_size": 67108864,
    "part_count": 1,
    "verified": False,
    "generation": GENERATION_BODY,
}
FINALIZATION = {
    "uid": "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
    "state": "succeeded",
    "stage": "publish",
    "attempts": 1,
    "failures": [],
    "code": "published",
    "available_at": "2026-02-24T10:15:00Z",
    "publication_uid": "pub-1",
    "dataset_uid": "ds-1",
}
MANAGED_STATUS = {
    "protocol": PROTOCOL,
    "session_uid": MANAGED,
    "recording_uid": RECORDING_UID,
    "status": "uploading",
    "total_files": 1,
    "total_bytes": 100,
    "confirmed_files": 0,
    "confirmed_bytes": 0,
    "files": [ORIGINAL],
    "finalization": None,
}
GRANT = {
    "grant_uid": "g-1",
    "part_number": 1,
    "offset": 0,
    "size_bytes": 100,
    "url": "https://0123456789abcdef0123456789abcdef.r2.cloudflarestorage.com/b/k?uploadId=u&partNumber=1",
    "headers": {"Content-Length": "100"},
    "expires_at": "2026-02-24T10:20:00Z",
}
IDS = {"protocol": PROTOCOL, "session_uid": MANAGED, "file_uid": FILE_UID, "generation_uid": GENERATION}


def check_session(result: Any) -> None:
    assert isinstance(result, UploadSession) and result.uid == SESSION and result.status == "initiated"
    assert (result.total_files, result.total_bytes, result.confirmed_files, result.confirmed_bytes) == (2, 15, 0, 0)
    assert result.s3_prefix == PREFIX


def check_session_minimal(result: Any) -> None:
    assert isinstance(result, UploadSession) and result.uid == SESSION
    assert (result.total_files, result.total_bytes, result.confirmed_files, result.confirmed_bytes) == (0, 0, 0, 0)
    assert result.s3_prefix is None and result.status is None


def check_urls(result: Any) -> None:
    assert isinstance(result, UploadUrlsResponse) and len(result.urls) == 1
    (entry,) = result.urls
    assert isinstance(entry, UploadUrlEntry) and entry.path == "a.pcd" and entry.put_url == PUT_URL
    assert entry.s3_key == PREFIX + "a.pcd" and entry.headers == {"Content-Type": "application/octet-stream"}
    assert "X-Amz-Signature" not in repr(entry), "a presigned URL is a credential: never in a repr"


def check_no_urls(result: Any) -> None:
    assert isinstance(result, UploadUrlsResponse) and result.urls == []


def check_progress_end(result: Any) -> None:
    assert isinstance(result, ManagedMultipartProgress) and result.parts == [] and result.next_cursor is None


def check_status(result: Any) -> None:
    assert isinstance(result, UploadStatusResponse) and result.session_uid == SESSION and result.status == "uploading"
    assert (result.total_files, result.confirmed_files, result.total_bytes, result.confirmed_bytes) == (2, 1, 15, 10)
    assert result.pending_paths == ["cam/b.jpg"]


def check_managed_status(result: Any) -> None:
    assert isinstance(result, ManagedFleetUploadStatus) and result.protocol == PROTOCOL
    assert result.session_uid == MANAGED and result.recording_uid == RECORDING_UID and result.status == "uploading"
    assert (result.total_files, result.total_bytes, result.confirmed_files, result.confirmed_bytes) == (1, 100, 0, 0)
    assert result.finalization is None
    (original,) = result.files
    assert isinstance(original, ManagedOriginal) and original.file_uid == FILE_UID and original.path == "drive.mcap"
    assert (original.size_bytes, original.content_sha256, original.part_size, original.part_count) == (
        100,
        SHA,
        67108864,
        1,
    )
    assert original.verified is False and original.content_encoding == ""
    assert isinstance(original.generation, ManagedGeneration) and original.generation.generation_uid == GENERATION
    assert (original.generation.number, original.generation.state) == (1, "active")


def check_finalization(result: Any) -> None:
    assert isinstance(result, ManagedFinalization) and result.state == "succeeded" and result.code == "published"
    assert result.stage == "publish" and result.attempts == 1 and result.failures == []
    assert result.available_at == at("2026-02-24T10:15:00Z")
    assert (result.publication_uid, result.dataset_uid) == ("pub-1", "ds-1")


def check_managed_status_finalized(result: Any) -> None:
    assert isinstance(result, ManagedFleetUploadStatus) and result.files[0].generation is None
    check_finalization(result.finalization)


def check_init(result: Any) -> None:
    assert isinstance(result, ManagedMultipartInit) and result.generation_uid == GENERATION
    assert (result.number, result.state, result.part_size, result.part_count) == (1, "active", 67108864, 1)
    assert result.initialization_deadline == at("2026-02-25T10:15:00Z")


def check_progress(result: Any) -> None:
    assert isinstance(result, ManagedMultipartProgress) and result.next_cursor == 1
    assert [(p.part_number, p.size) for p in result.parts] == [(1, 67108864)]


def check_grants(result: Any) -> None:
    assert isinstance(result, ManagedPartGrants) and result.generation_uid == GENERATION
    (grant,) = result.parts
    assert isinstance(grant, ManagedPartGrant) and grant.url == GRANT["url"] and grant.part_number == 1
    assert (grant.offset, grant.size_bytes, grant.headers) == (0, 100, {"Content-Length": "100"})
    assert grant.expires_at == at("2026-02-24T10:20:00Z")
    assert "uploadId" not in repr(grant), "a presigned URL is a credential: never in a repr"


def check_finalize(result: Any) -> None:
    assert isinstance(result, ManagedFinalizeResponse) and result.session_uid == MANAGED
    check_finalization(result.finalization)


CLASSIC = [
    Case(
        "fleet.uploads.init_upload",
        "POST",
        f"{REC}/upload/init/",
        args=(RECORDING_UID, FILES),
        kwargs={"storage_config_uid": "sc-1"},
        body={"files": FILES, "storage_config_uid": "sc-1"},
        status=201,
        response=SESSION_BODY,
        check=check_session,
    ),
    Case(
        "fleet.uploads.init_upload",
        "POST",
        f"{REC}/upload/init/",
        args=(RECORDING_UID,),
        kwargs={"files": FILES},
        body={"files": FILES},
        status=201,
        response={"uid": SESSION},
        check=check_session_minimal,
        id="fleet.uploads.init_upload-no-storage-config",
    ),
    Case(
        "fleet.uploads.get_upload_urls",
        "POST",
        f"{REC}/upload/urls/",
        args=(RECORDING_UID, SESSION, ["a.pcd"]),
        body={"session_uid": SESSION, "file_paths": ["a.pcd"], "ttl_seconds": 3600},
        response={
            "urls": [
                {
                    "path": "a.pcd",
                    "put_url": PUT_URL,
                    "s3_key": PREFIX + "a.pcd",
                    "headers": {"Content-Type": "application/octet-stream"},
                }
            ]
        },
        check=check_urls,
    ),
    Case(
        "fleet.uploads.get_upload_urls",
        "POST",
        f"{REC}/upload/urls/",
        args=(RECORDING_UID, SESSION, ["a.pcd", "cam/b.jpg"]),
        kwargs={"ttl_seconds": 600},
        body={"session_uid": SESSION, "file_paths": ["a.pcd", "cam/b.jpg"], "ttl_seconds": 600},
        response={},
        check=check_no_urls,
        id="fleet.uploads.get_upload_urls-ttl",
    ),
    Case(
        "fleet.uploads.confirm_upload",
        "POST",
        f"{REC}/upload/confirm/",
        args=(RECORDING_UID, SESSION, [{"path": "a.pcd", "etag": "e1", "size_bytes": 10}]),
        body={"session_uid": SESSION, "files": [{"path": "a.pcd", "etag": "e1", "size_bytes": 10}]},
        response={"session_uid": SESSION, "total_files": 2, "confirmed_files": 1, "extra": [1]},
        check=lambda r: equals(r, {"session_uid": SESSION, "total_files": 2, "confirmed_files": 1, "extra": [1]}),
    ),
    Case(
        "fleet.uploads.finalize_upload",
        "POST",
        f"{REC}/upload/finalize/",
        args=(RECORDING_UID, SESSION),
        body={"session_uid": SESSION},
        status=202,
        response={"detail": "Finalization started."},
        check=lambda r: equals(r, {"detail": "Finalization started."}),
    ),
    Case(
        "fleet.uploads.get_upload_status",
        "GET",
        f"{REC}/upload/status/",
        args=(RECORDING_UID,),
        response=STATUS_BODY,
        check=check_status,
    ),
]

MANAGED_CASES = [
    Case(
        "fleet.uploads.admit_managed_upload",
        "POST",
        f"{REC}/managed-upload/admit/",
        args=(RECORDING_UID,),
        kwargs={
            "session_uid": MANAGED,
            "files": [{"path": "drive.mcap", "size_bytes": 100, "content_sha256": SHA}],
        },
        body={
            "protocol": PROTOCOL,
            "session_uid": MANAGED,
            "files": [{"path": "drive.mcap", "size_bytes": 100, "content_sha256": SHA}],
        },
        status=201,
        response=MANAGED_STATUS,
        check=check_managed_status,
    ),
    Case(
        "fleet.uploads.get_managed_upload_status",
        "GET",
        f"{REC}/managed-upload/status/?session_uid={MANAGED}&protocol={PROTOCOL}",
        args=(RECORDING_UID,),
        kwargs={"session_uid": MANAGED},
        response={**MANAGED_STATUS, "files": [{**ORIGINAL, "generation": None}], "finalization": FINALIZATION},
        check=check_managed_status_finalized,
    ),
    Case(
        "fleet.uploads.init_managed_multipart",
        "POST",
        f"{REC}/managed-upload/multipart/init/",
        args=(RECORDING_UID,),
        kwargs={"session_uid": MANAGED, "file_uid": FILE_UID},
        body={"protocol": PROTOCOL, "session_uid": MANAGED, "file_uid": FILE_UID},
        status=201,
        response={
            **IDS,
            "number": 1,
            "state": "active",
            "part_size": 67108864,
            "part_count": 1,
            "initialization_deadline": "2026-02-25T10:15:00Z",
        },
        check=check_init,
    ),
    Case(
        "fleet.uploads.get_managed_multipart_progress",
        "GET",
        f"{REC}/managed-upload/multipart/progress/?session_uid={MANAGED}&file_uid={FILE_UID}"
        f"&generation_uid={GENERATION}&after=0&protocol={PROTOCOL}",
        args=(RECORDING_UID,),
        kwargs={"session_uid": MANAGED, "file_uid": FILE_UID, "generation_uid": GENERATION},
        response={**IDS, "parts": [{"part_number": 1, "size": 67108864}], "next_cursor": 1},
        check=check_progress,
    ),
    Case(
        "fleet.uploads.get_managed_multipart_progress",
        "GET",
        f"{REC}/managed-upload/multipart/progress/?session_uid={MANAGED}&file_uid={FILE_UID}"
        f"&generation_uid={GENERATION}&after=100&protocol={PROTOCOL}",
        args=(RECORDING_UID,),
        kwargs={"session_uid": MANAGED, "file_uid": FILE_UID, "generation_uid": GENERATION, "after": 100},
        response={**IDS, "parts": [], "next_cursor": None},
        check=check_progress_end,
        id="fleet.uploads.get_managed_multipart_progress-after",
    ),
    Case(
        "fleet.uploads.grant_managed_parts",
        "POST",
        f"{REC}/managed-upload/multipart/parts/",
        args=(RECORDING_UID,),
        kwargs={"session_uid": MANAGED, "file_uid": FILE_UID, "generation_uid": GENERATION, "numbers": [1]},
        body={**IDS, "numbers": [1]},
        response={**IDS, "parts": [GRANT]},
        check=check_grants,
    ),
    Case(
        "fleet.uploads.finalize_managed_upload",
        "POST",
        f"{REC}/managed-upload/finalize/",
        args=(RECORDING_UID,),
        kwargs={"session_uid": MANAGED, "files": [{"file_uid": FILE_UID, "generation_uid": GENERATION}]},
        body={
            "protocol": PROTOCOL,
            "session_uid": MANAGED,
            "files": [{"file_uid": FILE_UID, "generation_uid": GENERATION}],
        },
        status=202,
        response={"protocol": PROTOCOL, "session_uid": MANAGED, "finalization": FINALIZATION},
        check=check_finalize,
    ),
]

CASES = CLASSIC + MANAGED_CASES
