"""The managed MCAP upload (``client.fleet.uploads.upload_managed_recording``, protocol ``fleet-managed-mcap-v1``),
written once as a flow of effects (uploads-protocol.md §3).

The client chooses the session uid (kept in the receipt, so a retried admission is idempotent); every file is
admitted with its SHA-256, gets one multipart generation (64 MiB parts) started exactly once, and its missing parts
are sent on part grants checked strictly (R2 host, the session's object path, a SigV4 query of at most 300 s that has
not expired, and the same upload as the file's first grant: the *transport pin*). Then the session is finalized and,
with ``wait_timeout``, awaited. Every answer is checked with exact key sets against the manifest and the receipt.

The bytes of a part are streamed from disk (never a whole part in memory); the file's stat stamp is compared before
and after every part, so the bytes sent are the inventoried ones (a changed stamp means a re-hash, which must give
the manifest's SHA-256).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote

from ..errors import AvalaError, UploadStateError
from ._allow import _R2, _builtin, check_storage_url
from ._engine import Call, Flow, Gather, Local, Send, Sleep, Stopped
from ._fleet import UploadProgress, answer, api_failure
from ._fleet_state import (
    MANAGED_PROTOCOL,
    MANAGED_VERSION,
    PART_SIZE,
    Binding,
    Receipt,
    SourceFile,
    check_managed_profile,
    inventory,
    refuse,
    verify,
)
from ._storage import FileChanged, FileRange, RetryPolicy, StorageError, StorageRequest

if TYPE_CHECKING:
    from ..types.managed_fleet_upload_status import ManagedFleetUploadStatus

API_RETRY = RetryPolicy(attempts=3, base=1.0, cap=60.0, jitter=1.5)
MAX_GRANT_SECONDS = 300
FUTURE_SKEW = 30
WAIT_POLL = 2.0
TERMINAL_CODES = frozenset({"content_mismatch", "invalid_mcap"})
RESUME = "Run the same call again to resume the retained generation: stored parts are not sent again."

STATUS_KEYS = frozenset(
    {
        "protocol",
        "session_uid",
        "recording_uid",
        "status",
        "total_files",
        "total_bytes",
        "confirmed_files",
        "confirmed_bytes",
        "files",
        "finalization",
    }
)
ORIGINAL_KEYS = frozenset(
    {
        "file_uid",
        "path",
        "size_bytes",
        "content_sha256",
        "content_type",
        "content_encoding",
        "part_size",
        "part_count",
        "verified",
        "generation",
    }
)
GENERATION_KEYS = frozenset({"generation_uid", "number", "state"})
FINALIZATION_KEYS = frozenset(
    {"uid", "state", "stage", "attempts", "failures", "code", "available_at", "publication_uid", "dataset_uid"}
)
INIT_KEYS = frozenset(
    {
        "protocol",
        "session_uid",
        "file_uid",
        "generation_uid",
        "number",
        "state",
        "part_size",
        "part_count",
        "initialization_deadline",
    }
)
PROGRESS_KEYS = frozenset({"protocol", "session_uid", "file_uid", "generation_uid", "parts", "next_cursor"})
GRANTS_KEYS = frozenset({"protocol", "session_uid", "file_uid", "generation_uid", "parts"})
GRANT_KEYS = frozenset({"grant_uid", "part_number", "offset", "size_bytes", "url", "headers", "expires_at"})
FINALIZE_KEYS = frozenset({"protocol", "session_uid", "finalization"})
QUERY_KEYS = (
    "uploadId",
    "partNumber",
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Date",
    "X-Amz-Expires",
    "X-Amz-SignedHeaders",
    "X-Amz-Signature",
)
CREDENTIAL = re.compile(r"^[A-Za-z0-9]{1,128}/(\d{8})/auto/s3/aws4_request$")
UUID_TEXT = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


@dataclass
class Context:
    """One ``upload_managed_recording`` run's inputs."""

    recording_uid: str
    root: Path
    max_workers: int
    wait_timeout: float
    on_progress: Callable[[UploadProgress], None] | None
    on_bytes: Callable[[str, int], None] | None
    base_url: str
    api_key: str
    clock: Callable[[], float] = time.monotonic
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)

    def __post_init__(self) -> None:
        from ._datasets import Hooks  # the dataset uploads' hooks: calls to on_bytes never overlap

        self.hooks = Hooks(None, None, self.on_bytes)


def part_count(size: int) -> int:
    """Parts of a file of ``size`` bytes (the last one shorter)."""
    return max(1, -(-size // PART_SIZE))


def part_size(size: int, number: int) -> int:
    """The exact size of part ``number`` (from 1)."""
    return min(PART_SIZE, size - (number - 1) * PART_SIZE)


def contradiction(what: str, detail: str) -> UploadStateError:
    """A server answer that contradicts the manifest, the receipt or the protocol."""
    return refuse(
        f"{what}: the server's answer contradicts this managed upload ({detail}). Nothing more was sent; the receipt "
        "is kept. Check client.fleet.uploads.get_managed_upload_status() before running again"
    )


def exact(data: Any, keys: frozenset[str], what: str) -> dict[str, Any]:
    """``data`` as an object with exactly ``keys``."""
    if not isinstance(data, dict) or set(data) != keys:
        got = sorted(data) if isinstance(data, dict) else type(data).__name__
        raise contradiction(what, f"expected the fields {sorted(keys)}, got {got}")
    return data


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _ids(data: dict[str, Any], session_uid: str, what: str) -> None:
    if data.get("protocol") != MANAGED_PROTOCOL or data.get("session_uid") != session_uid:
        raise contradiction(what, "another protocol or session")


def check_finalization(value: Any, receipt: dict[str, Any], what: str) -> dict[str, Any] | None:
    """A finalization (or null), whose uids never change once the receipt has them."""
    if value is None:
        return None
    final = exact(value, FINALIZATION_KEYS, what)
    if not isinstance(final["uid"], str) or final["state"] not in (
        "pending",
        "running",
        "retry_wait",
        "succeeded",
        "failed",
    ):
        raise contradiction(what, "an invalid finalization")
    if not isinstance(final["failures"], list) or len(final["failures"]) > 5 or not _is_int(final["attempts"]):
        raise contradiction(what, "an invalid finalization")
    for key, field in (
        ("uid", "finalization_uid"),
        ("publication_uid", "publication_uid"),
        ("dataset_uid", "dataset_uid"),
    ):
        known = receipt.get(field)
        if known is not None and final[key] is not None and final[key] != known:
            raise contradiction(what, f"the finalization's {key} changed")
        if known is not None and final[key] is None and key != "uid":
            raise contradiction(what, f"the finalization lost its {key}")
    return final


def check_status(
    data: Any, ctx: Context, session_uid: str, files: Sequence[SourceFile], receipt: dict[str, Any], what: str
) -> dict[str, Any]:
    """A managed status answer: same session and recording, the manifest's files with stable uids, ``verified`` never
    regressing, no generation the client did not request and no substituted generation."""
    status = exact(data, STATUS_KEYS, what)
    _ids(status, session_uid, what)
    if status["recording_uid"] != ctx.recording_uid:
        raise contradiction(what, "another recording")
    if status["status"] not in ("initiated", "uploading", "completing", "completed"):
        raise contradiction(what, f"unknown status {status['status']!r}")
    originals = status["files"]
    if not isinstance(originals, list) or len(originals) != len(files):
        raise contradiction(what, "another set of files")
    by_path = {f.path: f for f in files}
    seen = set()
    recorded: dict[str, Any] = receipt.get("originals") or {}
    for raw in originals:
        o = exact(raw, ORIGINAL_KEYS, what)
        f = by_path.get(o["path"])
        if f is None or o["path"] in seen:
            raise contradiction(what, "a file that is not in the manifest, or twice")
        seen.add(f.path)
        if o["size_bytes"] != f.size or o["content_sha256"] != f.sha256:
            raise contradiction(what, f"{f.path!r} has another size or SHA-256")
        if o["part_size"] != PART_SIZE or o["part_count"] != part_count(f.size) or not isinstance(o["verified"], bool):
            raise contradiction(what, f"{f.path!r} has another part layout")
        if not isinstance(o["file_uid"], str) or not o["file_uid"]:
            raise contradiction(what, f"{f.path!r} has no file uid")
        mine = recorded.get(f.path) or {}
        if mine.get("file_uid") not in (None, o["file_uid"]):
            raise contradiction(what, f"the file uid of {f.path!r} changed")
        if mine.get("verified") and not o["verified"]:
            raise contradiction(what, f"{f.path!r} is no longer verified")
        generation = o["generation"]
        if generation is not None:
            g = exact(generation, GENERATION_KEYS, what)
            if not mine.get("initializing") and not mine.get("generation_uid"):
                raise contradiction(what, f"{f.path!r} has a generation this client never requested")
            if mine.get("generation_uid") not in (None, g["generation_uid"]):
                raise contradiction(what, f"the generation of {f.path!r} was substituted")
        elif mine.get("generation_uid"):
            raise contradiction(what, f"the generation of {f.path!r} disappeared")
    check_finalization(status["finalization"], receipt, what)
    return status


def check_grant(
    raw: Any, ctx: Context, session_uid: str, f: SourceFile, number: int, pin: str | None, what: str
) -> tuple[str, str]:
    """A part grant, checked strictly; its URL and transport pin."""
    grant = exact(raw, GRANT_KEYS, what)
    size = part_size(f.size, number)
    if (grant["part_number"], grant["offset"], grant["size_bytes"]) != (number, (number - 1) * PART_SIZE, size):
        raise contradiction(what, f"the grant for part {number} of {f.path!r} is for other bytes")
    if grant["headers"] != {"Content-Length": str(size)}:
        raise contradiction(what, f"the grant for part {number} of {f.path!r} asks for other headers")
    url = grant["url"]
    if not isinstance(url, str):
        raise contradiction(what, "a grant without a URL")
    foreign = (
        f"the grant for part {number} of {f.path!r} is not a part URL of this session (a foreign grant); nothing was "
        f"sent. {RESUME}"
    )
    try:
        parsed = check_storage_url(url)
    except ValueError as exc:
        raise refuse(f"{what}: {exc}. {RESUME}") from None
    host = parsed.host
    if _builtin(host) and not _R2.match(host):
        raise refuse(foreign)
    raw_path, _, raw_query = parsed.raw_path.decode("ascii", "replace").partition("?")
    expected = (
        rf"^/[a-z0-9][a-z0-9.-]{{1,62}}/__o__%3D/{UUID_TEXT}/__cloud__/{re.escape(session_uid)}/"
        + re.escape(quote(f.path, safe="/~"))
        + "$"
    )
    if not re.match(expected, raw_path):
        raise refuse(foreign)
    pairs = [pair.partition("=") for pair in raw_query.split("&")] if raw_query else []
    if [k for k, _, _ in pairs] != list(QUERY_KEYS):
        raise refuse(foreign)
    query = {k: unquote(v) for k, _, v in pairs}
    if any(v != quote(query[k], safe="-_.~") for k, _, v in pairs):
        raise refuse(foreign)
    credential = CREDENTIAL.match(query["X-Amz-Credential"])
    try:
        signed = dt.datetime.strptime(query["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
        expires = int(query["X-Amz-Expires"])
        expires_at = dt.datetime.fromisoformat(str(grant["expires_at"]).replace("Z", "+00:00"))
    except ValueError:
        raise refuse(foreign) from None
    if (
        query["partNumber"] != str(number)
        or query["X-Amz-Algorithm"] != "AWS4-HMAC-SHA256"
        or query["X-Amz-SignedHeaders"] != "content-length;host"
        or not re.fullmatch(r"[0-9a-f]{64}", query["X-Amz-Signature"])
        or not credential
        or credential.group(1) != query["X-Amz-Date"][:8]
        or not 1 <= expires <= MAX_GRANT_SECONDS
        or expires_at.tzinfo is None
        or expires_at != signed + dt.timedelta(seconds=expires)
    ):
        raise refuse(foreign)
    now = ctx.now()
    if expires_at <= now or signed > now + dt.timedelta(seconds=FUTURE_SKEW):
        raise refuse(
            f"the grant for part {number} of {f.path!r} is expired or signed in the future (check this machine's "
            f"clock); nothing was sent. {RESUME}"
        )
    transport = hashlib.sha256(json.dumps([host, raw_path, query["uploadId"]]).encode()).hexdigest()
    if pin is not None and transport != pin:
        raise refuse(foreign)
    return url, transport


# --- the flow --------------------------------------------------------------------------------------------------------


def _api(what: str, fn: Callable[[Any], Any], retry: bool) -> Flow[dict[str, Any]]:
    """One API call, with the shared backoff on retryable errors when ``retry``; its decoded JSON object."""
    attempt = 0
    while True:
        try:
            raw = yield Call(fn)
        except Stopped:
            raise
        except AvalaError as exc:
            attempt += 1
            if retry and attempt < API_RETRY.attempts and API_RETRY.retryable(exc):
                yield Sleep(API_RETRY.delay(attempt - 1, exc, _random))
                continue
            raise api_failure(what, exc, RESUME) from None
        return answer(raw, what)


def _random() -> float:
    import random

    return random.random()


def upload_managed_recording(ctx: Context, receipt: Receipt) -> Flow[ManagedFleetUploadStatus]:
    """The whole managed flow; returns the final ``ManagedFleetUploadStatus``."""
    from ..types.managed_fleet_upload_status import ManagedFleetUploadStatus

    rec = ctx.recording_uid
    data = yield Local(lambda: receipt.load(MANAGED_VERSION))
    files: list[SourceFile] = yield Local(lambda: inventory(ctx.root))
    check_managed_profile(rec, files)
    binding = Binding.of(ctx.base_url, ctx.api_key, rec, None, ctx.root, files)
    if data is None:
        state: dict[str, Any] = {
            "version": MANAGED_VERSION,
            "protocol": MANAGED_PROTOCOL,
            "binding": binding.digest,
            "evidence": binding.evidence,
            "session_uid": str(uuid.uuid4()),
            "originals": {},
            "finalizing": False,
            "finalization_uid": None,
            "publication_uid": None,
            "dataset_uid": None,
        }
        yield Local(lambda: receipt.write(state))
    else:
        receipt.check_binding(binding)
        state = data
        if state.get("protocol") != MANAGED_PROTOCOL or not isinstance(state.get("originals"), dict):
            raise refuse(f"the receipt {receipt.path} is not a valid managed receipt. {receipt.hint}")
    session = state["session_uid"]
    originals: dict[str, dict[str, Any]] = state["originals"]

    def save() -> Flow[None]:
        snapshot = json.loads(json.dumps(state))
        yield Local(lambda: receipt.write(snapshot))

    def status(what: str = "fleet.uploads.get_managed_upload_status") -> Flow[dict[str, Any]]:
        got = yield from _api(what, lambda api: api.get_managed_upload_status(rec, session_uid=session), True)
        return check_status(got, ctx, session, files, state, what)

    def remember(current: dict[str, Any]) -> Flow[None]:
        changed = False
        for o in current["files"]:
            mine = originals.setdefault(o["path"], {"initializing": False, "generation_uid": None, "number": None})
            for key, value in (("file_uid", o["file_uid"]), ("verified", o["verified"])):
                if mine.get(key) != value:
                    mine[key], changed = value, True
            generation = o["generation"]
            if generation is not None and mine.get("generation_uid") is None:
                mine["generation_uid"], mine["number"], changed = (
                    generation["generation_uid"],
                    generation["number"],
                    True,
                )
        final = current["finalization"]
        if final is not None:
            for key, field in (
                ("uid", "finalization_uid"),
                ("publication_uid", "publication_uid"),
                ("dataset_uid", "dataset_uid"),
            ):
                if final[key] is not None and state.get(field) != final[key]:
                    state[field], changed = final[key], True
        if changed:
            yield from save()

    if not originals:
        yield Local(lambda: verify(files))
        admitted = [{"path": f.path, "size_bytes": f.size, "content_sha256": f.sha256} for f in files]
        got = yield from _api(
            "fleet.uploads.admit_managed_upload",
            lambda api: api.admit_managed_upload(rec, session_uid=session, files=admitted),
            True,
        )
        current = check_status(got, ctx, session, files, state, "fleet.uploads.admit_managed_upload")
    else:
        current = yield from status()
    yield from remember(current)

    final = current["finalization"]
    done = final is not None and (
        final["state"] == "succeeded" or (final["state"] == "failed" and final["code"] in TERMINAL_CODES)
    )
    sent_bytes = 0
    finished = 0
    if not done:
        for f in files:
            mine = originals[f.path]
            if mine.get("generation_uid") is None:
                mine["initializing"] = True
                yield from save()
                got = yield from _api(
                    "fleet.uploads.init_managed_multipart",
                    partial(_init, rec, session, mine["file_uid"]),
                    False,
                )
                init = exact(got, INIT_KEYS, "fleet.uploads.init_managed_multipart")
                _ids(init, session, "fleet.uploads.init_managed_multipart")
                deadline = init["initialization_deadline"]
                try:
                    aware = dt.datetime.fromisoformat(str(deadline).replace("Z", "+00:00")).tzinfo is not None
                except ValueError:
                    aware = False
                if (
                    init["file_uid"] != mine["file_uid"]
                    or (init["number"], init["state"], init["part_size"]) != (1, "active", PART_SIZE)
                    or init["part_count"] != part_count(f.size)
                    or not isinstance(init["generation_uid"], str)
                    or not aware
                ):
                    raise contradiction(
                        "fleet.uploads.init_managed_multipart", f"an unexpected generation for {f.path!r}"
                    )
                mine["generation_uid"], mine["number"] = init["generation_uid"], 1
                yield from save()
            current = yield from status()
            yield from remember(current)
            o = next(x for x in current["files"] if x["path"] == f.path)
            g = o["generation"]
            if o["verified"] or (g is not None and g["state"] == "completed"):
                finished += 1
                continue
            if g is None or g["state"] not in ("active", "completing"):
                raise refuse(
                    f"the generation of {f.path!r} is {None if g is None else g['state']!r} on the server, so its "
                    "parts cannot be sent; the session cannot be completed by this client"
                )
            stored = yield from _stored(ctx, session, f, mine["file_uid"], mine["generation_uid"])
            missing = [n for n in range(1, part_count(f.size) + 1) if n not in stored]
            results = yield Gather(
                [_part(ctx, session, f, mine, n, save) for n in missing],
                max(1, min(ctx.max_workers, len(missing) or 1)),
            )
            sent_bytes += sum(results)
            yield Local(partial(verify, [f]))
            finished += 1
            if ctx.on_progress is not None:
                total = sum(x.size for x in files)
                ctx.on_progress(UploadProgress(len(files), finished, total, sent_bytes, 0))

        yield Local(lambda: verify(files))
        current = yield from status()
        final = current["finalization"]
        retryable = final is not None and final["state"] == "failed" and final["code"] not in TERMINAL_CODES
        if final is None or retryable:
            state["finalizing"] = True
            yield from save()
            listed = sorted(
                (
                    {"file_uid": originals[f.path]["file_uid"], "generation_uid": originals[f.path]["generation_uid"]}
                    for f in files
                ),
                key=lambda x: x["file_uid"],
            )
            got = yield from _api(
                "fleet.uploads.finalize_managed_upload",
                lambda api: api.finalize_managed_upload(rec, session_uid=session, files=listed),
                True,
            )
            answered = exact(got, FINALIZE_KEYS, "fleet.uploads.finalize_managed_upload")
            _ids(answered, session, "fleet.uploads.finalize_managed_upload")
            check_finalization(answered["finalization"], state, "fleet.uploads.finalize_managed_upload")
            current = yield from status()
            yield from remember(current)
    if ctx.wait_timeout > 0:
        deadline = ctx.clock() + ctx.wait_timeout
        while (current["finalization"] or {}).get("state") not in ("failed", "succeeded"):
            left = deadline - ctx.clock()
            if left <= 0:
                break
            yield Sleep(min(WAIT_POLL, left))
            current = yield from status()
            yield from remember(current)
    yield Local(lambda: verify(files))
    return ManagedFleetUploadStatus.from_dict(current)


def _init(recording_uid: str, session: str, file_uid: str, api: Any) -> Any:
    return api.init_managed_multipart(recording_uid, session_uid=session, file_uid=file_uid)


def _progress(recording_uid: str, session: str, file_uid: str, generation: str, after: int, api: Any) -> Any:
    return api.get_managed_multipart_progress(
        recording_uid, session_uid=session, file_uid=file_uid, generation_uid=generation, after=after
    )


def _stored(ctx: Context, session: str, f: SourceFile, file_uid: str, generation: str) -> Flow[set[int]]:
    """The parts storage already holds, each of its exact expected size (at most two pages)."""
    what = "fleet.uploads.get_managed_multipart_progress"
    stored: set[int] = set()
    after = 0
    for _ in range(2):
        got = yield from _api(
            what,
            partial(_progress, ctx.recording_uid, session, file_uid, generation, after),
            True,
        )
        page = exact(got, PROGRESS_KEYS, what)
        _ids(page, session, what)
        parts = page["parts"]
        if page["generation_uid"] != generation or not isinstance(parts, list) or len(parts) > 100:
            raise contradiction(what, f"the progress of {f.path!r} is for another generation or too long")
        last = after
        for raw in parts:
            part = exact(raw, frozenset({"part_number", "size"}), what)
            n = part["part_number"]
            if not _is_int(n) or n <= last or n > part_count(f.size) or part["size"] != part_size(f.size, n):
                raise contradiction(what, f"part {n} of {f.path!r} is out of order or of another size")
            stored.add(n)
            last = n
        cursor = page["next_cursor"]
        if cursor is None:
            return stored
        if not _is_int(cursor) or cursor < last:
            raise contradiction(what, "an invalid cursor")
        after = cursor
    raise contradiction(what, f"the progress of {f.path!r} has more pages than parts")


def _part(
    ctx: Context, session: str, f: SourceFile, mine: dict[str, Any], number: int, save: Callable[[], Flow[None]]
) -> Flow[int]:
    """Grant and PUT one part (no retry in-process: a failure leaves the generation to resume); bytes sent."""
    what = "fleet.uploads.grant_managed_parts"
    got = yield from _api(
        what,
        lambda api: api.grant_managed_parts(
            ctx.recording_uid,
            session_uid=session,
            file_uid=mine["file_uid"],
            generation_uid=mine["generation_uid"],
            numbers=[number],
        ),
        True,
    )
    page = exact(got, GRANTS_KEYS, what)
    _ids(page, session, what)
    grants = page["parts"]
    if page["file_uid"] != mine["file_uid"] or page["generation_uid"] != mine["generation_uid"]:
        raise refuse(f"{what}: a grant for another file or generation (a foreign grant); nothing was sent. {RESUME}")
    if not isinstance(grants, list) or len(grants) != 1:
        raise contradiction(what, "not exactly one grant")
    url, pin = check_grant(grants[0], ctx, session, f, number, mine.get("transport_pin"), what)
    if mine.get("transport_pin") is None:
        mine["transport_pin"] = pin
        yield from save()
    yield Local(lambda: verify([f]))
    size = part_size(f.size, number)
    body = FileRange(f.absolute, (number - 1) * PART_SIZE, size, on_bytes=ctx.hooks.byte_hook(f.path))
    request = StorageRequest("PUT", url, f"part {number} of {f.path}", {"Content-Length": str(size)}, body)
    try:
        response = yield Send(request)
    except (Stopped, UploadStateError):
        raise
    except FileChanged:
        raise refuse(f"{f.path!r} changed while part {number} was being sent. {RESUME}") from None
    except (StorageError, ValueError) as exc:
        raise refuse(f"{exc}; whether part {number} of {f.path!r} was stored is uncertain. {RESUME}") from None
    if response.status_code != 200:
        raise refuse(
            f"part {number} of {f.path!r}: storage answered HTTP {response.status_code}, not 200; whether it was "
            f"stored is uncertain. {RESUME}"
        )
    yield Local(lambda: verify([f]))
    return size
