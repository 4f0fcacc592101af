"""``python -m codegen.speccheck openapi.yaml``: validate the document and the project's own rules.

- the document is valid OpenAPI 3.1 (openapi-spec-validator);
- operationIds are unique and every operation has exactly one declared tag;
- every schema and every property has a description; every component schema has an example;
- every parameter has a description; every path ends with ``/``;
- no flow list holds unquoted prose: YAML splits ``[Enter a slug of letters, numbers or hyphens.]`` at its commas into
  three strings, so an example meant as one message becomes three (quote the message).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from openapi_spec_validator import validate

from .parse import SpecError, escape, load_document, missing_refs

METHODS = ("get", "put", "post", "patch", "delete", "head", "options")


def _schemas(node: Any, where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every inline schema below ``node`` (not following $refs), with its location."""
    if not isinstance(node, dict) or "$ref" in node:
        return
    yield where, node
    for key in ("properties", "patternProperties"):
        for name, child in (node.get(key) or {}).items():
            yield from _schemas(child, f"{where}/{key}/{name}")
    for key in ("items", "additionalProperties", "not"):
        if isinstance(node.get(key), dict):
            yield from _schemas(node[key], f"{where}/{key}")


def problems(document: dict[str, Any]) -> list[str]:
    """Every rule the document breaks (an empty list when it is clean)."""
    found: list[str] = []
    tags = {t["name"] for t in document.get("tags", [])}
    seen: dict[str, str] = {}
    for path, item in document.get("paths", {}).items():
        if not path.endswith("/"):
            found.append(f"{path}: paths end with '/'")
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            where = f"{method.upper()} {path}"
            op_id = op.get("operationId")
            if not op_id:
                found.append(f"{where}: no operationId")
            elif op_id in seen:
                found.append(f"{where}: operationId {op_id} also used by {seen[op_id]}")
            else:
                seen[op_id] = where
            if len(op.get("tags", [])) != 1 or op["tags"][0] not in tags:
                found.append(f"{where}: needs exactly one tag from the top-level tags list")
            for param in op.get("parameters", []):
                if "$ref" not in param and not param.get("description"):
                    found.append(f"{where}: parameter {param.get('name')} has no description")
    components = document.get("components", {})
    for name, param in components.get("parameters", {}).items():
        if not param.get("description"):
            found.append(f"components/parameters/{name}: no description")
    for name, schema in components.get("schemas", {}).items():
        if "example" not in schema and "examples" not in schema:
            found.append(f"components/schemas/{name}: no example")
        for where, node in _schemas(schema, f"components/schemas/{name}"):
            is_property = "/properties/" in where and where.rsplit("/", 2)[-2] == "properties"
            if (where.count("/") == 2 or is_property) and not node.get("description"):
                found.append(f"{where}: no description")
    return found


def split_strings(text: str) -> list[str]:
    """Flow lists (``[a, b]``) of two or more items with a plain (unquoted) item containing a space: prose that YAML
    may have split at its commas. Each with its line number."""
    found: list[str] = []
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    stack = [yaml.compose(text, Loader=loader)]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            stack.extend(value for _, value in node.value)
        elif isinstance(node, yaml.SequenceNode):
            items = node.value
            prose = [i for i in items if isinstance(i, yaml.ScalarNode) and not i.style and " " in i.value]
            if node.flow_style and len(items) > 1 and prose:
                pieces = ", ".join(i.value for i in items if isinstance(i, yaml.ScalarNode))
                found.append(
                    f"line {node.start_mark.line + 1}: the flow list [{pieces}] has unquoted prose, which YAML splits"
                    " at its commas: quote each string"
                )
            stack.extend(items)
    return sorted(found, key=lambda problem: int(problem.split(":")[0].removeprefix("line ")))


def main(argv: list[str] | None = None) -> int:
    """Validate the document named on the command line; print every problem."""
    path = Path((argv if argv is not None else sys.argv[1:] or ["openapi.yaml"])[0])
    try:
        document = load_document(path)
    except SpecError as exc:
        for line in exc.report(str(path), None):
            print(line, file=sys.stderr)
        return 1
    text = path.read_text(encoding="utf-8")
    if missing := missing_refs(document):
        for line in SpecError(problems=missing).report(str(path), text):
            print(line, file=sys.stderr)
        return 1
    try:
        validate(document)
    except Exception as exc:  # the validator raises several unrelated exception types
        message = str(getattr(exc, "message", "") or exc).splitlines()[0]
        message = message if len(message) <= 200 else message[:200] + "..."
        pointer = "".join(f"/{escape(str(part))}" for part in getattr(exc, "absolute_path", ()))
        if not pointer and (where := re.search(r"for '(\w+)' operation in '([^']+)'", message)):
            pointer = f"/paths/{escape(where[2])}/{where[1]}"
        for line in SpecError(f"not valid OpenAPI: {message}", pointer).report(str(path), text):
            print(line, file=sys.stderr)
        return 1
    found = problems(document) + split_strings(text)
    for problem in found:
        print(f"{path}: {problem}", file=sys.stderr)
    if found:
        return 1
    operations = sum(1 for item in document["paths"].values() for m in METHODS if m in item)
    print(f"{path}: valid OpenAPI {document['openapi']}, {operations} operations, project rules hold")
    return 0


if __name__ == "__main__":
    sys.exit(main())
