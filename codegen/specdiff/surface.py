"""The Python surface of a spec: the calls and classes the generated SDK has, as the generator emits them.

The spec diff names every change by the Python call it affects and judges the Python-only changes (a method or a
class renamed, removed, added, kept as a deprecated alias) on this surface. :func:`surface` builds it from the
generator's own view model (:mod:`codegen.api`), so that the diff and ``make codegen`` cannot disagree: a request-body
schema or a page wrapper is no class (renaming it changes nothing in Python), and an operation renamed with
``x-python-renamed-from`` keeps its old name. Only a document the generator cannot build from (or an environment
without the generator) falls back to :func:`from_spec`, which derives the same names from the spec's conventions.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from copy import deepcopy
from dataclasses import dataclass, field
from typing import Any

from .refs import as_dict, as_list

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
MODULE_TAGS = frozenset({"signup"})

Key = tuple[str, str]
"""An operation: (HTTP method in capitals, path)."""


@dataclass(frozen=True)
class Surface:
    """What a spec becomes in Python.

    ``calls``: operation -> what a user calls (``client.datasets.list``, ``avala.signup``); ``aliases``: operation
    -> the deprecated old calls it still answers to; ``classes``: component schema -> the Python class generated from
    it (request bodies and page wrappers have none); ``class_aliases``: deprecated old class name -> class name;
    ``commands``: operation -> the ``avala`` commands that call it (its own first, then its other names), known from
    the generator only. ``source`` says where it came from: ``generator`` or ``spec`` (with ``note`` saying why).
    """

    calls: Mapping[Key, str]
    classes: Mapping[str, str]
    aliases: Mapping[Key, tuple[str, ...]] = field(default_factory=dict)
    class_aliases: Mapping[str, str] = field(default_factory=dict)
    commands: Mapping[Key, tuple[str, ...]] = field(default_factory=dict)
    source: str = "spec"
    note: str = ""


def _renamed_from(node: Mapping[str, Any]) -> tuple[str, ...]:
    value = node.get("x-python-renamed-from")
    names = [value] if isinstance(value, str) else as_list(value)
    return tuple(str(n) for n in names)


def from_spec(document: Mapping[str, Any], note: str = "") -> Surface:
    """The surface derived from the spec's conventions alone (for documents the generator cannot build from)."""
    tags = [as_dict(t) for t in as_list(document.get("tags"))]
    modules = MODULE_TAGS | {str(t.get("name")) for t in tags if t.get("x-python-client-attribute") is False}
    calls: dict[Key, str] = {}
    aliases: dict[Key, tuple[str, ...]] = {}
    bodies: set[str] = set()
    for path, item in as_dict(document.get("paths")).items():
        for method in HTTP_METHODS:
            node = as_dict(as_dict(item).get(method))
            if not node:
                continue
            op_tags = as_list(node.get("tags"))
            tag = str(op_tags[0]) if op_tags else ""
            operation_id = str(node.get("operationId") or "")
            prefix = tag.replace(".", "_") + "_"
            name = operation_id[len(prefix) :] if tag and operation_id.startswith(prefix) else operation_id
            key = (method.upper(), str(path))
            if tag in modules:
                calls[key] = f"avala.{tag}" if name in ("create", tag) else f"avala.{tag}_{name}"
            elif name:
                owner = f"client.{tag}" if tag else "client"
                calls[key] = f"{owner}.{name}"
                aliases[key] = tuple(f"{owner}.{old}" for old in _renamed_from(node))
            body = as_dict(as_dict(as_dict(node.get("requestBody")).get("content")).get("application/json"))
            ref = str(as_dict(body.get("schema")).get("$ref", ""))
            if ref.startswith("#/components/schemas/"):
                bodies.add(ref.rsplit("/", 1)[-1])
    schemas = as_dict(as_dict(document.get("components")).get("schemas"))
    classes = {name: name for name, schema in schemas.items() if name not in bodies and not _is_page(as_dict(schema))}
    class_aliases = {old: name for name in classes for old in _renamed_from(as_dict(schemas[name]))}
    return Surface(calls, classes, aliases, class_aliases, {}, "spec", note)


def _is_page(schema: Mapping[str, Any]) -> bool:
    return set(as_dict(schema.get("properties"))) == {"results", "next", "previous"}


def from_api(api: Any, commands: Mapping[Key, tuple[str, ...]] | None = None) -> Surface:
    """The surface of the generator's view model (a :class:`codegen.api.Api`), with its command line's commands."""
    calls: dict[Key, str] = {}
    aliases: dict[Key, tuple[str, ...]] = {}
    for op in api.operations:
        calls[(op.http_method, op.path)] = op.callee
        if op.renamed_from:
            aliases[(op.http_method, op.path)] = tuple(op.alias_callees)
    classes = {model.schema: model.name for model in api.models}
    class_aliases = {old: model.name for model in api.models for old in model.renamed_from}
    return Surface(calls, classes, aliases, class_aliases, commands or {}, "generator")


_BUILT: dict[str, Surface] = {}


def surface(document: Mapping[str, Any], label: str = "spec") -> Surface:
    """The surface the generator emits for ``document``; :func:`from_spec` when it cannot (``note`` says why).

    Surfaces are kept per document content (building one takes about a second), for this process.
    """
    key = hashlib.sha256(json.dumps(document, sort_keys=True, default=str).encode()).hexdigest()
    if key not in _BUILT or _BUILT[key].source != "generator":
        _BUILT[key] = _build(document, label)
    return _BUILT[key]


def _build(document: Mapping[str, Any], label: str) -> Surface:
    try:
        from pathlib import Path

        from ..api import build_api
        from ..parse import parse_document
    except ImportError as exc:  # the generator is not installed in this environment
        return from_spec(document, f"{label}: Python names from the spec (no generator: {exc.name})")
    try:
        copy = deepcopy(dict(document))
        api = build_api(copy, parse_document(copy, Path(label)))
    except Exception as exc:  # a SpecError, or whatever the generator raises on a document outside its conventions
        first = re.sub(r"\s+", " ", str(exc))[:200]
        return from_spec(document, f"{label}: Python names from the spec (the generator rejects it: {first})")
    try:
        from ..cli import build_cli, command_paths

        commands = command_paths(api, build_cli(api, copy, strict=False))
    except Exception:  # the command line's names are extra information: the diff goes on without them
        commands = {}
    return from_api(api, commands)
