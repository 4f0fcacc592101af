"""Load ``openapi.yaml`` and parse it with the pinned openapi-python-client.

Every problem is a :class:`SpecError` that reads ``openapi.yaml:LINE: what is wrong``, once per problem, short: invalid
YAML, a ``$ref`` to nothing, a broken project convention, or what the generator's parser reports.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from openapi_python_client.config import Config, ConfigFile, MetaType
from openapi_python_client.parser.errors import GeneratorError
from openapi_python_client.parser.openapi import GeneratorData

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
UNTRUSTED = re.compile(r"<openapi_python_client\.schema\.untrusted_string\.UntrustedString object at 0x[0-9a-f]+>")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the document: where (a JSON pointer, or a line) and what."""

    message: str
    pointer: str = ""
    line: int = 0


class SpecError(Exception):
    """The document cannot be generated from: invalid YAML, a ``$ref`` to nothing, a broken project convention, or
    a problem the generator's parser reports. ``pointer`` locates it (a JSON pointer into the document)."""

    def __init__(self, message: str = "", pointer: str = "", *, problems: list[Problem] | None = None) -> None:
        self.problems = problems or [Problem(message, pointer)]
        super().__init__("; ".join(p.message for p in self.problems))

    def at(self, pointer: str) -> SpecError:
        """The same problems, located under ``pointer`` (a problem's relative pointer is appended to it)."""
        located = [
            p
            if p.line or p.pointer.startswith("/")
            else replace(p, pointer=pointer + ("/" + p.pointer if p.pointer else ""))
            for p in self.problems
        ]
        return SpecError(problems=located)

    def report(self, label: str, text: str | None) -> list[str]:
        """``label:LINE: message`` per problem, each once (``label: message`` where no line is known)."""
        located: dict[str, int] = {}
        for problem in self.problems:
            line = problem.line or (line_of(text, problem.pointer) if text and problem.pointer else 0)
            entry = f"{label}:{line}: {problem.message}" if line else f"{label}: {problem.message}"
            located.setdefault(entry, line)
        return sorted(located, key=located.__getitem__)


def escape(segment: str) -> str:
    """One JSON pointer segment."""
    return segment.replace("~", "~0").replace("/", "~1")


@lru_cache(maxsize=4)
def _composed(text: str) -> yaml.Node | None:
    try:
        return yaml.compose(text, Loader=LOADER)
    except yaml.YAMLError:
        return None


def line_of(text: str, pointer: str) -> int:
    """The 1-based line of the node at ``pointer`` in the YAML ``text`` (of its deepest existing ancestor); 0 if
    the text does not parse."""
    node = _composed(text)
    if node is None:
        return 0
    line: int = node.start_mark.line + 1
    for raw in pointer.split("/")[1:]:
        segment = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, yaml.MappingNode):
            found = next(((k, v) for k, v in node.value if k.value == segment), None)
            if found is None:
                break
            line, node = int(found[0].start_mark.line) + 1, found[1]
        elif isinstance(node, yaml.SequenceNode) and segment.isdigit() and int(segment) < len(node.value):
            node = node.value[int(segment)]
            line = int(node.start_mark.line) + 1
        else:
            break
    return line


def load_document(path: Path) -> dict[str, Any]:
    """Read an OpenAPI document from YAML or JSON."""
    try:
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        context = f" ({exc.context})" if exc.context else ""
        problem = Problem(f"invalid YAML: {exc.problem}{context}", line=mark.line + 1 if mark else 0)
        raise SpecError(problems=[problem]) from None
    except yaml.YAMLError as exc:
        raise SpecError(f"invalid YAML: {exc}") from None
    if not isinstance(document, dict):
        raise SpecError("not an OpenAPI document (a YAML mapping with openapi, info, paths)")
    return document


def _refs(node: Any, pointer: str = "") -> Iterator[tuple[str, str]]:
    """(pointer of the ``$ref`` key, its value) for every ``$ref`` in the document."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            yield f"{pointer}/$ref", ref
        for key, value in node.items():
            yield from _refs(value, f"{pointer}/{escape(str(key))}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _refs(value, f"{pointer}/{index}")


def missing_refs(document: dict[str, Any]) -> list[Problem]:
    """Every ``$ref`` that names nothing in the document (or is not a local reference)."""
    found = []
    for pointer, ref in _refs(document):
        if not ref.startswith("#/"):
            found.append(Problem(f"$ref {ref!r}: only references inside the document (#/...) are supported", pointer))
            continue
        node: Any = document
        for raw in ref[2:].split("/"):
            key = raw.replace("~1", "/").replace("~0", "~")
            node = node.get(key) if isinstance(node, dict) else None
            if node is None:
                where = ref[1:].rsplit("/", 1)[0]
                found.append(Problem(f"$ref {ref!r}: there is no {key!r} in {where or '/'}", pointer))
                break
    return found


def _generator_problem(header: str | None, detail: str | None) -> Problem:
    """A parser error or warning, short and located: ``WARNING parsing GET /x/ within x.`` -> ``/paths/~1x~1/get``."""
    text = UNTRUSTED.sub("?", " ".join(f"{header or ''} {detail or ''}".split()))
    pointer = ""
    if match := re.search(r"parsing (GET|PUT|POST|PATCH|DELETE|HEAD|OPTIONS) (\S+) within", text):
        pointer = f"/paths/{escape(match[2])}/{match[1].lower()}"
    elif match := re.search(r"(/components/\w+/[^\s:]+)", text):
        pointer = match[1]
    text = re.sub(r"^WARNING parsing (\S+ \S+) within [^.]*\.\s*", r"\1: ", text)
    text = text.replace("Endpoint will not be generated. ", "").replace(
        ", response will be omitted from generated client", ""
    )
    return Problem(text[:300], pointer)


def required_alternatives(schema: Any) -> list[list[str]] | None:
    """The alternatives of a schema's ``oneOf`` when each only requires properties (``- required: [a]``): a
    constraint on which properties an object carries (``exactly one of``), not a union of types. None otherwise."""
    options = schema.get("oneOf") if isinstance(schema, dict) else None
    if not options or not all(isinstance(o, dict) and set(o) == {"required"} for o in options):
        return None
    return [list(o["required"]) for o in options]


def without_constraints(document: dict[str, Any]) -> dict[str, Any]:
    """The document minus the required-only ``oneOf`` of object schemas, which the generator would read as a union
    (the view model reads them from the raw document: see ``codegen.api``)."""
    schemas = document.get("components", {}).get("schemas", {})
    constrained = {name for name, schema in schemas.items() if required_alternatives(schema) is not None}
    if not constrained:
        return document
    stripped = {
        name: ({k: v for k, v in schema.items() if k != "oneOf"} if name in constrained else schema)
        for name, schema in schemas.items()
    }
    return {**document, "components": {**document["components"], "schemas": stripped}}


def parse_document(document: dict[str, Any], source: Path) -> GeneratorData:
    """Run the generator's parser; every warning it reports is an error here."""
    if missing := missing_refs(document):
        raise SpecError(problems=missing)
    config = Config.from_sources(ConfigFile(), MetaType.NONE, source, "utf-8", True, None)
    data = GeneratorData.from_dict(without_constraints(document), config=config)
    if isinstance(data, GeneratorError):
        raise SpecError(problems=[_generator_problem(data.header, data.detail)])
    problems = [_generator_problem(error.header, error.detail) for error in data.errors]
    for collection in data.endpoint_collections_by_tag.values():
        problems += [_generator_problem(error.header, error.detail) for error in collection.parse_errors]
    if problems:
        raise SpecError(problems=problems)
    return data
