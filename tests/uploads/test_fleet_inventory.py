"""The fleet upload inventory: what a source directory may hold, and the SHA-256 manifest it gives."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from avala.errors import UploadStateError
from avala.uploads import _fleet_state
from avala.uploads._fleet_state import Binding, inventory, source_root, verify


def test_inventory_is_sorted_with_sizes_and_sha256(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "z.bin").write_bytes(b"z" * 3)
    (tmp_path / "a.bin").write_bytes(b"")
    (tmp_path / "b" / "a.bin").write_bytes(os.urandom(3 << 20))
    files = inventory(source_root(tmp_path))
    assert [f.path for f in files] == ["a.bin", "b/a.bin", "b/z.bin"]
    for f in files:
        data = (tmp_path / f.path).read_bytes()
        assert (f.size, f.sha256) == (len(data), hashlib.sha256(data).hexdigest())


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (" lead.bin", "whitespace"),
        ("trail.bin ", "whitespace"),
        ("back\\slash.bin", "backslash"),
        ("ctl\x01.bin", "control"),
    ],
)
def test_unsafe_paths_are_refused(tmp_path: Path, name: str, message: str) -> None:
    (tmp_path / name).write_bytes(b"x")
    with pytest.raises(UploadStateError, match=message):
        inventory(source_root(tmp_path))


def test_symlinks_and_special_files_are_refused(tmp_path: Path) -> None:
    (tmp_path / "real.bin").write_bytes(b"x")
    (tmp_path / "link.bin").symlink_to(tmp_path / "real.bin")
    with pytest.raises(UploadStateError, match="symlink"):
        inventory(source_root(tmp_path))
    (tmp_path / "link.bin").unlink()
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(UploadStateError, match="not a regular file"):
        inventory(source_root(tmp_path))
    (tmp_path / "pipe").unlink()
    link = tmp_path.parent / f"{tmp_path.name}-link"
    link.symlink_to(tmp_path)
    with pytest.raises(UploadStateError, match="is a symlink"):
        source_root(link)


def test_too_many_files_and_no_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(UploadStateError, match="no files"):
        inventory(source_root(tmp_path))
    monkeypatch.setattr(_fleet_state, "MAX_FILES", 3)
    for i in range(4):
        (tmp_path / f"{i}.bin").write_bytes(b"x")
    with pytest.raises(UploadStateError, match="more than 3 files"):
        inventory(source_root(tmp_path))


def test_the_state_directory_is_skipped_inside_and_refused_around(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AVALA_STATE_DIR", str(tmp_path / "state"))
    (tmp_path / "state").mkdir()
    (tmp_path / "state" / "receipt.json").write_text("{}")
    (tmp_path / "data.bin").write_bytes(b"x")
    assert [f.path for f in inventory(source_root(tmp_path))] == ["data.bin"]
    with pytest.raises(UploadStateError, match="inside the upload state directory"):
        source_root(tmp_path / "state")


def test_verify_trusts_an_unchanged_stamp_and_rehashes_a_changed_one(tmp_path: Path) -> None:
    target = tmp_path / "a.bin"
    target.write_bytes(b"abc")
    files = inventory(source_root(tmp_path))
    verify(files)
    os.utime(target, ns=(1, 1))  # another stamp, same bytes: re-hashed and accepted
    verify(files)
    target.write_bytes(b"abd")
    with pytest.raises(UploadStateError, match="changed"):
        verify(files)
    target.write_bytes(b"abcd")
    with pytest.raises(UploadStateError, match="changed size"):
        verify(files)


def test_the_binding_changes_with_every_input(tmp_path: Path) -> None:
    (tmp_path / "a.bin").write_bytes(b"abc")
    root = source_root(tmp_path)
    files = inventory(root)
    base = Binding.of("https://api.avala.ai/api/v1/", "key", "REC", None, root, files)
    assert base.digest == Binding.of("https://server.avala.ai/api/v1", "key", "REC", None, root, files).digest
    for other in (
        Binding.of("https://api.example.com/api/v1", "key", "REC", None, root, files),
        Binding.of("https://api.avala.ai/api/v1", "other-key", "REC", None, root, files),
        Binding.of("https://api.avala.ai/api/v1", "key", "REC", "sc-1", root, files),
    ):
        assert other.digest != base.digest
    assert "key" not in str(base.evidence.values())
