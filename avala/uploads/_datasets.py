"""The dataset upload flow (``datasets.upload_files`` / ``create_from_local``), written once as effect generators.

The wire is the published package's (uploads-protocol.md, section 1): per file, a presign
(``create_manual_upload_url``) re-issued on every attempt, then by the answer's ``method``: a form POST (v1), a
whole-file PUT (v2, 412 = already stored), or a multipart upload (v2: each missing part signed with
``create_manual_upload_parts`` and PUT, parts the server lists in ``uploaded_parts`` skipped), or nothing at all
(``complete: true``); every v2 upload ends with ``complete_manual_upload``. ``create_from_local`` adds the quota
preflight, a v2 batch, the storage-root guard and the finalize (``create_from_manual_upload``).

Per file, up to :data:`POLICY` ``.attempts`` attempts: stat stamp, presign, transfer, re-stat. A failure after bytes
may have landed is journaled (``maybe``) before anything else; a retryable one (408/429/5xx, transport errors, on
either plane) waits with backoff (``Retry-After`` honoured) and starts again from the presign; anything else fails at
once. Success with an unchanged stamp is journaled ``done``; a changed stamp is ``invalid`` and raises
:class:`~avala.errors.FileChangedError`. ``workers`` files are in flight, and as many parts of a multipart file; the
first unrecoverable error stops the rest (the drivers' fail-fast rule), the state is flushed, and the error raised.
"""

from __future__ import annotations

import functools
import hashlib
import math
import mimetypes
import os
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from random import random
from typing import Any

from ..errors import FileChangedError, QuotaExceededError, UploadStateError
from . import _state
from ._allow import check_storage_url
from ._dataset_state import DatasetState, fingerprint
from ._engine import Call, Flow, Gather, Local, Send, Sleep, Stopped
from ._storage import FileRange, FormBody, RetryPolicy, StorageRequest

POLICY = RetryPolicy(attempts=8, base=1.0, cap=60.0, jitter=1.5)
MIN_PART = 5 * 1024 * 1024
MAX_PART = 128 * 1024 * 1024
MAX_PARTS = 10_000

ProgressHook = Callable[[str, int], None]
SkippedHook = Callable[[str], None]


class Hooks:
    """The caller's callbacks, called one at a time (workers are threads or tasks)."""

    def __init__(
        self, on_progress: ProgressHook | None, on_skipped: SkippedHook | None, on_bytes: ProgressHook | None
    ) -> None:
        self._lock = threading.Lock()
        self._progress, self._skipped, self._bytes = on_progress, on_skipped, on_bytes

    def progress(self, relative: str, size: int) -> None:
        """A file was sent (``size`` bytes this call)."""
        if self._progress is not None:
            with self._lock:
                self._progress(relative, size)

    def skipped(self, relative: str) -> None:
        """A file was already stored."""
        if self._skipped is not None:
            with self._lock:
                self._skipped(relative)

    def byte_hook(self, relative: str) -> Callable[[int], None] | None:
        """The storage plane's byte hook for one file (None when the caller gave no ``on_bytes``)."""
        hook = self._bytes
        if hook is None:
            return None

        def sent(delta: int) -> None:
            with self._lock:
                hook(relative, delta)

        return sent


@dataclass
class Job:
    """One ``upload_files`` / ``create_from_local`` call: its arguments, checked, and what the flow learns."""

    base_url: str
    api_key: str
    dataset_name: str
    files: list[tuple[str, str]]
    workers: int
    hooks: Hooks
    organization_uid: str | None
    resume: bool
    state_key: str | None
    batch: str | None = None
    state: DatasetState | None = None
    sent: int = 0
    account_uid: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if isinstance(self.workers, bool) or not isinstance(self.workers, int) or self.workers < 1:
            raise ValueError(f"workers must be a positive int, not {self.workers!r}")
        if not isinstance(self.dataset_name, str) or not self.dataset_name.strip():
            raise ValueError("dataset_name must be a non-empty string")
        seen: dict[str, str] = {}
        for entry in self.files:
            if not (
                isinstance(entry, tuple | list)
                and len(entry) == 2
                and all(isinstance(x, str | os.PathLike) for x in entry)
            ):
                raise TypeError(f"files must be (local_path, path_in_dataset) pairs, got {entry!r}")
        self.files = [(os.fspath(local), str(relative)) for local, relative in self.files]
        for local, relative in self.files:
            if not relative or relative.startswith("/") or "\\" in relative or "\x00" in relative:
                raise ValueError(f"{relative!r} is not a relative POSIX path inside the dataset")
            if relative in seen:
                first = seen[relative]
                detail = f"{first} and {local}" if first != local else f"{local}, listed twice"
                raise ValueError(
                    f"two entries map to the same path in the dataset {relative!r} ({detail}): they would race for "
                    "one stored object. Give each file its own path, once."
                )
            seen[relative] = local

    @property
    def key_hash(self) -> str:
        """A short digest of the API key (never the key)."""
        return hashlib.sha256(self.api_key.encode()).hexdigest()[:16]

    @property
    def personal(self) -> bool:
        """Whether the dataset belongs to the caller rather than an organization."""
        return not self.organization_uid


# --- collecting local files ----------------------------------------------------------------------------------------


def gather_local_files(source: str | os.PathLike[str], state_root: Path) -> list[tuple[str, str]]:
    """``(local path, relative POSIX path)`` of a file (named by its basename) or of every file under a directory
    (sorted per directory), leaving out anything inside the state directory; a source that is, or is inside, the state
    directory is refused."""
    root = Path(source)
    if _state.inside(root, state_root):
        raise ValueError(f"{root} is the upload state directory ({state_root}) or inside it; it cannot be uploaded")
    if root.is_file():
        return [(str(root), root.name)]
    if not root.is_dir():
        raise ValueError(f"{root} is neither a file nor a directory")
    found: list[tuple[str, str]] = []
    for directory, subdirectories, names in os.walk(root):
        subdirectories.sort()
        for name in sorted(names):
            path = Path(directory) / name
            if _state.inside(path, state_root) or not path.is_file():
                continue
            found.append((str(path), PurePath(os.path.relpath(path, root)).as_posix()))
        subdirectories[:] = [d for d in subdirectories if not _state.inside(Path(directory) / d, state_root)]
    return found


# --- identity and storage root -------------------------------------------------------------------------------------


def _identity_path() -> Path:
    return _state.state_dir("datasets") / "identity.json"


def _cached_uid(job: Job) -> str | None:
    data = _state.read_json(_identity_path(), "Delete it: it only caches which user an API key belongs to.")
    value = data.get(f"{job.base_url}|{job.key_hash}") if isinstance(data, dict) else None
    return value if isinstance(value, str) else None


def _cache_uid(job: Job, uid: str) -> None:
    path = _identity_path()
    try:
        data = _state.read_json(path, "")
    except UploadStateError:
        data = None
    data = data if isinstance(data, dict) else {}
    if data.get(f"{job.base_url}|{job.key_hash}") != uid:
        data[f"{job.base_url}|{job.key_hash}"] = uid
        _state.write_json(path, data)


def lookup_uid(job: Job) -> Flow[str | None]:
    """The caller's user uid from ``users.me`` (None when that fails: the lookup is advisory)."""
    try:
        user = yield Call(lambda api: api.users.me())
    except Stopped:
        raise
    except Exception:  # advisory: the upload does not depend on it
        return None
    uid = getattr(user, "uid", None)
    return uid if isinstance(uid, str) and uid else None


def resolve_account(job: Job) -> Flow[str]:
    """The account part of the fingerprint: empty for an organization, the user uid (cached per API key, so a later
    failed lookup does not switch checkpoints), else a digest of the key."""
    if not job.personal:
        return ""
    uid = yield from lookup_uid(job)
    if uid is not None:
        found = uid
        yield Local(lambda: _cache_uid(job, found))
    else:
        uid = yield Local(lambda: _cached_uid(job))
    job.account_uid = uid
    return f"u:{uid}" if uid else f"k:{job.key_hash}"


def storage_root(job: Job, uid: str | None) -> str | None:
    """Where the server stores the files: ``__o__=/<org>`` or ``__u__=/<user uid>`` (None when unknown)."""
    if job.organization_uid:
        return f"__o__=/{job.organization_uid}"
    return f"__u__=/{uid}" if uid else None


def open_state(job: Job, account: str) -> DatasetState:
    """Create, lock and load the destination's state (blocking)."""
    key = job.state_key or job.dataset_name
    state = DatasetState(
        _state.state_dir("datasets"),
        key,
        fingerprint(job.base_url, job.organization_uid, job.dataset_name, account),
        job.dataset_name,
    )
    state.open()
    job.state = state
    return state


# --- planning ------------------------------------------------------------------------------------------------------


@dataclass
class Plan:
    """Which files to send and which are already stored."""

    todo: list[tuple[str, str, list[int]]]  # (local, relative, stamp)
    skipped: list[str]

    @property
    def size(self) -> int:
        """Bytes to send."""
        return sum(stamp[0] for _, _, stamp in self.todo)


def make_plan(job: Job, state: DatasetState) -> Plan:
    """Stat every file; skip the stored, unchanged ones (when resuming); refuse a source that lost a stored file."""
    todo, skipped = [], []
    for local, relative in job.files:
        try:
            stamp = _state.file_stamp(local)
        except OSError as exc:
            raise ValueError(f"cannot read {local}: {exc.strerror or exc}") from None
        if job.resume and state.skippable(relative, stamp):
            skipped.append(relative)
        else:
            todo.append((local, relative, stamp))
    missing = state.remote() - {relative for _, relative in job.files}
    if missing:
        raise ValueError(
            f"{len(missing)} file(s) already stored for dataset {job.dataset_name!r} are no longer in the source "
            f"(e.g. {min(missing)}). Finalization indexes everything under the dataset's prefix and stored objects "
            "cannot be deleted from here: restore them, or upload under a new dataset name."
        )
    return Plan(todo, skipped)


# --- one file ------------------------------------------------------------------------------------------------------


class _Attempt:
    """What one attempt of one file did: whether bytes may have reached storage."""

    __slots__ = ("touched",)

    def __init__(self) -> None:
        self.touched = False


def _str(target: Mapping[str, Any], name: str, relative: str) -> str:
    value = target.get(name)
    if not isinstance(value, str) or not value:
        raise ValueError(f"{relative}: the upload target has no {name!r}")
    return value


def _int(target: Mapping[str, Any], name: str, relative: str) -> int:
    value = target.get(name)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{relative}: the upload target's {name!r} is not an integer")
    return value


def _headers(value: Any, relative: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise ValueError(f"{relative}: the upload target's headers are not string pairs")
    return dict(value)


def file_flow(job: Job, local: str, relative: str, planned: list[int]) -> Flow[int]:
    """Send one file, with retries; record the outcome; return the bytes sent (0 when the server had it)."""
    state = job.state
    assert state is not None
    stamp = planned
    for attempt in range(POLICY.attempts):
        stamp = yield Local(lambda: _state.file_stamp(local))  # what this attempt sends, re-checked after
        size = stamp[0]
        tries = _Attempt()
        try:

            def presign(api: Any, size: int = size) -> Any:
                return api.datasets.create_manual_upload_url(
                    dataset_name=job.dataset_name,
                    file_path_in_dataset=relative,
                    content_length=size,
                    organization_uid=job.organization_uid,
                    dataset_upload_uid=job.batch,
                )

            target = yield Call(presign)
            if not isinstance(target, Mapping):
                raise ValueError(f"{relative}: the upload target is not an object")
            sent = yield from transfer(job, local, relative, stamp, target, tries)
        except Stopped:
            if tries.touched:
                yield Local(lambda: state.maybe(relative))
            raise
        except Exception as error:
            if tries.touched:
                yield Local(lambda: state.maybe(relative))
            if not POLICY.retryable(error) or attempt == POLICY.attempts - 1:
                raise
            yield Sleep(POLICY.delay(attempt, error, random))
            continue
        after = yield Local(lambda: _state.file_stamp(local))
        if after != stamp:
            yield Local(lambda: state.invalid(relative))
            raise FileChangedError(
                f"{relative} ({local}) was modified while it was being uploaded; what is stored cannot be trusted. "
                "Re-run the upload once the file is stable: it is sent again."
            )
        yield Local(functools.partial(state.done, relative, stamp))
        if sent == 0 and target.get("method") in ("PUT", "MULTIPART"):
            job.hooks.skipped(relative)
        else:
            job.hooks.progress(relative, sent)
        return sent
    raise AssertionError("unreachable")  # pragma: no cover


def transfer(
    job: Job, local: str, relative: str, stamp: list[int], target: Mapping[str, Any], tries: _Attempt
) -> Flow[int]:
    """Send the file as the upload target says; return the bytes sent."""
    size = stamp[0]
    method = target.get("method") or "POST"
    hook = job.hooks.byte_hook(relative)
    if method == "POST":
        url = _str(target, "url", relative)  # checked against the allow-list by the plane, before any byte
        fields = target.get("fields") or {}
        if not isinstance(fields, Mapping):
            raise ValueError(f"{relative}: the upload target's form fields are not an object")
        content_type = fields.get("Content-Type") or mimetypes.guess_type(local)[0] or "application/octet-stream"
        body = FormBody(fields, os.path.basename(local), str(content_type), FileRange(local, 0, size, on_bytes=hook))
        tries.touched = True
        yield Send(StorageRequest("POST", url, relative, body=body))
        return size
    if method not in ("PUT", "MULTIPART"):
        raise ValueError(f"{relative}: unknown upload method {method!r}")
    if job.batch is None:
        raise ValueError(f"{relative}: the server answered a v2 ({method}) target to a v1 request")
    upload_uid = _str(target, "upload_uid", relative)
    try:
        uuid.UUID(upload_uid)
    except ValueError:
        raise ValueError(f"{relative}: the upload target's upload_uid is not a UUID") from None
    if method == "PUT" and target.get("complete") is not True:
        check_storage_url(_str(target, "url", relative))  # before anything is recorded
    state = job.state
    assert state is not None
    yield Local(lambda: state.source(relative, stamp))
    sent = 0
    if target.get("complete") is not True:
        if method == "PUT":
            url = _str(target, "url", relative)  # checked above, and by the plane
            whole = FileRange(local, 0, size, on_bytes=hook)
            tries.touched = True
            request = StorageRequest(
                "PUT", url, relative, _headers(target.get("headers"), relative), whole, frozenset({412})
            )
            response = yield Send(request)
            if response.status_code == 412:  # already stored
                whole.rewind()
            else:
                sent = size
        else:
            sent = yield from multipart(job, local, relative, size, upload_uid, target, tries)
    tries.touched = True
    yield Call(lambda api: api.datasets.complete_manual_upload(upload_uid))
    return sent


def multipart(
    job: Job, local: str, relative: str, size: int, upload_uid: str, target: Mapping[str, Any], tries: _Attempt
) -> Flow[int]:
    """Send the parts the server does not hold, ``job.workers`` at a time; return the bytes sent."""
    part_size, part_count = _int(target, "part_size", relative), _int(target, "part_count", relative)
    if not MIN_PART <= part_size <= MAX_PART:
        raise ValueError(f"{relative}: part_size {part_size} is outside 5 MiB to 128 MiB")
    if not 1 <= part_count <= MAX_PARTS or part_count != max(1, math.ceil(size / part_size)):
        raise ValueError(
            f"{relative}: part_count {part_count} does not fit a {size}-byte file in {part_size}-byte parts"
        )

    def length(number: int) -> int:
        return max(0, min(part_size, size - (number - 1) * part_size))

    stored = {
        part["part_number"]
        for part in target.get("uploaded_parts") or []
        if isinstance(part, Mapping)
        and isinstance(part.get("part_number"), int)
        and part.get("size") == length(part["part_number"])
    }
    missing = [n for n in range(1, part_count + 1) if n not in stored]
    hook = job.hooks.byte_hook(relative)

    def part_flow(number: int) -> Flow[int]:
        signed = yield Call(lambda api: api.datasets.create_manual_upload_parts(upload_uid, part_numbers=[number]))
        parts = signed.get("parts") if isinstance(signed, Mapping) else None
        if not isinstance(parts, list) or len(parts) != 1 or not isinstance(parts[0], Mapping):
            raise ValueError(f"{relative}: signing part {number} did not return exactly one part")
        (part,) = parts
        if part.get("part_number") != number:
            raise ValueError(f"{relative}: asked to sign part {number}, got part {part.get('part_number')!r}")
        url = _str(part, "url", relative)  # checked against the allow-list by the plane, before any byte
        body = FileRange(local, (number - 1) * part_size, length(number), on_bytes=hook)
        tries.touched = True
        what = f"part {number} of {relative}"
        yield Send(StorageRequest("PUT", url, what, _headers(part.get("headers"), relative), body))
        return length(number)

    sizes = yield Gather((part_flow(n) for n in missing), job.workers)
    return int(sum(sizes))


# --- whole runs ----------------------------------------------------------------------------------------------------


def transfer_all(job: Job, plan: Plan) -> Flow[int]:
    """Announce the skipped files, send the others (fail fast), re-check every sent file; return the bytes sent."""
    state = job.state
    assert state is not None
    for relative in plan.skipped:
        job.hooks.skipped(relative)
    sizes = yield Gather((file_flow(job, *item) for item in plan.todo), job.workers)
    job.sent = int(sum(sizes))
    changed = yield Local(lambda: _recheck(state, plan))
    if changed:
        raise FileChangedError(
            f"{len(changed)} file(s) changed after they were uploaded during this run (e.g. {changed[0]}); they are "
            "recorded as not uploaded: re-run to send them."
        )
    return job.sent


def _recheck(state: DatasetState, plan: Plan) -> list[str]:
    changed = []
    for local, relative, _ in plan.todo:
        try:
            now = _state.file_stamp(local)
        except OSError:
            now = None
        if now is None or not state.skippable(relative, now):
            state.invalid(relative)
            changed.append(relative)
    return changed


def upload_files_flow(job: Job, clear_state_on_success: bool) -> Flow[int]:
    """``datasets.upload_files``: identity, state, plan, transfer; return the bytes sent this call."""
    if not job.files:
        return 0
    account = yield from resolve_account(job)
    state = yield Local(lambda: open_state(job, account))
    yield Local(lambda: state.bind_batch(job.batch))
    job.batch = state.batch if job.batch is not None else None
    plan = yield Local(lambda: make_plan(job, state))
    sent = yield from transfer_all(job, plan)
    if clear_state_on_success:
        yield Local(state.clear)
    return sent


@dataclass
class Finalize:
    """The dataset fields of ``create_from_local``."""

    slug: str
    data_type: str
    visibility: str
    create_metadata: bool
    owner_name: str | None
    metadata: dict[str, Any] | None
    industry: int | None
    license: int | None
    check_quota: bool
    wait: bool
    wait_timeout: float
    source: str


def create_from_local_flow(job: Job, finalize: Finalize) -> Flow[Any]:
    """``datasets.create_from_local``: collect, guard, preflight, batch, upload, finalize, clear, wait."""
    state_root = _state.root_dir()
    job.files = yield Local(lambda: gather_local_files(finalize.source, state_root))
    if not job.files:
        raise ValueError(f"no files found in {finalize.source}")
    account = yield from resolve_account(job)
    root_before = storage_root(job, job.account_uid)
    state = yield Local(lambda: open_state(job, account))
    if finalize.check_quota:
        plan = yield Local(lambda: make_plan(job, state))  # what this run will send, stored files left out
        try:
            quota = yield Call(lambda api: api.datasets.manual_upload_quota(organization_uid=job.organization_uid))
        except Stopped:
            raise
        except Exception:  # advisory: the presign's 413 is the authority
            quota = None
        limit = getattr(quota, "limit", None)
        if isinstance(limit, int) and plan.size > limit:
            raise QuotaExceededError(
                f"{finalize.source} needs {plan.size} bytes, more than this owner's whole storage limit of {limit} "
                "bytes; nothing was sent.",
                None,
                None,
                limit,
                getattr(quota, "used", None),
            )
    job.batch = yield Local(lambda: state.prepare_batch(job.resume))
    plan = yield Local(lambda: make_plan(job, state))
    yield from transfer_all(job, plan)
    if job.personal:
        uid_after = yield from lookup_uid(job)
        root_after = storage_root(job, uid_after)
        if root_before is not None and root_after is not None and root_after != root_before:
            raise UploadStateError(
                "the account behind this API key changed during the upload: the files went under another owner's "
                "prefix and would not be indexed. Re-run the upload with the intended key."
            )
    batch = job.batch
    dataset = yield Call(
        lambda api: api.datasets.create_from_manual_upload(
            name=job.dataset_name,
            slug=finalize.slug,
            data_type=finalize.data_type,
            visibility=finalize.visibility,
            create_metadata=finalize.create_metadata,
            owner_name=finalize.owner_name,
            metadata=finalize.metadata,
            industry=finalize.industry,
            license=finalize.license,
            organization_uid=job.organization_uid,
            dataset_upload_uid=batch,
        )
    )
    yield Local(state.clear)
    if finalize.wait:
        uid = dataset.uid
        dataset = yield Call(
            lambda api: api.datasets.wait(uid, status="created", interval=10.0, timeout=finalize.wait_timeout)
        )
    return dataset


def prepare_batch_flow(job: Job) -> Flow[str]:
    """``datasets.prepare_manual_upload_batch``: the destination's v2 batch (recorded, or fresh)."""
    account = yield from resolve_account(job)
    state = yield Local(lambda: open_state(job, account))
    batch: str = yield Local(lambda: state.prepare_batch(job.resume))
    return batch


def as_pairs(files: Iterable[Sequence[Any]]) -> list[tuple[str, str]]:
    """The published ``files`` argument as a list of pairs (checked by :class:`Job`)."""
    return [tuple(entry) for entry in files]
