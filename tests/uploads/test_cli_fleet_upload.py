"""``avala fleet recordings upload`` against the fake fleet API and moto: every file stored, the session printed,
the published usage rules; the progress bar itself is the one `avala datasets upload` shows (test_cli_upload.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from .fleet_api import FleetAPI
from .fleet_helpers import RECORDING, file_sha, make_source, sha

pytestmark = pytest.mark.usefixtures("allow_loopback", "state_dir")

FILES = {"lidar/000001.pcd": 300_000, "camera/front/a.jpg": 70_000, "meta.json": 1234}


@pytest.fixture
def api(s3: Any, monkeypatch: pytest.MonkeyPatch) -> FleetAPI:
    """The fake fleet API, as the client every command of the run gets."""
    from avala.cli import _main

    fleet = FleetAPI(s3)
    monkeypatch.setattr(_main.State, "client", lambda self: fleet.client())
    return fleet


def test_upload_stores_every_file_and_prints_the_session(cli: Any, api: FleetAPI, tmp_path: Path) -> None:
    source = make_source(tmp_path / "recording", FILES)
    result = cli("fleet", "recordings", "upload", "--source", str(source), "--recording", RECORDING, "--workers", "2")
    assert result.code == 0, result.stderr
    session = json.loads(result.stdout)
    assert session["status"] == "completed" and session["confirmed_files"] == 3
    for name in FILES:
        assert sha(api.classic_object(RECORDING, name)) == file_sha(source / name), name
    assert "3 file(s)" in result.stderr and "Done in" in result.stderr


def test_published_usage_rules(cli: Any, api: FleetAPI, tmp_path: Path) -> None:
    source = make_source(tmp_path / "recording", FILES)
    base = ("fleet", "recordings", "upload", "--source", str(source))
    no_recording = cli(*base, "--device", "d1")
    assert no_recording.code == 2 and "not supported" in no_recording.stderr
    assert cli(*base, "--recording", RECORDING, "--managed", "--storage-config", "s1").code == 2
    assert cli(*base, "--recording", RECORDING, "--managed", "--workers", "8").code == 2
    assert cli(*base, "--recording", RECORDING, "--managed").code == 2  # no .mcap file there
    dry = cli(*base, "--recording", RECORDING, "--dry-run")
    assert dry.code == 0 and json.loads(dry.stdout)["files"] == 3 and api.calls == []
