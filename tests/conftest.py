"""Shared fixtures: clients whose HTTP is served by pytest-httpx (no test ever reaches the network)."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from avala import AsyncClient, Client

API_KEY = "avk_test_0123456789abcdef"
BASE = "https://api.avala.ai/api/v1"


# Async tests run through anyio's pytest plugin, on asyncio, except those marked ``asyncio`` (the contract suite, on
# pytest-asyncio's session loop). A module that sets ``ON_EVERY_EVENT_LOOP = True`` (the transport, its retries and
# faults, wait()) runs each async test on asyncio and on trio: on the loop its ``mode`` names (``sync`` tests on
# asyncio), or on each loop in turn when it has no ``mode``.
EVENT_LOOPS = ("asyncio", "trio")
MODES = ("sync", *EVENT_LOOPS)


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makeitem(collector: pytest.Module | pytest.Class, name: str, obj: object) -> None:
    if (
        collector.istestfunction(obj, name)
        and inspect.iscoroutinefunction(obj)
        and collector.get_closest_marker("asyncio") is None
        and not any(mark.name == "asyncio" for mark in getattr(obj, "pytestmark", ()))
    ):
        pytest.mark.usefixtures("anyio_backend")(pytest.mark.anyio(obj))


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if (
        getattr(metafunc.module, "ON_EVERY_EVENT_LOOP", False)
        and "anyio_backend" in metafunc.fixturenames
        and "mode" not in metafunc.fixturenames
    ):
        metafunc.parametrize("anyio_backend", EVENT_LOOPS, indirect=True)


@pytest.fixture
def anyio_backend(request: pytest.FixtureRequest) -> str:
    """The event loop an async test runs on."""
    if hasattr(request, "param"):
        return str(request.param)
    if "mode" in request.fixturenames and getattr(request.module, "ON_EVERY_EVENT_LOOP", False):
        mode = str(request.getfixturevalue("mode"))
        return "asyncio" if mode == "sync" else mode
    return "asyncio"


@pytest.fixture(scope="session")
def _session_state_dir(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return tmp_path_factory.mktemp("avala-state")


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, _session_state_dir: Any) -> None:
    for name in (
        "AVALA_API_KEY",
        "AVALA_BASE_URL",
        "AVALA_ALLOW_INSECURE_BASE_URL",
        "AVALA_LOG",
        "AVALA_STORAGE_HOSTS",
        "AVALA_PROFILE",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AVALA_STATE_DIR", str(_session_state_dir))  # never the user's ~/.avala


@dataclass
class CliResult:
    """What one in-process run of the ``avala`` command line did."""

    code: int
    stdout: str
    stderr: str


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[..., CliResult]:
    """Run ``avala ARGS`` in this process (stdout and stdin are not terminals), with its config under ``tmp_path``."""
    from click.testing import CliRunner

    from avala.cli import main

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))

    def invoke(*argv: str, input: str | None = None, env: dict[str, str] | None = None) -> CliResult:
        runner = CliRunner()
        with runner.isolation(input=input, env=env) as (out, err, _):
            try:
                main(list(argv))
                code = 0
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else 1
            return CliResult(code, out.getvalue().decode(), err.getvalue().decode())

    return invoke


@pytest.fixture
def client() -> Iterator[Client]:
    with Client(api_key=API_KEY) as c:
        c._transport.sleep = lambda seconds: None
        yield c


@pytest.fixture
async def async_client() -> AsyncIterator[AsyncClient]:
    async def no_sleep(seconds: float) -> None:
        return None

    async with AsyncClient(api_key=API_KEY) as c:
        c._transport.sleep = no_sleep
        yield c


# --- real S3 storage on loopback, for the upload tests (tests/uploads/storage.py) ------------------------------------


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    """A moto S3 server on an ephemeral loopback port for the whole session; its endpoint URL."""
    from tests.uploads.storage import start_moto

    server = start_moto()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3(moto_server: str) -> Any:
    """A boto3 S3 helper (:class:`uploads.storage.S3`) on the moto server."""
    from tests.uploads.storage import S3

    return S3(moto_server)


@pytest.fixture
def storage_proxy(moto_server: str) -> Iterator[Any]:
    """A fault-injecting proxy (:class:`uploads.storage.FaultProxy`) in front of the moto server."""
    from tests.uploads.storage import FaultProxy

    host, port = moto_server.removeprefix("http://").split(":")
    proxy = FaultProxy(host, int(port))
    try:
        yield proxy
    finally:
        proxy.close()


@pytest.fixture
def allow_loopback(monkeypatch: pytest.MonkeyPatch, moto_server: str) -> Callable[..., None]:
    """Widen the storage allow-list (``AVALA_STORAGE_HOSTS``) to the moto server and any given loopback origins."""

    def allow(*origins: str) -> None:
        monkeypatch.setenv("AVALA_STORAGE_HOSTS", ",".join([moto_server, *origins]))

    allow()
    return allow


@pytest.fixture
def state_dir(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A fresh upload state directory (``AVALA_STATE_DIR``) for one test."""
    path = tmp_path / "state"
    monkeypatch.setenv("AVALA_STATE_DIR", str(path))
    return path
