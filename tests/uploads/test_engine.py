"""The effect drivers: one flow, run by threads or by asyncio, with the fail-fast rule of Gather."""

from __future__ import annotations

import threading
import time
from collections.abc import Generator
from typing import Any

import anyio
import pytest

from avala.uploads._engine import AsyncDriver, Call, Flow, Gather, Local, Sleep, Stop, Stopped, SyncDriver


class FakeApi:
    """Both a sync and an async api: ``ping`` returns its argument."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.calls: list[Any] = []
        self.lock = threading.Lock()

    def ping(self, value: Any) -> Any:
        with self.lock:
            self.calls.append(value)
        if self.kind == "sync":
            return value

        async def answer() -> Any:
            await anyio.sleep(0)
            return value

        return answer()


def run(kind: str, flow: Flow[Any], stop: Stop | None = None) -> tuple[Any, FakeApi]:
    api = FakeApi(kind)
    stop = stop or Stop()
    if kind == "sync":
        return SyncDriver(api, None, 4).run(flow, stop), api  # type: ignore[arg-type]

    async def go() -> Any:
        return await AsyncDriver(api, None, 4).run(flow, stop)  # type: ignore[arg-type]

    return anyio.run(go, backend=kind), api


@pytest.fixture(params=["sync", "asyncio", "trio"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_effects_come_back_as_results(kind: str) -> None:
    def flow() -> Generator[Any, Any, Any]:
        a = yield Call(lambda api: api.ping(1))
        b = yield Local(lambda: 2)
        yield Sleep(0)
        c = yield Gather((sub(i) for i in range(5)), 2)
        return a, b, c

    def sub(i: int) -> Generator[Any, Any, int]:
        value = yield Call(lambda api: api.ping(i * 10))
        return int(value) + 1

    result, api = run(kind, flow())
    assert result == (1, 2, [1, 11, 21, 31, 41])
    assert sorted(api.calls) == [0, 1, 10, 20, 30, 40]


def test_errors_are_thrown_into_the_flow_which_may_handle_them(kind: str) -> None:
    def flow() -> Generator[Any, Any, str]:
        try:
            yield Local(lambda: 1 / 0)
        except ZeroDivisionError:
            return "handled"
        return "not reached"

    assert run(kind, flow())[0] == "handled"


def test_gather_fails_fast_drains_and_raises_the_first_error(kind: str) -> None:
    started: list[int] = []
    finished: list[int] = []
    lock = threading.Lock()

    def sub(i: int) -> Generator[Any, Any, int]:
        with lock:
            started.append(i)
        if i == 1:
            yield Local(lambda: time.sleep(0.05))
            raise RuntimeError("file 1 failed")
        if i == 0:
            yield Local(lambda: time.sleep(0.3))  # in flight when 1 fails: drains
            with lock:
                finished.append(i)
            yield Call(lambda api: api.ping(i))  # ...but does not start new API work
            with lock:
                finished.append(100)
        return i

    def flow() -> Generator[Any, Any, Any]:
        return (yield Gather((sub(i) for i in range(50)), 2))

    with pytest.raises(RuntimeError, match="file 1 failed"):
        run(kind, flow())
    assert sorted(started) == [0, 1]  # nothing new started after the failure
    assert finished == [0]  # the running one drained, and stopped at its next API call


def test_a_stop_wakes_a_sleeping_backoff(kind: str) -> None:
    def sleeper() -> Generator[Any, Any, str]:
        try:
            yield Sleep(30)
        except Stopped:
            return "woken"
        return "slept"

    def failer() -> Generator[Any, Any, None]:
        yield Local(lambda: time.sleep(0.05))
        raise ValueError("boom")

    def flow() -> Generator[Any, Any, Any]:
        return (yield Gather(iter([sleeper(), failer()]), 2))

    began = time.monotonic()
    with pytest.raises(ValueError, match="boom"):
        run(kind, flow())
    assert time.monotonic() - began < 20  # generous: the 30 s backoff was cut short


def test_nested_gathers_stop_only_their_own_children(kind: str) -> None:
    def part(i: int) -> Generator[Any, Any, int]:
        yield Call(lambda api: api.ping(i))
        if i == 3:
            raise OSError("part 3")
        return i

    def file_flow() -> Generator[Any, Any, str]:
        for attempt in range(3):
            try:
                yield Gather((part(i) for i in range(5 if attempt == 0 else 3)), 2)
                return f"done after {attempt + 1}"
            except OSError:
                continue
        return "gave up"

    def flow() -> Generator[Any, Any, Any]:
        return (yield Gather(iter([file_flow(), file_flow()]), 2))

    assert run(kind, flow())[0] == ["done after 2", "done after 2"]


def test_an_outside_stop_stops_the_run(kind: str) -> None:
    stop = Stop()
    stop.set()

    def flow() -> Generator[Any, Any, Any]:
        yield Call(lambda api: api.ping(1))

    with pytest.raises(Stopped):
        run(kind, flow(), stop)
