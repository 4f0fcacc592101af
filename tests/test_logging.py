"""``AVALA_LOG=debug``: one DEBUG line per request, response (or failed attempt) and retry on the ``avala`` logger,
and never the API key, even when it travels in a path or a query string."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import httpx
import pytest
from pytest_httpx import HTTPXMock

from avala._redaction import secret_variants
from avala._transport import configure_logging_from_env
from tests.conftest import API_KEY, BASE
from tests.test_faults import DATASET, make_probe

URL = f"{BASE}/datasets/ds-1/"
AVALA = logging.getLogger("avala")


@pytest.fixture(autouse=True)
def _restore_logger() -> Iterator[None]:
    """``configure_logging_from_env`` changes the process-wide logger: undo it after each test."""
    level, handlers, propagate = AVALA.level, list(AVALA.handlers), AVALA.propagate
    yield
    AVALA.setLevel(level)
    AVALA.handlers[:] = handlers
    AVALA.propagate = propagate


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def debug_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AVALA_LOG", "debug")


def lines(caplog: pytest.LogCaptureFixture) -> list[tuple[str, str]]:
    """(level, message) of the ``avala`` records, with timings made constant."""
    return [
        (record.levelname, re.sub(r"\d+\.\d ms", "T ms", record.getMessage()))
        for record in caplog.records
        if record.name == "avala"
    ]


def no_key_anywhere(caplog: pytest.LogCaptureFixture, *keys: str) -> None:
    for record in caplog.records:
        text = record.getMessage() + repr(record.args) + caplog.text
        for key in keys:
            assert key not in text


async def test_debug_lines_for_request_response_and_retry(
    mode: str, debug_env: None, httpx_mock: HTTPXMock, caplog: pytest.LogCaptureFixture
) -> None:
    httpx_mock.add_response(url=URL, status_code=503, headers={"X-Request-Id": "r-1"})
    httpx_mock.add_response(url=URL, json=DATASET, headers={"X-Request-Id": "r-2"})
    probe = make_probe(mode, BASE)
    assert AVALA.getEffectiveLevel() == logging.DEBUG
    await probe.run(lambda client: client.datasets.get("ds-1"))
    assert lines(caplog) == [
        ("DEBUG", f"request GET {URL} (datasets.get, attempt 1)"),
        ("DEBUG", f"response 503 GET {URL} in T ms (request_id=r-1)"),
        ("DEBUG", "retry datasets.get in 0.50 s after HTTP 503 (attempt 2 of 3)"),
        ("DEBUG", f"request GET {URL} (datasets.get, attempt 2)"),
        ("DEBUG", f"response 200 GET {URL} in T ms (request_id=r-2)"),
    ]
    no_key_anywhere(caplog, API_KEY)
    await probe.close()


async def test_a_failed_attempt_is_logged(
    mode: str, debug_env: None, httpx_mock: HTTPXMock, caplog: pytest.LogCaptureFixture
) -> None:
    httpx_mock.add_exception(httpx.ConnectError("refused"))
    httpx_mock.add_response(url=URL, json=DATASET)
    probe = make_probe(mode, BASE)
    await probe.run(lambda client: client.datasets.get("ds-1"))
    assert lines(caplog)[1:3] == [
        ("DEBUG", f"failed GET {URL} after T ms: ConnectError: refused"),
        ("DEBUG", "retry datasets.get in 0.50 s after ConnectError (attempt 2 of 3)"),
    ]
    await probe.close()


async def test_nothing_is_logged_without_avala_log(
    mode: str, httpx_mock: HTTPXMock, caplog: pytest.LogCaptureFixture
) -> None:
    httpx_mock.add_response(url=URL, status_code=503)
    httpx_mock.add_response(url=URL, json=DATASET)
    probe = make_probe(mode, BASE)
    await probe.run(lambda client: client.datasets.get("ds-1"))
    assert lines(caplog) == []
    await probe.close()


@pytest.mark.parametrize("key", [API_KEY, "k3y+with/slash=and?query&0123456789"])
async def test_the_key_never_reaches_a_log_line_even_in_a_path_or_query(
    mode: str, debug_env: None, httpx_mock: HTTPXMock, caplog: pytest.LogCaptureFixture, key: str
) -> None:
    """A user who passes the key as a filter or an identifier by mistake does not leak it into logs or errors."""
    httpx_mock.add_response(status_code=404, json={"detail": "Not found."}, is_reusable=True)
    probe = make_probe(mode, BASE, api_key=key, max_retries=0)
    errors = []
    for call in (
        lambda c: c.datasets.list(name=key),
        lambda c: c.datasets.get(key),
        lambda c: c.datasets.get_item("acme", "set", key),
    ):
        with pytest.raises(Exception) as info:
            await probe.run(call)
        errors.append(info.value)
    sent = [str(request.url) for request in httpx_mock.get_requests()]
    assert len(sent) == 3
    assert len(lines(caplog)) == 6
    for error in errors:
        assert key not in str(error) and key not in repr(error)
    no_key_anywhere(caplog, *secret_variants(key))
    await probe.close()


async def test_connection_error_messages_redact_the_key_in_the_path(mode: str, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_exception(httpx.ConnectError(f"cannot reach {BASE}/datasets/{API_KEY}/"))
    probe = make_probe(mode, BASE, max_retries=0)
    with pytest.raises(Exception) as info:
        await probe.run(lambda client: client.datasets.get(API_KEY))
    assert info.value.args and API_KEY not in str(info.value)
    assert str(info.value) == (
        f"datasets.get: GET {BASE}/datasets/[redacted]/ failed after 1 attempt(s): "
        f"ConnectError: cannot reach {BASE}/datasets/[redacted]/"
    )
    await probe.close()


@pytest.mark.parametrize(("value", "level"), [("debug", logging.DEBUG), (" INFO ", logging.INFO), ("", logging.NOTSET)])
def test_avala_log_sets_the_level(monkeypatch: pytest.MonkeyPatch, value: str, level: int) -> None:
    AVALA.setLevel(logging.NOTSET)
    monkeypatch.setenv("AVALA_LOG", value)
    configure_logging_from_env()
    assert AVALA.level == level


def test_avala_log_adds_a_stderr_handler_only_when_nothing_would_show_the_lines(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AVALA_LOG", "debug")
    AVALA.handlers[:] = []
    configure_logging_from_env()  # pytest's handlers on the root logger already show them
    assert AVALA.handlers == []
    AVALA.propagate = False
    configure_logging_from_env()
    configure_logging_from_env()
    assert [type(handler) for handler in AVALA.handlers] == [logging.StreamHandler]
