"""Local mistakes get a clear local error, with no request sent and no retry: over-long identifiers and filters,
values of a type the API cannot take, CR/LF in header values, a closed client, an AsyncClient used from another
event loop. Sync and async alike."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from avala import AsyncClient, Client
from avala.errors import AvalaError
from tests.conftest import API_KEY
from tests.test_faults import DATASET, Loopback, get, make_probe, reply


class Opaque:
    pass


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda c: c.datasets.list(name="x" * 70_000),
            ValueError,
            "datasets.list: name is 70,000 characters long; at most 2,048 fit",
        ),
        (lambda c: c.datasets.get("x" * 70_000), ValueError, "datasets.get: uid is 70,000 characters long"),
        (
            lambda c: c.datasets.list(cursor=Opaque()),
            TypeError,
            "datasets.list: cursor must be a str, int, float or bool, got Opaque",
        ),
        (
            lambda c: c.datasets.list(name=["a", "b"]),
            TypeError,
            "datasets.list: name must be a str, int, float or bool, got list",
        ),
        (
            lambda c: c.datasets.list(limit=float("nan")),
            TypeError,
            "datasets.list: limit must be a str, int, float or bool",
        ),
        (lambda c: c.datasets.get(42), TypeError, "datasets.get: uid must be a str, got int"),
    ],
    ids=["long-filter", "long-identifier", "object-cursor", "list-filter", "nan-limit", "int-identifier"],
)
async def test_a_bad_argument_fails_before_any_request(
    mode: str, server: Loopback, call: Any, error: type[Exception], message: str
) -> None:
    probe = make_probe(mode, server.base)
    try:
        with pytest.raises(error) as info:
            await probe.run(call)
        assert str(info.value).startswith(message), str(info.value)
        assert server.seen == [] and probe.sent == [] and probe.sleeps == []
    finally:
        await probe.close()


async def test_accepted_query_values_go_on_the_wire(mode: str, server: Loopback) -> None:
    server.script = [reply(200, {"results": [], "next": None, "previous": None})]
    probe = make_probe(mode, server.base)
    try:
        await probe.run(lambda c: c.datasets.list(name="x" * 2048, limit=5, cursor="c1"))
        assert server.seen[0].target == f"/datasets/?name={'x' * 2048}&limit=5&cursor=c1"
    finally:
        await probe.close()


@pytest.mark.parametrize(
    ("headers", "error", "message"),
    [
        ({"X-Trace": "a\r\nX-Avala-Api-Key: stolen"}, ValueError, "headers: the value of 'X-Trace' contains CR, LF"),
        ({"X-Trace": "a\nb"}, ValueError, "headers: the value of 'X-Trace' contains CR, LF"),
        ({"X-Trace": "a\x00b"}, ValueError, "headers: the value of 'X-Trace' contains CR, LF"),
        ({"Bad Name": "v"}, ValueError, "headers: 'Bad Name' is not a valid header name"),
        ({"X-Count": 3}, TypeError, "headers: names and values must be str"),
    ],
    ids=["crlf-injection", "lf", "nul", "bad-name", "int-value"],
)
async def test_a_bad_header_fails_in_with_options(
    mode: str, server: Loopback, headers: dict[str, Any], error: type[Exception], message: str
) -> None:
    probe = make_probe(mode, server.base)
    try:
        with pytest.raises(error, match=message.replace("(", r"\(")):
            probe.client.with_options(headers=headers)
        assert server.seen == [] and probe.sent == []
        good = probe.client.with_options(headers={"X-Trace": "a\tb"})  # a TAB is allowed in a value
        server.script = [reply(200, DATASET)]
        await probe.run(lambda c: get(good))
        assert server.seen[0].headers["x-trace"] == "a\tb"
    finally:
        await probe.close()


async def test_a_closed_client_says_so(mode: str, server: Loopback) -> None:
    server.script = [reply(200, DATASET)]
    probe = make_probe(mode, server.base)
    await probe.run(get)
    copy = probe.client.with_options(max_retries=5)
    await probe.close()
    for client in (probe.client, copy):
        with pytest.raises(AvalaError, match=r"This client is closed \(close\(\) was called") as info:
            await probe.run(lambda c, client=client: get(client))
        assert type(info.value) is AvalaError and not isinstance(info.value.__cause__, AvalaError)
    assert len(server.seen) == 1 and probe.sleeps == []


def test_an_async_client_from_another_event_loop_says_so(server: Loopback, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AVALA_ALLOW_INSECURE_BASE_URL", "1")
    server.script = [reply(200, DATASET), reply(200, DATASET)]
    client = AsyncClient(api_key=API_KEY, base_url=server.base)
    assert asyncio.run(client.datasets.get("ds-1")).uid == "ds-1"
    copy = client.with_options(timeout=5.0)
    for used in (client, copy):
        with pytest.raises(AvalaError, match="first used in another event loop") as info:
            asyncio.run(used.datasets.get("ds-1"))
        assert info.value.operation == "datasets.get"
    # two loops alive at once (one per thread) are refused too, and nothing was sent
    errors: list[BaseException] = []
    thread = threading.Thread(target=lambda: errors.append(_run_catching(client)))
    thread.start()
    thread.join()
    assert isinstance(errors[0], AvalaError)
    assert len(server.seen) == 1

    # a client per loop works
    async def fresh() -> str:
        async with AsyncClient(api_key=API_KEY, base_url=server.base) as other:
            return (await other.datasets.get("ds-1")).uid

    assert asyncio.run(fresh()) == "ds-1"


def _run_catching(client: AsyncClient) -> BaseException:
    try:
        asyncio.run(client.datasets.get("ds-1"))
    except BaseException as exc:
        return exc
    return AssertionError("no error")


def test_a_sync_client_is_unaffected_by_event_loops(server: Loopback, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AVALA_ALLOW_INSECURE_BASE_URL", "1")
    server.script = [reply(200, DATASET), reply(200, DATASET)]
    with Client(api_key=API_KEY, base_url=server.base) as client:

        async def call() -> str:
            return client.datasets.get("ds-1").uid

        assert asyncio.run(call()) == asyncio.run(call()) == "ds-1"
