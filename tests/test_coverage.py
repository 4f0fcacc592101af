"""The whole API surface: every operation of ``openapi.yaml`` has a generated sync and async method with identical
signatures, a case in the operation table (``tests/operations``) or, for signup, tests in ``test_signup.py``; every
model the responses use is importable from ``avala.types``.

The spec is read with PyYAML here, independently of ``codegen/``, so a generator bug cannot hide an operation; what
this reading finds is compared with what the generator says it emitted (``tests/api_surface.py``, rewritten by
``make codegen``), so no count is kept by hand. An operation lost from the spec is a breaking change for the release
gate (``make spec-gate``).
"""

from __future__ import annotations

import ast
import asyncio
import importlib
import inspect
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

import avala
from avala import AsyncClient, Client
from tests import api_surface
from tests.conftest import API_KEY
from tests.operations.test_operations import ALL_CASES

ROOT = Path(__file__).resolve().parent.parent
SPEC: dict[str, Any] = yaml.safe_load((ROOT / "openapi.yaml").read_text(encoding="utf-8"))
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@dataclass(frozen=True)
class SpecOperation:
    """One operation of the spec and the SDK call it must have."""

    http: str
    path: str
    tag: str
    operation_id: str
    raw: dict[str, Any]

    @property
    def method(self) -> str:
        """The Python method name: the operationId minus ``<tag with . -> _>_``."""
        prefix = self.tag.replace(".", "_") + "_"
        assert self.operation_id.startswith(prefix), f"{self.operation_id} does not start with {prefix}"
        return self.operation_id[len(prefix) :]

    @property
    def call(self) -> str:
        """``fleet.devices.list``: how the operation table names it."""
        return f"{self.tag}.{self.method}"

    @property
    def is_module_function(self) -> bool:
        return self.tag in MODULE_FUNCTION_TAGS


def resolve(node: Any) -> Any:
    """Follow a local ``$ref``."""
    while isinstance(node, dict) and "$ref" in node:
        target: Any = SPEC
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def spec_operations() -> list[SpecOperation]:
    found = []
    for path, item in SPEC["paths"].items():
        for http, raw in item.items():
            if http in METHODS:
                tags = raw.get("tags") or []
                assert len(tags) == 1, f"{http.upper()} {path} must have exactly one tag, has {tags}"
                found.append(SpecOperation(http.upper(), path, tags[0], raw["operationId"], raw))
    return found


MODULE_FUNCTION_TAGS = {t["name"] for t in SPEC["tags"] if t.get("x-python-client-attribute") is False}
OPERATIONS = spec_operations()
CLIENT_OPERATIONS = [op for op in OPERATIONS if not op.is_module_function]
SIGNUP_OPERATIONS = [op for op in OPERATIONS if op.is_module_function]


def op_id(op: SpecOperation) -> str:
    return op.call


@pytest.fixture(scope="module")
def clients() -> Iterator[tuple[Client, AsyncClient]]:
    sync, aclient = Client(api_key=API_KEY), AsyncClient(api_key=API_KEY)
    yield sync, aclient
    sync.close()
    asyncio.run(aclient.close())


def resolve_attribute(client: Any, tag: str) -> Any:
    """``client.fleet.devices`` for the tag ``fleet.devices``."""
    obj = client
    for part in tag.split("."):
        obj = getattr(obj, part)
    return obj


def normalised(signature: inspect.Signature) -> str:
    """A signature as text, with the async page type named like the sync one."""
    return str(signature).replace("AsyncCursorPage[", "CursorPage[").replace("AsyncIterator[", "Iterator[")


# --- the spec read here against what the generator emitted, so the parametrized tests below cover everything -------


def test_the_spec_has_every_operation() -> None:
    assert OPERATIONS, "no operation in openapi.yaml"
    assert [op.call for op in OPERATIONS] == list(api_surface.OPERATIONS), "run `make codegen`"
    assert len({op.operation_id for op in OPERATIONS}) == len(OPERATIONS), "operationIds must be unique"
    assert [op.call for op in SIGNUP_OPERATIONS] == ["signup.create"]
    declared = [t["name"] for t in SPEC["tags"]]
    assert {op.tag for op in OPERATIONS} == set(declared), "every declared tag has operations"
    assert declared == api_surface.RESOURCES


# --- generated methods --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("op", CLIENT_OPERATIONS, ids=op_id)
def test_operation_has_a_sync_and_an_async_method(op: SpecOperation, clients: tuple[Client, AsyncClient]) -> None:
    sync, aclient = clients
    sync_method = getattr(resolve_attribute(sync, op.tag), op.method, None)
    async_method = getattr(resolve_attribute(aclient, op.tag), op.method, None)
    assert callable(sync_method), f"Client.{op.call} is missing ({op.http} {op.path})"
    assert callable(async_method), f"AsyncClient.{op.call} is missing ({op.http} {op.path})"
    assert not inspect.iscoroutinefunction(sync_method), f"Client.{op.call} must not be async"
    assert inspect.iscoroutinefunction(async_method), f"AsyncClient.{op.call} must be async"
    assert normalised(inspect.signature(sync_method)) == normalised(inspect.signature(async_method))
    assert sync_method.__doc__ and async_method.__doc__


@pytest.mark.parametrize("op", CLIENT_OPERATIONS, ids=op_id)
def test_method_parameters_match_the_spec(op: SpecOperation, clients: tuple[Client, AsyncClient]) -> None:
    """Path parameters are positional, in path order, followed by the ``x-python-positional`` arguments; query and
    body parameters are keyword-only, under their Python names (``x-python-name``); a body property named like a
    path parameter is filled from it, and a constant sent with another property (``x-python-sent-with``) is not an
    argument. A chunked JSON-array body (``x-python-chunked``) is one more positional argument, with the keyword
    ``chunk_size``."""
    params = inspect.signature(getattr(resolve_attribute(clients[0], op.tag), op.method)).parameters.values()
    positional = [p.name for p in params if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD]
    keyword = {p.name for p in params if p.kind is inspect.Parameter.KEYWORD_ONLY}
    spec_params = [resolve(p) for p in op.raw.get("parameters", [])]
    path_names = [p["name"] for p in spec_params if p["in"] == "path"]
    leading = list(op.raw.get("x-python-positional", []))
    chunked = op.raw.get("x-python-chunked")
    assert positional == path_names + leading + ([chunked["argument"]] if chunked else [])
    assert path_names == [segment[1:-1] for segment in op.path.split("/") if segment.startswith("{")]
    expected = {p.get("x-python-name", p["name"]) for p in spec_params if p["in"] == "query"}
    body = resolve(op.raw.get("requestBody", {})).get("content", {}).get("application/json", {}).get("schema")
    if chunked:
        assert resolve(body)["type"] == "array"
        expected.add("chunk_size")
    elif body is not None:
        properties = resolve(body).get("properties", {})
        expected |= {n for n, p in properties.items() if "x-python-sent-with" not in p} - set(path_names)
    assert keyword | set(leading) == expected and not keyword & set(leading)


def mixin_methods() -> dict[str, tuple[type, type, set[str]]]:
    """Tag -> (sync mixin, async mixin, public method names) of every tag with ``x-python-mixin``."""
    found = {}
    for tag in SPEC["tags"]:
        mixin = tag.get("x-python-mixin")
        if mixin:
            module = importlib.import_module(mixin["module"])
            sync, async_ = getattr(module, mixin["sync"]), getattr(module, mixin["async"])
            found[tag["name"]] = (sync, async_, {n for n in dir(sync) if not n.startswith("_")})
    return found


def test_resources_have_no_method_outside_the_spec(clients: tuple[Client, AsyncClient]) -> None:
    """The reverse direction: every public resource method is an operation (or the documented ``wait`` helper, or
    the deprecated old name of a renamed operation), or a method of the hand-written class the tag names in
    ``x-python-mixin`` (the same names, sync and async)."""
    expected: dict[str, set[str]] = {}
    aliases = 0
    for op in CLIENT_OPERATIONS:
        expected.setdefault(op.tag, set()).add(op.method)
        old = op.raw.get("x-python-renamed-from", [])
        expected[op.tag] |= {old} if isinstance(old, str) else set(old)
        aliases += len({old} if isinstance(old, str) else set(old))
        if "x-python-wait" in op.raw:
            expected[op.tag].add("wait")
        expected[op.tag] |= {derived["name"] for derived in op.raw.get("x-python-derived", [])}
    waits = [op for op in CLIENT_OPERATIONS if "x-python-wait" in op.raw]
    assert [op.call for op in waits] == api_surface.WAIT_HELPERS
    derived = sum(len(op.raw.get("x-python-derived", [])) for op in CLIENT_OPERATIONS)  # get_frame, slug_for_uid, ...
    assert sum(len(names) for names in expected.values()) == len(CLIENT_OPERATIONS) + len(waits) + aliases + derived
    assert aliases == len(api_surface.OPERATION_ALIASES)
    mixins = 0
    for tag in SPEC["tags"]:
        if "x-python-mixin" in tag:
            module = importlib.import_module(tag["x-python-mixin"]["module"])
            names = [
                {n for n in dir(getattr(module, tag["x-python-mixin"][kind])) if not n.startswith("_")}
                for kind in ("sync", "async")
            ]
            assert names[0] == names[1] and names[0], tag["name"]
            expected[tag["name"]] |= names[0]
            mixins += len(names[0])
    assert mixins == 5  # datasets: upload_files, create_from_local, prepare_manual_upload_batch; fleet.uploads:
    # upload_recording, upload_managed_recording
    for client in clients:
        for tag_name, names in expected.items():
            resource = resolve_attribute(client, tag_name)
            public = {name for name in dir(type(resource)) if not name.startswith("_")}
            assert public == names, f"{type(client).__name__}.{tag_name}: {sorted(public ^ names)}"


@pytest.mark.parametrize("tag", sorted(mixin_methods()))
def test_mixin_methods_are_sync_and_async_twins(tag: str, clients: tuple[Client, AsyncClient]) -> None:
    _, async_, names = mixin_methods()[tag]
    assert names and names == {n for n in dir(async_) if not n.startswith("_")}
    for name in names:
        sync_method, async_method = (
            getattr(resolve_attribute(clients[0], tag), name),
            getattr(resolve_attribute(clients[1], tag), name),
        )
        assert not inspect.iscoroutinefunction(sync_method) and inspect.iscoroutinefunction(async_method)
        assert str(inspect.signature(sync_method)) == str(inspect.signature(async_method))
        assert sync_method.__doc__ and async_method.__doc__


@pytest.mark.parametrize("tag", sorted({op.tag for op in CLIENT_OPERATIONS if "x-python-wait" in op.raw}))
def test_wait_helpers_have_identical_signatures(tag: str, clients: tuple[Client, AsyncClient]) -> None:
    sync_wait = resolve_attribute(clients[0], tag).wait
    async_wait = resolve_attribute(clients[1], tag).wait
    assert inspect.iscoroutinefunction(async_wait) and not inspect.iscoroutinefunction(sync_wait)
    assert normalised(inspect.signature(sync_wait)) == normalised(inspect.signature(async_wait))


def test_signup_is_a_pair_of_module_functions(clients: tuple[Client, AsyncClient]) -> None:
    (op,) = SIGNUP_OPERATIONS
    assert (op.http, op.path, op.raw.get("security")) == ("POST", "/signup/", [])
    assert callable(avala.signup) and not inspect.iscoroutinefunction(avala.signup)
    assert inspect.iscoroutinefunction(avala.async_signup)
    sync_sig, async_sig = inspect.signature(avala.signup), inspect.signature(avala.async_signup)
    assert str(sync_sig) == str(async_sig)
    body = resolve(op.raw["requestBody"]["content"]["application/json"]["schema"])
    keyword = {p.name for p in sync_sig.parameters.values() if p.kind is inspect.Parameter.KEYWORD_ONLY}
    assert keyword == set(body["properties"]) | {"base_url", "timeout"}
    assert not any(hasattr(client, "signup") for client in clients), "signup is not a client attribute"


# --- tests for every operation ------------------------------------------------------------------------------------


def test_every_client_operation_has_a_case() -> None:
    calls = {case.call for case in ALL_CASES}
    missing = sorted(op.call for op in CLIENT_OPERATIONS if op.call not in calls)
    assert not missing, f"operations without a case in tests/operations: {missing}"
    unknown = sorted(calls - {op.call for op in CLIENT_OPERATIONS})
    assert not unknown, f"cases calling something the spec does not have: {unknown}"
    assert len({case.id for case in ALL_CASES}) == len(ALL_CASES), "case ids must be unique"


@pytest.mark.parametrize("op", CLIENT_OPERATIONS, ids=op_id)
def test_case_expects_the_spec_method_and_path(op: SpecOperation) -> None:
    """At least one case of the operation expects the spec's HTTP method on a URL matching the path template."""
    template = op.path.split("/")
    for case in (c for c in ALL_CASES if c.call == op.call):
        segments = case.url.split("?")[0].split("/")
        assert case.method == op.http, f"{case.id}: {case.method}, the spec says {op.http}"
        assert len(segments) == len(template), f"{case.id}: {case.url} does not match {op.path}"
        for got, want in zip(segments, template, strict=True):
            assert want.startswith("{") or got == want, f"{case.id}: {case.url} does not match {op.path}"


def test_signup_has_tests_for_both_functions() -> None:
    """``test_signup.py`` has test functions calling ``avala.signup`` and ``avala.async_signup``, directly or through
    a helper function of the module."""
    tree = ast.parse((ROOT / "tests" / "test_signup.py").read_text(encoding="utf-8"))
    functions = [node for node in tree.body if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)]

    def calls(function: ast.AST) -> set[str]:
        """``avala.X`` attributes and module function names called inside ``function``."""
        names = set()
        for node in ast.walk(function):
            if isinstance(node, ast.Call):
                func = node.func
                if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "avala":
                    names.add(f"avala.{func.attr}")
                elif isinstance(func, ast.Name):
                    names.add(func.id)
        return names

    helpers = {f.name: calls(f) for f in functions if not f.name.startswith("test_")}
    reached: set[str] = set()
    for test in (f for f in functions if f.name.startswith("test_")):
        for name in calls(test):
            reached |= {name, *helpers.get(name, set())}
    assert {"avala.signup", "avala.async_signup"} <= reached


# --- models -------------------------------------------------------------------------------------------------------


def schema_name(node: Any) -> str | None:
    """The component name of a ``$ref`` (also inside a nullable ``oneOf``/``anyOf``)."""
    if not isinstance(node, dict):
        return None
    if "$ref" in node:
        ref: str = node["$ref"]
        return ref.rsplit("/", 1)[-1]
    for key in ("oneOf", "anyOf", "allOf"):
        for option in node.get(key, []):
            name = schema_name(option)
            if name:
                return name
    return None


def success_schema(op: SpecOperation) -> dict[str, Any] | None:
    """The JSON schema of the operation's 2xx response (None when it has no body)."""
    (response,) = [resolve(r) for status, r in op.raw["responses"].items() if str(status).startswith("2")]
    schema: dict[str, Any] | None = response.get("content", {}).get("application/json", {}).get("schema")
    return schema


def result_shape(op: SpecOperation) -> str:
    """The catalogue's result shape: page, array, single, raw, field (``x-python-result-field``) or none."""
    schema = success_schema(op)
    if schema is None:
        return "none"
    if "x-python-result-field" in op.raw:
        return "field"
    body = resolve(schema)
    if body.get("type") == "array":
        return "array"
    if set(body.get("properties", {})) == {"results", "next", "previous"}:
        return "page"
    return "raw" if body.get("additionalProperties") is True else "single"


def response_models() -> set[str]:
    """Models the 2xx responses use: page items, array items and single objects, then everything they nest; and the
    models ``x-python-derived`` methods return.
    Raw dicts (``additionalProperties: true``) and ``x-python-result-field`` answers are not models."""
    roots: set[str] = set()
    for op in OPERATIONS:
        shape, schema = result_shape(op), success_schema(op)
        if shape == "array":
            roots.add(schema_name(resolve(schema)["items"]) or "")
        elif shape == "page":
            roots.add(schema_name(resolve(resolve(schema)["properties"]["results"])["items"]) or "")
        elif shape == "single":
            roots.add(schema_name(schema) or "")
        roots |= {schema_name(d["returns"]) or "" for d in op.raw.get("x-python-derived", [])}
    seen: set[str] = set()
    todo = [name for name in roots if name]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for prop in SPEC["components"]["schemas"][name].get("properties", {}).values():
            for node in (prop, prop.get("items")):
                nested = schema_name(node)
                if nested:
                    todo.append(nested)
    return seen


def test_verbs_and_result_shapes_are_what_the_generator_emitted() -> None:
    """Each operation's HTTP method and result shape as read here (page, array, single, raw, field, none) are the
    generated method's; every shape occurs."""
    read = {op.call: (op.http, result_shape(op)) for op in OPERATIONS}
    assert read == api_surface.OPERATIONS
    assert set(Counter(shape for _, shape in read.values())) == {"page", "array", "single", "raw", "field", "none"}


MODELS = sorted(response_models())


def test_response_models_are_what_the_generator_emitted() -> None:
    assert sorted(api_surface.MODELS) == MODELS
    assert {"AnnotationIssueTool", "AnnotationIssueToolProblem", "SignupUser", "QualityTargetEvaluation"} <= set(MODELS)
    assert not {"AgentTestResult", "IndustryChoices", "FleetEventBatchResult"} & set(MODELS), "raw dicts"
    for name in MODELS:
        properties = SPEC["components"]["schemas"][name].get("properties", {})
        assert api_surface.MODELS[name] == tuple(properties), f"{name}: fields"


@pytest.mark.parametrize("name", MODELS)
def test_response_model_is_importable_from_avala_types(name: str) -> None:
    types = importlib.import_module("avala.types")
    model = getattr(types, name)
    assert inspect.isclass(model) and model.__name__ == name
    assert callable(getattr(model, "from_dict", None)) and callable(getattr(model, "to_dict", None))
    assert name in types.__all__
