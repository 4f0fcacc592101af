"""Fixtures of the hostile-server suite: the scripted loopback server of ``tests/test_faults.py``, both modes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.test_faults import Loopback


@pytest.fixture(autouse=True)
def _loopback_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AVALA_ALLOW_INSECURE_BASE_URL", "1")


@pytest.fixture
def server() -> Iterator[Loopback]:
    loopback = Loopback()
    yield loopback
    loopback.close()


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)
