"""examples/quickstart.py (what ``make demo`` runs) runs to its end against the mock server started from the spec."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_the_quickstart_runs(
    mock_server: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AVALA_BASE_URL", mock_server.base_url)
    monkeypatch.setenv("AVALA_ALLOW_INSECURE_BASE_URL", "1")
    monkeypatch.setenv("AVALA_API_KEY", "avk_contract_0123456789abcdef")
    spec = importlib.util.spec_from_file_location("quickstart", ROOT / "examples" / "quickstart.py")
    assert spec and spec.loader
    quickstart = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "quickstart", quickstart)
    spec.loader.exec_module(quickstart)
    assert quickstart.main(["--pages", "1"]) == 0
    out = capsys.readouterr().out
    for heading in ("1. List datasets", "2. Walk the items", "3. Export", "4. Rate limit", "5. Handle a missing"):
        assert f"\n{heading}" in out
    assert "NotFoundError (HTTP 404)" in out and out.endswith("Done.\n")
