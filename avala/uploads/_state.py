"""The upload state directory: where every upload flow keeps what it needs to resume.

One directory for every flow: ``AVALA_STATE_DIR`` if set, else ``~/.avala/uploads``. A flow takes its own
subdirectory (:func:`state_dir` with ``"datasets"``, ``"fleet"``, ...), created ``0700``; every file in it is ``0600``.
A flow uses the primitives below and nothing else to touch it:

- :class:`StateLock` around the whole run: a non-blocking exclusive advisory lock on ``<name>.lock``, so a second
  process on the same state fails at once with :class:`~avala.errors.UploadStateError` instead of interleaving writes;
- :func:`write_atomic` for snapshots and receipts (temporary file ``0600``, fsync, rename, fsync of the directory:
  a crash leaves the old file or the new one, never half of one);
- :func:`append_line` for journals (one JSON line, fsync'd: the durable record of one event);
- :func:`read_json` / :func:`read_lines`, which fail closed: a file that exists but cannot be read or parsed raises
  :class:`~avala.errors.UploadStateError` naming the file and how to recover, never silently restarts;
- :func:`file_stamp` / :func:`same_stamp`: the stat stamp ``[size, mtime_ns, ctime_ns, inode]`` that tells whether a
  file changed since it was sent.

Nothing secret is ever written here: flows store paths, stamps, digests and server identifiers, never a presigned
URL, a form field or a key.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from pathlib import Path
from types import TracebackType
from typing import Any

from ..errors import UploadStateError

ENV_VAR = "AVALA_STATE_DIR"
DIR_MODE = 0o700
FILE_MODE = 0o600


def root_dir() -> Path:
    """The state root: ``$AVALA_STATE_DIR`` or ``~/.avala/uploads`` (not created)."""
    configured = os.environ.get(ENV_VAR, "").strip()
    return Path(configured).expanduser() if configured else Path.home() / ".avala" / "uploads"


def state_dir(*parts: str) -> Path:
    """The state directory of one flow (``state_dir("datasets")``), created ``0700`` with its parents."""
    path = root_dir().joinpath(*parts)
    try:
        path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        for directory in (root_dir(), path):
            if directory.stat().st_mode & 0o077 and directory.owner() == _me():
                directory.chmod(DIR_MODE)
    except OSError as exc:
        raise UploadStateError(
            f"cannot use the upload state directory {path}: {exc.strerror or exc}. Set {ENV_VAR} to a writable "
            "directory."
        ) from None
    return path


def _me() -> str:
    with contextlib.suppress(Exception):
        return Path.home().owner()
    return ""


def inside(path: str | os.PathLike[str], directory: Path) -> bool:
    """Whether ``path`` (symlinks resolved) is ``directory`` or inside it."""
    try:
        resolved, base = Path(path).resolve(), directory.resolve()
    except OSError:
        return False
    return resolved == base or base in resolved.parents


def _fsync_dir(directory: Path) -> None:
    if sys.platform == "win32":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically: a ``0600`` temporary file, fsync, rename, fsync of the directory."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    try:
        if hasattr(os, "fchmod"):  # an older file of the same name may have been wider
            os.fchmod(fd, FILE_MODE)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _fsync_dir(path.parent)


def write_json(path: Path, value: Any) -> None:
    """:func:`write_atomic` of compact, key-sorted JSON."""
    write_atomic(path, json.dumps(value, sort_keys=True, separators=(",", ":")).encode())


def append_line(path: Path, value: Any) -> None:
    """Append ``value`` as one JSON line to ``path`` (created ``0600``) and fsync it: durable when this returns."""
    line = json.dumps(value, sort_keys=True, separators=(",", ":")).encode() + b"\n"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE)
    try:
        view = memoryview(line)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)


def corrupt(path: Path, problem: str, hint: str) -> UploadStateError:
    """The error for a state file that cannot be trusted (fail closed)."""
    return UploadStateError(f"upload state file {path} {problem}; nothing was sent. {hint}")


def read_json(path: Path, hint: str) -> Any:
    """The decoded JSON of a state file, None when it does not exist; :class:`UploadStateError` when it cannot be
    read or parsed (``hint`` says how to recover)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise corrupt(path, f"cannot be read ({exc.strerror or exc})", hint) from None
    try:
        return json.loads(data)
    except (ValueError, RecursionError):
        raise corrupt(path, "is corrupt (not valid JSON)", hint) from None


def read_lines(path: Path, hint: str) -> list[Any]:
    """The JSON lines of a journal ([] when it does not exist). A torn last line (no newline: the process died while
    appending it, so the event it records was never acknowledged) is ignored; any other bad line is corruption."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise corrupt(path, f"cannot be read ({exc.strerror or exc})", hint) from None
    lines = data.split(b"\n")
    if lines and lines[-1]:  # no final newline: the last append never completed
        lines = lines[:-1]
    values = []
    for number, line in enumerate(lines, 1):
        if not line:
            continue
        try:
            values.append(json.loads(line))
        except (ValueError, RecursionError):
            raise corrupt(path, f"is corrupt (line {number} is not valid JSON)", hint) from None
    return values


def remove(*paths: Path) -> None:
    """Delete state files (missing ones are fine)."""
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def file_stamp(path: str | os.PathLike[str]) -> list[int]:
    """``[size, mtime_ns, ctime_ns, inode]`` of a file: any change to its bytes changes at least one of them."""
    st = os.stat(path)
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


def same_stamp(recorded: Any, current: list[int]) -> bool:
    """Whether a recorded stamp matches the current one (a malformed or invalidated record never matches)."""
    return isinstance(recorded, list) and len(recorded) == len(current) and recorded == current


class StateLock:
    """A non-blocking exclusive advisory lock on ``path`` (``flock``; ``msvcrt`` on Windows), held for a whole run.

    Entering raises :class:`UploadStateError` at once when another process holds it. The lock dies with the process
    (the kernel releases it), so a crash never leaves a stale lock behind.
    """

    def __init__(self, path: Path, what: str) -> None:
        self.path = path
        self.what = what
        self._fd: int | None = None

    def __enter__(self) -> StateLock:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, FILE_MODE)
        try:
            _lock(fd)
        except OSError:
            os.close(fd)
            raise UploadStateError(
                f"another process is already running {self.what} (it holds the lock {self.path}). Wait for it to "
                "finish, or stop it, then run again: the state it leaves resumes where it stopped."
            ) from None
        self._fd = fd
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                _unlock(self._fd)
            os.close(self._fd)
            self._fd = None


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock(fd: int) -> None:
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)

    def _unlock(fd: int) -> None:
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
