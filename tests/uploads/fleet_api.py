"""A fake fleet upload API for the fleet upload tests: the classic session and the managed MCAP protocol, minting
real presigned PUTs and multipart part URLs against the moto S3 server (or the fault proxy in front of it).

It is an ``httpx.MockTransport`` handler (the API side never touches a socket); the storage side is real S3 on
loopback. Tests reach into its state to inject faults: ``lose_response`` executes a call and then drops its response
(the client sees a connection error), ``answers`` overrides an answer, ``fail`` makes a call fail with a status.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import httpx

from .storage import S3

BUCKET_CLASSIC = "fleet-classic"
BUCKET_MANAGED = "fleet-managed"
OWNER = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
PROTOCOL = "fleet-managed-mcap-v1"
PART = 64 << 20
NO_SESSION = {"detail": "No upload session found for this recording."}


@dataclass
class Classic:
    """One classic session."""

    uid: str
    prefix: str
    files: dict[str, int]  # path -> size
    confirmed: dict[str, str] = field(default_factory=dict)  # path -> etag
    status: str = "initiated"


@dataclass
class Original:
    """One admitted managed file."""

    file_uid: str
    path: str
    size: int
    sha256: str
    generation_uid: str | None = None
    upload_id: str | None = None
    state: str | None = None
    verified: bool = False


@dataclass
class Managed:
    """One managed session."""

    session_uid: str
    files: list[Original]
    finalization: dict[str, Any] | None = None


class FleetAPI:
    """The fake API; ``handler`` is the MockTransport callback."""

    def __init__(self, s3: S3, storage: S3 | None = None) -> None:
        self.s3 = s3  # direct access to moto, for checks
        self.storage = storage or s3  # where presigned URLs point (the proxy, for fault tests)
        suffix = uuid.uuid4().hex[:8]  # the moto server lives for the whole session: one bucket pair per test
        self.bucket_classic, self.bucket_managed = f"{BUCKET_CLASSIC}-{suffix}", f"{BUCKET_MANAGED}-{suffix}"
        self.s3.create_bucket(self.bucket_classic)
        self.s3.create_bucket(self.bucket_managed)
        self.classic: dict[str, Classic] = {}
        self.managed: dict[str, Managed] = {}
        self.calls: list[str] = []  # "POST init", ...
        self.lose_response: set[str] = set()  # actions executed whose response is then lost (once each)
        self.fail: dict[str, tuple[int, Any]] = {}  # action -> (status, body), once each
        self.answers: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {}  # action -> rewrite of the answer
        self.grant_rewrite: Callable[[dict[str, Any]], dict[str, Any]] | None = None
        self.finalize_completes = True  # finalize makes the session completed (else completing)
        self.lock = threading.Lock()

    # --- plumbing ---------------------------------------------------------------------------------------------------

    def client(self, **options: Any) -> Any:
        """A sync Client on this API."""
        from avala import Client

        return Client(
            api_key="avk_fleet_test", http_client=httpx.Client(transport=httpx.MockTransport(self)), **options
        )

    def async_client(self, **options: Any) -> Any:
        """An async client on this API."""
        from avala import AsyncClient

        return AsyncClient(
            api_key="avk_fleet_test", http_client=httpx.AsyncClient(transport=httpx.MockTransport(self)), **options
        )

    def __call__(self, request: httpx.Request) -> httpx.Response:
        match = re.match(r"^/api/v1/fleet/recordings/([^/]+)/(upload|managed-upload)/(.+)/$", request.url.path)
        assert match, request.url.path
        recording, kind, action = match.groups()
        name = f"{'managed ' if kind == 'managed-upload' else ''}{action}"
        body = json.loads(request.content) if request.content else {}
        query = {k: v[0] for k, v in parse_qs(request.url.query.decode()).items()}
        with self.lock:
            self.calls.append(name)
            if name in self.fail:
                status, payload = self.fail.pop(name)
                return httpx.Response(status, json=payload)
            handler = getattr(self, ("m_" if kind == "managed-upload" else "c_") + action.replace("/", "_"))
            status, payload = handler(recording, body if request.method == "POST" else query)
            if name in self.answers and 200 <= status < 300:
                payload = self.answers[name](payload)
            if name in self.lose_response:
                self.lose_response.discard(name)
                raise httpx.ReadError("connection reset after the request was processed", request=request)
        return httpx.Response(status, json=payload)

    # --- classic ----------------------------------------------------------------------------------------------------

    def _classic_status(self, s: Classic) -> dict[str, Any]:
        pending = [p for p in s.files if p not in s.confirmed]
        return {
            "session_uid": s.uid,
            "status": s.status,
            "total_files": len(s.files),
            "confirmed_files": len(s.confirmed),
            "total_bytes": sum(s.files.values()),
            "confirmed_bytes": sum(s.files[p] for p in s.confirmed),
            "pending_paths": pending[:1000],
        }

    def c_status(self, recording: str, _: dict[str, Any]) -> tuple[int, Any]:
        s = self.classic.get(recording)
        return (404, NO_SESSION) if s is None else (200, self._classic_status(s))

    def c_init(self, recording: str, body: dict[str, Any]) -> tuple[int, Any]:
        if recording in self.classic:
            return 409, {"detail": "An upload session already exists."}
        files = {f["path"]: f["size_bytes"] for f in body["files"]}
        s = Classic(uuid.uuid4().hex, f"fleet/acme-ai/{recording}/", files)
        self.classic[recording] = s
        return 201, {
            "uid": s.uid,
            "total_files": len(files),
            "total_bytes": sum(files.values()),
            "confirmed_files": 0,
            "confirmed_bytes": 0,
            "s3_prefix": s.prefix,
            "status": "initiated",
        }

    def c_urls(self, recording: str, body: dict[str, Any]) -> tuple[int, Any]:
        s = self.classic[recording]
        assert body["session_uid"] == s.uid and len(body["file_paths"]) <= 100 and body["ttl_seconds"] == 3600
        urls = [
            {
                "path": path,
                "put_url": self.storage.presigned_put(self.bucket_classic, s.prefix + path),
                "s3_key": s.prefix + path,
                "headers": {"Content-Type": "application/octet-stream"},
            }
            for path in body["file_paths"]
        ]
        if s.status == "initiated":
            s.status = "uploading"
        return 200, {"urls": urls}

    def c_confirm(self, recording: str, body: dict[str, Any]) -> tuple[int, Any]:
        s = self.classic[recording]
        assert body["session_uid"] == s.uid
        for f in body["files"]:
            head = self.s3.client.head_object(Bucket=self.bucket_classic, Key=s.prefix + f["path"])
            assert head["ETag"].strip('"') == f["etag"], "confirmed with a wrong ETag"
            assert head["ContentLength"] == f["size_bytes"] == s.files[f["path"]]
            s.confirmed[f["path"]] = f["etag"]
        status = self._classic_status(s)
        return 200, {
            k: status[k] for k in ("session_uid", "total_files", "total_bytes", "confirmed_files", "confirmed_bytes")
        }

    def c_finalize(self, recording: str, body: dict[str, Any]) -> tuple[int, Any]:
        s = self.classic[recording]
        assert body["session_uid"] == s.uid and len(s.confirmed) == len(s.files)
        s.status = "completed" if self.finalize_completes else "completing"
        return 202, {"detail": "Finalization started.", "session_uid": s.uid}

    def classic_object(self, recording: str, path: str) -> bytes:
        """The stored bytes of one file of a classic session."""
        return self.s3.read(self.bucket_classic, self.classic[recording].prefix + path)

    # --- managed ----------------------------------------------------------------------------------------------------

    def _key(self, session: str, path: str) -> str:
        return f"__o__=/{OWNER}/__cloud__/{session}/{path}"

    def _original(self, o: Original) -> dict[str, Any]:
        return {
            "file_uid": o.file_uid,
            "path": o.path,
            "size_bytes": o.size,
            "content_sha256": o.sha256,
            "content_type": "application/octet-stream",
            "content_encoding": "",
            "part_size": PART,
            "part_count": max(1, -(-o.size // PART)),
            "verified": o.verified,
            "generation": None
            if o.generation_uid is None
            else {"generation_uid": o.generation_uid, "number": 1, "state": o.state},
        }

    def _managed_status(self, recording: str, m: Managed) -> dict[str, Any]:
        done = [o for o in m.files if o.verified]
        final = m.finalization
        status = "completed" if final and final["state"] == "succeeded" else "completing" if final else "uploading"
        return {
            "protocol": PROTOCOL,
            "session_uid": m.session_uid,
            "recording_uid": recording,
            "status": status,
            "total_files": len(m.files),
            "total_bytes": sum(o.size for o in m.files),
            "confirmed_files": len(done),
            "confirmed_bytes": sum(o.size for o in done),
            "files": [self._original(o) for o in m.files],
            "finalization": final,
        }

    def _session(self, recording: str, params: dict[str, Any]) -> Managed:
        assert params["protocol"] == PROTOCOL
        m = self.managed[recording]
        assert params["session_uid"] == m.session_uid
        return m

    def _file(self, m: Managed, file_uid: str) -> Original:
        return next(o for o in m.files if o.file_uid == file_uid)

    def m_admit(self, recording: str, body: dict[str, Any]) -> tuple[int, Any]:
        assert body["protocol"] == PROTOCOL
        m = self.managed.get(recording)
        if m is None:
            files = [
                Original(str(uuid.uuid4()), f["path"], f["size_bytes"], f["content_sha256"]) for f in body["files"]
            ]
            m = self.managed[recording] = Managed(body["session_uid"], files)
        elif m.session_uid != body["session_uid"]:
            return 409, {"detail": "Another managed session exists."}
        return 201, self._managed_status(recording, m)

    def m_status(self, recording: str, query: dict[str, Any]) -> tuple[int, Any]:
        return 200, self._managed_status(recording, self._session(recording, query))

    def m_multipart_init(self, recording: str, body: dict[str, Any]) -> tuple[int, Any]:
        m = self._session(recording, body)
        o = self._file(m, body["file_uid"])
        assert o.generation_uid is None, "a second init of one file"
        o.generation_uid, o.state = str(uuid.uuid4()), "active"
        o.upload_id = self.s3.create_multipart(self.bucket_managed, self._key(m.session_uid, o.path))
        return 201, {
            "protocol": PROTOCOL,
            "session_uid": m.session_uid,
            "file_uid": o.file_uid,
            "generation_uid": o.generation_uid,
            "number": 1,
            "state": "active",
            "part_size": PART,
            "part_count": max(1, -(-o.size // PART)),
            "initialization_deadline": "2099-01-01T00:00:00Z",
        }

    def m_multipart_progress(self, recording: str, query: dict[str, Any]) -> tuple[int, Any]:
        m = self._session(recording, query)
        o = self._file(m, query["file_uid"])
        after = int(query["after"])
        parts = [
            {"part_number": p["PartNumber"], "size": p["Size"]}
            for p in self.s3.list_parts(self.bucket_managed, self._key(m.session_uid, o.path), o.upload_id or "")
            if p["PartNumber"] > after
        ]
        more = len(parts) > 100
        parts = parts[:100]
        return 200, {
            "protocol": PROTOCOL,
            "session_uid": m.session_uid,
            "file_uid": o.file_uid,
            "generation_uid": o.generation_uid,
            "parts": parts,
            "next_cursor": parts[-1]["part_number"] if more else None,
        }

    def m_multipart_parts(self, recording: str, body: dict[str, Any]) -> tuple[int, Any]:
        m = self._session(recording, body)
        o = self._file(m, body["file_uid"])
        assert body["generation_uid"] == o.generation_uid
        grants = []
        for n in body["numbers"]:
            offset = (n - 1) * PART
            size = min(PART, o.size - offset)
            grant = {
                "grant_uid": str(uuid.uuid4()),
                "part_number": n,
                "offset": offset,
                "size_bytes": size,
                "url": self.part_url(m.session_uid, o, n),
                "headers": {"Content-Length": str(size)},
                "expires_at": "",
            }
            grant["expires_at"] = expiry(grant["url"])
            if self.grant_rewrite is not None:
                grant = self.grant_rewrite(grant)
            grants.append(grant)
        return 200, {
            "protocol": PROTOCOL,
            "session_uid": m.session_uid,
            "file_uid": o.file_uid,
            "generation_uid": o.generation_uid,
            "parts": grants,
        }

    def part_url(self, session: str, o: Original, number: int) -> str:
        """A SigV4-shaped presigned part PUT (moto does not check signatures), in the protocol's exact form."""
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        stamp = now.strftime("%Y%m%dT%H%M%SZ")
        key = quote(self._key(session, o.path), safe="/~")
        query = (
            f"uploadId={quote(o.upload_id or '', safe='~')}&partNumber={number}"
            f"&X-Amz-Algorithm=AWS4-HMAC-SHA256"
            f"&X-Amz-Credential={quote(f'AKIDTEST/{stamp[:8]}/auto/s3/aws4_request', safe='~')}"
            f"&X-Amz-Date={stamp}&X-Amz-Expires=300"
            f"&X-Amz-SignedHeaders={quote('content-length;host', safe='~')}"
            f"&X-Amz-Signature={hashlib.sha256((key + stamp).encode()).hexdigest()}"
        )
        return f"{self.storage.endpoint}/{self.bucket_managed}/{key}?{query}"

    def m_finalize(self, recording: str, body: dict[str, Any]) -> tuple[int, Any]:
        m = self._session(recording, body)
        listed = body["files"]
        assert listed == sorted(listed, key=lambda f: f["file_uid"])
        for f in listed:
            o = self._file(m, f["file_uid"])
            assert f["generation_uid"] == o.generation_uid
            key = self._key(m.session_uid, o.path)
            if o.state != "completed":
                self.s3.complete_multipart(self.bucket_managed, key, o.upload_id or "")
                o.state = "completed"
            data = self.s3.read(self.bucket_managed, key)
            o.verified = hashlib.sha256(data).hexdigest() == o.sha256
        ok = all(o.verified for o in m.files)
        m.finalization = {
            "uid": m.finalization["uid"] if m.finalization else str(uuid.uuid4()),
            "state": "succeeded" if ok else "failed",
            "stage": "publish" if ok else "verify",
            "attempts": 1,
            "failures": [] if ok else [{"code": "content_mismatch"}],
            "code": "published" if ok else "content_mismatch",
            "available_at": "2026-02-24T10:15:00Z",
            "publication_uid": "1b2c3d4e-5f6a-4b7c-9d8e-0f1a2b3c4d5e" if ok else None,
            "dataset_uid": "2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f" if ok else None,
        }
        return 202, {"protocol": PROTOCOL, "session_uid": m.session_uid, "finalization": m.finalization}

    def managed_object(self, recording: str, path: str) -> bytes:
        """The stored bytes of one managed file (after finalize)."""
        return self.s3.read(self.bucket_managed, self._key(self.managed[recording].session_uid, path))


def expiry(url: str) -> str:
    """``X-Amz-Date + X-Amz-Expires`` of a presigned URL, as an ISO date-time."""
    query = parse_qs(urlsplit(url).query)
    signed = dt.datetime.strptime(query["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
    return (signed + dt.timedelta(seconds=int(query["X-Amz-Expires"][0]))).strftime("%Y-%m-%dT%H:%M:%SZ")
