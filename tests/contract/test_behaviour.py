"""What the SDK does around single operations, against the mock server: the SDK has no method the spec lacks,
``wait()`` helpers, following ``next`` pages, ``rate_limit_info``, a typed error for every error response of the
spec; and proof that requests breaking the spec are rejected (by Prism, or by this suite where Prism is lenient).
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Iterator
from functools import reduce
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

import avala
from avala import Client
from avala._operation import Operation, raw_object
from avala._resource import AsyncResource, SyncResource
from avala.errors import (
    AuthenticationError,
    AvalaError,
    ForbiddenError,
    NotFoundError,
    RateLimitError,
    ServerError,
    ValidationError,
    WaitTimeoutError,
)
from avala.types import Dataset

from .calls import Call, build_call, check_request, check_result, sdk_function
from .conftest import Exchange, make_client
from .spec import Spec, SpecOperation, load

pytestmark = pytest.mark.asyncio(loop_scope="session")

SPEC = load()
MODES = ("sync", "async")
WAITS = [op for op in SPEC.operations if op.wait]
PAGES = [op for op in SPEC.operations if SPEC.is_page(op.response_schema)]
ERRORS: dict[int, type[AvalaError]] = {
    400: ValidationError,
    401: AuthenticationError,
    403: ForbiddenError,
    404: NotFoundError,
    429: RateLimitError,
    500: ServerError,
}


async def result_of(value: Any) -> Any:
    """``value``, awaited when a coroutine (one code path for sync and async clients)."""
    return await value if inspect.isawaitable(value) else value


def resource_methods(group: Any, prefix: str = "") -> Iterator[str]:
    """``datasets.list``, ``fleet.devices.register``, ...: every public method of every resource of a client."""
    for name in dir(group):
        if name.startswith("_"):
            continue
        value = getattr(group, name)
        if isinstance(value, SyncResource | AsyncResource):
            for method in dir(value):
                if not method.startswith("_") and callable(getattr(value, method)):
                    yield f"{prefix}{name}.{method}"
        elif type(value).__module__ == "avala._client_resources":
            yield from resource_methods(value, f"{prefix}{name}.")


@pytest.mark.parametrize("mode", MODES)
async def test_the_sdk_has_no_method_the_spec_lacks(
    mode: str, spec: Spec, mock_server: Any, http: dict[str, Any]
) -> None:
    client = make_client(mock_server, mode, http)
    expected = {op.sdk_name for op in spec.operations if op.client_attribute}
    waits = {f"{op.tag}.wait" for op in spec.operations if op.wait}
    # client-side methods built on an operation (x-python-derived: datasets.get_frame, ...): no request of their own
    derived = {
        f"{op.tag}.{d['name']}"
        for op in spec.operations
        for d in spec.document["paths"][op.path][op.method.lower()].get("x-python-derived", [])
    }
    # methods of the hand-written classes a tag names in x-python-mixin (datasets.upload_files, ...): not operations
    mixins = {
        f"{tag['name']}.{name}"
        for tag in spec.document["tags"]
        if "x-python-mixin" in tag
        for name in dir(
            getattr(importlib.import_module(tag["x-python-mixin"]["module"]), tag["x-python-mixin"]["sync"])
        )
        if not name.startswith("_")
    }
    methods = set(resource_methods(client))
    raw = {m.removeprefix("with_raw_response.") for m in methods if m.startswith("with_raw_response.")}
    assert methods - {f"with_raw_response.{m}" for m in raw} == expected | waits | mixins | derived
    assert raw == expected  # with_raw_response: every operation, no wait() nor derived method
    for op in spec.operations:
        if not op.client_attribute:
            assert callable(sdk_function(client, op, mode)), f"{op}: no module function avala.{op.tag}"


# --- wait() ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("op", WAITS, ids=[op.operation_id for op in WAITS])
async def test_wait_polls_the_operation(
    op: SpecOperation, mode: str, mock_server: Any, exchanges: list[Exchange], http: dict[str, Any]
) -> None:
    """``wait()`` returns the example at once when its status is awaited, else gives up at its timeout with the
    example as ``last``; the demo relies on the export example being terminal."""
    wait = op.wait or {}
    client = make_client(mock_server, mode, http)
    resource: Any = reduce(getattr, op.tag.split("."), client)
    method = resource.wait
    example = SPEC.resolve(op.response_schema)["example"]
    status = example[wait["field"]]
    kwargs: dict[str, Any] = {"interval": 0.01}
    if "target" in wait:
        kwargs[wait["target"]] = wait["until"][0]
    args = [p.example for p in op.path_params]
    if op.operation_id == "exports_get":
        assert status in wait["until"], "examples/quickstart.py waits for the export example: make it terminal"
    if status in wait["until"]:
        result = await result_of(method(*args, timeout=5.0, **kwargs))
        assert getattr(result, wait["field"]) == status
    else:
        with pytest.raises(WaitTimeoutError) as raised:
            await result_of(method(*args, timeout=0.0, **kwargs))
        assert getattr(raised.value.last, wait["field"]) == status
    assert [(e.method, SPEC.match(e.method, e.path)) for e in exchanges] == [("GET", op)]


# --- pagination -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("op", PAGES, ids=[op.operation_id for op in PAGES])
async def test_next_page_sends_the_query_of_next(
    op: SpecOperation, mode: str, mock_server: Any, exchanges: list[Exchange], http: dict[str, Any]
) -> None:
    """The next page is the one the example's `next` link names (by cursor or by page number): its query is sent
    with the call's other arguments, the call's own position (cursor, page) replaced."""
    client = make_client(mock_server, mode, http)
    function = sdk_function(client, op, mode)
    call = build_call(SPEC, op, function, "full")
    page = await result_of(function(*call.args, **call.kwargs))
    next_url = SPEC.resolve(op.response_schema)["example"]["next"]
    assert next_url, f"{op}: give the example page a `next` URL, so that following it is tested"
    link = parse_qs(urlsplit(next_url).query)
    assert "cursor" in link or "page" in link, f"{op}: the example `next` carries neither cursor nor page"
    assert page.next_page_params == {name: values[0] for name, values in link.items()} and page.has_more
    assert page.next_cursor == (link.get("cursor") or link["page"])[0]
    following = await result_of(page.next_page())
    first, second = exchanges
    assert second.path == first.path
    kept = {name: values for name, values in first.query.items() if name not in ("cursor", "page", "offset")}
    assert second.query == {**kept, **link}
    check_result(SPEC, op, following, second.response, mode)


# --- rate limits and errors -----------------------------------------------------------------------------------------


def header_example(name: str) -> str:
    """The example of a components header."""
    example: str = SPEC.document["components"]["headers"][name]["example"]
    return example


async def test_rate_limit_info_reads_the_last_response(client: Client) -> None:
    assert client.rate_limit_info["remaining"] is None
    client.exports.list()
    info = client.rate_limit_info
    assert info["limit"] == header_example("X-RateLimit-Limit")
    assert info["remaining"] == header_example("X-RateLimit-Remaining")
    assert info["reset"] == header_example("X-RateLimit-Reset")


def declaring(status: int) -> SpecOperation:
    """The first client operation whose spec declares ``status``."""
    for op in SPEC.operations:
        responses = SPEC.document["paths"][op.path][op.method.lower()]["responses"]
        if (str(status) in responses or f"{str(status)[0]}XX" in responses) and op.client_attribute:
            return op
    raise AssertionError(f"no operation declares {status}")


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("status", sorted(ERRORS))
async def test_every_error_response_raises_its_error(
    status: int, mode: str, mock_server: Any, exchanges: list[Exchange], http: dict[str, Any]
) -> None:
    """``Prefer: code=<status>`` makes Prism answer with that response of the spec; the SDK raises its class."""
    op = declaring(status)
    client = make_client(mock_server, mode, http).with_options(headers={"Prefer": f"code={status}"})
    function = sdk_function(client, op, mode)
    call = build_call(SPEC, op, function, "full")
    with pytest.raises(ERRORS[status]) as raised:
        await result_of(function(*call.args, **call.kwargs))
    error = raised.value
    assert error.status_code == status and len(exchanges) == 1
    assert error.body == exchanges[0].response and exchanges[0].violations() == ""
    if status == 429:
        assert error.retry_after == float(header_example("Retry-After"))


# --- requests that break the spec -----------------------------------------------------------------------------------


def send(client: Client, op: Operation[Any], path: tuple[str, ...] = (), query: Any = None, body: Any = None) -> Any:
    """Send a hand-made operation through the client's transport (what a wrong generated method would do)."""
    return client._transport.call(op, path, query, body)


async def test_prism_rejects_an_unknown_path(client: Client, exchanges: list[Exchange]) -> None:
    wrong = Operation("datasets.get", "GET", "/dataset/{}/", Dataset.from_dict)
    with pytest.raises(NotFoundError, match="hasn't been found in the specification"):
        send(client, wrong, ("550e8400-e29b-41d4-a716-446655440000",))
    assert exchanges[0].response["type"].endswith("NO_PATH_MATCHED_ERROR")


async def test_prism_rejects_a_wrong_body_type(client: Client, exchanges: list[Exchange]) -> None:
    create = Operation("datasets.create", "POST", "/datasets/", Dataset.from_dict, body="required")
    with pytest.raises(ValidationError):
        send(client, create, body={"name": 5, "slug": "training-v2", "data_type": "lidar"})
    assert "request.body.name: Request body property name must be string" in exchanges[0].violations()


async def test_prism_rejects_a_missing_required_parameter(client: Client, exchanges: list[Exchange]) -> None:
    tools = Operation("annotation_issues.list_tools", "GET", "/qc-available-tools/", list)
    with pytest.raises(ValidationError):
        send(client, tools)
    assert "dataset_type" in exchanges[0].violations()


async def test_prism_rejects_a_wrong_parameter_type(client: Client, exchanges: list[Exchange]) -> None:
    with pytest.raises(ValidationError):
        client.datasets.list(limit="twenty")  # type: ignore[arg-type]
    assert "request.query.limit" in exchanges[0].violations()


async def test_the_suite_rejects_what_prism_lets_through(
    spec: Spec, client: Client, exchanges: list[Exchange], mock_server: Any
) -> None:
    """Prism accepts undeclared query parameters and body properties, and cannot know an argument was dropped."""
    op = spec.by_id["datasets_list"]
    lister = Operation("datasets.list", "GET", "/datasets/", raw_object)
    send(client, lister, query={"limit": 20, "sort": "name"})
    exchange = exchanges[-1]
    assert exchange.status == 200
    with pytest.raises(AssertionError, match=r"query parameters \['sort'\] are not in the spec"):
        check_request(Call(op, (), {}, {"limit": 20}, None), exchange.query, exchange.body)
    with pytest.raises(AssertionError, match="query"):
        check_request(Call(op, (), {}, {"limit": 20, "name": "highway"}, None), {"limit": ["20"]}, None)
    create = spec.by_id["datasets_create"]
    body = {"name": "Training v2", "slug": "training-v2", "data_type": "lidar", "colour": "red"}
    with pytest.raises(AssertionError, match=r"body properties \['colour'\] are not in the spec"):
        check_request(Call(create, (), {}, {}, {"name": "Training v2"}), {}, body)


async def test_the_suite_rejects_a_wrong_model(spec: Spec) -> None:
    """A response parsed into the wrong class, or a field left in ``additional_properties``, fails."""
    op = spec.by_id["datasets_get"]
    example = spec.resolve(op.response_schema)["example"]
    check_result(spec, op, Dataset.from_dict(example), example, "sync")
    with pytest.raises(AssertionError, match="is not Dataset"):
        check_result(spec, op, avala.types.Export.from_dict(example), example, "sync")
    misread = Dataset.from_dict(example)
    misread.additional_properties = {"item_count": example["item_count"]}
    with pytest.raises(AssertionError):
        check_result(spec, op, misread, example, "sync")
