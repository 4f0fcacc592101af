"""Fixtures of the contract suite: the mock servers (Prism from openapi.yaml), clients pointed at them, and a record
of every HTTP exchange, so a test can check what reached the server and the suite which operations it covered.

Prism must be installed (``make test`` does it with ``npm ci``); when Node.js or Prism is missing every contract
test errors with what to do. The suite is never skipped.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
import pytest_asyncio

from avala import AsyncClient, Client

from .spec import ROOT, Spec, load

API_KEY = "avk_contract_0123456789abcdef"
COVERAGE_TEST = "test_every_operation_is_reached"


def _load_mockserver() -> Any:
    spec = importlib.util.spec_from_file_location("avala_mockserver", ROOT / "scripts" / "mockserver.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


mockserver = _load_mockserver()


def _decode(content: bytes) -> Any:
    """A body as JSON; its text when it is not JSON; None when empty."""
    if not content:
        return None
    try:
        return json.loads(content)
    except ValueError:
        return content.decode("utf-8", errors="replace")


@dataclass
class Exchange:
    """One request the SDK sent and the response it got."""

    mode: str
    method: str
    path: str
    query: dict[str, list[str]]
    headers: httpx.Headers
    body: Any
    status: int
    response_headers: httpx.Headers
    response: Any

    @classmethod
    def of(cls, mode: str, request: httpx.Request, response: httpx.Response) -> Exchange:
        """Record a finished exchange (both bodies already read)."""
        return cls(
            mode=mode,
            method=request.method,
            path=request.url.raw_path.decode("ascii").split("?", 1)[0],
            query=parse_qs(request.url.query.decode("ascii"), keep_blank_values=True),
            headers=request.headers,
            body=_decode(request.content),
            status=response.status_code,
            response_headers=response.headers,
            response=_decode(response.content),
        )

    def violations(self) -> str:
        """What Prism found wrong with the request (its ``sl-violations`` header), one per line."""
        raw = self.response_headers.get("sl-violations")
        if not raw:
            return ""
        found = json.loads(raw)
        return "\n".join(f"  {'.'.join(map(str, v.get('location', [])))}: {v.get('message')}" for v in found)

    def __str__(self) -> str:
        text = f"{self.method} {self.path} -> {self.status}"
        violations = self.violations()
        return f"{text}\n{violations}" if violations else text


@pytest.fixture(scope="session")
def spec() -> Spec:
    """openapi.yaml."""
    return load()


@pytest.fixture(scope="session")
def mock_servers() -> Iterator[dict[str, Any]]:
    """Two Prism processes started together from openapi.yaml, both validating every request: ``examples``
    answers with the spec's examples, ``generated`` with data generated (seeded) from its schemas."""
    servers = {"examples": mockserver.MockServer(), "generated": mockserver.MockServer(dynamic=True)}
    problem = None
    try:
        for server in servers.values():
            server.launch()
        for server in servers.values():
            server.wait_until_ready()
    except mockserver.MockServerError as exc:
        problem = str(exc)
    if problem is not None:
        for server in servers.values():
            server.stop()
        pytest.fail(f"the mock server did not start: {problem}", pytrace=False)
    try:
        yield servers
    finally:
        for server in servers.values():
            server.stop()


@pytest.fixture(scope="session")
def mock_server(mock_servers: dict[str, Any]) -> Any:
    """Prism answering from the spec's examples."""
    return mock_servers["examples"]


@pytest.fixture(scope="session")
def dynamic_mock_server(mock_servers: dict[str, Any]) -> Any:
    """Prism answering with data generated from the spec's schemas."""
    return mock_servers["generated"]


@pytest.fixture(scope="session")
def ledger() -> dict[str, set[str]]:
    """Per pass (``examples/full/sync``, ...): the operationIds whose call was accepted and parsed correctly."""
    return {}


@pytest.fixture(autouse=True)
def exchanges(monkeypatch: pytest.MonkeyPatch) -> list[Exchange]:
    """Every HTTP exchange of the test, in order (the SDK's own httpx clients, signup's included)."""
    seen: list[Exchange] = []
    sync_send = httpx.HTTPTransport.handle_request
    async_send = httpx.AsyncHTTPTransport.handle_async_request

    def handle_request(self: httpx.HTTPTransport, request: httpx.Request) -> httpx.Response:
        response = sync_send(self, request)
        response.read()
        seen.append(Exchange.of("sync", request, response))
        return response

    async def handle_async_request(self: httpx.AsyncHTTPTransport, request: httpx.Request) -> httpx.Response:
        response = await async_send(self, request)
        await response.aread()
        seen.append(Exchange.of("async", request, response))
        return response

    monkeypatch.setattr(httpx.HTTPTransport, "handle_request", handle_request)
    monkeypatch.setattr(httpx.AsyncHTTPTransport, "handle_async_request", handle_async_request)
    monkeypatch.setenv("AVALA_ALLOW_INSECURE_BASE_URL", "1")
    return seen


@pytest.fixture(scope="session")
def sync_http() -> Iterator[httpx.Client]:
    """One connection pool for every sync client of the suite (a new httpx client costs tens of milliseconds)."""
    with httpx.Client(follow_redirects=False) as http:
        yield http


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def async_http() -> AsyncIterator[httpx.AsyncClient]:
    """The async twin of :func:`sync_http`; contract test modules run in the session's event loop
    (``pytestmark = pytest.mark.asyncio(loop_scope="session")``)."""
    async with httpx.AsyncClient(follow_redirects=False) as http:
        yield http


@pytest.fixture
def http(sync_http: httpx.Client, async_http: httpx.AsyncClient) -> dict[str, Any]:
    """The shared httpx clients by mode."""
    return {"sync": sync_http, "async": async_http}


def make_client(server: Any, mode: str, http: dict[str, Any]) -> Client | AsyncClient:
    """A sync or async client of ``server`` that does not retry (a rejected request fails at once)."""
    if mode == "sync":
        return Client(api_key=API_KEY, base_url=server.base_url, max_retries=0, http_client=http["sync"])
    return AsyncClient(api_key=API_KEY, base_url=server.base_url, max_retries=0, http_client=http["async"])


@pytest.fixture
def client(mock_server: Any, sync_http: httpx.Client) -> Iterator[Client]:
    """A sync client of the example-answering mock server."""
    with Client(api_key=API_KEY, base_url=mock_server.base_url, max_retries=0, http_client=sync_http) as c:
        yield c


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run the coverage check after every other test, whatever the file order."""
    last = [item for item in items if item.name == COVERAGE_TEST]
    items[:] = [item for item in items if item.name != COVERAGE_TEST] + last
