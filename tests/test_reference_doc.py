"""docs/reference/ (an index, one page per resource, one page of models): complete for the SDK, every example runs.

The reference is generated from openapi.yaml (`make codegen`; `make check` fails on drift). Here every example block
(``<!-- example: datasets.list -->``) and every snippet (``<!-- snippet -->``) is executed against pytest-httpx, whose
catch-all callback routes each request to its operation in openapi.yaml and answers with that operation's response
built from the spec's examples. An example must call its own operation, and only that one.
"""

from __future__ import annotations

import copy
import importlib
import inspect
import json
import pydoc
import re
import textwrap
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import attrs
import httpx
import pytest
import yaml
from pytest_httpx import HTTPXMock

import avala
import avala.errors
import avala.types
from avala import AsyncClient, Client, CursorPage
from avala._resource import AsyncResource, SyncResource
from tests import api_surface
from tests.conftest import API_KEY, BASE

ROOT = Path(__file__).resolve().parents[1]
PAGES = {path.name: path.read_text(encoding="utf-8") for path in sorted((ROOT / "docs" / "reference").glob("*.md"))}
DOC = "\n".join(PAGES.values())  # every page; each starts with its own level-1 heading
SPEC: dict[str, Any] = yaml.safe_load((ROOT / "openapi.yaml").read_text(encoding="utf-8"))
HTTP_METHODS = ("get", "put", "post", "patch", "delete", "head", "options")
BLOCK = re.compile(r"^<!-- (?:example: (?P<name>[\w.]+)|snippet) -->\n```python\n(?P<code>.*?)^```$", re.M | re.S)
# the example of a hand-written method (x-python-mixin: uploads of local files, not run here; its call is checked)
HAND_WRITTEN = re.compile(
    r"^<!-- hand-written example: (?P<name>[\w.]+) -->\n```python\n(?P<code>.*?)^```$", re.M | re.S
)


def resolve(node: Any) -> Any:
    """Follow local ``$ref``s."""
    while isinstance(node, dict) and "$ref" in node:
        target: Any = SPEC
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def normalize(text: str | None) -> str:
    """Whitespace-insensitive text (docstrings are wrapped)."""
    return " ".join((text or "").split())


@dataclass(frozen=True)
class SpecOperation:
    """One operation of openapi.yaml, as the tests need it."""

    name: str  # qualified SDK name: datasets.list_items
    tag: str
    method_name: str
    method: str
    path: str
    raw: dict[str, Any] = field(repr=False)

    @property
    def pattern(self) -> re.Pattern[str]:
        """The path template as a regular expression over a request path."""
        parts = re.split(r"(\{[^}]+\})", self.path)
        return re.compile("".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts))

    @property
    def parameters(self) -> list[dict[str, Any]]:
        """Path and query parameters, resolved."""
        return [resolve(p) for p in self.raw.get("parameters", [])]

    @property
    def body_schema(self) -> dict[str, Any] | None:
        """The JSON request body schema, or None when the operation takes no body."""
        body = resolve(self.raw.get("requestBody"))
        return resolve(body["content"]["application/json"]["schema"]) if body else None

    @property
    def auth(self) -> bool:
        """Whether the API key is sent."""
        return bool(self.raw.get("security", SPEC.get("security")))


def spec_operations() -> list[SpecOperation]:
    """Every operation of openapi.yaml, in document order."""
    ops = []
    for path, item in SPEC["paths"].items():
        for method in HTTP_METHODS:
            if method in item:
                raw = item[method]
                tag = raw["tags"][0]
                name = raw["operationId"].removeprefix(tag.replace(".", "_") + "_")
                ops.append(SpecOperation(f"{tag}.{name}", tag, name, method.upper(), path, raw))
    return ops


OPERATIONS = spec_operations()
WAITS = {f"{op.tag}.wait": op for op in OPERATIONS if "x-python-wait" in op.raw}
DERIVED = {f"{op.tag}.{d['name']}": op for op in OPERATIONS for d in op.raw.get("x-python-derived", [])}
EXPECTED = {**{op.name: op for op in OPERATIONS}, **WAITS, **DERIVED}  # example name -> the operation it must call
MODULE_FUNCTION_TAGS = {t["name"] for t in SPEC["tags"] if t.get("x-python-client-attribute") is False}
BLOCKS = [(m["name"], m["code"]) for m in BLOCK.finditer(DOC)]
EXAMPLES = [(name, code) for name, code in BLOCKS if name]
SNIPPETS = [code for name, code in BLOCKS if not name]


# --- the mocked API ------------------------------------------------------------------------------------------------


def route(request: httpx.Request) -> SpecOperation | None:
    """The operation a request addresses; a literal path segment wins over a template (``/events/batch/``)."""
    prefix = urlsplit(BASE).path
    path = request.url.path
    if not path.startswith(prefix + "/"):
        return None
    rel = path[len(prefix) :]
    found = [op for op in OPERATIONS if op.method == request.method and op.pattern.fullmatch(rel)]
    return min(found, key=lambda op: op.path.count("{"), default=None)


def sample(schema: Any) -> Any:
    """A value of a schema from the spec's examples."""
    schema = resolve(schema)
    if "example" in schema:
        return copy.deepcopy(schema["example"])
    if schema.get("type") == "array":
        return [sample(schema["items"])]
    raise AssertionError(f"openapi.yaml: no example for {schema}")


def serve(request: httpx.Request) -> httpx.Response:
    """The spec's answer to any request: its operation's success response built from the schema examples."""
    op = route(request)
    if op is None:
        return httpx.Response(404, json={"detail": "no such operation in openapi.yaml"})
    status = next(code for code in op.raw["responses"] if code.startswith("2"))
    content = resolve(op.raw["responses"][status]).get("content")
    if not content:
        return httpx.Response(int(status))
    body = sample(content["application/json"]["schema"])
    following = "cursor" in request.url.params or "page" in request.url.params  # a page after the first
    if isinstance(body, dict) and {"results", "next"} <= body.keys() and following:
        body["next"] = None  # the page after the first is the last
    wait = op.raw.get("x-python-wait")
    if wait:
        body[wait["field"]] = wait["until"][0]  # a wait() example ends at its first poll
    return httpx.Response(int(status), json=body)


def check_request(op: SpecOperation, request: httpx.Request) -> None:
    """The request uses only what the operation declares: its query parameters, its body properties, its auth."""
    declared = {p["name"] for p in op.parameters if p["in"] == "query"}
    assert set(request.url.params) <= declared, f"{op.name}: undeclared query parameters {set(request.url.params)}"
    schema = op.body_schema
    if schema is None:
        assert request.content == b"", f"{op.name}: a body was sent to an operation that takes none"
    elif request.content and schema.get("type") == "array":  # a chunk of x-python-chunked
        items = resolve(schema["items"])
        for item in json.loads(request.content):
            assert set(item) <= set(items["properties"]), f"{op.name}: undeclared item properties {set(item)}"
            assert set(items.get("required", [])) <= set(item), f"{op.name}: required item properties missing"
    elif request.content:
        body = json.loads(request.content)
        properties = set(schema.get("properties", {}))
        assert set(body) <= properties, f"{op.name}: undeclared body properties {set(body) - properties}"
        assert set(schema.get("required", [])) <= set(body), f"{op.name}: required body properties missing"
    assert ("X-Avala-Api-Key" in request.headers) is op.auth, f"{op.name}: API key sent = {not op.auth}"


async def _no_sleep(seconds: float) -> None:
    return None


async def run(code: str) -> None:
    """Execute a block with ``client`` bound to a ``Client``; a block with top-level ``await``/``async`` runs inside
    a coroutine with an ``AsyncClient`` instead. Retry and wait() sleeps are patched out."""
    if re.search(r"\b(await|async)\b", code):
        source = "async def __block(client):\n" + textwrap.indent(code, "    ")
        namespace: dict[str, Any] = {}
        exec(compile(source, "docs/reference", "exec"), namespace)
        async with AsyncClient(api_key=API_KEY) as async_client:
            async_client._transport.sleep = _no_sleep
            await namespace["__block"](async_client)
    else:
        with Client(api_key=API_KEY) as client:
            client._transport.sleep = lambda seconds: None
            exec(compile(code, "docs/reference", "exec"), {"client": client})


# --- the examples run ----------------------------------------------------------------------------------------------


def test_one_example_per_operation_and_wait_helper() -> None:
    names = [name for name, _ in EXAMPLES]
    assert [op.name for op in OPERATIONS] == list(api_surface.OPERATIONS), "run `make codegen`"
    assert len(names) == len(OPERATIONS) + len(WAITS) + len(DERIVED)
    assert sorted(names) == sorted(EXPECTED)


@pytest.mark.parametrize(("name", "code"), EXAMPLES, ids=[name for name, _ in EXAMPLES])
async def test_example_calls_its_operation(name: str, code: str, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_callback(serve, is_reusable=True)
    await run(code)
    op = EXPECTED[name]
    requests = httpx_mock.get_requests()
    assert requests, f"{name}: the example sent no request"
    for request in requests:
        sent = route(request)
        assert sent is op, f"{name}: sent {request.method} {request.url}, expected {op.method} {op.path}"
        check_request(op, request)


@pytest.mark.parametrize("code", SNIPPETS, ids=[f"snippet{i}" for i in range(len(SNIPPETS))])
async def test_snippet_runs(code: str, httpx_mock: HTTPXMock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AVALA_API_KEY", API_KEY)
    httpx_mock.add_callback(serve, is_reusable=True, is_optional=True)
    await run(code)
    for sent in httpx_mock.get_requests():
        op = route(sent)
        assert op is not None, f"snippet sent {sent.method} {sent.url}, not an operation of openapi.yaml"
        check_request(op, sent)


def test_the_mock_routes_literal_segments_before_templates() -> None:
    batch = route(httpx.Request("POST", f"{BASE}/fleet/events/batch/"))
    one = route(httpx.Request("GET", f"{BASE}/fleet/events/f5b1a7b0/"))
    assert batch is not None and batch.name == "fleet.events.create_batch"
    assert one is not None and one.name == "fleet.events.get"
    assert route(httpx.Request("GET", f"{BASE}/no/such/path/")) is None


# --- completeness --------------------------------------------------------------------------------------------------


def test_every_operation_is_documented() -> None:
    doc = normalize(DOC)
    for op in OPERATIONS:
        callee = f"avala.{op.tag}" if op.tag in MODULE_FUNCTION_TAGS else f"client.{op.name}"
        assert re.search(rf"^#+ `{re.escape(callee)}\(\)`$", DOC, re.M), op.name
        assert f"`{op.method} {op.path}`" in DOC, op.name
        assert normalize(op.raw["summary"]) in doc, op.name
    for name in WAITS:
        assert f"\n## `client.{name}()`\n" in DOC, name


def test_one_page_per_resource_with_every_method_and_its_example() -> None:
    tags = {op.tag for op in OPERATIONS if op.tag not in MODULE_FUNCTION_TAGS}
    pages = {name: text for name, text in PAGES.items() if name not in ("index.md", "models.md")}
    assert sorted(pages) == sorted(f"{tag.replace('.', '_')}.md" for tag in tags)
    for op in OPERATIONS:
        if op.tag in MODULE_FUNCTION_TAGS:
            continue
        page = pages[f"{op.tag.replace('.', '_')}.md"]
        assert page.startswith("<!-- Generated by `make codegen`") and f"\n# `client.{op.tag}`\n" in page, op.tag
        heading = f"\n## `client.{op.name}()`\n"
        assert heading in page, op.name
        own = page[page.index(heading) :].split("\n## ", 2)[1]
        assert f"<!-- example: {op.name} -->\n```python\n" in own, op.name


def resources_of(client: object, prefix: str = "client") -> dict[str, object]:
    """Every resource reachable from a client's attributes (``client.fleet.uploads`` through the ``fleet`` namespace),
    by its dotted path, found at run time from the attributes' types, not from the spec."""
    found: dict[str, object] = {}
    for name in dir(type(client)):
        if name.startswith("_") or name == "with_raw_response":
            continue
        if not isinstance(inspect.getattr_static(type(client), name), cached_property):
            continue
        value = getattr(client, name)
        if isinstance(value, SyncResource | AsyncResource):
            found[f"{prefix}.{name}"] = value
        else:  # a namespace (client.fleet)
            found.update(resources_of(value, f"{prefix}.{name}"))
    return found


def public_methods(resource: object) -> list[str]:
    """The public methods of a resource's class, inherited ones included (mixins, base classes)."""
    cls = type(resource)
    return [name for name in dir(cls) if not name.startswith("_") and callable(getattr(cls, name))]


@pytest.mark.parametrize("client_class", [Client, AsyncClient])
def test_every_public_method_of_every_resource_is_documented(client_class: type[Client | AsyncClient]) -> None:
    # found at run time: a method a mixin gains without its reference section fails here
    client = client_class(api_key=API_KEY)
    resources = resources_of(client)
    assert {"client.datasets", "client.fleet.uploads"} <= set(resources)
    seen = set()
    for path, resource in resources.items():
        page = PAGES[f"{path.removeprefix('client.').replace('.', '_')}.md"]
        for name in public_methods(resource):
            heading = f"\n## `{path}.{name}()`\n"
            new = api_surface.OPERATION_ALIASES.get(f"{path.removeprefix('client.')}.{name}")
            if new is not None:  # a deprecated alias: a note in the section of its new name
                assert f"\n## `client.{new}()`\n" in page, f"{path}.{name} -> {new}"
                assert f"`{path}.{name}()` is a deprecated alias" in section(f"## `client.{new}()`"), name
                continue
            assert heading in page, f"{path}.{name} ({type(resource).__name__}) is not in docs/reference/"
            seen.add(f"{path}.{name}")
    assert {"client.datasets.upload_files", "client.fleet.uploads.upload_managed_recording"} <= seen
    raw = resources_of(client.with_raw_response, "client")
    assert set(raw) == set(resources)
    for path, resource in raw.items():
        assert set(public_methods(resource)) <= set(public_methods(resources[path])), path


def test_hand_written_examples_call_their_methods_with_their_arguments() -> None:
    import ast

    blocks = {m["name"]: m["code"] for m in HAND_WRITTEN.finditer(DOC)}
    generated = set(EXPECTED) | set(api_surface.OPERATION_ALIASES)
    hand_written = {
        f"{path.removeprefix('client.')}.{name}"
        for client_class in (Client, AsyncClient)
        for path, resource in resources_of(client_class(api_key=API_KEY)).items()
        for name in public_methods(resource)
    } - generated
    assert {"datasets.upload_files", "datasets.create_from_local", "fleet.uploads.upload_recording"} <= hand_written
    assert sorted(blocks) == sorted(hand_written)
    for name, code in blocks.items():
        calls = [
            node
            for node in ast.walk(ast.parse(code))
            if isinstance(node, ast.Call) and ast.unparse(node.func) == f"client.{name}"
        ]
        assert len(calls) == 1, name
        args = [ast.literal_eval(a) for a in calls[0].args]
        kwargs = {k.arg: ast.literal_eval(k.value) for k in calls[0].keywords if k.arg}
        tag, method = name.rsplit(".", 1)
        for cls in resource_classes(tag):
            inspect.signature(getattr(cls, method)).bind(None, *args, **kwargs)  # a TypeError fails the test
        for cls in resource_classes(tag):
            assert inspect.iscoroutinefunction(getattr(cls, method)) is issubclass(cls, AsyncResource), name


def model_section(name: str) -> str:
    """The text of a model's section in the reference."""
    start = DOC.index(f"\n## `{name}`\n")
    end = DOC.find("\n#", start + 1)
    return DOC[start:end]


def test_every_model_and_field_is_documented() -> None:
    assert avala.types.__all__
    for name in avala.types.__all__:
        cls = getattr(avala.types, name)
        section = model_section(name)
        if attrs.has(cls):
            fields = [f.name for f in attrs.fields(cls) if f.name != "additional_properties"]
        else:  # a request item (TypedDict)
            fields = list(cls.__annotations__)
        assert fields, name
        for field_name in fields:
            assert f"| `{field_name}` |" in section, f"{name}.{field_name}"


def section(heading: str) -> str:
    """The text under a Markdown heading, up to the next heading of the same or a higher level."""
    level = heading.split(" ")[0]
    start = DOC.index(f"\n{heading}\n")
    ends = [DOC.find(f"\n{'#' * n} ", start + 1) for n in range(1, len(level) + 1)]
    return DOC[start : min([e for e in ends if e != -1], default=len(DOC))]


def test_reference_documents_the_client_surface() -> None:
    client_section = section("### `avala.Client`")
    for name in list(inspect.signature(Client.__init__).parameters)[1:]:
        assert f"| `{name}` |" in client_section, name
    resources = {
        name
        for name in dir(Client)
        if not name.startswith("_") and isinstance(inspect.getattr_static(Client, name), cached_property)
    }
    assert {"datasets", "fleet"} <= resources
    for name in sorted(set(dir(Client)) - resources):
        if not name.startswith("_"):
            assert f"`client.{name}" in client_section, name
    for name in resources:
        assert f"`client.{name}`" in client_section, name
    page_section = section("## CursorPage")
    own = {name for cls in CursorPage.__mro__ if cls.__module__ == CursorPage.__module__ for name in vars(cls)}
    assert {"items", "next_cursor", "iter_all"} <= own
    for name in own:
        if not name.startswith("_"):
            assert f"| `{name}" in page_section, name
    for name in avala.errors.__all__:
        if name[0].isupper():
            assert f"| `{name}` |" in section("## Errors"), name
    for variable in ("AVALA_API_KEY", "AVALA_BASE_URL", "AVALA_ALLOW_INSECURE_BASE_URL", "AVALA_LOG"):
        assert f"| `{variable}` |" in section("## Environment Variables"), variable


def test_error_tree_is_the_one_of_avala_errors() -> None:
    match = re.search(r"```text\n(.*?)```", section("## Errors"), re.S)
    assert match is not None
    tree = (avala.errors.__doc__ or "").split("::\n\n", 1)[1].split("\n\n", 1)[0]
    expected = [line.rstrip() for line in textwrap.dedent(tree).replace("``", "").splitlines()]
    assert match[1].splitlines() == expected


# --- docstrings ----------------------------------------------------------------------------------------------------


def resource_classes(tag: str) -> list[type]:
    """The sync and async class of a tag's generated resource module (their ``with_raw_response`` twins, whose
    docstrings point to these, left out)."""
    module = importlib.import_module(f"avala.resources.{tag.replace('.', '_')}")
    classes = [
        c
        for c in vars(module).values()
        if isinstance(c, type) and issubclass(c, SyncResource | AsyncResource) and c.__module__ == module.__name__
        if not c.__name__.endswith("WithRawResponse")
    ]
    assert len(classes) == 2, tag
    return classes


def test_method_docstrings_carry_the_spec_descriptions() -> None:
    for op in OPERATIONS:
        texts = [op.raw["summary"], op.raw.get("description", "")]
        texts += [p["description"] for p in op.parameters]
        path_names = {p["name"] for p in op.parameters if p["in"] == "path"}
        schema = op.body_schema or {}
        for prop_name, prop in schema.get("properties", {}).items():
            if prop_name not in path_names:
                texts.append(resolve(prop)["description"])
        for cls in resource_classes(op.tag):
            method = getattr(cls, op.method_name)
            shown = normalize(pydoc.render_doc(method, renderer=pydoc.plaintext))
            for text in texts:
                assert normalize(text) in shown, f"{cls.__name__}.{op.method_name}: {text!r}"


def test_help_of_a_client_method_shows_its_summary(client: Client) -> None:
    summary = next(op.raw["summary"] for op in OPERATIONS if op.name == "datasets.list")
    assert normalize(summary) in normalize(pydoc.render_doc(client.datasets.list, renderer=pydoc.plaintext))
    assert normalize(summary) in normalize(client.datasets.list.__doc__)


def test_model_docstrings_carry_the_spec_descriptions() -> None:
    schemas = SPEC["components"]["schemas"]
    for name in avala.types.__all__:
        doc = normalize(getattr(avala.types, name).__doc__)
        schema = schemas[name]
        assert normalize(schema["description"]) in doc, name
        for prop_name, prop in schema.get("properties", {}).items():
            assert normalize(resolve(prop)["description"]) in doc, f"{name}.{prop_name}"
