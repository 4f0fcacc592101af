"""The classic fleet recording upload (``client.fleet.uploads.upload_recording``), written once as a flow of effects.

The protocol (uploads-protocol.md §2): a session is started once (``init``), files are sent in batches of 100
presigned PUTs and confirmed with their ETags, then the session is finalized. The receipt
(:class:`~._fleet_state.Receipt`) records each phase *before* the call it guards, so a lost response never leads to a
second ``init`` or ``confirm``; every server answer is checked against the manifest and the receipt, and a file is
confirmed only when the bytes sent hashed to the manifest's SHA-256 (the PUT hashes while it sends).

The flow yields :mod:`._engine` effects; :class:`~avala.uploads.fleet.FleetUploadFlows` runs it with the sync or the
async driver. The API calls go through a raw-response twin of ``client.fleet.uploads`` so the exact JSON of every
answer can be checked.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from ..errors import AvalaError, NotFoundError, UploadStateError
from ._allow import check_storage_url
from ._engine import Call, Flow, Gather, Local, Send, Sleep, Stopped
from ._fleet_state import (
    CLASSIC_VERSION,
    Binding,
    Receipt,
    SourceFile,
    changed_hint,
    inventory,
    refuse,
    verify,
)
from ._storage import FileChanged, FileRange, StorageError, StorageRequest, sha256

BATCH = 100
TTL_SECONDS = 3600
PUT_ATTEMPTS = 3
PUT_BACKOFF = (1.0, 2.0)  # seconds before the 2nd and the 3rd attempt
PUT_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
STATUS_CAP = 1000
NO_SESSION = {"detail": "No upload session found for this recording."}
KNOWN_STATUSES = frozenset({"initiated", "uploading", "completing", "completed", "abandoned"})
SESSION_UID = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
ALLOWED_HEADERS = {
    "content-type": frozenset({"application/octet-stream"}),
    "cache-control": frozenset({"no-cache", "private, immutable, max-age=31536000"}),
    "content-encoding": frozenset({"gzip"}),
}
RESUME = "Run the same call again to resume: confirmed files are not sent again."
S3_PATH_STYLE = re.compile(r"^(?:s3|s3-[a-z0-9-]+|s3\.[a-z0-9-]+|s3\.dualstack\.[a-z0-9-]+)\.amazonaws\.com$")


@dataclass(frozen=True)
class UploadProgress:
    """Progress of ``upload_recording``, reported once per batch of up to 100 files.

    Attributes:
        total_files: Files in the recording.
        uploaded_files: Files confirmed so far (earlier runs included).
        total_bytes: Bytes in the recording.
        uploaded_bytes: Bytes sent by this run.
        failed_files: Files of this batch that could not be sent (the run raises after confirming the others).
    """

    total_files: int
    uploaded_files: int
    total_bytes: int
    uploaded_bytes: int
    failed_files: int = 0


@dataclass
class Context:
    """One ``upload_recording`` run's inputs."""

    recording_uid: str
    root: Path
    storage_config_uid: str | None
    max_workers: int
    on_progress: Callable[[UploadProgress], None] | None
    on_bytes: Callable[[str, int], None] | None
    base_url: str
    api_key: str

    def __post_init__(self) -> None:
        from ._datasets import Hooks  # the dataset uploads' hooks: calls to on_bytes never overlap

        self.hooks = Hooks(None, None, self.on_bytes)


@dataclass
class Put:
    """The outcome of one file's PUT: its ETag, or the error that stopped it."""

    path: str
    etag: str | None = None
    error: str | None = None


def api_failure(what: str, error: AvalaError, hint: str = RESUME) -> UploadStateError:
    """An API error during the flow, as an :class:`UploadStateError` with a recovery hint (no URL, no body)."""
    failure = UploadStateError(f"{what} failed: {error}. {hint}", error.status_code)
    failure.request_id = error.request_id
    return failure


def answer(raw: Any, what: str) -> dict[str, Any]:
    """The decoded JSON object of a raw API response; refused when it is not an object."""
    try:
        data = raw.http_response.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise refuse(f"{what}: the server's answer is not a JSON object; nothing was changed locally. {RESUME}")
    return data


def _int(data: dict[str, Any], key: str) -> int:
    value = data.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise KeyError(key)
    return value


def _contradiction(what: str, detail: str) -> UploadStateError:
    return refuse(
        f"{what}: the server's answer contradicts this upload's receipt ({detail}). Nothing more was sent; check the "
        "recording's upload with client.fleet.uploads.get_upload_status() before running again"
    )


# --- checks of server answers ----------------------------------------------------------------------------------------


def check_session(data: dict[str, Any], recording_uid: str, files: Sequence[SourceFile]) -> tuple[str, str]:
    """The session uid and storage prefix of an ``init`` answer, checked against the manifest."""
    what = "fleet.uploads.init_upload"
    uid, prefix = data.get("uid"), data.get("s3_prefix")
    try:
        totals = (_int(data, "total_files"), _int(data, "total_bytes"))
    except KeyError as missing:
        raise _contradiction(what, f"no valid {missing.args[0]!r}") from None
    if not isinstance(uid, str) or not SESSION_UID.match(uid):
        raise _contradiction(what, "no valid session uid")
    if totals != (len(files), sum(f.size for f in files)):
        raise _contradiction(what, f"it declares {totals[0]} files / {totals[1]} bytes")
    if data.get("status") != "initiated":
        raise _contradiction(what, f"the new session is {data.get('status')!r}, not 'initiated'")
    if (
        not isinstance(prefix, str)
        or not prefix.startswith("fleet/")
        or not prefix.endswith(f"/{recording_uid}/")
        or ".." in prefix.split("/")
        or any(ord(c) < 32 or ord(c) == 127 for c in prefix)
    ):
        raise _contradiction(what, "its storage prefix is not fleet/.../<recording_uid>/")
    return uid, prefix


@dataclass
class Status:
    """A checked ``get_upload_status`` answer."""

    status: str
    confirmed_files: int
    confirmed_bytes: int
    pending: list[str]  # in manifest order
    complete_list: bool  # False when the server capped pending_paths at 1000


def check_status(data: dict[str, Any], session_uid: str, files: Sequence[SourceFile]) -> Status:
    """A status answer, reconciled with the receipt's session and the manifest."""
    what = "fleet.uploads.get_upload_status"
    try:
        total_files, total_bytes = _int(data, "total_files"), _int(data, "total_bytes")
        confirmed_files, confirmed_bytes = _int(data, "confirmed_files"), _int(data, "confirmed_bytes")
    except KeyError as missing:
        raise _contradiction(what, f"no valid {missing.args[0]!r}") from None
    if data.get("session_uid") != session_uid:
        raise _contradiction(what, "it names another session")
    status = data.get("status")
    if status not in KNOWN_STATUSES:
        raise _contradiction(what, f"unknown session status {status!r}")
    if status == "abandoned":
        raise refuse(
            f"the recording's upload session {session_uid} was abandoned on the server; its files cannot be "
            "confirmed any more. Upload the recording again as a new recording"
        )
    sizes = {f.path: f.size for f in files}
    if (total_files, total_bytes) != (len(files), sum(sizes.values())):
        raise _contradiction(what, f"the session declares {total_files} files / {total_bytes} bytes")
    pending = data.get("pending_paths")
    if not isinstance(pending, list) or len(pending) > STATUS_CAP or len(set(map(str, pending))) != len(pending):
        raise _contradiction(what, "pending_paths is not a list of at most 1000 distinct paths")
    if not all(isinstance(p, str) and p in sizes for p in pending):
        raise _contradiction(what, "pending_paths names a file that is not in the manifest")
    pending_bytes = sum(sizes[p] for p in pending)
    complete_list = len(pending) < STATUS_CAP
    if complete_list:
        consistent = (confirmed_files, confirmed_bytes) == (total_files - len(pending), total_bytes - pending_bytes)
    else:
        consistent = confirmed_files <= total_files - len(pending) and confirmed_bytes <= total_bytes - pending_bytes
    if not consistent:
        raise _contradiction(what, "its counters disagree with its pending paths")
    order = {f.path: i for i, f in enumerate(files)}
    return Status(status, confirmed_files, confirmed_bytes, sorted(pending, key=order.__getitem__), complete_list)


@dataclass(frozen=True)
class Grant:
    """A checked presigned PUT."""

    url: str
    headers: dict[str, str]


def check_urls(data: dict[str, Any], paths: Sequence[str], prefix: str) -> dict[str, Grant]:
    """The presigned PUTs of a batch: one per requested path, to an allowed host, writing exactly
    ``prefix + path``, with only the headers the protocol allows."""
    what = "fleet.uploads.get_upload_urls"
    entries = data.get("urls")
    if not isinstance(entries, list) or len(entries) != len(paths):
        raise _contradiction(what, "not one URL per requested file")
    grants: dict[str, Grant] = {}
    for entry in entries:
        if not isinstance(entry, dict):
            raise _contradiction(what, "an entry is not an object")
        path, url, key, headers = entry.get("path"), entry.get("put_url"), entry.get("s3_key"), entry.get("headers")
        if not isinstance(path, str) or path not in paths or path in grants:
            raise _contradiction(what, "a URL for a file that was not requested, or twice for one file")
        if key != prefix + path:
            raise _contradiction(what, f"the storage key of {path!r} is outside the session's prefix")
        if not isinstance(url, str):
            raise _contradiction(what, f"no URL for {path!r}")
        try:
            parsed = check_storage_url(url)
        except ValueError as exc:
            raise refuse(f"{what}: the URL for {path!r} was refused: {exc}. Nothing was sent") from None
        encoded = "/" + quote(key, safe="/~")
        raw_path = parsed.raw_path.split(b"?", 1)[0].decode("ascii", "replace")
        host = parsed.host
        if raw_path != encoded and not (
            raw_path.startswith("/") and raw_path.split("/", 2)[-1] == encoded[1:] and _path_style(host)
        ):
            raise _contradiction(what, f"the URL for {path!r} writes another object than {key!r}")
        if headers is None:
            headers = {}
        if not isinstance(headers, dict):
            raise _contradiction(what, f"the headers for {path!r} are not an object")
        for name, value in headers.items():
            allowed = ALLOWED_HEADERS.get(str(name).lower())
            if allowed is None or not isinstance(value, str) or value not in allowed:
                raise _contradiction(what, f"the URL for {path!r} asks for a header the protocol does not allow")
        grants[path] = Grant(url, {str(k): str(v) for k, v in headers.items()})
    return grants


def _path_style(host: str) -> bool:
    """Hosts whose URLs name the bucket as the first path segment: S3's regional endpoints, and the hosts the
    allow-list setting adds (private S3-compatible storage, the tests' moto server)."""
    from ._allow import _builtin

    return bool(S3_PATH_STYLE.match(host)) or not _builtin(host) or host == "storage.googleapis.com"


def check_etag(response: httpx.Response) -> str | None:
    """The ETag of a PUT's response, quotes stripped; None when missing or malformed."""
    etag: str | None = response.headers.get("etag")
    if etag is None:
        return None
    etag = etag.strip()
    if etag.startswith("W/"):
        etag = etag[2:]
    etag = etag.strip('"')
    if not etag or len(etag) > 128 or any(ord(c) < 32 or ord(c) == 127 for c in etag):
        return None
    return etag


# --- the flow --------------------------------------------------------------------------------------------------------


def definitive(error: AvalaError) -> bool:
    """Whether an API error proves the call changed nothing (a 4xx answer other than 408/409/429)."""
    status = error.status_code
    return status is not None and 400 <= status < 500 and status not in (408, 409, 429)


def put_file(ctx: Context, f: SourceFile, grant: Grant) -> Flow[Put]:
    """PUT one file (up to 3 attempts), hashing while sending; its ETag when the bytes sent are the manifest's."""
    try:
        yield Local(lambda: verify([f]))
    except UploadStateError as exc:
        return Put(f.path, error=str(exc))
    headers = dict(grant.headers)
    if not any(k.lower() == "content-type" for k in headers):
        headers["Content-Type"] = "application/octet-stream"
    error = ""
    for attempt in range(PUT_ATTEMPTS):
        hasher = sha256()
        body = FileRange(f.absolute, 0, f.size, on_bytes=ctx.hooks.byte_hook(f.path), hasher=hasher, expect_eof=True)
        request = StorageRequest("PUT", grant.url, f.path, headers, body)
        try:
            response = yield Send(request)
        except Stopped:
            raise
        except FileChanged:
            return Put(f.path, error=changed_hint(f.path, "changed while it was being sent"))
        except StorageError as exc:
            error = str(exc)
            if (exc.status_code is None or exc.status_code in PUT_RETRY_STATUSES) and attempt + 1 < PUT_ATTEMPTS:
                yield Sleep(PUT_BACKOFF[attempt])
                continue
            return Put(f.path, error=error)
        except ValueError as exc:  # a URL the allow-list refuses, a header with a line break
            return Put(f.path, error=f"{f.path}: {exc}")
        if hasher.hexdigest() != f.sha256:
            body.rewind()
            return Put(f.path, error=changed_hint(f.path, "changed while it was being sent"))
        etag = check_etag(response)
        if etag is None:
            return Put(f.path, error=f"{f.path}: the storage answered without a usable ETag")
        return Put(f.path, etag=etag)
    return Put(f.path, error=error)


def _status(ctx: Context, session_uid: str, files: Sequence[SourceFile]) -> Flow[Status]:
    try:
        raw = yield Call(lambda api: api.get_upload_status(ctx.recording_uid))
    except AvalaError as exc:
        raise api_failure("fleet.uploads.get_upload_status", exc) from None
    return check_status(answer(raw, "fleet.uploads.get_upload_status"), session_uid, files)


def _expect_no_session(ctx: Context) -> Flow[None]:
    try:
        yield Call(lambda api: api.get_upload_status(ctx.recording_uid))
    except NotFoundError as exc:
        if exc.body == NO_SESSION:
            return
        raise api_failure("fleet.uploads.get_upload_status", exc, "Check the recording uid") from None
    except AvalaError as exc:
        raise api_failure("fleet.uploads.get_upload_status", exc) from None
    raise refuse(
        f"recording {ctx.recording_uid} already has an upload session, and this machine has no receipt for it "
        "(another machine or SDK started it). Finish it where it was started; a second session cannot be opened"
    )


def _get_urls(recording_uid: str, session_uid: str, paths: list[str], api: Any) -> Any:
    return api.get_upload_urls(recording_uid, session_uid, paths, ttl_seconds=TTL_SECONDS)


def _confirm(recording_uid: str, session_uid: str, body: list[dict[str, Any]], api: Any) -> Any:
    return api.confirm_upload(recording_uid, session_uid, body)


def upload_recording(ctx: Context, receipt: Receipt) -> Flow[dict[str, Any]]:
    """The whole classic flow; returns the fields of the final ``UploadSession``."""
    data = yield Local(lambda: receipt.load(CLASSIC_VERSION))
    files: list[SourceFile] = yield Local(lambda: inventory(ctx.root))
    binding = Binding.of(ctx.base_url, ctx.api_key, ctx.recording_uid, ctx.storage_config_uid, ctx.root, files)
    total_bytes = sum(f.size for f in files)
    by_path = {f.path: f for f in files}

    def record(phase: str, **fields: Any) -> dict[str, Any]:
        previous = receipt.data or {}
        return {
            "version": CLASSIC_VERSION,
            "binding": binding.digest,
            "evidence": binding.evidence,
            "phase": phase,
            "session_uid": fields.get("session_uid", previous.get("session_uid")),
            "s3_prefix": fields.get("s3_prefix", previous.get("s3_prefix")),
            "confirmation_paths": fields.get("confirmation_paths", []),
        }

    if data is None:
        yield from _expect_no_session(ctx)
        yield Local(lambda: verify(files))
        yield Local(lambda: receipt.write(record("initializing")))
        declared = [{"path": f.path, "size_bytes": f.size} for f in files]
        try:
            raw = yield Call(
                lambda api: api.init_upload(ctx.recording_uid, declared, storage_config_uid=ctx.storage_config_uid)
            )
        except AvalaError as exc:
            if definitive(exc):  # the server answered no: no session exists, a later run may start one
                yield Local(receipt.remove)
                raise api_failure("fleet.uploads.init_upload", exc, "Fix the cause, then run again") from None
            raise api_failure(
                "fleet.uploads.init_upload",
                exc,
                f"Whether the session was created is unknown, so the receipt {receipt.path} stays 'initializing' "
                "and the next run refuses rather than start a second session; check "
                "client.fleet.uploads.get_upload_status() and contact support if a session exists",
            ) from None
        session_uid, prefix = check_session(answer(raw, "fleet.uploads.init_upload"), ctx.recording_uid, files)
        yield Local(lambda: receipt.write(record("active", session_uid=session_uid, s3_prefix=prefix)))
        status = Status("initiated", 0, 0, [f.path for f in files], True)
    else:
        receipt.check_binding(binding)
        phase = data.get("phase")
        session_uid, prefix = data.get("session_uid"), data.get("s3_prefix")
        if phase == "initializing":
            raise refuse(
                f"the receipt {receipt.path} says a session was being started when an earlier run stopped, and "
                "whether it was created is unknown. Check client.fleet.uploads.get_upload_status("
                f"{ctx.recording_uid!r}); the SDK will not start a second session"
            )
        if phase not in ("active", "confirming", "finalizing", "completed") or not (
            isinstance(session_uid, str) and isinstance(prefix, str)
        ):
            raise refuse(f"the receipt {receipt.path} is not a valid classic receipt. {receipt.hint}")
        status = yield from _status(ctx, session_uid, files)
        if phase == "confirming":
            asked = data.get("confirmation_paths") or []
            if not status.complete_list or set(asked) & set(status.pending):
                raise refuse(
                    "an earlier run's confirmation of some files got no answer, and the server has not confirmed "
                    "them yet: that confirmation may still be applied. Run again in a few minutes"
                )
            yield Local(lambda: receipt.write(record("active")))
        if phase in ("finalizing", "completed") or status.status in ("completing", "completed"):
            return (yield from _finalize(ctx, receipt, record, files, session_uid, total_bytes))

    uploaded_bytes = 0
    while status.pending:
        confirmed_files, confirmed_bytes = status.confirmed_files, status.confirmed_bytes
        for start in range(0, len(status.pending), BATCH):
            paths = status.pending[start : start + BATCH]
            try:
                raw = yield Call(partial(_get_urls, ctx.recording_uid, session_uid, paths))
            except AvalaError as exc:
                raise api_failure("fleet.uploads.get_upload_urls", exc) from None
            grants = check_urls(answer(raw, "fleet.uploads.get_upload_urls"), paths, prefix)
            puts: list[Put] = yield Gather(
                [put_file(ctx, by_path[p], grants[p]) for p in paths], max(1, min(ctx.max_workers, len(paths)))
            )
            accepted = [p for p in puts if p.etag is not None]
            failed = [p for p in puts if p.etag is None]
            if accepted:
                names = [p.path for p in accepted]
                yield Local(partial(verify, files, names))
                yield Local(partial(receipt.write, record("confirming", confirmation_paths=names)))
                body = [{"path": p.path, "etag": p.etag, "size_bytes": by_path[p.path].size} for p in accepted]
                try:
                    raw = yield Call(partial(_confirm, ctx.recording_uid, session_uid, body))
                except AvalaError as exc:
                    if definitive(exc):
                        yield Local(lambda: receipt.write(record("active")))
                        raise api_failure("fleet.uploads.confirm_upload", exc) from None
                    raise api_failure(
                        "fleet.uploads.confirm_upload",
                        exc,
                        "The confirmation may still be applied: run again in a few minutes to resume",
                    ) from None
                confirmed_files += len(accepted)
                confirmed_bytes += sum(by_path[p.path].size for p in accepted)
                uploaded_bytes += sum(by_path[p.path].size for p in accepted)
                check_confirm(
                    answer(raw, "fleet.uploads.confirm_upload"), session_uid, files, confirmed_files, confirmed_bytes
                )
                yield Local(lambda: receipt.write(record("active")))
            if ctx.on_progress is not None:
                ctx.on_progress(UploadProgress(len(files), confirmed_files, total_bytes, uploaded_bytes, len(failed)))
            if failed:
                first = failed[0].error or "failed"
                more = f" (and {len(failed) - 1} more file(s))" if len(failed) > 1 else ""
                raise refuse(f"{first}{more}. {len(accepted)} file(s) of the batch were confirmed. {RESUME}")
        if status.complete_list:
            break
        status = yield from _status(ctx, session_uid, files)
    return (yield from _finalize(ctx, receipt, record, files, session_uid, total_bytes))


def check_confirm(
    data: dict[str, Any], session_uid: str, files: Sequence[SourceFile], confirmed_files: int, confirmed_bytes: int
) -> None:
    """A ``confirm`` answer must name the session and count exactly what is now confirmed."""
    what = "fleet.uploads.confirm_upload"
    if data.get("session_uid") != session_uid:
        raise _contradiction(what, "it names another session")
    try:
        counters = tuple(_int(data, k) for k in ("total_files", "total_bytes", "confirmed_files", "confirmed_bytes"))
    except KeyError as missing:
        raise _contradiction(what, f"no valid {missing.args[0]!r}") from None
    expected = (len(files), sum(f.size for f in files), confirmed_files, confirmed_bytes)
    if counters != expected:
        raise _contradiction(what, f"its counters {counters} are not the expected {expected}")


def _finalize(
    ctx: Context,
    receipt: Receipt,
    record: Callable[..., dict[str, Any]],
    files: Sequence[SourceFile],
    session_uid: str,
    total_bytes: int,
) -> Flow[dict[str, Any]]:
    status = yield from _status(ctx, session_uid, files)
    if status.pending or status.confirmed_files != len(files):
        raise refuse(
            f"{len(status.pending)} file(s) are not confirmed yet, so the session cannot be finalized. {RESUME}"
        )
    yield Local(lambda: verify(files))
    if (receipt.data or {}).get("phase") != "completed":
        yield Local(lambda: receipt.write(record("finalizing")))
    if status.status not in ("completing", "completed"):
        try:
            raw = yield Call(lambda api: api.finalize_upload(ctx.recording_uid, session_uid))
        except AvalaError as exc:
            raise api_failure("fleet.uploads.finalize_upload", exc) from None
        data = answer(raw, "fleet.uploads.finalize_upload")
        if not isinstance(data.get("detail"), str) or data.get("session_uid", session_uid) != session_uid:
            raise _contradiction("fleet.uploads.finalize_upload", "not a finalization of this session")
        status = yield from _status(ctx, session_uid, files)
        if status.status not in ("completing", "completed"):
            raise _contradiction("fleet.uploads.finalize_upload", f"the session is still {status.status!r}")
    yield Local(lambda: verify(files))
    if status.status == "completed":
        yield Local(lambda: receipt.write(record("completed")))
    return {
        "uid": session_uid,
        "total_files": len(files),
        "total_bytes": total_bytes,
        "confirmed_files": status.confirmed_files,
        "confirmed_bytes": status.confirmed_bytes,
        "s3_prefix": (receipt.data or {}).get("s3_prefix"),
        "status": status.status,
    }
