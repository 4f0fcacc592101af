"""Every operation of openapi.yaml, called through the SDK (sync and async) against Prism started from the spec.

Prism rejects a request that does not match the spec (unknown path, missing or mistyped parameter, wrong body) and
the test fails with Prism's reasons. An accepted request must also have reached the operation it was meant for,
carried exactly the arguments given (Prism lets undeclared query parameters and body properties through, so this
suite checks them), and its response must parse into the model the spec names, every value in its declared field.

Two passes: ``examples`` (responses are the spec's examples; every method called with all its arguments, then
with the required ones only) and ``generated`` (responses generated from the schemas, seeded).
"""

from __future__ import annotations

import inspect
from typing import Any

import pytest

from avala.errors import AvalaError

from .calls import VARIANTS, build_call, check_request, check_result, sdk_function
from .conftest import Exchange, make_client
from .spec import Spec, SpecOperation, load

pytestmark = pytest.mark.asyncio(loop_scope="session")

OPERATIONS = load().operations
MODES = ("sync", "async")


async def run(
    spec: Spec,
    server: Any,
    op: SpecOperation,
    mode: str,
    variant: str,
    exchanges: list[Exchange],
    ledger: dict[str, set[str]],
    pass_name: str,
    http: dict[str, Any],
) -> None:
    """Call ``op`` through the SDK, check the exchange and the result, and record the operation as reached."""
    client = make_client(server, mode, http)
    try:
        function = sdk_function(client, op, mode)
        call = build_call(spec, op, function, variant)
        kwargs = call.kwargs if op.client_attribute else {**call.kwargs, "base_url": server.base_url}
        try:
            result = function(*call.args, **kwargs)
            if inspect.isawaitable(result):
                result = await result
            if op.chunked is not None:  # one step per chunk; the call is one chunk
                steps = [step async for step in result] if mode == "async" else list(result)
                assert [index for index, _ in steps] == [0], f"{op}: expected one chunk, got {steps}"
                result = steps[0][1]
        except AvalaError as exc:
            seen = "\n".join(map(str, exchanges)) or "(no request reached the server)"
            pytest.fail(f"{op}: the mock server rejected the {mode} call: {exc}\n{seen}", pytrace=False)
    finally:
        closed = client.close()
        if inspect.isawaitable(closed):
            await closed
    assert len(exchanges) == 1, f"{op}: expected one request, saw {[str(e) for e in exchanges]}"
    exchange = exchanges[0]
    assert exchange.mode == mode
    reached = spec.match(exchange.method, exchange.path)
    assert reached is op, f"{op}: the request {exchange.method} {exchange.path} reached {reached}"
    assert exchange.status == op.status, f"{op}: answered {exchange.status}, the spec says {op.status}"
    assert ("x-avala-api-key" in exchange.headers) == op.auth, f"{op}: the API key is sent iff the spec asks for it"
    check_request(call, exchange.query, exchange.body)
    check_result(spec, op, result, exchange.response, mode)
    ledger.setdefault(f"{pass_name}/{variant}/{mode}", set()).add(op.operation_id)


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("op", OPERATIONS, ids=[op.operation_id for op in OPERATIONS])
async def test_operation_answered_from_examples(
    op: SpecOperation,
    mode: str,
    variant: str,
    spec: Spec,
    mock_server: Any,
    exchanges: list[Exchange],
    ledger: dict[str, set[str]],
    http: dict[str, Any],
) -> None:
    await run(spec, mock_server, op, mode, variant, exchanges, ledger, "examples", http)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("op", OPERATIONS, ids=[op.operation_id for op in OPERATIONS])
async def test_operation_answered_with_generated_data(
    op: SpecOperation,
    mode: str,
    spec: Spec,
    dynamic_mock_server: Any,
    exchanges: list[Exchange],
    ledger: dict[str, set[str]],
    http: dict[str, Any],
) -> None:
    await run(spec, dynamic_mock_server, op, mode, "full", exchanges, ledger, "generated", http)
