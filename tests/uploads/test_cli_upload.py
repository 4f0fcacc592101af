"""``avala datasets upload`` against the fake API and moto: every byte stored, the dataset printed, resume, dry run;
and in a real pseudo-terminal, the progress bar (bytes, rate, ETA)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from tests.conftest import API_KEY

from .fake_api import FakeAvala

MiB = 1024 * 1024


def write(path: Path, size: int, seed: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bytes((seed + i) % 251 for i in range(size)))


def tree(root: Path) -> Path:
    write(root / "a.jpg", 1000, 1)
    write(root / "sub" / "b.png", 300_000, 2)
    write(root / "big.mcap", 6 * MiB + 5, 3)
    return root


def upload_args(fake_api: FakeAvala, source: Path, *extra: str) -> list[str]:
    return ["--api-key", API_KEY, "--base-url", fake_api.base_url, "datasets", "upload", "--source", str(source),
            "--name", "Run 42", "--slug", "run-42", "--data-type", "image", *extra]  # fmt: skip


def test_upload_stores_every_byte_and_prints_the_dataset(
    cli: Any, fake_api: FakeAvala, tmp_path: Path, state_dir: Path
) -> None:
    source = tree(tmp_path / "src")
    result = cli(*upload_args(fake_api, source, "--workers", "2"))
    assert result.code == 0, result.stderr
    for relative in ("a.jpg", "sub/b.png", "big.mcap"):
        assert fake_api.read("Run 42", relative) == (source / relative).read_bytes()
    dataset = json.loads(result.stdout)
    assert dataset["slug"] == "run-42" and "uid" in dataset
    assert "3 file(s)" in result.stderr and "Done in" in result.stderr
    assert "[####" not in result.stderr  # no bar off a terminal
    assert API_KEY not in result.stderr + result.stdout


def test_a_second_run_resumes_and_dry_run_sends_nothing(
    cli: Any, fake_api: FakeAvala, tmp_path: Path, state_dir: Path
) -> None:
    source = tree(tmp_path / "src")
    dry = cli(*upload_args(fake_api, source, "--dry-run"))
    assert dry.code == 0 and json.loads(dry.stdout)["files"] == 3 and "sub/b.png" in dry.stderr
    assert fake_api.calls("/file-upload-url/") == []
    assert cli(*upload_args(fake_api, source)).code == 0
    rejected = cli(*upload_args(fake_api, source, "--storage-config", "s1"))
    assert rejected.code == 2 and "--storage-config" in rejected.stderr
    public = cli(*upload_args(fake_api, source, "--visibility", "public"))
    assert public.code == 2


def test_the_progress_bar_on_a_terminal(fake_api: FakeAvala, tmp_path: Path, state_dir: Path) -> None:
    from tests.contract.test_cli_terminal import run_in_terminal

    source = tree(tmp_path / "src")
    code, shown = run_in_terminal([sys.executable, "-m", "avala.cli", *upload_args(fake_api, source)], dict(os.environ))
    assert code == 0, shown
    assert "upload [########################] 100.0% 6.3 MiB/6.3 MiB" in shown
    assert "/s in " in shown  # the rate and the elapsed time of the final state
    assert "ETA" in shown or shown.count("\r") >= 1
    assert "uid" in shown and "run-42" in shown  # the dataset, as a table
