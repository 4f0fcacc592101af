"""What a fleet recording upload knows on disk: the source inventory, the binding of a run's inputs, the receipt.

- :func:`inventory`: walks the source directory (sorted, no symlinks or special files, safe relative paths, at most
  50,000 files) and SHA-256's every file once, opened without following links and checked to be the same file before
  and after. Each :class:`SourceFile` keeps the stat stamp taken while it was hashed.
- :func:`verify`: the later checks of the same files. A file whose stat stamp has not changed is trusted without
  reading it again; a changed stamp means a full re-hash, which must give the manifest's digest. With the hash taken
  while the PUT sends (the storage plane's ``hasher``), each byte is read from disk at most twice.
- :class:`Binding`: the run's inputs (API, credential hash, recording, storage config, source, manifest); its digest
  ties a receipt to exactly these inputs, and its scope (API + recording) names the receipt and its lock.
- :class:`Receipt`: the state of one recording's upload, written atomically (``_state.write_json``) *before* each
  irreversible call, with the phase transitions of the protocol checked on every write: classic receipts are version
  2, managed ones version 3.

Every failure is an :class:`~avala.errors.UploadStateError` with a recovery hint.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import unicodedata
import uuid
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import UploadStateError
from . import _state

CHUNK = 1 << 20
MAX_FILES = 50_000
MAX_PATH = 1024
STATE_SUBDIR = "fleet-v1"
CLASSIC_VERSION = 2
MANAGED_VERSION = 3
MANAGED_PROTOCOL = "fleet-managed-mcap-v1"

# Allowed phase transitions of a classic receipt (None: no receipt yet).
CLASSIC_TRANSITIONS: dict[str | None, frozenset[str]] = {
    None: frozenset({"initializing"}),
    "initializing": frozenset({"active"}),
    "active": frozenset({"active", "confirming", "finalizing"}),
    "confirming": frozenset({"active"}),
    "finalizing": frozenset({"finalizing", "completed"}),
    "completed": frozenset({"completed"}),
}


@dataclass(frozen=True)
class SourceFile:
    """One file of the source: its relative POSIX path, size, SHA-256 and the stat stamp it was hashed under."""

    path: str
    size: int
    sha256: str
    stamp: tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode
    absolute: str

    def manifest(self) -> dict[str, Any]:
        """``{path, size_bytes, sha256}``: what the binding records."""
        return {"path": self.path, "size_bytes": self.size, "sha256": self.sha256}


def refuse(message: str) -> UploadStateError:
    """The error every refusal raises (its message carries the reason and how to recover)."""
    return UploadStateError(message)


def _stamp(st: os.stat_result) -> tuple[int, int, int, int]:
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def check_relative(path: str) -> None:
    """Refuse a relative path the protocol does not allow."""
    if len(path) > MAX_PATH:
        raise refuse(f"the path {path[:80]!r}... is longer than {MAX_PATH} characters; rename it")
    if path != path.strip():
        raise refuse(f"the path {path!r} starts or ends with whitespace; rename it")
    if "\\" in path or "\x00" in path or any(ord(c) < 32 or ord(c) == 127 for c in path):
        raise refuse(f"the path {path!r} contains a backslash or a control character; rename it")
    if ".." in path.split("/"):
        raise refuse(f"the path {path!r} has a '..' segment")


def source_root(source_dir: str | os.PathLike[str]) -> Path:
    """The absolute source directory, refused when it is a symlink, not a directory, or the state directory (or
    inside it)."""
    path = Path(os.path.abspath(os.fspath(source_dir)))
    if path.is_symlink():
        raise refuse(f"the source directory {path} is a symlink; pass the directory it points to")
    if not path.is_dir():
        raise refuse(f"the source directory {path} does not exist or is not a directory")
    if _state.inside(path, _state.root_dir()):
        raise refuse(f"the source directory {path} is inside the upload state directory {_state.root_dir()}")
    return path


def _walk(root: Path, state: Path) -> list[tuple[str, str]]:
    """``(relative, absolute)`` of every regular file under ``root``, sorted by name at every level."""
    found: list[tuple[str, str]] = []
    pending: list[tuple[str, str]] = [("", str(root))]
    while pending:
        prefix, directory = pending.pop()
        with os.scandir(directory) as entries:
            ordered = sorted(entries, key=lambda e: e.name)
        subdirs = []
        for entry in ordered:
            relative = prefix + entry.name
            if entry.is_symlink():
                if _same(entry.path, state):
                    continue  # a link to the state directory is skipped, not followed
                raise refuse(f"{relative!r} is a symlink: the source must hold the files themselves")
            mode = entry.stat(follow_symlinks=False).st_mode
            if stat.S_ISDIR(mode):
                if _same(entry.path, state):
                    continue
                subdirs.append((relative + "/", entry.path))
            elif stat.S_ISREG(mode):
                check_relative(relative)
                found.append((relative, entry.path))
                if len(found) > MAX_FILES:
                    raise refuse(f"the source has more than {MAX_FILES} files; split the recording")
            else:
                raise refuse(f"{relative!r} is not a regular file (a device, socket or pipe)")
        pending.extend(reversed(subdirs))
    return sorted(found)


def _same(path: str, other: Path) -> bool:
    try:
        return os.path.realpath(path) == os.path.realpath(other)
    except OSError:
        return False


def hash_file(absolute: str, relative: str) -> tuple[str, tuple[int, int, int, int]]:
    """SHA-256 of a file opened without following links, and the stamp it had; refused when it changed while being
    read (another inode, size or time stamp afterwards)."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(absolute, flags)
    except OSError as exc:
        raise refuse(f"cannot read {relative!r}: {exc.strerror or exc}") from None
    try:
        before = os.fstat(fd)
        if not stat.S_ISREG(before.st_mode):
            raise refuse(f"{relative!r} is not a regular file")
        digest = hashlib.sha256()
        with os.fdopen(os.dup(fd), "rb", buffering=0) as handle:
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
        after = os.fstat(fd)
    finally:
        os.close(fd)
    try:
        now = os.lstat(absolute)
    except OSError:
        now = None
    if now is None or _stamp(before) != _stamp(after) or _stamp(now) != _stamp(after):
        raise refuse(f"{relative!r} changed while it was being hashed; run again once the recording is complete")
    return digest.hexdigest(), _stamp(after)


def inventory(root: Path, threads: int = 4) -> list[SourceFile]:
    """Every file of the source with its SHA-256, sorted by path; refused when there is none. Files are hashed on
    up to ``threads`` threads (``hashlib`` releases the GIL), each read once."""
    entries = _walk(root, _state.root_dir())
    if not entries:
        raise refuse(f"the source directory {root} has no files to upload")

    def one(entry: tuple[str, str]) -> SourceFile:
        digest, stamp = hash_file(entry[1], entry[0])
        return SourceFile(entry[0], stamp[0], digest, stamp, entry[1])

    workers = max(1, min(threads, os.cpu_count() or 1, len(entries)))
    if workers == 1:
        return [one(entry) for entry in entries]
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="avala-inventory") as pool:
        return list(pool.map(one, entries))


def verify(files: Sequence[SourceFile], paths: Iterable[str] | None = None) -> None:
    """Check that files still hold the manifest's bytes: an unchanged stat stamp is trusted, a changed one is
    re-hashed and must give the same SHA-256. Refuse otherwise (the bytes on disk are no longer what was declared)."""
    wanted = None if paths is None else set(paths)
    for f in files:
        if wanted is not None and f.path not in wanted:
            continue
        try:
            current = _stamp(os.lstat(f.absolute))
        except OSError:
            raise refuse(changed_hint(f.path, "was removed")) from None
        if current == f.stamp:
            continue
        if current[0] != f.size:
            raise refuse(changed_hint(f.path, "changed size"))
        digest, _ = hash_file(f.absolute, f.path)
        if digest != f.sha256:
            raise refuse(changed_hint(f.path, "changed"))


def changed_hint(path: str, what: str) -> str:
    """The message for a source file that no longer holds the declared bytes."""
    return (
        f"the source file {path!r} {what} since the upload started; nothing of it is confirmed. Restore the original "
        "file and run again to resume, or upload the new bytes to a new recording"
    )


# --- binding and receipt ---------------------------------------------------------------------------------------------


def canonical_base_url(base_url: str) -> str:
    """The base URL as the receipt records it: no trailing ``/``, ``server.avala.ai`` read as ``api.avala.ai``."""
    url = base_url.rstrip("/")
    return url.replace("://server.avala.ai", "://api.avala.ai", 1)


def canonical_uid(value: str) -> str:
    """A UUID in canonical form when the value parses as one, else the value itself."""
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return value


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


@dataclass(frozen=True)
class Binding:
    """A run's inputs; two runs may share a receipt only when their digests are equal."""

    evidence: dict[str, Any]
    digest: str
    scope: str

    @classmethod
    def of(
        cls,
        base_url: str,
        api_key: str,
        recording_uid: str,
        storage_config_uid: str | None,
        root: Path,
        files: Sequence[SourceFile],
    ) -> Binding:
        """The binding of these inputs."""
        api = canonical_base_url(base_url)
        recording = canonical_uid(recording_uid)
        evidence = {
            "api": api,
            "credential_sha256": hashlib.sha256(api_key.encode()).hexdigest(),
            "recording_uid": recording,
            "storage_config_uid": storage_config_uid,
            "source": str(root),
            "files": [f.manifest() for f in files],
        }
        return cls(evidence, _digest(evidence), scope_of(base_url, recording_uid))


def scope_of(base_url: str, recording_uid: str) -> str:
    """The receipt's name: a digest of the API and the recording."""
    return _digest([canonical_base_url(base_url), canonical_uid(recording_uid)])


class Receipt:
    """One recording's upload receipt (``<state>/fleet-v1/<scope>.json``) and its lock (``<scope>.lock``).

    ``data`` is the receipt's content (None before the first write). :meth:`write` checks the phase transition and
    replaces the file atomically, so the file on disk is always a state the protocol allows.
    """

    def __init__(self, base_url: str, recording_uid: str) -> None:
        directory = _state.state_dir(STATE_SUBDIR)
        scope = scope_of(base_url, recording_uid)
        self.path = directory / f"{scope}.json"
        self.lock = _state.StateLock(directory / f"{scope}.lock", f"an upload of recording {recording_uid}")
        self.recording_uid = recording_uid
        self.data: dict[str, Any] | None = None

    @property
    def hint(self) -> str:
        """How to recover from an unusable receipt."""
        return (
            f"It records what was already sent for recording {self.recording_uid}; moving it away makes the next run "
            "start a new session, which the server refuses while the old one exists"
        )

    def load(self, version: int) -> dict[str, Any] | None:
        """Read the receipt (None when there is none); refuse a legacy receipt, another version or a corrupt one."""
        root = _state.root_dir()
        for legacy in (root / f"{self.recording_uid}.json", root / f"{self.recording_uid}.tmp"):
            if legacy.exists():
                raise refuse(
                    f"found a receipt of an older SDK version ({legacy}) for recording {self.recording_uid}: finish "
                    "that upload with the version that started it, or remove the file once the session is abandoned"
                )
        data = _state.read_json(self.path, self.hint)
        if data is None:
            return None
        if not isinstance(data, dict) or data.get("version") not in (CLASSIC_VERSION, MANAGED_VERSION):
            raise _state.corrupt(self.path, "is not a fleet upload receipt", self.hint)
        if data["version"] != version:
            kind = "managed MCAP" if data["version"] == MANAGED_VERSION else "classic"
            raise refuse(
                f"recording {self.recording_uid} already has a {kind} upload receipt ({self.path}); finish it with "
                f"{'upload_managed_recording' if kind != 'classic' else 'upload_recording'}"
            )
        self.data = data
        return data

    def check_binding(self, binding: Binding) -> None:
        """Refuse a receipt written for other inputs (other bytes, API, key or storage config)."""
        assert self.data is not None
        if self.data.get("binding") == binding.digest:
            return
        evidence = self.data.get("evidence")
        recorded: dict[str, Any] = evidence if isinstance(evidence, dict) else {}
        differs = [
            k
            for k in ("api", "credential_sha256", "storage_config_uid", "source")
            if recorded.get(k) != binding.evidence[k]
        ]
        if recorded.get("files") != binding.evidence["files"]:
            differs.append("source files (bytes, sizes or paths)")
        raise refuse(
            f"the receipt {self.path} was written for other inputs ({', '.join(differs) or 'binding'} differ). "
            "Run again with the same source bytes, API, API key and storage config to resume, or upload to a new "
            "recording"
        )

    def write(self, data: dict[str, Any]) -> None:
        """Replace the receipt, checking the classic phase transition."""
        if data.get("version") == CLASSIC_VERSION:
            before = None if self.data is None else self.data.get("phase")
            after = data.get("phase")
            if after not in CLASSIC_TRANSITIONS.get(before, frozenset()):
                raise refuse(f"internal: receipt phase {before!r} cannot become {after!r}")
        _state.write_json(self.path, data)
        self.data = data

    def remove(self) -> None:
        """Delete the receipt (only when nothing irreversible happened under it)."""
        _state.remove(self.path)
        self.data = None


# --- the managed profile ------------------------------------------------------------------------------------------

MANAGED_MAX_FILES = 64
MANAGED_MAX_FILE = 8 << 30
MANAGED_MAX_TOTAL = 64 << 30
PART_SIZE = 64 << 20


def check_managed_profile(recording_uid: str, files: Sequence[SourceFile]) -> None:
    """The limits of ``fleet-managed-mcap-v1`` (before any request)."""
    try:
        canonical = str(uuid.UUID(recording_uid))
    except ValueError:
        canonical = ""
    if canonical != recording_uid:
        raise refuse(
            f"the managed protocol needs the recording uid as a canonical lowercase UUID, not {recording_uid!r}"
        )
    if not 1 <= len(files) <= MANAGED_MAX_FILES:
        raise refuse(f"a managed upload takes 1 to {MANAGED_MAX_FILES} files; the source has {len(files)}")
    total = 0
    for f in files:
        if not f.path.lower().endswith(".mcap"):
            raise refuse(f"{f.path!r} is not an .mcap file; the managed protocol takes MCAP files only")
        if unicodedata.normalize("NFC", f.path) != f.path:
            raise refuse(f"the path {f.path!r} is not in Unicode NFC form; rename it")
        if f.path.startswith("__derived__/") or "/__derived__/" in f.path:
            raise refuse(f"{f.path!r} is under __derived__/, which the managed protocol reserves")
        if not 1 <= f.size <= MANAGED_MAX_FILE:
            raise refuse(f"{f.path!r} is {f.size} bytes; a managed file is 1 B to 8 GiB")
        total += f.size
    if total > MANAGED_MAX_TOTAL:
        raise refuse(f"the source is {total} bytes; a managed upload takes at most 64 GiB")
