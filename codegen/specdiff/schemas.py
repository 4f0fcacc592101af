"""Comparison of two schemas in one direction (request: what a client may send; response: what it may receive).

A schema pair is compared inline until both sides are ``$ref``s; such a pair is a *boundary*: it is compared once
per direction (cached) and its changes are located in the referenced component, so that a change in a schema that
many operations share is one change, listing every operation that reaches it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from .refs import ANNOTATIONS, Document, as_dict, as_list, child, fingerprint, ref_pointer, schema_name

K = TypeVar("K")

REQUEST = "request"
RESPONSE = "response"

# formats that change the generated Python type (datetime, date, File, UUID): a change is a type change
PYTHON_FORMATS = frozenset({"date-time", "date", "binary", "uuid"})
# formats that only change how a value is shown (the SDK hides secrets from repr): not semantic
PRESENTATION_FORMATS = frozenset({"password"})
UPPER_BOUNDS = ("maxLength", "maximum", "exclusiveMaximum", "maxItems", "maxProperties")
LOWER_BOUNDS = ("minLength", "minimum", "exclusiveMinimum", "minItems", "minProperties")
MAX_DEPTH = 200

Pair = tuple[str, str, str]
"""A boundary: (direction, old pointer, new pointer) of two referenced schemas."""


@dataclass(frozen=True)
class Raw:
    """A change before it is attributed to operations."""

    rule: str
    location: str
    message: str


@dataclass(frozen=True)
class Member:
    """A oneOf/anyOf member being matched."""

    pointer: str
    node: Any
    label: str
    kind: str


@dataclass(frozen=True)
class Where:
    """How messages name the value being compared."""

    root: str
    kind: str
    path: str
    nested: bool = False

    def text(self) -> str:
        """How messages name it: "request body", "query parameter `limit`", "response property `Dataset.status`"."""
        if not self.nested:
            return self.root
        if self.path in ("[]", "{}"):
            return f"{self.root} {'items' if self.path == '[]' else 'values'}"
        return f"{self.kind} `{self.path}`"

    def prop(self, name: str) -> Where:
        """The property ``name`` of this value."""
        return replace(self, path=f"{self.path}.{name}" if self.path else name, nested=True)

    def suffix(self, text: str) -> Where:
        """Array items (``[]``) or map values (``{}``) of this value."""
        return replace(self, path=self.path + text, nested=True)


def show(value: Any) -> str:
    """A value as written in a message."""
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)


def is_null(node: Any) -> bool:
    """Whether ``node`` is the schema of null alone."""
    if not isinstance(node, dict):
        return False
    kind = node.get("type")
    return (
        kind == "null" or kind == ["null"] or ("const" in node and node["const"] is None) or node.get("enum") == [None]
    )


def only_annotations(node: Mapping[str, Any], *keys: str) -> bool:
    """Whether ``node`` holds nothing but ``keys``, annotations, ``default`` and extensions."""
    return all(k in keys or k in ANNOTATIONS or k == "default" or str(k).startswith("x-") for k in node)


def peel(node: Any, pointer: str) -> tuple[str | None, Any, str]:
    """Strip nullable and single-member wrappers (``oneOf: [X, {type: "null"}]``, ``allOf: [X]``).

    Returns where null was allowed (a pointer, or None), the wrapped schema and its pointer.
    """
    null_site: str | None = None
    for _ in range(MAX_DEPTH):
        if not isinstance(node, dict) or ref_pointer(node) is not None:
            break
        for key in ("oneOf", "anyOf", "allOf"):
            members = as_list(node.get(key))
            rest = open_enum_plain([(i, m) for i, m in enumerate(members) if not is_null(m)])
            if len(rest) == 1 and only_annotations(node, key):
                if any(is_null(m) for m in members):
                    null_site = child(pointer, key)
                node, pointer = rest[0][1], child(pointer, key, rest[0][0])
                break
        else:
            break
    return null_site, node, pointer


def members(node: Any, pointer: str) -> list[tuple[str, Any]] | None:
    """The non-null oneOf/anyOf members of a (non-$ref) schema with their pointers, or None (an open enum's known
    values left out: :func:`open_enum_plain`)."""
    if isinstance(node, dict) and ref_pointer(node) is None:
        for key in ("oneOf", "anyOf"):
            found = [(child(pointer, key, i), m) for i, m in enumerate(as_list(node.get(key))) if not is_null(m)]
            found = open_enum_plain(found)
            if found:
                return found
    return None


def open_enum_plain(found: list[tuple[K, Any]]) -> list[tuple[K, Any]]:
    """The members of a oneOf/anyOf less those an open enum uses to name its known values: ``{type: X, enum: [...]}``
    next to a plain ``{type: X}`` accepts nothing more, so ``anyOf: [{type: string, enum: [...]}, {type: string}]``
    is the plain string."""
    plain = {str(m.get("type")) for _, m in found if isinstance(m, dict) and only_annotations(m, "type")}

    def names_known_values(m: Any) -> bool:
        return (
            isinstance(m, dict) and "enum" in m and only_annotations(m, "type", "enum") and str(m.get("type")) in plain
        )

    return [(key, m) for key, m in found if not names_known_values(m)]


def conjuncts(node: Any, pointer: str) -> list[tuple[str, Any]] | None:
    """The allOf members of a (non-$ref) schema, the keywords beside allOf counting as one more; or None."""
    if isinstance(node, dict) and ref_pointer(node) is None and as_list(node.get("allOf")):
        found = [(child(pointer, "allOf", i), m) for i, m in enumerate(node["allOf"])]
        rest = {k: v for k, v in node.items() if k != "allOf"}
        if not only_annotations(rest):
            found.append((pointer, rest))
        return found
    return None


def composite(node: Any, pointer: str = "") -> bool:
    """Whether a schema is a oneOf/anyOf or an allOf."""
    return bool(members(node, pointer) or conjuncts(node, pointer))


def type_null_site(node: Mapping[str, Any], pointer: str) -> str | None:
    """Where ``node`` itself allows null (3.1 type list, 3.0 ``nullable``, null member or enum value)."""
    kind = node.get("type")
    if isinstance(kind, list) and "null" in kind:
        return child(pointer, "type")
    if node.get("nullable") is True:
        return child(pointer, "nullable")
    for key in ("oneOf", "anyOf"):
        if any(is_null(m) for m in as_list(node.get(key))):
            return child(pointer, key)
    if None in as_list(node.get("enum")):
        return child(pointer, "enum")
    return None


def value_type(value: Any) -> str:
    """The JSON type of a literal."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def types_of(node: Mapping[str, Any]) -> frozenset[str] | None:
    """The non-null types a schema accepts (a Python-typed string format counts as its own type); None = any."""
    kind = node.get("type")
    found: set[str]
    if isinstance(kind, str):
        found = {kind}
    elif isinstance(kind, list):
        found = {str(k) for k in kind}
    elif "properties" in node or "additionalProperties" in node or "required" in node:
        found = {"object"}
    elif "items" in node:
        found = {"array"}
    elif "enum" in node or "const" in node:
        found = {value_type(v) for v in ([node["const"]] if "const" in node else as_list(node["enum"]))}
    else:
        return None
    found.discard("null")
    fmt = node.get("format")
    if "string" in found and isinstance(fmt, str) and fmt in PYTHON_FORMATS:
        found = (found - {"string"}) | {f"string ({fmt})"}
    return frozenset(found)


def covers(wide: frozenset[str] | None, narrow: frozenset[str] | None) -> bool:
    """Whether every value of type ``narrow`` is also of type ``wide``."""
    if wide is None:
        return True
    if narrow is None:
        return False
    return all(t in wide or (t == "integer" and "number" in wide) for t in narrow)


def show_types(types: frozenset[str] | None) -> str:
    """Types as written in a message."""
    return "any" if types is None else " | ".join(sorted(types)) or "null"


def enum_values(node: Mapping[str, Any], pointer: str) -> list[tuple[str, Any, str]] | None:
    """(key, value, pointer) of each non-null allowed value, or None when the schema has no enum."""
    if "const" in node:
        values = [(node["const"], child(pointer, "const"))]
    elif isinstance(node.get("enum"), list):
        values = [(v, child(pointer, "enum", i)) for i, v in enumerate(node["enum"])]
    else:
        return None
    return [(json.dumps(v, sort_keys=True, default=str), v, p) for v, p in values if v is not None]


EXTRA_ORDER = ("false", "schema", "true")


def extra_kind(value: Any) -> str:
    """What ``additionalProperties`` allows: ``false`` (nothing), ``schema`` (values of a schema), ``true`` (any)."""
    if value is False:
        return "false"
    return "schema" if isinstance(value, dict) and value else "true"


def bound_change(key: str, old: Any, new: Any) -> str:
    """How a constraint keyword ``key`` changed: "tightened", "loosened" or "changed"."""
    if key in ("exclusiveMinimum", "exclusiveMaximum", "uniqueItems") and (
        isinstance(old, bool) or isinstance(new, bool)
    ):
        return "tightened" if new is True else "loosened"
    if old is None:
        return "tightened"
    if new is None:
        return "loosened"
    if isinstance(old, bool) or isinstance(new, bool):
        return "changed"
    if not isinstance(old, int | float) or not isinstance(new, int | float):
        return "changed"
    if key in UPPER_BOUNDS:
        return "tightened" if new < old else "loosened"
    if key in LOWER_BOUNDS:
        return "tightened" if new > old else "loosened"
    if key == "multipleOf" and old and new:
        if float(new / old).is_integer():
            return "tightened"
        if float(old / new).is_integer():
            return "loosened"
    return "changed"


@dataclass
class Walk:
    """One inline comparison; collects changes and the boundaries it reaches."""

    differ: SchemaDiff
    direction: str
    out: list[Raw] = field(default_factory=list)
    pairs: list[Pair] = field(default_factory=list)
    active: set[tuple[str, str]] = field(default_factory=set)

    def emit(self, kind: str, location: str, message: str) -> None:
        """Record a change; ``kind`` is the rule id without the direction."""
        self.out.append(Raw(f"{self.direction}.{kind}", location, message))

    def node(self, old: Any, old_ptr: str, new: Any, new_ptr: str, where: Where) -> None:
        """Compare two schema nodes (possibly ``$ref``s or nullable wrappers)."""
        old_null, old_core, old_core_ptr = peel(old, old_ptr)
        new_null, new_core, new_core_ptr = peel(new, new_ptr)
        if (ref_pointer(old_core) is None) != (ref_pointer(new_core) is None):
            # one side refers to a schema the other writes inline: look through the ref, which may be a wrapper
            # (a model stays a ref when the other side is a oneOf/allOf: it is matched with a member by name)
            if ref_pointer(old_core) is not None:
                resolved, pointer = self.differ.old.resolve(old_core, old_core_ptr)
                if not composite(new_core) or composite(resolved):
                    wrapped, old_core, old_core_ptr = peel(resolved, pointer)
                    old_null = old_null or wrapped
            else:
                resolved, pointer = self.differ.new.resolve(new_core, new_core_ptr)
                if not composite(old_core) or composite(resolved):
                    wrapped, new_core, new_core_ptr = peel(resolved, pointer)
                    new_null = new_null or wrapped
        old_alts, new_alts = members(old_core, old_core_ptr), members(new_core, new_core_ptr)
        if old_alts or new_alts:
            self.nullable(
                old_null or type_null_site(as_dict(old_core), old_core_ptr),
                new_null or type_null_site(as_dict(new_core), new_core_ptr),
                where,
            )
            self.alternatives(old_alts or [(old_core_ptr, old_core)], new_alts or [(new_core_ptr, new_core)], where)
            return
        old_all, new_all = conjuncts(old_core, old_core_ptr), conjuncts(new_core, new_core_ptr)
        if old_all or new_all:
            self.nullable(old_null, new_null, where)
            self.conjuncts(old_all or [(old_core_ptr, old_core)], new_all or [(new_core_ptr, new_core)], where)
            return
        old_ref, new_ref = ref_pointer(old_core), ref_pointer(new_core)
        if old_ref is not None and new_ref is not None:
            old_target, old_target_ptr = self.differ.old.resolve(old_core, old_core_ptr)
            new_target, new_target_ptr = self.differ.new.resolve(new_core, new_core_ptr)
            if old_target is not None and new_target is not None:
                self.nullable(old_null, new_null, where)
                old_name, new_name = schema_name(old_target_ptr), schema_name(new_target_ptr)
                if (
                    old_name is not None
                    and new_name is not None
                    and self.differ.renamed(old_name) != new_name
                    and self.differ.is_class(old_name, new_name)
                ):
                    self.emit(
                        "model.replaced",
                        new_core_ptr,
                        f"{where.text()} now refers to model `{new_name}` instead of `{old_name}`",
                    )
                else:
                    self.pairs.append((self.direction, old_target_ptr, new_target_ptr))
                return
        old_node, old_node_ptr = self.differ.old.resolve(old_core, old_core_ptr)
        new_node, new_node_ptr = self.differ.new.resolve(new_core, new_core_ptr)
        key = (old_node_ptr, new_node_ptr)
        if key in self.active or len(self.active) > MAX_DEPTH:
            return
        self.active.add(key)
        try:
            self.compare(as_dict(old_node), old_node_ptr, as_dict(new_node), new_node_ptr, old_null, new_null, where)
        finally:
            self.active.discard(key)

    def nullable(self, old_site: str | None, new_site: str | None, where: Where) -> None:
        """Report a change of nullability."""
        if new_site is not None and old_site is None:
            self.emit("nullable.added", new_site, f"{where.text()} became nullable")
        elif old_site is not None and new_site is None:
            self.emit("nullable.removed", old_site, f"{where.text()} is no longer nullable")

    def compare(
        self,
        old: dict[str, Any],
        old_ptr: str,
        new: dict[str, Any],
        new_ptr: str,
        old_null: str | None,
        new_null: str | None,
        where: Where,
    ) -> None:
        """Compare two resolved schemas."""
        self.nullable(old_null or type_null_site(old, old_ptr), new_null or type_null_site(new, new_ptr), where)
        if not self.types(old, new, new_ptr, where):
            return
        self.enums(old, old_ptr, new, new_ptr, where)
        self.constraints(old, old_ptr, new, new_ptr, where)
        if self.direction == REQUEST and "default" in old and "default" in new and old["default"] != new["default"]:
            self.emit(
                "default.changed",
                child(new_ptr, "default"),
                f"default of {where.text()} changed from `{show(old['default'])}` to `{show(new['default'])}`",
            )
        self.properties(old, old_ptr, new, new_ptr, where)
        if "items" in old or "items" in new:
            self.node(
                old.get("items", {}), child(old_ptr, "items"), new.get("items", {}), child(new_ptr, "items"),
                where.suffix("[]"),
            )  # fmt: skip
        old_extra, new_extra = old.get("additionalProperties"), new.get("additionalProperties")
        if isinstance(old_extra, dict) and isinstance(new_extra, dict):
            self.node(
                old_extra, child(old_ptr, "additionalProperties"), new_extra, child(new_ptr, "additionalProperties"),
                where.suffix("{}"),
            )  # fmt: skip

    def alternatives(self, old: list[tuple[str, Any]], new: list[tuple[str, Any]], where: Where) -> None:
        """Match oneOf/anyOf members (models by name, others by structure, then by type); report the unmatched."""

        def keyed(side: Document, members: list[tuple[str, Any]], renames: Mapping[str, str]) -> dict[str, Member]:
            found: dict[str, Member] = {}
            for pointer, member in members:
                name = schema_name(ref_pointer(member) or "")
                if name is not None:
                    found[f"model {renames.get(name, name)}"] = Member(pointer, member, f"`{name}`", "")
                else:
                    kind = self.describe(as_dict(side.resolve(member, pointer)[0]))
                    found[fingerprint(member, renames)] = Member(pointer, member, f"`{kind}`", kind)
            return found

        old_keys, new_keys = keyed(self.differ.old, old, self.differ.renames), keyed(self.differ.new, new, {})
        pairs = [(old_keys.pop(k), new_keys.pop(k)) for k in list(old_keys) if k in new_keys]
        for k, member in list(old_keys.items()):  # same type, other details: compare them
            same = [n for n, other in new_keys.items() if member.kind and other.kind == member.kind]
            rivals = [o for o, other in old_keys.items() if other.kind == member.kind]
            if len(same) == 1 and len(rivals) == 1:
                pairs.append((old_keys.pop(k), new_keys.pop(same[0])))
        for member in new_keys.values():
            self.emit("alternative.added", member.pointer, f"{where.text()} accepts {member.label}")
        for member in old_keys.values():
            self.emit("alternative.removed", member.pointer, f"{where.text()} no longer accepts {member.label}")
        for before, after in pairs:
            self.node(before.node, before.pointer, after.node, after.pointer, where)

    def conjuncts(self, old: list[tuple[str, Any]], new: list[tuple[str, Any]], where: Where) -> None:
        """Match allOf members (models by name, inline schemas in order); a member more is a constraint more."""

        def keyed(members: list[tuple[str, Any]], renames: Mapping[str, str]) -> dict[str, tuple[str, Any, str]]:
            found: dict[str, tuple[str, Any, str]] = {}
            for pointer, member in members:
                name = schema_name(ref_pointer(member) or "")
                if name is not None:
                    found[f"model {renames.get(name, name)}"] = (pointer, member, f"`{name}`")
                elif re.search(r"/allOf/\d+$", pointer):
                    found[f"inline {len(found)}"] = (pointer, member, "an inline schema")
                else:  # the keywords beside allOf, or a schema without allOf
                    found["rest"] = (pointer, member, "its own keywords")
            return found

        old_keys, new_keys = keyed(old, self.differ.renames), keyed(new, {})
        for k, (pointer, _, label) in new_keys.items():
            if k not in old_keys:
                self.emit("constraint.tightened", pointer, f"{where.text()} must also match {label} (allOf)")
        for k, (pointer, member, label) in old_keys.items():
            if k not in new_keys:
                self.emit("constraint.loosened", pointer, f"{where.text()} no longer has to match {label} (allOf)")
            else:
                new_pointer, other, _ = new_keys[k]
                self.node(member, pointer, other, new_pointer, where)

    def describe(self, node: dict[str, Any]) -> str:
        """A short type description."""
        for key in ("oneOf", "anyOf"):
            if key in node:
                names = [
                    schema_name(ref_pointer(m) or "") or show_types(types_of(as_dict(m)))
                    for m in as_list(node[key])
                    if not is_null(m)
                ]
                return f"{key}[{', '.join(names)}]"
        return show_types(types_of(node))

    def types(self, old: dict[str, Any], new: dict[str, Any], new_ptr: str, where: Where) -> bool:
        """Compare types; returns whether the types still overlap (so the details are worth comparing)."""
        old_types, new_types = types_of(old), types_of(new)
        if old_types == new_types:
            return True
        location = child(new_ptr, "type") if "type" in new else new_ptr
        if "type" in new and old.get("type") == new.get("type"):
            location = child(new_ptr, "format")
        if self.direction == REQUEST:
            compatible, kind, verb = covers(new_types, old_types), "type.widened", "widened"
        else:
            compatible, kind, verb = covers(old_types, new_types), "type.narrowed", "narrowed"
        if not compatible:
            kind, verb = "type.changed", "changed"
        self.emit(
            kind, location, f"type of {where.text()} {verb} from `{show_types(old_types)}` to `{show_types(new_types)}`"
        )
        return old_types is None or new_types is None or covers(old_types, new_types) or covers(new_types, old_types)

    def enums(self, old: dict[str, Any], old_ptr: str, new: dict[str, Any], new_ptr: str, where: Where) -> None:
        """Compare enum (or const) values."""
        old_values, new_values = enum_values(old, old_ptr), enum_values(new, new_ptr)
        if old_values is None and new_values is None:
            return
        if old_values is None and new_values is not None:
            listed = ", ".join(f"`{show(v)}`" for _, v, _ in new_values)
            key = "const" if "const" in new else "enum"
            self.emit("enum.added", child(new_ptr, key), f"{where.text()} restricted to {listed}")
            return
        if new_values is None and old_values is not None:
            key = "const" if "const" in old else "enum"
            self.emit("enum.removed", child(old_ptr, key), f"{where.text()} no longer restricted to an enum")
            return
        assert old_values is not None and new_values is not None
        old_keys = {k for k, _, _ in old_values}
        new_keys = {k for k, _, _ in new_values}
        for k, value, pointer in new_values:
            if k not in old_keys:
                self.emit("enum.value-added", pointer, f"enum value `{show(value)}` added to {where.text()}")
        for k, value, pointer in old_values:
            if k not in new_keys:
                self.emit("enum.value-removed", pointer, f"enum value `{show(value)}` removed from {where.text()}")

    def constraints(self, old: dict[str, Any], old_ptr: str, new: dict[str, Any], new_ptr: str, where: Where) -> None:
        """Compare validation keywords: bounds, pattern, format, multipleOf, uniqueItems, additionalProperties."""
        keys = (*UPPER_BOUNDS, *LOWER_BOUNDS, "multipleOf", "uniqueItems", "pattern", "format", "additionalProperties")
        for key in keys:
            before, after = old.get(key), new.get(key)
            if key == "format":
                before = before if isinstance(before, str) and before not in PRESENTATION_FORMATS else None
                after = after if isinstance(after, str) and after not in PRESENTATION_FORMATS else None
                if before in PYTHON_FORMATS or after in PYTHON_FORMATS:
                    continue  # a change of Python type, reported by types()
            if key == "additionalProperties":
                before, after = extra_kind(before), extra_kind(after)
                if before == after == "schema":
                    continue  # compared as a schema by compare()
            if key == "uniqueItems":
                before, after = before is True, after is True
            if before == after:
                continue
            how = bound_change(key, before, after)
            if key in ("pattern", "format") and before is not None and after is not None:
                how = "changed"
            if key == "additionalProperties":
                how = "tightened" if EXTRA_ORDER.index(after) < EXTRA_ORDER.index(before) else "loosened"
            breaks = (how != "loosened") if self.direction == REQUEST else (how != "tightened")
            if self.direction == REQUEST:
                kind = "constraint.tightened" if breaks else "constraint.loosened"
            else:
                kind = "constraint.loosened" if breaks else "constraint.tightened"
            if before is None:
                self.emit(kind, child(new_ptr, key), f"{key} `{show(after)}` added to {where.text()}")
            elif after is None:
                self.emit(kind, child(old_ptr, key), f"{key} `{show(before)}` removed from {where.text()}")
            else:
                pointer = child(new_ptr, key) if key in new else child(old_ptr, key)
                self.emit(kind, pointer, f"{key} of {where.text()} {how} from `{show(before)}` to `{show(after)}`")

    def properties(self, old: dict[str, Any], old_ptr: str, new: dict[str, Any], new_ptr: str, where: Where) -> None:
        """Compare object properties and which of them are required."""
        old_props, new_props = as_dict(old.get("properties")), as_dict(new.get("properties"))
        if not old_props and not new_props:
            return
        hidden = "readOnly" if self.direction == REQUEST else "writeOnly"
        old_props = {k: v for k, v in old_props.items() if as_dict(v).get(hidden) is not True}
        new_props = {k: v for k, v in new_props.items() if as_dict(v).get(hidden) is not True}
        old_required = [str(n) for n in as_list(old.get("required"))]
        new_required = [str(n) for n in as_list(new.get("required"))]
        request = self.direction == REQUEST
        for name in old_props:
            if name not in new_props:
                path = where.prop(name).path
                if request:
                    message = f"request property `{path}` removed"
                else:
                    state = "required" if name in old_required else "optional"
                    message = f"{state} response property `{path}` removed"
                self.emit("property.removed", child(old_ptr, "properties", name), message)
        for name in new_props:
            if name not in old_props:
                path = where.prop(name).path
                pointer = child(new_ptr, "properties", name)
                if not request:
                    self.emit("property.added", pointer, f"new response property `{path}`")
                elif name in new_required:
                    self.emit("property.required-added", pointer, f"new required request property `{path}`")
                else:
                    self.emit("property.added", pointer, f"new optional request property `{path}`")
        for name, old_prop in old_props.items():
            if name not in new_props:
                continue
            inner = where.prop(name)
            was, now = name in old_required, name in new_required
            if now and not was:
                self.emit(
                    "property.became-required",
                    child(new_ptr, "required", new_required.index(name)),
                    f"{self.direction} property `{inner.path}` became required",
                )
            elif was and not now:
                self.emit(
                    "property.became-optional",
                    child(new_ptr, "properties", name),
                    f"{self.direction} property `{inner.path}` became optional",
                )
            self.node(
                old_prop, child(old_ptr, "properties", name), new_props[name], child(new_ptr, "properties", name), inner
            )


class SchemaDiff:
    """Compares schemas of two documents; caches boundary comparisons per direction."""

    def __init__(
        self,
        old: Document,
        new: Document,
        renames: Mapping[str, str],
        classes: tuple[set[str], set[str]] | None = None,
    ) -> None:
        self.old, self.new, self.renames = old, new, dict(renames)
        self.classes = classes
        self._cache: dict[Pair, tuple[list[Raw], list[Pair]]] = {}

    def is_class(self, old_name: str, new_name: str) -> bool:
        """Whether either schema is a Python class; two that are not (page wrappers, request bodies) are compared by
        structure, not as another model."""
        if self.classes is None:
            return True
        return old_name in self.classes[0] or new_name in self.classes[1]

    def renamed(self, old_name: str) -> str:
        """The new name of an old component schema."""
        return self.renames.get(old_name, old_name)

    def inline(
        self, direction: str, old: Any, old_ptr: str, new: Any, new_ptr: str, where: Where
    ) -> tuple[list[Raw], list[Pair]]:
        """Compare two schemas written at these pointers; returns the changes and the boundaries reached."""
        walk = Walk(self, direction)
        walk.node(old, old_ptr, new, new_ptr, where)
        return walk.out, walk.pairs

    def boundary(self, pair: Pair) -> tuple[list[Raw], list[Pair]]:
        """Compare two referenced schemas (cached)."""
        cached = self._cache.get(pair)
        if cached is None:
            direction, old_ptr, new_ptr = pair
            name = schema_name(new_ptr) or new_ptr.rsplit("/", 1)[-1]
            where = Where(f"{direction} schema `{name}`", f"{direction} property", name)
            old_node, new_node = self.old.lookup(old_ptr), self.new.lookup(new_ptr)
            cached = self._cache[pair] = self.inline(direction, old_node, old_ptr, new_node, new_ptr, where)
        return cached

    def closure(self, pairs: Iterable[Pair]) -> tuple[list[Raw], set[Pair]]:
        """The changes of every boundary reachable from ``pairs``, and those boundaries."""
        seen: set[Pair] = set()
        out: list[Raw] = []
        stack = list(pairs)
        while stack:
            pair = stack.pop()
            if pair in seen:
                continue
            seen.add(pair)
            raws, children = self.boundary(pair)
            out.extend(raws)
            stack.extend(children)
        return out, seen
