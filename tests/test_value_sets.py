"""Known values: every value set of openapi.yaml is an open enum whose values the description repeats, and it reaches
the SDK as ``Literal[...] | str`` (model fields, method arguments); a value the SDK has never seen still passes."""

from __future__ import annotations

import importlib
import re
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from pytest_httpx import HTTPXMock

import avala.types
from avala import Client
from avala.types import Dataset, Export
from tests.conftest import BASE

ROOT = Path(__file__).resolve().parent.parent
SPEC: dict[str, Any] = yaml.safe_load((ROOT / "openapi.yaml").read_text(encoding="utf-8"))


def known_values(description: str) -> list[str]:
    """The backticked values after "Known values:", asides in parentheses skipped, to a ";" or a sentence's end."""
    rest = description.split("Known values:", 1)[1]
    rest = re.sub(r"\([^()]*\)", "", rest)
    return re.findall(r"`([^`]+)`", re.split(r";|\.(?:\s|$)", rest, maxsplit=1)[0])


def enum_of(schema: dict[str, Any]) -> tuple[list[Any], bool] | None:
    """The values of a schema's enum, and whether the schema is open (any other string passes)."""
    if "enum" in schema:
        return list(schema["enum"]), False
    branches = schema.get("anyOf", [])
    enums = [b["enum"] for b in branches if "enum" in b]
    if not enums:
        return None
    return list(enums[0]), {"type": "string"} in branches


def value_sets(node: Any, where: str = "") -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(location, description, schema) of every described schema or parameter in the document."""
    if isinstance(node, dict):
        if isinstance(node.get("description"), str) and ("schema" in node or "type" in node or "anyOf" in node):
            yield where, node["description"], node.get("schema", node)
        for key, value in node.items():
            yield from value_sets(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            name = value.get("name", index) if isinstance(value, dict) else index
            yield from value_sets(value, f"{where}[{name}]")


SETS = [(where, description, schema) for where, description, schema in value_sets(SPEC) if enum_of(schema)]
KNOWN = [
    (where, description, schema) for where, description, schema in value_sets(SPEC) if "Known values:" in description
]


def test_there_are_value_sets_to_check() -> None:
    assert len(KNOWN) > 30 and len(SETS) >= len(KNOWN)


@pytest.mark.parametrize(("where", "description", "schema"), KNOWN, ids=[k[0] for k in KNOWN])
def test_known_values_in_a_description_are_an_open_enum(where: str, description: str, schema: dict[str, Any]) -> None:
    found = enum_of(schema)
    assert found is not None, f"{where}: 'Known values' without an enum"
    values, is_open = found
    assert is_open, f"{where}: a value set the API may extend must stay open (anyOf with a plain string)"
    assert values == known_values(description)


def model_fields() -> Iterator[tuple[type[Any], str, list[Any]]]:
    for name, schema in SPEC["components"]["schemas"].items():
        model = getattr(avala.types, name, None)
        for prop, sub in (schema.get("properties") or {}).items():
            found = enum_of(sub)
            if model is not None and found:
                yield model, prop, found[0]


FIELDS = list(model_fields())


@pytest.mark.parametrize(("model", "field", "values"), FIELDS, ids=[f"{m.__name__}.{f}" for m, f, _ in FIELDS])
def test_a_model_field_is_typed_with_its_known_values(model: type[Any], field: str, values: list[Any]) -> None:
    hint = typing.get_type_hints(model)[field]
    literals = [arg for arg in typing.get_args(hint) if typing.get_origin(arg) is typing.Literal]
    assert [list(typing.get_args(literal)) for literal in literals] == [values]
    assert str in typing.get_args(hint)  # open: any other string too


def arguments() -> Iterator[tuple[Any, str, list[Any]]]:
    for item in SPEC["paths"].values():
        for op in item.values():
            if not isinstance(op, dict) or "operationId" not in op or op["tags"][0] == "signup":
                continue
            tag = op["tags"][0]
            module = importlib.import_module(f"avala.resources.{tag.replace('.', '_')}")
            cls = getattr(module, "".join(part[:1].upper() + part[1:] for part in re.split(r"[._]", tag)))
            function = getattr(cls, op["operationId"].removeprefix(tag.replace(".", "_") + "_"))
            params = [p for p in op.get("parameters", []) if "$ref" not in p]
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
            if "$ref" in body:
                body = SPEC["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]
            candidates = [(p.get("x-python-name", p["name"]), p["schema"]) for p in params]
            candidates += list((body.get("properties") or {}).items())
            for name, schema in candidates:
                found = enum_of(schema)
                if found:
                    yield function, name, found[0]


ARGUMENTS = list(arguments())


@pytest.mark.parametrize(
    ("function", "name", "values"), ARGUMENTS, ids=[f"{f.__qualname__}.{n}" for f, n, _ in ARGUMENTS]
)
def test_a_method_argument_is_typed_with_its_known_values(function: Any, name: str, values: list[Any]) -> None:
    hint = typing.get_type_hints(function)[name]
    literals = [arg for arg in typing.get_args(hint) if typing.get_origin(arg) is typing.Literal]
    assert [list(typing.get_args(literal)) for literal in literals] == [values]
    assert str in typing.get_args(hint)


def test_the_closed_request_enums_reach_the_signature_too() -> None:
    names = {(f.__qualname__, n) for f, n, _ in ARGUMENTS}
    assert {("Datasets.list", "data_type"), ("Datasets.list", "status"), ("Datasets.list", "visibility")} <= names


def test_a_value_the_sdk_has_never_seen_passes_both_ways(httpx_mock: HTTPXMock) -> None:
    dataset = {"uid": "ds-1", "name": "D", "slug": "d", "data_type": "hologram", "status": "migrating"}
    httpx_mock.add_response(url=f"{BASE}/datasets/?data_type=hologram", json={"results": [dataset], "next": None})
    httpx_mock.add_response(url=f"{BASE}/exports/e-1/", json={"uid": "e-1", "status": "queued_for_review"})
    with Client(api_key="avk_test_0123456789abcdef") as client:
        (listed,) = client.datasets.list(data_type="hologram")
        assert (listed.data_type, listed.status) == ("hologram", "migrating")
        assert client.exports.get("e-1").status == "queued_for_review"
    assert Dataset.from_dict(dataset).to_dict()["data_type"] == "hologram"
    assert Export.from_dict({"uid": "e-1", "status": "new"}).status == "new"


def test_the_command_line_keeps_open_value_sets_open() -> None:
    """An open enum is a plain option (its known values in the help); a closed request enum stays a choice."""
    from avala.cli._table import COMMANDS

    devices = {p.name: p for p in COMMANDS["fleet devices"]["list"].params}
    assert (devices["status"].kind, devices["status"].choices) == ("str", ())
    assert "`maintenance`" in devices["status"].help
    created = {p.name: p for p in COMMANDS["datasets"]["create"].params}
    assert (created["data_type"].kind, created["data_type"].choices) == ("str", ())
    listed = {p.name: p for p in COMMANDS["datasets"]["list"].params}
    assert listed["data_type"].choices == ("image", "video", "lidar", "mcap", "splat")
