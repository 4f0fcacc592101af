"""The resume state of one dataset upload destination: which files are stored, with which stat stamp.

One destination is a (state key, fingerprint) pair: the key is the dataset name (or ``state_key``), the fingerprint
``"<canonical base URL>|<organization uid>|<dataset name>|<account>"`` (so a checkpoint of one organization, API or
account never makes another's upload skip a file). Its files, in ``<state dir>/datasets/``, named
``<key>-<sha256(fingerprint)[:12]>``:

- ``.lock``: held (non-blocking) for the whole run: a second process on the same destination fails at once;
- ``.json``: the snapshot ``{version, kind, fingerprint, dataset_name, batch, retired_batches, files: {relative:
  {done, stamp, remote, source}}}``, written atomically when a run opens and closes the state;
- ``.journal``: one JSON line per event since the snapshot (``done``, ``maybe``, ``invalid``, ``source``), written as
  it happens, so a killed process loses nothing it recorded; fsync'd at once for the events that make a file
  unskippable or remembered as stored (``maybe``, ``invalid``), and at most a second later for the others (after a
  power loss, a lost ``done`` means sending that file again, never skipping a file that was not sent).

State transitions of a file, written once here: ``done`` (sent, and the stamp taken before sending still matches
after) makes it skippable while its stamp stays the same; ``maybe`` (a failure after bytes may have landed) and
``invalid`` (changed while being sent) make it unskippable but remembered as *remote*: stored objects cannot be
deleted from here, and finalization indexes the whole prefix, so a remote file that is no longer in the source stops
the upload. ``source`` records, per v2 batch, the stamp of the file whose parts the server holds: resuming that batch
with a changed file would splice old and new parts, so it fails with a hint to start a fresh batch.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from ..errors import UploadStateError
from . import _state

KIND = "avala.dataset-upload"
VERSION = 1
INVALID = [-1, -1]
FSYNC_INTERVAL = 1.0
_EVENTS = frozenset({"done", "maybe", "invalid", "source"})


def fingerprint(base_url: str, organization_uid: str | None, dataset_name: str, account: str) -> str:
    """The destination fingerprint: canonical base URL, organization, dataset name, account."""
    base = base_url.rstrip("/").replace("://server.avala.ai", "://api.avala.ai")
    org = ""
    if organization_uid:
        try:
            org = str(uuid.UUID(organization_uid))
        except ValueError:
            org = organization_uid
    return f"{base}|{org}|{dataset_name}|{account}"


def _is_stamp(value: Any) -> bool:
    return isinstance(value, list) and len(value) in (2, 4) and all(type(v) is int for v in value)


class DatasetState:
    """The resume state of one destination. Thread-safe; every method is blocking local I/O."""

    def __init__(self, directory: Path, key: str, fingerprint: str, dataset_name: str) -> None:
        safe = re.sub(r"[^A-Za-z0-9._-]", "_", key)[:80] or "_"
        base = f"{safe}-{hashlib.sha256(fingerprint.encode()).hexdigest()[:12]}"
        self.directory = directory
        self.snapshot_path = directory / f"{base}.json"
        self.journal_path = directory / f"{base}.journal"
        self.lock = _state.StateLock(directory / f"{base}.lock", f"an upload to dataset {dataset_name!r}")
        self.fingerprint = fingerprint
        self.dataset_name = dataset_name
        self.files: dict[str, dict[str, Any]] = {}
        self.batch: str | None = None
        self.retired: list[str] = []
        self._mutex = threading.Lock()
        self._journal: int | None = None
        self._synced = 0.0
        self._dirty = False
        self.opened = False

    # --- opening and closing -------------------------------------------------------------------------------------

    def open(self) -> None:
        """Take the lock (or raise UploadStateError at once), read the snapshot and replay the journal."""
        self.lock.__enter__()
        try:
            self._load()
            self._write_snapshot()  # fold the journal in: the run starts from one file
            self.opened = True
        except BaseException:
            self.lock.__exit__(None, None, None)
            raise

    def close(self) -> None:
        """Flush the snapshot (the journal folded in) and release the lock."""
        if not self.opened:
            return
        try:
            with self._mutex:
                self._close_journal()
                if self._dirty or self.journal_path.exists():
                    self._write_snapshot()
        finally:
            self.opened = False
            self.lock.__exit__(None, None, None)

    def clear(self) -> None:
        """Forget this destination (the dataset exists, or every file is stored and the caller asked)."""
        with self._mutex:
            self._close_journal()
            _state.remove(self.journal_path, self.snapshot_path)
            self.files.clear()
            self.batch, self.retired, self._dirty = None, [], False

    def _hint(self) -> str:
        return (
            "Move it away (or delete it) to start this upload afresh: every file is then sent again, and files "
            "already stored under the dataset's prefix stay there."
        )

    def _load(self) -> None:
        data = _state.read_json(self.snapshot_path, self._hint())
        if data is not None:
            if not isinstance(data, dict) or data.get("kind") != KIND or data.get("version") != VERSION:
                raise _state.corrupt(
                    self.snapshot_path, "is not a dataset upload state this SDK can read", self._hint()
                )
            if data.get("fingerprint") != self.fingerprint:
                raise _state.corrupt(
                    self.snapshot_path,
                    "belongs to another destination (API, organization, dataset or account)",
                    self._hint(),
                )
            files, batch, retired = data.get("files"), data.get("batch"), data.get("retired_batches", [])
            if (
                not isinstance(files, dict)
                or not (batch is None or isinstance(batch, str))
                or not isinstance(retired, list)
                or not all(isinstance(k, str) and self._valid_entry(v) for k, v in files.items())
            ):
                raise _state.corrupt(self.snapshot_path, "is corrupt (unexpected content)", self._hint())
            self.files, self.batch, self.retired = files, batch, [str(r) for r in retired]
        tag = self.snapshot_path.stem.rsplit("-", 1)[-1]
        for number, line in enumerate(_state.read_lines(self.journal_path, self._hint()), 1):
            if (
                not isinstance(line, dict)
                or line.get("f") != tag
                or line.get("e") not in _EVENTS
                or not isinstance(line.get("r"), str)
                or not (line.get("s") is None or _is_stamp(line.get("s")))
            ):
                raise _state.corrupt(
                    self.journal_path, f"is corrupt (line {number} is not an upload event)", self._hint()
                )
            self._apply(line["e"], line["r"], line.get("s"), line.get("b"))

    @staticmethod
    def _valid_entry(entry: Any) -> bool:
        return (
            isinstance(entry, dict)
            and isinstance(entry.get("done"), bool)
            and isinstance(entry.get("remote"), bool)
            and (entry.get("stamp") is None or _is_stamp(entry.get("stamp")))
            and (entry.get("source") is None or _is_stamp(entry.get("source")))
        )

    def _write_snapshot(self) -> None:
        _state.write_json(
            self.snapshot_path,
            {
                "version": VERSION,
                "kind": KIND,
                "fingerprint": self.fingerprint,
                "dataset_name": self.dataset_name,
                "batch": self.batch,
                "retired_batches": self.retired,
                "files": self.files,
            },
        )
        _state.remove(self.journal_path)
        self._dirty = False

    def _close_journal(self) -> None:
        if self._journal is not None:
            os.fsync(self._journal)
            os.close(self._journal)
            self._journal = None

    # --- events ------------------------------------------------------------------------------------------------------

    def _entry(self, relative: str) -> dict[str, Any]:
        return self.files.setdefault(relative, {"done": False, "stamp": None, "remote": False, "source": None})

    def _apply(self, event: str, relative: str, stamp: list[int] | None, batch: Any) -> None:
        entry = self._entry(relative)
        if event == "done":
            entry.update(done=True, stamp=stamp, remote=True)
        elif event == "maybe":
            entry.update(done=False, remote=True)
        elif event == "invalid":
            entry.update(done=False, stamp=INVALID, remote=True)
        elif event == "source" and batch == self.batch:
            entry.update(source=stamp)

    def _record(self, event: str, relative: str, stamp: list[int] | None, durable: bool) -> None:
        line = {"f": self.snapshot_path.stem.rsplit("-", 1)[-1], "e": event, "r": relative, "s": stamp, "b": self.batch}
        data = json.dumps(line, sort_keys=True, separators=(",", ":")).encode() + b"\n"
        with self._mutex:
            self._apply(event, relative, stamp, self.batch)
            self._dirty = True
            if self._journal is None:
                self._journal = os.open(self.journal_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, _state.FILE_MODE)
            view = memoryview(data)
            while view:
                view = view[os.write(self._journal, view) :]
            now = time.monotonic()
            if durable or now - self._synced >= FSYNC_INTERVAL:
                os.fsync(self._journal)
                self._synced = now

    def done(self, relative: str, stamp: list[int]) -> None:
        """The file was stored, and its stamp before sending still matches after."""
        self._record("done", relative, stamp, durable=False)

    def maybe(self, relative: str) -> None:
        """An attempt failed after bytes may have reached storage."""
        self._record("maybe", relative, None, durable=True)

    def invalid(self, relative: str) -> None:
        """The file changed while (or after) it was sent: what is stored cannot be vouched for."""
        self._record("invalid", relative, INVALID, durable=True)

    def source(self, relative: str, stamp: list[int]) -> None:
        """Record the stamp of a file whose bytes go to the current v2 batch; refuse a changed one."""
        with self._mutex:
            recorded = self.files.get(relative, {}).get("source")
        if recorded is not None and recorded != stamp:
            raise UploadStateError(
                f"{relative} changed since part of it was uploaded in upload batch {self.batch}; the server keeps "
                "that batch's parts, so resuming would mix old and new bytes. Start a fresh batch: run again with "
                "resume=False (every file is sent again)."
            )
        if recorded is None:
            self._record("source", relative, stamp, durable=False)

    # --- questions ---------------------------------------------------------------------------------------------------

    def skippable(self, relative: str, stamp: list[int]) -> bool:
        """Whether the file is stored and unchanged since (stamps compared on every field they share, at least 2)."""
        with self._mutex:
            entry = self.files.get(relative)
            if not entry or not entry["done"]:
                return False
            recorded = entry["stamp"]
        if recorded is None:
            return False
        if recorded == INVALID:
            return False
        shared = min(len(recorded), len(stamp))
        return shared >= 2 and recorded[:shared] == stamp[:shared]

    def remote(self) -> set[str]:
        """Every file that reached (or may have reached) the destination's prefix."""
        with self._mutex:
            return {relative for relative, entry in self.files.items() if entry["remote"]}

    # --- batches -----------------------------------------------------------------------------------------------------

    def prepare_batch(self, resume: bool) -> str:
        """The v2 upload batch: the recorded one when resuming, else a fresh one (the old one retired, every stored
        file to be sent again)."""
        with self._mutex:
            if self.batch is not None and resume:
                return self.batch
            if self.batch is not None:
                self.retired.append(self.batch)
                for entry in self.files.values():
                    entry.update(done=False, source=None)
            self.batch = str(uuid.uuid4())
            self._write_snapshot()
            return self.batch

    def bind_batch(self, batch: str | None) -> None:
        """Use the batch a caller passed to ``upload_files``; a different one than recorded is refused."""
        with self._mutex:
            if batch is None or batch == self.batch:
                return
            if self.batch is not None:
                raise UploadStateError(
                    f"upload batch {batch} is not the one recorded for dataset {self.dataset_name!r} "
                    f"({self.batch}); pass the recorded batch (prepare_manual_upload_batch returns it), or move "
                    f"{self.snapshot_path} away to start afresh."
                )
            self.batch = batch
            self._write_snapshot()
