"""``openapi.yaml`` read for the contract tests: its operations, route matching, sample values and result shapes.

Everything here comes from the spec and its documented conventions (header of ``openapi.yaml``), never from the
generated SDK, so the SDK is checked against the document rather than against itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
SPEC_PATH = ROOT / "openapi.yaml"
METHODS = ("get", "put", "post", "patch", "delete")
TEMPLATE = re.compile(r"^\{[^}]+\}$")


@dataclass(frozen=True)
class Param:
    """A path or query parameter: wire name, Python argument name and example."""

    name: str
    location: str
    required: bool
    schema: dict[str, Any]
    example: Any

    python_name: str = ""


@dataclass(frozen=True)
class SpecOperation:
    """One operation of the spec."""

    operation_id: str
    method: str
    path: str
    tag: str
    client_attribute: bool
    auth: bool
    params: tuple[Param, ...]
    body_schema: dict[str, Any] | None
    body_required: bool
    status: int
    response_schema: dict[str, Any] | None
    result_field: str | None
    wait: dict[str, Any] | None
    positional: tuple[str, ...] = ()  # x-python-positional: arguments taken positionally after the path parameters
    chunked: dict[str, Any] | None = None  # x-python-chunked: a JSON-array body sent in chunks

    @property
    def sdk_name(self) -> str:
        """``fleet.devices.register``: the client attribute path and method (convention 4 read backwards)."""
        prefix = self.tag.replace(".", "_") + "_"
        assert self.operation_id.startswith(prefix), f"{self.operation_id} does not start with its tag {self.tag}"
        return f"{self.tag}.{self.operation_id[len(prefix) :]}"

    @property
    def path_params(self) -> list[Param]:
        """Path parameters in path order."""
        return [p for p in self.params if p.location == "path"]

    @property
    def query_params(self) -> list[Param]:
        """Query parameters in spec order."""
        return [p for p in self.params if p.location == "query"]

    def __str__(self) -> str:
        return f"{self.operation_id} ({self.method} {self.path})"


class Spec:
    """The parsed document."""

    def __init__(self, path: Path = SPEC_PATH) -> None:
        self.document: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
        self.schemas: dict[str, Any] = self.document["components"]["schemas"]

    def resolve(self, node: Any) -> Any:
        """``node`` with its ``$ref`` chain followed."""
        while isinstance(node, dict) and "$ref" in node:
            target: Any = self.document
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            node = target
        return node

    @cached_property
    def operations(self) -> list[SpecOperation]:
        """Every operation, in document order."""
        tags = {t["name"]: t for t in self.document["tags"]}
        found = []
        for path, item in self.document["paths"].items():
            for method in METHODS:
                if method in item:
                    found.append(self._operation(path, method, item, item[method], tags))
        return found

    @cached_property
    def by_id(self) -> dict[str, SpecOperation]:
        """Operations by operationId."""
        return {op.operation_id: op for op in self.operations}

    def _operation(
        self, path: str, method: str, item: dict[str, Any], op: dict[str, Any], tags: dict[str, Any]
    ) -> SpecOperation:
        params = []
        for raw in [*item.get("parameters", []), *op.get("parameters", [])]:
            p = self.resolve(raw)
            params.append(
                Param(
                    name=p["name"],
                    location=p["in"],
                    required=bool(p.get("required")),
                    schema=self.resolve(p.get("schema", {})),
                    example=p["example"],
                    python_name=p.get("x-python-name", p["name"]),
                )
            )
        body = op.get("requestBody")
        body_schema = self.resolve(body["content"]["application/json"]["schema"]) if body else None
        status, response = next((int(code), r) for code, r in op["responses"].items() if code.startswith("2"))
        content = self.resolve(response).get("content")
        tag = op["tags"][0]
        return SpecOperation(
            operation_id=op["operationId"],
            method=method.upper(),
            path=path,
            tag=tag,
            client_attribute=tags[tag].get("x-python-client-attribute", True),
            auth=op.get("security", self.document.get("security")) != [],
            params=tuple(params),
            body_schema=body_schema,
            body_required=bool(body and body.get("required")),
            status=status,
            response_schema=content["application/json"]["schema"] if content else None,
            result_field=op.get("x-python-result-field"),
            wait=op.get("x-python-wait"),
            positional=tuple(op.get("x-python-positional", ())),
            chunked=op.get("x-python-chunked"),
        )

    def match(self, method: str, path: str) -> SpecOperation | None:
        """The operation a request path reaches; a literal segment wins over a template (convention 12)."""
        segments = path.split("/")
        best: tuple[tuple[bool, ...], SpecOperation] | None = None
        for op in self.operations:
            template = op.path.split("/")
            if op.method != method or len(template) != len(segments):
                continue
            literal = tuple(not TEMPLATE.match(t) for t in template)
            fits = all(t == s if lit else bool(s) for lit, t, s in zip(literal, template, segments, strict=True))
            if fits and (best is None or literal > best[0]):
                best = (literal, op)
        return best[1] if best else None

    # --- values ---------------------------------------------------------------------------------------------------

    def sample(self, schema: Any, where: str) -> Any:
        """A valid value for ``schema``: its example or default, else one built from its type."""
        schema = self.resolve(schema)
        for key in ("example", "default", "const"):
            if key in schema:
                return schema[key]
        if "enum" in schema:
            return schema["enum"][0]
        for key in ("oneOf", "anyOf"):
            if key in schema:
                branches = [b for b in schema[key] if self.resolve(b).get("type") != "null"]
                return self.sample(branches[0], where)
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = next(k for k in kind if k != "null")
        if "pattern" in schema:
            raise AssertionError(f"{where}: a value with a pattern needs an example in the spec")
        if kind == "string":
            formats = {
                "date-time": "2026-02-24T10:15:00Z",
                "date": "2026-02-24",
                "uri": "https://example.com/avala",
                "email": "ops@acme.ai",
                "uuid": "550e8400-e29b-41d4-a716-446655440000",
                "password": "s3cret-value",
            }
            text = formats.get(schema.get("format", ""), "example")
            return text.ljust(schema.get("minLength", 0), "x")
        if kind in ("integer", "number"):
            return schema.get("minimum", 1)
        if kind == "boolean":
            return True
        if kind == "array":
            return [self.sample(schema.get("items", {}), f"{where}[]")] * max(1, schema.get("minItems", 1))
        if kind == "object" or "properties" in schema:
            properties = schema.get("properties", {})
            return {name: self.sample(properties[name], f"{where}.{name}") for name in schema.get("required", [])}
        return "example"

    def nullable_target(self, schema: Any) -> Any:
        """The non-null branch of a nullable schema (``oneOf: [X, null]``), resolved; else the schema resolved."""
        schema = self.resolve(schema)
        for key in ("oneOf", "anyOf"):
            if key in schema:
                branches = [b for b in schema[key] if self.resolve(b).get("type") != "null"]
                if len(branches) == 1:
                    return self.nullable_target(branches[0])
        return schema

    def schema_name(self, schema: Any) -> str | None:
        """The components name a (possibly nullable) ``$ref`` schema points to."""
        schema = schema if isinstance(schema, dict) else {}
        for key in ("oneOf", "anyOf"):
            for branch in schema.get(key, []):
                if "$ref" in branch:
                    return self.schema_name(branch)
        ref = schema.get("$ref")
        return ref.rsplit("/", 1)[-1] if isinstance(ref, str) else None

    def is_page(self, schema: Any) -> bool:
        """A ``Paginated<Model>List``: ``{results, next, previous}`` (convention 9)."""
        props = self.resolve(schema or {}).get("properties", {})
        return {"results", "next", "previous"} <= set(props) and self.resolve(props["results"]).get("type") == "array"

    def is_free_form(self, schema: Any) -> bool:
        """An object the SDK returns as a plain dict: ``additionalProperties: true``, or no properties at all."""
        schema = self.resolve(schema)
        return schema.get("additionalProperties") is True or not schema.get("properties")


@cache
def load() -> Spec:
    """openapi.yaml, parsed once per session."""
    return Spec()
