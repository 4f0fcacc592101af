"""JSON pointers, local ``$ref`` resolution and structural fingerprints of schemas."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

SCHEMA_PREFIX = "/components/schemas/"

# Keywords that document a schema without changing what it accepts; ignored everywhere.
ANNOTATIONS = frozenset(
    {"description", "summary", "title", "example", "examples", "externalDocs", "deprecated", "$comment", "xml"}
)


def escape(segment: str) -> str:
    """Escape one JSON pointer segment (RFC 6901)."""
    return segment.replace("~", "~0").replace("/", "~1")


def child(pointer: str, *segments: str | int) -> str:
    """The pointer of a descendant."""
    return pointer + "".join("/" + escape(str(segment)) for segment in segments)


def as_dict(value: Any) -> dict[str, Any]:
    """``value`` if it is a mapping (as parsed from YAML: not copied), else an empty dict."""
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    """``value`` if it is a list, else an empty list."""
    return value if isinstance(value, list) else []


def schema_name(pointer: str) -> str | None:
    """The component name if ``pointer`` is exactly ``/components/schemas/<name>``."""
    if pointer.startswith(SCHEMA_PREFIX):
        rest = pointer[len(SCHEMA_PREFIX) :]
        if "/" not in rest:
            return rest.replace("~1", "/").replace("~0", "~")
    return None


def ref_pointer(node: Any) -> str | None:
    """The pointer of a local ``$ref`` node ("#/a/b" -> "/a/b"), else None."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#"):
            return ref[1:]
    return None


class Document:
    """An OpenAPI document with memoised pointer look-ups."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data: dict[str, Any] = dict(data)
        self._cache: dict[str, Any] = {}
        self.schemas: dict[str, Any] = as_dict(as_dict(self.data.get("components")).get("schemas"))

    def lookup(self, pointer: str) -> Any:
        """The node at ``pointer``, or None."""
        if pointer in self._cache:
            return self._cache[pointer]
        node: Any = self.data
        for raw in pointer.split("/")[1:] if pointer else []:
            segment = raw.replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict):
                node = node.get(segment)
            elif isinstance(node, list) and segment.isdigit() and int(segment) < len(node):
                node = node[int(segment)]
            else:
                node = None
            if node is None:
                break
        self._cache[pointer] = node
        return node

    def resolve(self, node: Any, pointer: str) -> tuple[Any, str]:
        """Follow a chain of local ``$ref``s from ``node`` (at ``pointer``); a dangling or looping ref stays as is."""
        seen: set[str] = set()
        while (target := ref_pointer(node)) is not None and target not in seen:
            seen.add(target)
            found = self.lookup(target)
            if found is None:
                break
            node, pointer = found, target
        return node, pointer

    def refs_in(self, node: Any) -> Iterator[str]:
        """Every local ``$ref`` pointer written anywhere inside ``node``."""
        stack = [node]
        while stack:
            item = stack.pop()
            if isinstance(item, dict):
                target = ref_pointer(item)
                if target is not None:
                    yield target
                stack.extend(item.values())
            elif isinstance(item, list):
                stack.extend(item)

    def reachable_schemas(self, node: Any, memo: dict[str, frozenset[str]]) -> set[str]:
        """Names of the component schemas reachable from ``node`` through ``$ref``s (any depth, cycles allowed)."""
        names: set[str] = set()
        seen: set[str] = set()
        pending = list(self.refs_in(node))
        while pending:
            target = pending.pop()
            if target in seen:
                continue
            seen.add(target)
            name = schema_name(target)
            if name is not None:
                names.add(name)
            direct = memo.get(target)
            if direct is None:
                direct = memo[target] = frozenset(self.refs_in(self.lookup(target)))
            pending.extend(direct)
        return names


def canonical(node: Any, refs: Mapping[str, str], own: str | None = None) -> Any:
    """A comparable form of a schema: annotations and ``x-`` keys dropped, ``$ref`` names mapped through ``refs``.

    A reference to the schema itself (``own``) becomes ``#self`` so that a renamed recursive schema still matches.
    """
    if isinstance(node, dict):
        target = ref_pointer(node)
        if target is not None:
            name = schema_name(target)
            if name is None:
                return {"$ref": target}
            return {"$ref": "#self" if name == own else refs.get(name, name)}
        out: dict[str, Any] = {}
        for key, value in node.items():
            key = str(key)
            if key in ANNOTATIONS or key.startswith("x-"):
                continue
            if key == "properties" and isinstance(value, dict):
                out[key] = {str(k): canonical(v, refs, own) for k, v in value.items()}
            elif key in ("required", "enum", "type") and isinstance(value, list):
                out[key] = sorted(json.dumps(v, sort_keys=True, default=str) for v in value)
            else:
                out[key] = canonical(value, refs, own)
        return out
    if isinstance(node, list):
        return [canonical(item, refs, own) for item in node]
    return node


def fingerprint(node: Any, refs: Mapping[str, str], own: str | None = None) -> str:
    """A string equal for two schemas exactly when they accept the same values (modulo renamed refs)."""
    return json.dumps(canonical(node, refs, own), sort_keys=True, default=str)
