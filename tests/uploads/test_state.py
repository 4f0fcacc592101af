"""The upload state directory: modes, atomic writes, journals, fail-closed reads, the non-blocking lock."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from avala.errors import UploadStateError
from avala.uploads import _state


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_state_dir_is_settable_and_private(state_dir: Path) -> None:
    path = _state.state_dir("datasets")
    assert path == state_dir / "datasets"
    assert mode(state_dir) == 0o700 and mode(path) == 0o700


def test_default_is_under_the_home_directory(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("AVALA_STATE_DIR")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert _state.root_dir() == tmp_path / ".avala" / "uploads"


def test_a_wide_existing_directory_is_narrowed(state_dir: Path) -> None:
    state_dir.mkdir(mode=0o755)
    os.chmod(state_dir, 0o755)
    _state.state_dir("x")
    assert mode(state_dir) == 0o700


def test_write_atomic_is_0600_and_leaves_no_temporary(state_dir: Path) -> None:
    directory = _state.state_dir("t")
    target = directory / "snap.json"
    target.write_text("old")
    os.chmod(target, 0o644)
    _state.write_json(target, {"b": 1, "a": [1, 2]})
    assert target.read_text() == '{"a":[1,2],"b":1}'
    assert mode(target) == 0o600
    assert [p.name for p in directory.iterdir()] == ["snap.json"]


def test_append_line_and_read_lines_ignore_only_a_torn_last_line(state_dir: Path) -> None:
    journal = _state.state_dir("t") / "j.journal"
    _state.append_line(journal, {"r": "a"})
    _state.append_line(journal, {"r": "b"})
    assert mode(journal) == 0o600
    with open(journal, "ab") as handle:
        handle.write(b'{"r": "c"')  # the process died while appending
    assert _state.read_lines(journal, "hint") == [{"r": "a"}, {"r": "b"}]
    journal.write_bytes(b'{"r": "a"}\nGARBAGE\n{"r": "b"}\n')
    with pytest.raises(UploadStateError, match="line 2") as info:
        _state.read_lines(journal, "Move it away to start afresh.")
    assert str(journal) in str(info.value) and "Move it away" in str(info.value)


def test_read_json_fails_closed(state_dir: Path) -> None:
    path = _state.state_dir("t") / "s.json"
    assert _state.read_json(path, "hint") is None
    path.write_bytes(b"{not json")
    with pytest.raises(UploadStateError, match="corrupt"):
        _state.read_json(path, "hint")


def test_stamps(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"abc")
    stamp = _state.file_stamp(path)
    assert stamp[0] == 3 and len(stamp) == 4
    assert _state.same_stamp(stamp, _state.file_stamp(path))
    path.write_bytes(b"abcd")
    assert not _state.same_stamp(stamp, _state.file_stamp(path))
    assert not _state.same_stamp([-1, -1], stamp) and not _state.same_stamp(None, stamp)


def test_the_lock_is_exclusive_and_non_blocking(state_dir: Path) -> None:
    lock_path = _state.state_dir("t") / "x.lock"
    with _state.StateLock(lock_path, "an upload of x"):
        assert mode(lock_path) == 0o600
        second = _state.StateLock(lock_path, "an upload of x")
        with pytest.raises(UploadStateError, match="another process is already running an upload of x"):
            second.__enter__()
        code = (
            "import sys; from pathlib import Path; from avala.uploads._state import StateLock\n"
            "from avala.errors import UploadStateError\n"
            "try:\n    StateLock(Path(sys.argv[1]), 'x').__enter__()\n"
            "except UploadStateError:\n    sys.exit(3)\n"
        )
        other = subprocess.run([sys.executable, "-c", code, str(lock_path)], check=False)
        assert other.returncode == 3
    with _state.StateLock(lock_path, "an upload of x"):  # released
        pass


def test_inside(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    assert _state.inside(tmp_path / "a" / "b", tmp_path / "a")
    assert _state.inside(tmp_path / "a", tmp_path / "a")
    assert not _state.inside(tmp_path, tmp_path / "a")
