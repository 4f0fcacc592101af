"""The wait() helpers: poll until a terminal status, with a fake clock; sync and async."""

from __future__ import annotations

from typing import Any

import pytest
from pytest_httpx import HTTPXMock

from avala import AsyncClient, Client
from avala.errors import AvalaError, WaitTimeoutError
from avala.types import AutoLabelJob, Dataset, Export
from tests.conftest import API_KEY, BASE

ON_EVERY_EVENT_LOOP = True  # async tests run on asyncio and on trio (tests/conftest.py)


class FakeClock:
    """A monotonic clock that only moves when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sync_client(clock: FakeClock) -> Any:
    with Client(api_key=API_KEY) as client:
        client._transport.clock = clock
        client._transport.sleep = clock.sleep
        yield client


@pytest.fixture
async def aclient(clock: FakeClock) -> Any:
    async with AsyncClient(api_key=API_KEY) as client:
        client._transport.clock = clock
        client._transport.sleep = clock.async_sleep
        yield client


def export(status: str) -> dict[str, Any]:
    return {"uid": "exp-1", "status": status}


def statuses(httpx_mock: HTTPXMock, url: str, bodies: list[dict[str, Any]]) -> None:
    for body in bodies:
        httpx_mock.add_response(url=url, json=body)


@pytest.mark.parametrize("terminal", ["exported", "completed", "failed"])
def test_export_wait_returns_the_terminal_export(
    sync_client: Client, clock: FakeClock, httpx_mock: HTTPXMock, terminal: str
) -> None:
    statuses(httpx_mock, f"{BASE}/exports/exp-1/", [export("pending"), export("processing"), export(terminal)])
    result = sync_client.exports.wait("exp-1", interval=2.0, timeout=300.0)
    assert isinstance(result, Export) and result.status == terminal
    assert clock.sleeps == [2.0, 2.0]
    assert len(httpx_mock.get_requests()) == 3


def test_wait_times_out_with_the_last_object(sync_client: Client, clock: FakeClock, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=f"{BASE}/exports/exp-1/", json=export("processing"), is_reusable=True)
    with pytest.raises(WaitTimeoutError) as info:
        sync_client.exports.wait("exp-1", interval=2.0, timeout=5.0)
    assert isinstance(info.value, TimeoutError) and isinstance(info.value, AvalaError)
    assert isinstance(info.value.last, Export) and info.value.last.status == "processing"
    assert "exports.wait" in str(info.value) and "'processing'" in str(info.value)
    assert clock.sleeps == [2.0, 2.0, 1.0]  # never sleeps past the deadline
    assert len(httpx_mock.get_requests()) == 4


def test_zero_timeout_still_polls_once(sync_client: Client, clock: FakeClock, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=f"{BASE}/exports/exp-1/", json=export("exported"))
    assert sync_client.exports.wait("exp-1", timeout=0).status == "exported"
    assert clock.sleeps == []


@pytest.mark.parametrize(("interval", "timeout"), [(0, 10), (-1, 10), (1, -1), (float("nan"), 1), ("2", 1)])
def test_invalid_interval_or_timeout(sync_client: Client, interval: Any, timeout: Any, httpx_mock: HTTPXMock) -> None:
    with pytest.raises(ValueError, match=r"interval|timeout"):
        sync_client.exports.wait("exp-1", interval=interval, timeout=timeout)
    assert httpx_mock.get_requests() == []


def test_dataset_wait_for_a_chosen_status(sync_client: Client, clock: FakeClock, httpx_mock: HTTPXMock) -> None:
    url = f"{BASE}/datasets/ds-1/"
    base = {"uid": "ds-1", "name": "D", "slug": "d"}
    statuses(httpx_mock, url, [{**base, "status": "creating"}, {**base, "status": "created"}])
    result = sync_client.datasets.wait("ds-1")
    assert isinstance(result, Dataset) and result.status == "created"
    assert clock.sleeps == [10.0]  # the default interval
    statuses(httpx_mock, url, [{**base, "status": "created"}, {**base, "status": "archived"}])
    assert sync_client.datasets.wait("ds-1", status="archived", interval=1).status == "archived"


def test_auto_label_job_wait(sync_client: Client, httpx_mock: HTTPXMock) -> None:
    url = f"{BASE}/auto-label-jobs/job-1/"
    statuses(httpx_mock, url, [{"uid": "job-1", "status": "running"}, {"uid": "job-1", "status": "failed"}])
    result = sync_client.auto_label_jobs.wait("job-1", interval=1)
    assert isinstance(result, AutoLabelJob) and result.status == "failed"


def test_errors_while_waiting_propagate(sync_client: Client, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=f"{BASE}/exports/exp-1/", status_code=404, json={"detail": "Not found."})
    with pytest.raises(AvalaError, match="Not found"):
        sync_client.exports.wait("exp-1")


async def test_async_wait(aclient: AsyncClient, clock: FakeClock, httpx_mock: HTTPXMock) -> None:
    statuses(httpx_mock, f"{BASE}/exports/exp-1/", [export("pending"), export("completed")])
    result = await aclient.exports.wait("exp-1", interval=3)
    assert result.status == "completed" and clock.sleeps == [3]


async def test_async_wait_timeout(aclient: AsyncClient, clock: FakeClock, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(
        url=f"{BASE}/datasets/ds-1/", json={"uid": "ds-1", "name": "D", "slug": "d"}, is_reusable=True
    )
    with pytest.raises(WaitTimeoutError) as info:
        await aclient.datasets.wait("ds-1", interval=4, timeout=10)
    assert isinstance(info.value.last, Dataset) and info.value.last.status is None
    assert clock.sleeps == [4, 4, 2]


async def test_async_wait_sleeps_on_the_running_event_loop(anyio_backend: str, httpx_mock: HTTPXMock) -> None:
    """The default sleep of wait() runs on whichever loop drives it: asyncio or trio."""
    statuses(httpx_mock, f"{BASE}/exports/exp-1/", [export("pending"), export("completed")])
    async with AsyncClient(api_key=API_KEY) as client:
        result = await client.exports.wait("exp-1", interval=0.001, timeout=60)
    assert result.status == "completed" and len(httpx_mock.get_requests()) == 2
