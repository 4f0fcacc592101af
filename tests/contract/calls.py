"""SDK calls built from the spec, and the checks of what the mock server saw and what the SDK returned.

A :class:`Call` is one SDK method called with valid arguments: the path parameters' examples positionally (and the
``x-python-positional`` arguments after them), then keyword arguments for the query parameters (under their Python
names) and the body properties, valued from the spec's examples. ``full`` passes every argument, ``required`` only
the required ones. Matching the method's signature to the spec is itself a check: an argument the spec does not know,
or a spec parameter the method does not take, fails the call before anything is sent.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import avala
import avala.types

from .spec import Spec, SpecOperation

VARIANTS = ("full", "required")
# Keyword arguments of avala.signup/async_signup that configure the call rather than mirror the spec.
SIGNUP_SETTINGS = frozenset({"base_url", "timeout"})


@dataclass
class Call:
    """One SDK call and what it must put on the wire."""

    op: SpecOperation
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    query: dict[str, Any]  # wire name -> value the SDK must send
    body: dict[str, Any] | list[Any] | None  # body properties the SDK must send (None: the operation has no body);
    # for a chunked operation, the JSON array of one chunk, sent as given


def sdk_function(client: Any, op: SpecOperation, mode: str) -> Callable[..., Any]:
    """The SDK method of ``op`` on ``client``, or the module function of a non-client tag (``avala.signup``)."""
    if not op.client_attribute:
        function: Callable[..., Any] = getattr(avala, op.tag if mode == "sync" else f"async_{op.tag}")
        return function
    target = client
    for name in op.sdk_name.split("."):
        target = getattr(target, name)
    return target  # type: ignore[no-any-return]


def build_call(spec: Spec, op: SpecOperation, function: Callable[..., Any], variant: str) -> Call:
    """The arguments of ``function`` for ``op``, valued from the spec; raise AssertionError on any mismatch."""
    signature = inspect.signature(function)
    positional = [
        p.name for p in signature.parameters.values() if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    keywords = [p.name for p in signature.parameters.values() if p.kind is p.KEYWORD_ONLY]
    path_names = [p.name for p in op.path_params]
    leading = [*path_names, *op.positional]
    if op.chunked is not None:  # the items, then chunk_size; the spec's example array is one chunk
        assert positional == [*leading, op.chunked["argument"]], f"{op}: positional arguments {positional}"
        assert keywords == ["chunk_size"], f"{op}: keyword arguments {keywords} != ['chunk_size']"
        items = (op.body_schema or {})["example"]
        args = (*(p.example for p in op.path_params), items)
        return Call(op, args, {"chunk_size": len(items)} if variant == "full" else {}, {}, items)
    assert positional == leading, f"{op}: positional arguments {positional} != path parameters {leading}"
    keywords += list(op.positional)

    query = {p.python_name: p for p in op.query_params}
    properties: dict[str, Any] = (op.body_schema or {}).get("properties", {})
    body_required = set((op.body_schema or {}).get("required", []))
    example = (op.body_schema or {}).get("example", {})
    settings = SIGNUP_SETTINGS if not op.client_attribute else frozenset()

    unknown = [k for k in keywords if k not in query and k not in properties and k not in settings]
    assert not unknown, f"{op}: the SDK takes {unknown}, which the spec does not have"
    # A constant sent together with another property (x-python-sent-with) is not an argument.
    companions = {
        name: schema["x-python-sent-with"] for name, schema in properties.items() if "x-python-sent-with" in schema
    }
    missing = [
        name
        for name in [*query, *properties]
        if name not in keywords and name not in path_names and name not in companions
    ]
    assert not missing, f"{op}: the spec has {missing}, which the SDK method does not take"

    call = Call(op, tuple(p.example for p in op.path_params), {}, {}, None)
    for name, param in query.items():
        if variant == "full" or param.required:
            call.kwargs[name] = param.example
            call.query[param.name] = param.example
        elif "default" in param.schema:  # an always-sent default (the managed uploads' protocol)
            call.query[param.name] = param.schema["default"]
    if op.body_schema is not None:
        call.body = {}
        # A oneOf of required-only alternatives (exactly one of some properties): the first is given, the others
        # are left out (the SDK refuses both); every other property as the variant says.
        alternatives = [o["required"] for o in op.body_schema.get("oneOf", []) if set(o) == {"required"}]
        chosen = set(alternatives[0]) if alternatives else set()
        excluded = {name for alternative in alternatives[1:] for name in alternative} - chosen
        for name, schema in properties.items():
            if name in path_names or name in companions or name in excluded:
                continue
            if not (variant == "full" or name in body_required or name in chosen):
                continue
            value = example[name] if name in example else spec.sample(schema, f"{op.operation_id}.{name}")
            call.kwargs[name] = value
            call.body[name] = value
        for name, companion in companions.items():
            if companion in call.body:
                call.body[name] = properties[name]["const"]
    call.args += tuple(call.kwargs.pop(name) for name in op.positional)  # required, so always valued above
    return call


# --- what the server saw --------------------------------------------------------------------------------------------


def wire(value: Any) -> str:
    """A query value as httpx encodes it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def check_request(call: Call, query: Mapping[str, list[str]], body: Any) -> None:
    """The request carried exactly the call's query parameters and (at least) its body properties, and nothing the
    spec does not declare (Prism accepts undeclared query parameters and body properties)."""
    op = call.op
    declared = {p.name for p in op.query_params}
    undeclared = sorted(set(query) - declared)
    assert not undeclared, f"{op}: query parameters {undeclared} are not in the spec"
    sent = {name: values[0] for name, values in query.items()}
    assert sent == {name: wire(value) for name, value in call.query.items()}, f"{op}: query {sent} != {call.query}"
    if call.body is None:
        assert body is None, f"{op}: sent a body the spec does not describe: {body!r}"
        return
    if body is None:
        assert not op.body_required and not call.body, f"{op}: sent no body, expected {call.body}"
        return
    if op.chunked is not None:
        assert body == call.body, f"{op}: sent {body!r}, not the chunk {call.body!r}"
        return
    assert isinstance(body, dict), f"{op}: the body is {type(body).__name__}, not a JSON object"
    properties = set((op.body_schema or {}).get("properties", {}))
    undeclared = sorted(set(body) - properties)
    assert not undeclared, f"{op}: body properties {undeclared} are not in the spec"
    dropped = {name: value for name, value in call.body.items() if body.get(name) != value}
    assert not dropped, f"{op}: these arguments were not sent as given: {dropped}; body: {body}"


# --- what the SDK returned ------------------------------------------------------------------------------------------


def check_result(spec: Spec, op: SpecOperation, result: Any, served: Any, mode: str) -> None:
    """``result`` is what the spec's response, ``served``, must parse into: a page, a list, a model, a dict, a field
    or None, with every value carried over into the declared field and type."""
    schema = op.response_schema
    if schema is None:
        assert result is None, f"{op}: returned {result!r} for a response without content"
        return
    if op.result_field is not None:
        field_schema = spec.resolve(schema)["properties"][op.result_field]
        check_value(spec, result, field_schema, served[op.result_field], f"{op.operation_id}.{op.result_field}")
        return
    if spec.is_page(schema):
        page_type = avala.CursorPage if mode == "sync" else avala.AsyncCursorPage
        assert isinstance(result, page_type), f"{op}: returned {type(result).__name__}, not {page_type.__name__}"
        items = spec.resolve(schema)["properties"]["results"]
        check_value(spec, list(result), items, served["results"], f"{op.operation_id}.results")
        return
    check_value(spec, result, schema, served, op.operation_id)


def check_value(spec: Spec, value: Any, schema: Any, served: Any, where: str) -> None:
    """``value`` (parsed by the SDK) holds ``served`` (the JSON the server sent) as ``schema`` says it should."""
    target = spec.nullable_target(schema)
    if served is None:
        assert value is None, f"{where}: null became {value!r}"
        return
    kind = target.get("type")
    kinds = set(kind) if isinstance(kind, list) else {kind}
    name = spec.schema_name(schema)
    if "array" in kinds:
        assert isinstance(value, list) and len(value) == len(served), f"{where}: {value!r} is not the array {served}"
        for index, (item, raw) in enumerate(zip(value, served, strict=True)):
            check_value(spec, item, target.get("items", {}), raw, f"{where}[{index}]")
    elif "properties" in target and not spec.is_free_form(target):
        check_model(spec, value, target, name, served, where)
    elif target.get("format") == "date-time":
        assert isinstance(value, datetime), f"{where}: {value!r} is not a datetime"
        assert value == datetime.fromisoformat(served), f"{where}: {value!r} != {served!r}"
    elif target.get("format") == "date":
        assert isinstance(value, date), f"{where}: {value!r} is not a date"
        assert value == date.fromisoformat(served), f"{where}: {value!r} != {served!r}"
    else:
        assert value == served, f"{where}: {value!r} != {served!r}"
        types: dict[Any, tuple[type, ...]] = {
            "string": (str,),
            "integer": (int,),
            "number": (int, float),
            "boolean": (bool,),
            "object": (dict,),
        }
        expected = tuple(t for k in kinds for t in types.get(k, ()))
        if expected:
            assert isinstance(value, expected), f"{where}: {value!r} is not {'/'.join(sorted(kinds - {'null'}))}"
            assert not (isinstance(value, bool) and bool not in expected), f"{where}: {value!r} is a bool"


def check_model(spec: Spec, value: Any, schema: dict[str, Any], name: str | None, served: Any, where: str) -> None:
    """``value`` is the model class named like the schema, each served property in its field, the rest kept in
    ``additional_properties``."""
    assert name is not None, f"{where}: an inline object schema with properties (give it a components name)"
    model = getattr(avala.types, name, None)
    assert model is not None, f"{where}: avala.types has no {name}"
    assert isinstance(value, model), f"{where}: {type(value).__name__} is not {name}"
    properties: dict[str, Any] = schema["properties"]
    names = dict((w, p) for p, w in getattr(sys.modules[model.__module__], "_WIRE_NAMES", ()))
    for wire_name, sub in properties.items():
        if wire_name in served:
            attribute = getattr(value, names.get(wire_name, wire_name))
            check_value(spec, attribute, sub, served[wire_name], f"{where}.{wire_name}")
    extras = {key: item for key, item in served.items() if key not in properties}
    assert value.additional_properties == extras, f"{where}: additional_properties {value.additional_properties}"
