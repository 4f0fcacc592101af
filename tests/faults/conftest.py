"""Fixtures of the hostile-server suite: the scripted loopback server of ``tests/test_faults.py``, both modes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.test_faults import Loopback, reply


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


class _Forever(list[Any]):
    """A script whose one action is taken for every request, by every connection at once."""

    def pop(self, index: Any = -1) -> Any:
        return self[0]


class Answering(Loopback):
    """A loopback server that answers each request with ``answer(path, query)`` -> a JSON body (status 200)."""

    def __init__(self, answer: Callable[[str, dict[str, str]], Any]) -> None:
        super().__init__()
        self.answer = answer
        self.script = _Forever([self._act])

    def _act(self, conn: Any, server: Loopback) -> bool:
        target = self.seen[-1].target
        parts = urlsplit(target)
        return reply(200, self.answer(parts.path, dict(parse_qsl(parts.query))))(conn, server)

    def queries(self) -> list[dict[str, str]]:
        """The query of every request received, in order."""
        return [dict(parse_qsl(urlsplit(seen.target).query)) for seen in self.seen]
