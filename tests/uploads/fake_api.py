"""A fake Avala API on loopback for the upload tests: the manual-upload endpoints, minting real presigned URLs.

It serves ``/api/v1`` over plain http on 127.0.0.1 (clients use ``AVALA_ALLOW_INSECURE_BASE_URL``), so the SDK under
test, in this process or in a child process, talks to it exactly as to the service. Presigned form POSTs, PUTs and
multipart part URLs are minted with boto3 against the storage endpoint it is given (the moto server, or the fault
proxy in front of it); ``complete`` completes the multipart upload in moto and checks what is stored.

Knobs a test sets: ``multipart_at`` (file size from which v2 answers MULTIPART), ``part_size``, ``quota`` ``(used,
limit)``, ``storage_host_override`` (mint URLs on another host), ``faults`` (answer a status for the next matching
API requests), ``gate`` (make presigns of matching paths wait for an event). It records every request.
"""

from __future__ import annotations

import json
import math
import re
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .storage import S3

BUCKET = "avala-uploads"
USER_UID = "5e8f1a2b-9c3d-4e7f-a1b2-c3d4e5f6a7b8"


@dataclass
class Session:
    """A v2 upload of one path in one batch."""

    uid: str
    key: str
    size: int
    method: str
    upload_id: str | None = None
    part_count: int = 0
    complete: bool = False


@dataclass
class ApiFault:
    """Answer ``status`` with ``body`` to the next ``times`` requests matching ``match(method, path)``."""

    match: Callable[[str, str], bool]
    status: int
    body: Any = field(default_factory=lambda: {"detail": "injected"})
    times: int = 1


class FakeAvala:
    """The fake API server. ``base_url`` is what a client uses."""

    def __init__(self, s3: S3) -> None:
        self.s3 = s3  # presigns against s3.endpoint (moto or the proxy); reads back through it too
        s3.create_bucket(BUCKET)
        self.multipart_at = 8 * 1024 * 1024
        self.part_size = 5 * 1024 * 1024
        self.quota: tuple[int, int] | None = None
        self.storage_host_override: str | None = None
        self.faults: list[ApiFault] = []
        self.gate: tuple[Callable[[str], bool], threading.Event] | None = None
        self.user_uids: list[str] = []  # users.me answers these in turn (then USER_UID)
        self.requests: list[tuple[str, str, Any]] = []
        self.sessions: dict[tuple[str, str], Session] = {}
        self.by_uid: dict[str, Session] = {}
        self.datasets: dict[str, dict[str, Any]] = {}
        self.lock = threading.Lock()
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return None

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else None
                url = urlsplit(self.path)
                path = url.path.removeprefix("/api/v1")
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                with api.lock:
                    api.requests.append((self.command, path, body))
                    fault = next((f for f in api.faults if f.times > 0 and f.match(self.command, path)), None)
                    if fault is not None:
                        fault.times -= 1
                if self.headers.get("X-Avala-Api-Key") != "avk_test_0123456789abcdef":
                    status, answer = 401, {"detail": "Invalid API key."}
                elif fault is not None:
                    status, answer = fault.status, fault.body
                else:
                    try:
                        status, answer = api.route(self.command, path, query, body)
                    except Exception as exc:  # a test bug shows as a 500 with its text
                        status, answer = 500, {"detail": f"fake API error: {exc!r}"}
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    @property
    def base_url(self) -> str:
        """The API base URL for a client."""
        return f"http://127.0.0.1:{self.server.server_address[1]}/api/v1"

    def close(self) -> None:
        """Stop serving."""
        self.server.shutdown()
        self.server.server_close()

    # --- what tests read -----------------------------------------------------------------------------------------

    def calls(self, suffix: str) -> list[Any]:
        """Bodies of the requests whose path ends with ``suffix``."""
        with self.lock:
            return [body for _, path, body in self.requests if path.endswith(suffix)]

    def key(self, dataset: str, relative: str, organization_uid: str | None = None) -> str:
        """The storage key of a file."""
        root = f"__o__=/{organization_uid}" if organization_uid else f"__u__=/{USER_UID}"
        return f"{root}/{dataset}/{relative}"

    def read(self, dataset: str, relative: str, organization_uid: str | None = None) -> bytes:
        """The stored bytes of a file."""
        return self.s3.read(BUCKET, self.key(dataset, relative, organization_uid))

    # --- the endpoints -------------------------------------------------------------------------------------------

    def _url(self, url: str) -> str:
        if self.storage_host_override:
            return re.sub(r"^https?://[^/]+", self.storage_host_override, url)
        return url

    def route(self, method: str, path: str, query: dict[str, str], body: Any) -> tuple[int, Any]:
        """Answer one API request."""
        if (method, path) == ("GET", "/users/me/"):
            return 200, {"uid": self.user_uids.pop(0) if self.user_uids else USER_UID, "username": "jdoe"}
        if (method, path) == ("GET", "/datasets/manual-upload/quota/"):
            if self.quota is None:
                return 404, {"detail": "Not found."}
            return 200, {"used": self.quota[0], "limit": self.quota[1]}
        if (method, path) == ("POST", "/datasets/manual-upload/file-upload-url/"):
            return self.presign(body)
        match = re.fullmatch(r"/datasets/manual-upload/uploads/([^/]+)/(parts|complete)/", path)
        if method == "POST" and match:
            session = self.by_uid.get(match.group(1))
            if session is None:
                return 404, {"detail": "Not found."}
            return self.parts(session, body) if match.group(2) == "parts" else self.complete(session, body)
        if (method, path) == ("POST", "/datasets/manual-upload/"):
            uid = str(uuid.uuid4())
            self.datasets[uid] = {"uid": uid, "name": body["name"], "slug": body["slug"], "status": "creating"}
            return 201, self.datasets[uid]
        match = re.fullmatch(r"/datasets/([^/]+)/", path)
        if method == "GET" and match and match.group(1) in self.datasets:
            self.datasets[match.group(1)]["status"] = "created"
            return 200, self.datasets[match.group(1)]
        return 404, {"detail": "Not found."}

    def presign(self, body: dict[str, Any]) -> tuple[int, Any]:
        relative, size = body["file_path_in_dataset"], body["content_length"]
        if self.gate is not None and self.gate[0](relative):
            self.gate[1].wait(30)
        if self.quota is not None and self.quota[0] + size > self.quota[1]:
            return 413, {"detail": "Storage quota exceeded.", "limit": self.quota[1], "used": self.quota[0]}
        key = self.key(body["dataset_name"], relative, body.get("organization_uid"))
        batch = body.get("dataset_upload_uid")
        if batch is None:
            assert "upload_protocol_version" not in body
            post = self.s3.presigned_post(BUCKET, key)
            return 200, {"url": self._url(post["url"]), "fields": post["fields"]}
        assert body.get("upload_protocol_version") == 2
        with self.lock:
            session = self.sessions.get((batch, relative))
            if session is None or (session.size != size and not session.complete):
                method = "MULTIPART" if size >= self.multipart_at else "PUT"
                session = Session(str(uuid.uuid4()), key, size, method)
                if method == "MULTIPART":
                    session.upload_id = self.s3.create_multipart(BUCKET, key)
                    session.part_count = max(1, math.ceil(size / self.part_size))
                self.sessions[(batch, relative)] = session
                self.by_uid[session.uid] = session
        if session.complete and session.size == size:
            return 200, {"method": session.method, "upload_uid": session.uid, "complete": True}
        if session.method == "PUT":
            url = self.s3.presigned_put(BUCKET, key)
            return 200, {"method": "PUT", "upload_uid": session.uid, "url": self._url(url), "headers": {}}
        assert session.upload_id is not None
        stored = self.s3.list_parts(BUCKET, key, session.upload_id)
        return 200, {
            "method": "MULTIPART",
            "upload_uid": session.uid,
            "part_size": self.part_size,
            "part_count": session.part_count,
            "uploaded_parts": [{"part_number": p["PartNumber"], "size": p["Size"], "etag": p["ETag"]} for p in stored],
        }

    def parts(self, session: Session, body: dict[str, Any]) -> tuple[int, Any]:
        assert session.upload_id is not None
        (number,) = body["part_numbers"]
        url = self.s3.presigned_part(BUCKET, session.key, session.upload_id, number)
        return 200, {"parts": [{"part_number": number, "url": self._url(url), "headers": {}}]}

    def complete(self, session: Session, body: Any) -> tuple[int, Any]:
        assert body == {}
        if session.complete:
            return 200, {"detail": "Upload completed."}
        if session.method == "MULTIPART":
            assert session.upload_id is not None
            stored = self.s3.list_parts(BUCKET, session.key, session.upload_id)
            if len(stored) != session.part_count:
                return 400, {"detail": f"{len(stored)} of {session.part_count} parts stored"}
            self.s3.complete_multipart(BUCKET, session.key, session.upload_id)
        elif not self.s3.exists(BUCKET, session.key):
            return 400, {"detail": "nothing stored"}
        session.complete = True
        return 200, {"detail": "Upload completed."}
