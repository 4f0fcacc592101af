"""The spec diff proper: operations, parameters, bodies, responses, resources and models."""

from __future__ import annotations

import keyword
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from .model import BREAKING, RULES, Change
from .refs import SCHEMA_PREFIX, Document, as_dict, as_list, child, escape, fingerprint
from .schemas import REQUEST, RESPONSE, Pair, Raw, SchemaDiff, Where, peel, show, types_of
from .surface import MODULE_TAGS, Surface, from_spec

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
TEMPLATE = re.compile(r"\{([^}]*)\}")
WAIT_SEMANTICS = ("field", "until", "target")
WAIT_DEFAULTS = ("interval", "timeout")
DEFAULT_STYLE = {"query": "form", "cookie": "form", "path": "simple", "header": "simple"}


@dataclass(frozen=True)
class Operation:
    """One operation of a document, with the names the diff reports it under."""

    method: str
    path: str
    pointer: str
    path_pointer: str
    node: dict[str, Any]
    path_item: dict[str, Any]
    tag: str
    operation_id: str
    python: str

    @property
    def label(self) -> str:
        """The operation as reported: "GET /datasets/"."""
        return f"{self.method} {self.path}"

    @property
    def shape(self) -> str:
        """The path with parameter names blanked, ``/datasets/{}/``: two paths of one shape are the same URL."""
        return TEMPLATE.sub("{}", self.path)

    @property
    def method_name(self) -> str:
        """The Python method: the operationId without the tag prefix."""
        prefix = self.tag.replace(".", "_") + "_"
        if self.tag and self.operation_id.startswith(prefix):
            return self.operation_id[len(prefix) :]
        return self.operation_id


def python_name(wire_name: str) -> str:
    """The Python identifier the generator derives from a wire name (as ``codegen.api.python_name``)."""
    if wire_name.isidentifier() and not keyword.iskeyword(wire_name):
        return wire_name
    candidate = re.sub(r"\W+", "_", wire_name).strip("_") or "value"
    if candidate[0].isdigit() or keyword.iskeyword(candidate):
        candidate += "_"
    return candidate


def module_tags(doc: Document) -> frozenset[str]:
    """Tags whose operations are ``avala.<tag>`` module functions, not client attributes."""
    flagged = {
        str(t.get("name"))
        for t in map(as_dict, as_list(doc.data.get("tags")))
        if t.get("x-python-client-attribute") is False
    }
    return MODULE_TAGS | flagged


def resource(tag: str, modules: frozenset[str]) -> str:
    """The Python object of a tag: ``client.fleet.devices`` or ``avala``."""
    return "avala" if tag in modules else f"client.{tag}" if tag else "client"


def operations(doc: Document, surface: Surface) -> dict[tuple[str, str], Operation]:
    """Every operation, keyed by (METHOD, path shape), named by its Python call on ``surface``."""
    found: dict[tuple[str, str], Operation] = {}
    for path, raw_item in as_dict(doc.data.get("paths")).items():
        path_pointer = child("/paths", path)
        item, _ = doc.resolve(raw_item, path_pointer)
        item = as_dict(item)
        for method in HTTP_METHODS:
            node = item.get(method)
            if not isinstance(node, dict):
                continue
            node = as_dict(node)
            tags = as_list(node.get("tags"))
            tag = str(tags[0]) if tags else ""
            operation_id = str(node.get("operationId") or "")
            op = Operation(
                method.upper(), path, child(path_pointer, method), path_pointer, node, item, tag, operation_id, ""
            )
            op = replace(op, python=surface.calls.get((op.method, path), ""))
            found[(op.method, op.shape)] = op
    return found


@dataclass(frozen=True)
class Parameter:
    """A parameter of an operation, resolved."""

    name: str
    location: str
    site: str
    pointer: str
    node: dict[str, Any]

    @property
    def python(self) -> str:
        """The Python argument name."""
        return str(self.node.get("x-python-name") or python_name(self.name))

    @property
    def required(self) -> bool:
        """Whether the parameter must be sent."""
        return self.location == "path" or self.node.get("required") is True

    @property
    def serialization(self) -> str:
        """Effective style and explode."""
        style = str(self.node.get("style") or DEFAULT_STYLE.get(self.location, "simple"))
        explode = self.node.get("explode", style == "form")
        return f"style={style}, explode={str(bool(explode)).lower()}"

    def schema(self) -> tuple[Any, str]:
        """The schema and its pointer (from ``schema`` or the first ``content`` entry)."""
        if "schema" in self.node:
            return self.node["schema"], child(self.pointer, "schema")
        for media, entry in as_dict(self.node.get("content")).items():
            return as_dict(entry).get("schema", {}), child(self.pointer, "content", media, "schema")
        return {}, self.pointer

    def describe(self) -> str:
        """The parameter as messages name it: "query parameter `limit`"."""
        return f"{self.location} parameter `{self.name}`"


def parameters(doc: Document, op: Operation, by_position: bool) -> dict[tuple[str, str], Parameter]:
    """The parameters of ``op`` (path-item ones overridden by the operation's); path ones keyed by position."""
    order = TEMPLATE.findall(op.path)
    found: dict[tuple[str, str], Parameter] = {}
    for owner, pointer in ((op.path_item, op.path_pointer), (op.node, op.pointer)):
        for index, raw in enumerate(as_list(owner.get("parameters"))):
            site = child(pointer, "parameters", index)
            node, resolved = doc.resolve(raw, site)
            node = as_dict(node)
            name, location = str(node.get("name", "")), str(node.get("in", ""))
            key = name.lower() if location == "header" else name
            if location == "path" and by_position and name in order:
                key = str(order.index(name))
            found[(location, key)] = Parameter(name, location, site, resolved, node)
    return found


def success_responses(doc: Document, op: Operation) -> dict[str, tuple[dict[str, Any], str]]:
    """The 2xx responses (resolved), keyed by status."""
    found: dict[str, tuple[dict[str, Any], str]] = {}
    responses_pointer = child(op.pointer, "responses")
    for status, raw in as_dict(op.node.get("responses")).items():
        code = str(status).upper()
        if code.startswith("2"):
            node, pointer = doc.resolve(raw, child(responses_pointer, code))
            found[code] = (as_dict(node), pointer)
    return found


def response_shape(doc: Document, content: dict[str, Any], pointer: str) -> str:
    """What the SDK returns: none, page (CursorPage), array (list), object (a model) or value (anything else)."""
    if not content:
        return "none"
    media = primary_media(content)
    _, schema, schema_pointer = peel(as_dict(content[media]).get("schema", {}), child(pointer, "content", media))
    node = as_dict(doc.resolve(schema, schema_pointer)[0])
    types = types_of(node)
    if types == frozenset({"array"}):
        return "array"
    props = as_dict(node.get("properties"))
    results = as_dict(doc.resolve(props.get("results"), "")[0])
    if types_of(results) == frozenset({"array"}) and "next" in props:
        return "page"
    return "object" if types == frozenset({"object"}) else "value"


def primary_media(content: Mapping[str, Any]) -> str:
    """The JSON media type if there is one, else the first."""
    return next((m for m in content if "json" in m.lower()), next(iter(content)))


def security(doc: Document, op: Operation) -> frozenset[frozenset[str]]:
    """The effective security alternatives (sets of scheme names); the empty set means no authentication."""
    reqs = op.node["security"] if "security" in op.node else doc.data.get("security", [])
    alternatives = frozenset(frozenset(as_dict(r)) for r in as_list(reqs))
    return alternatives or frozenset({frozenset()})


def show_security(alternatives: frozenset[frozenset[str]]) -> str:
    """Security alternatives as written in a message."""
    return " or ".join(sorted(" + ".join(sorted(a)) or "none" for a in alternatives))


def detect_renames(old: Document, new: Document) -> dict[str, str]:
    """Old -> new names of removed component schemas whose structure one added schema repeats exactly."""
    renames: dict[str, str] = {}
    removed = [n for n in old.schemas if n not in new.schemas]
    added = [n for n in new.schemas if n not in old.schemas]
    new_prints: dict[str, list[str]] = {}
    for name in added:
        new_prints.setdefault(fingerprint(new.schemas[name], {}, name), []).append(name)
    progress = True
    while progress:
        progress = False
        old_prints: dict[str, list[str]] = {}
        for name in removed:
            if name not in renames:
                old_prints.setdefault(fingerprint(old.schemas[name], renames, name), []).append(name)
        taken = set(renames.values())
        for print_, names in old_prints.items():
            candidates = [n for n in new_prints.get(print_, []) if n not in taken]
            if len(names) == 1 and len(candidates) == 1:
                renames[names[0]] = candidates[0]
                progress = True
    return renames


@dataclass
class Entry:
    """A change being collected: the operations that reach it and the directions it was seen in."""

    rule: str
    message: str
    ops: dict[str, str] = field(default_factory=dict)
    directions: set[str] = field(default_factory=set)


class Differ:
    """Diffs two documents; see :func:`diff_specs`."""

    def __init__(
        self, old: Mapping[str, Any], new: Mapping[str, Any], surfaces: tuple[Surface, Surface] | None = None
    ) -> None:
        self.old, self.new = Document(old), Document(new)
        self.surfaces = surfaces or (from_spec(old), from_spec(new))
        self.renames = detect_renames(self.old, self.new)
        old_schema = {cls: schema for schema, cls in self.surfaces[0].classes.items()}
        new_schema = {cls: schema for schema, cls in self.surfaces[1].classes.items()}
        for old_class, new_class in self.surfaces[1].class_aliases.items():  # declared renames, even with changes
            before, after = old_schema.get(old_class), new_schema.get(new_class)
            if (
                before in self.old.schemas
                and before not in self.new.schemas
                and after
                and after not in self.old.schemas
            ):
                self.renames[before] = after
        classes = (set(self.surfaces[0].classes), set(self.surfaces[1].classes))
        self.schemas = SchemaDiff(self.old, self.new, self.renames, classes)
        self.entries: dict[tuple[str, str], Entry] = {}
        self.reached: set[Pair] = set()
        self.modules = module_tags(self.old) | module_tags(self.new)

    def add(self, raws: Iterable[Raw], ops: Iterable[Operation] = ()) -> None:
        """Collect changes, once per location and kind of change, with the operations they affect."""
        op_list = list(ops)
        for raw in raws:
            head, _, kind = raw.rule.partition(".")
            if head not in (REQUEST, RESPONSE):
                kind = raw.rule
            elif kind.startswith(("type.", "constraint.")):
                kind = kind.partition(".")[0]  # one fact, named by its effect in each direction
            entry = self.entries.get((raw.location, kind))
            if entry is None:
                entry = self.entries[(raw.location, kind)] = Entry(raw.rule, raw.message)
            elif RULES[raw.rule][0] == BREAKING and RULES[entry.rule][0] != BREAKING:
                entry.rule, entry.message = raw.rule, raw.message
            if head in (REQUEST, RESPONSE) and raw.location.startswith("/components/"):
                entry.directions.add(head)
            for op in op_list:
                entry.ops.setdefault(op.label, op.python)

    def run(self) -> list[Change]:
        """The changes, each once."""
        old_ops, new_ops = operations(self.old, self.surfaces[0]), operations(self.new, self.surfaces[1])
        pairs = [(old_ops[k], new_ops[k]) for k in new_ops if k in old_ops]
        gone = [op for k, op in old_ops.items() if k not in new_ops]
        born = [op for k, op in new_ops.items() if k not in old_ops]
        by_id = {op.operation_id: op for op in born if op.operation_id}
        for old_op in list(gone):
            new_op = by_id.pop(old_op.operation_id, None) if old_op.operation_id else None
            if new_op is None:
                continue
            gone.remove(old_op)
            born.remove(new_op)
            if old_op.shape == new_op.shape:
                message = f"HTTP method changed from {old_op.method} to {new_op.method}"
                self.add([Raw("operation.method-changed", new_op.pointer, message)], [new_op])
            else:
                message = f"operation moved from `{old_op.label}` to `{new_op.label}`"
                self.add([Raw("operation.path-changed", new_op.pointer, message)], [new_op])
            self.operation(old_op, new_op)
        new_shapes = {op.shape for op in new_ops.values()}
        for op in gone:
            if op.shape in new_shapes:
                self.add([Raw("operation.removed", op.pointer, "operation removed" + self.gone_commands(op))], [op])
            else:
                message = f"path `{op.path}` removed" + self.gone_commands(op)
                self.add([Raw("path.removed", op.path_pointer, message)], [op])
        for op in born:
            self.add([Raw("operation.added", op.pointer, "new operation")], [op])
        for old_op, new_op in pairs:
            self.operation(old_op, new_op)
        self.resources(pairs, old_ops, new_ops)
        self.models(old_ops, new_ops)
        return self.changes()

    def operation(self, old: Operation, new: Operation) -> None:
        """Diff one operation present in both documents."""
        raws: list[Raw] = []
        pairs: list[Pair] = []
        if new.node.get("deprecated") is True and old.node.get("deprecated") is not True:
            raws.append(Raw("operation.deprecated", child(new.pointer, "deprecated"), "operation deprecated"))
        field_key = "x-python-result-field"
        if old.node.get(field_key) != new.node.get(field_key):
            pointer = child(new.pointer if field_key in new.node else old.pointer, field_key)
            before, after = (str(n.get(field_key) or "(whole response)") for n in (old.node, new.node))
            raws.append(
                Raw("operation.result-field-changed", pointer, f"Python result changed from `{before}` to `{after}`")
            )
        raws.extend(self.wait(old, new))
        old_security, new_security = security(self.old, old), security(self.new, new)
        if old_security != new_security:
            pointer = child(new.pointer, "security") if "security" in new.node else "/security"
            accepted = all(a in new_security or frozenset() in new_security for a in old_security)
            message = f"security changed from {show_security(old_security)} to {show_security(new_security)}"
            raws.append(
                Raw("request.security.loosened" if accepted else "request.security.tightened", pointer, message)
            )
        self.parameters(old, new, raws, pairs)
        self.request_body(old, new, raws, pairs)
        self.responses(old, new, raws, pairs)
        closure, reached = self.schemas.closure(pairs)
        self.reached |= reached
        self.add(raws + closure, [new])

    def wait(self, old: Operation, new: Operation) -> list[Raw]:
        """Diff ``x-python-wait``: the generated ``wait()`` method polling this operation."""
        key = "x-python-wait"
        before, after = as_dict(old.node.get(key)), as_dict(new.node.get(key))
        if before == after:
            return []
        call = resource(new.tag, self.modules) + ".wait"
        if not after:
            return [Raw("operation.wait-removed", child(old.pointer, key), f"Python method `{call}` removed ({key})")]
        if not before:
            return [Raw("operation.wait-added", child(new.pointer, key), f"new Python method `{call}` ({key})")]
        raws = []
        for rule, fields in (("operation.wait-changed", WAIT_SEMANTICS), ("operation.wait-tuned", WAIT_DEFAULTS)):
            changed = [
                f"{f} `{show(before.get(f))}` -> `{show(after.get(f))}`"
                for f in fields
                if before.get(f) != after.get(f)
            ]
            if changed:
                raws.append(Raw(rule, child(new.pointer, key), f"`{call}` changed: {', '.join(changed)}"))
        return raws

    def parameters(self, old: Operation, new: Operation, raws: list[Raw], pairs: list[Pair]) -> None:
        """Diff the parameters of one operation."""
        by_position = old.shape == new.shape
        old_params = parameters(self.old, old, by_position)
        new_params = parameters(self.new, new, by_position)
        matched = [(old_params.pop(k), new_params.pop(k)) for k in list(old_params) if k in new_params]
        for ok, op in list(old_params.items()):  # moved between query, header, ...
            same = [nk for nk, np in new_params.items() if np.name == op.name]
            if len(same) == 1:
                matched.append((old_params.pop(ok), new_params.pop(same[0])))
        for ok, op in list(old_params.items()):  # renamed on the wire
            print_ = fingerprint(op.schema()[0], self.renames)
            same = [
                nk
                for nk, np in new_params.items()
                if np.location == op.location and (np.python == op.python or fingerprint(np.schema()[0], {}) == print_)
            ]
            rivals = [
                k
                for k, p in old_params.items()
                if p.location == op.location and fingerprint(p.schema()[0], self.renames) == print_
            ]
            if len(same) == 1 and (new_params[same[0]].python == op.python or len(rivals) == 1):
                matched.append((old_params.pop(ok), new_params.pop(same[0])))
        for before, after in matched:
            self.parameter(before, after, raws, pairs)
        for param in old_params.values():
            raws.append(Raw("request.parameter.removed", param.site, f"{param.describe()} removed"))
        for param in new_params.values():
            if param.required:
                raws.append(Raw("request.parameter.required-added", param.site, f"new required {param.describe()}"))
            else:
                raws.append(Raw("request.parameter.added", param.site, f"new optional {param.describe()}"))

    def parameter(self, old: Parameter, new: Parameter, raws: list[Raw], pairs: list[Pair]) -> None:
        """Diff one parameter present in both operations."""
        if old.location != new.location:
            message = f"parameter `{new.name}` moved from {old.location} to {new.location}"
            raws.append(Raw("request.parameter.location-changed", child(new.pointer, "in"), message))
        if old.name != new.name:
            if new.location == "path":
                how = "the Python argument is renamed; the wire is unchanged"
            elif old.python != new.python:
                how = f"Python argument `{old.python}` -> `{new.python}`"
            else:
                how = f"Python argument `{new.python}` unchanged"
            message = f"{new.location} parameter renamed from `{old.name}` to `{new.name}` ({how})"
            raws.append(Raw("request.parameter.renamed", child(new.pointer, "name"), message))
        elif old.python != new.python:
            pointer = child(new.pointer, "x-python-name") if "x-python-name" in new.node else new.pointer
            message = (
                f"Python argument of {new.describe()} renamed from `{old.python}` to `{new.python}`"
                " (wire name unchanged)"
            )
            raws.append(Raw("request.parameter.python-renamed", pointer, message))
        if new.required and not old.required:
            pointer = child(new.pointer, "required") if "required" in new.node else new.pointer
            raws.append(Raw("request.parameter.became-required", pointer, f"{new.describe()} became required"))
        elif old.required and not new.required:
            raws.append(Raw("request.parameter.became-optional", new.pointer, f"{new.describe()} became optional"))
        if old.location == new.location and old.serialization != new.serialization:
            message = f"serialization of {new.describe()} changed from {old.serialization} to {new.serialization}"
            raws.append(Raw("request.parameter.serialization-changed", new.pointer, message))
        old_schema, old_pointer = old.schema()
        new_schema, new_pointer = new.schema()
        where = Where(new.describe(), f"{new.location} parameter", new.name)
        found, reached = self.schemas.inline(REQUEST, old_schema, old_pointer, new_schema, new_pointer, where)
        raws.extend(found)
        pairs.extend(reached)

    def request_body(self, old: Operation, new: Operation, raws: list[Raw], pairs: list[Pair]) -> None:
        """Diff the request body of one operation."""
        old_site, new_site = child(old.pointer, "requestBody"), child(new.pointer, "requestBody")
        old_body, old_pointer = self.old.resolve(old.node.get("requestBody"), old_site)
        new_body, new_pointer = self.new.resolve(new.node.get("requestBody"), new_site)
        if old_body is None and new_body is None:
            return
        if old_body is None:
            if as_dict(new_body).get("required") is True:
                raws.append(Raw("request.body.required-added", new_site, "new required request body"))
            else:
                raws.append(Raw("request.body.added", new_site, "new optional request body"))
            return
        if new_body is None:
            raws.append(Raw("request.body.removed", old_site, "request body removed"))
            return
        old_body, new_body = as_dict(old_body), as_dict(new_body)
        was, now = old_body.get("required") is True, new_body.get("required") is True
        if now and not was:
            raws.append(
                Raw("request.body.became-required", child(new_pointer, "required"), "request body became required")
            )
        elif was and not now:
            raws.append(Raw("request.body.became-optional", new_pointer, "request body became optional"))
        old_content, new_content = as_dict(old_body.get("content")), as_dict(new_body.get("content"))
        for media in old_content:
            if media not in new_content:
                pointer = child(old_pointer, "content", media)
                raws.append(Raw("request.body.media-type-removed", pointer, f"request media type `{media}` removed"))
        for media in new_content:
            if media not in old_content:
                pointer = child(new_pointer, "content", media)
                raws.append(Raw("request.body.media-type-added", pointer, f"request media type `{media}` added"))
                continue
            old_schema = as_dict(old_content[media]).get("schema", {})
            new_schema = as_dict(new_content[media]).get("schema", {})
            found, reached = self.schemas.inline(
                REQUEST,
                old_schema,
                child(old_pointer, "content", media, "schema"),
                new_schema,
                child(new_pointer, "content", media, "schema"),
                Where("request body", "request property", ""),
            )
            raws.extend(found)
            pairs.extend(reached)

    def responses(self, old: Operation, new: Operation, raws: list[Raw], pairs: list[Pair]) -> None:
        """Diff the success responses of one operation."""
        old_responses, new_responses = success_responses(self.old, old), success_responses(self.new, new)
        removed = [s for s in old_responses if s not in new_responses]
        added = [s for s in new_responses if s not in old_responses]
        matched = [(s, s) for s in new_responses if s in old_responses]
        if len(removed) == 1 and len(added) == 1:
            message = f"success status changed from {removed[0]} to {added[0]}"
            raws.append(Raw("response.status.changed", new_responses[added[0]][1], message))
            matched.append((removed[0], added[0]))
        else:
            for status in removed:
                raws.append(
                    Raw("response.status.removed", old_responses[status][1], f"success status {status} removed")
                )
            for status in added:
                raws.append(Raw("response.status.added", new_responses[status][1], f"success status {status} added"))
        for old_status, new_status in matched:
            (old_node, old_pointer), (new_node, new_pointer) = old_responses[old_status], new_responses[new_status]
            self.response(new_status, old_node, old_pointer, new_node, new_pointer, raws, pairs)

    def response(
        self,
        status: str,
        old: dict[str, Any],
        old_pointer: str,
        new: dict[str, Any],
        new_pointer: str,
        raws: list[Raw],
        pairs: list[Pair],
    ) -> None:
        """Diff one success response."""
        old_content, new_content = as_dict(old.get("content")), as_dict(new.get("content"))
        old_shape = response_shape(self.old, old_content, old_pointer)
        new_shape = response_shape(self.new, new_content, new_pointer)
        if old_shape != new_shape:
            if new_shape == "none":
                raws.append(
                    Raw(
                        "response.body.removed",
                        child(old_pointer, "content"),
                        f"response {status} no longer has a body",
                    )
                )
            elif old_shape == "none":
                raws.append(
                    Raw("response.body.added", child(new_pointer, "content"), f"response {status} now has a body")
                )
            else:
                media = primary_media(new_content)
                message = f"response {status} changed shape from {old_shape} to {new_shape}"
                raws.append(Raw("response.shape.changed", child(new_pointer, "content", media, "schema"), message))
            return
        for media in old_content:
            if media not in new_content:
                pointer = child(old_pointer, "content", media)
                raws.append(Raw("response.media-type.removed", pointer, f"response media type `{media}` removed"))
        for media in new_content:
            if media not in old_content:
                pointer = child(new_pointer, "content", media)
                raws.append(Raw("response.media-type.added", pointer, f"response media type `{media}` added"))
                continue
            found, reached = self.schemas.inline(
                RESPONSE,
                as_dict(old_content[media]).get("schema", {}),
                child(old_pointer, "content", media, "schema"),
                as_dict(new_content[media]).get("schema", {}),
                child(new_pointer, "content", media, "schema"),
                Where("response body", "response property", ""),
            )
            raws.extend(found)
            pairs.extend(reached)

    def commands(self, side: int, op: Operation) -> tuple[str, ...]:
        """The ``avala`` commands of an operation on one side (none when that side's surface is not the
        generator's)."""
        return tuple(self.surfaces[side].commands.get((op.method, op.path), ()))

    def gone_commands(self, op: Operation) -> str:
        """What a removed operation takes from the command line, for its message."""
        commands = self.commands(0, op)
        return f"; command `avala {commands[0]}` removed" if commands else ""

    def renamed_command(self, old: Operation, new: Operation) -> str:
        """What a renamed operation does to its command, for its message."""
        before, after = self.commands(0, old), self.commands(1, new)
        if not before or not after or before[0] == after[0]:
            return ""
        kept = " (the old command still works)" if before[0] in after else ""
        return f"; command `avala {before[0]}` renamed to `avala {after[0]}`{kept}"

    def resources(
        self,
        pairs: list[tuple[Operation, Operation]],
        old_ops: Mapping[tuple[str, str], Operation],
        new_ops: Mapping[tuple[str, str], Operation],
    ) -> None:
        """Report renamed Python methods and resources."""
        old_tags = {op.tag for op in old_ops.values()}
        new_tags = {op.tag for op in new_ops.values()}
        moves: dict[tuple[str, str], list[Operation]] = {}
        for old, new in pairs:
            if old.tag != new.tag:
                moves.setdefault((old.tag, new.tag), []).append(new)
            if old.method_name != new.method_name and old.python and new.python:
                message = (
                    f"Python method renamed from `{old.python}` to `{new.python}`"
                    f" (operationId `{old.operation_id}` -> `{new.operation_id}`)"
                )
                rule = "operation.renamed"
                if old.python in self.surfaces[1].aliases.get((new.method, new.path), ()):
                    rule = "operation.renamed-with-alias"
                    message += f"; `{old.python}` still works, deprecated (x-python-renamed-from)"
                message += self.renamed_command(old, new)
                self.add([Raw(rule, child(new.pointer, "operationId"), message)], [new])
        declared = [str(as_dict(t).get("name")) for t in as_list(self.new.data.get("tags"))]
        for (old_tag, new_tag), ops in moves.items():
            before, after = resource(old_tag, self.modules), resource(new_tag, self.modules)
            if old_tag not in new_tags and new_tag not in old_tags:
                pointer = (
                    child("/tags", declared.index(new_tag)) if new_tag in declared else child(ops[0].pointer, "tags", 0)
                )
                message = f"resource `{before}` renamed to `{after}` (tag `{old_tag}` -> `{new_tag}`)"
                self.add([Raw("tag.renamed", pointer, message)], ops)
                continue
            for op in ops:
                message = f"operation moved from `{before}` to `{after}` (tag `{old_tag}` -> `{new_tag}`)"
                self.add([Raw("operation.tag-changed", child(op.pointer, "tags", 0), message)], [op])

    def models(
        self, old_ops: Mapping[tuple[str, str], Operation], new_ops: Mapping[tuple[str, str], Operation]
    ) -> None:
        """Report removed, added and renamed models, and changes of models no operation reaches."""
        renamed_to = set(self.renames.values())
        old_usage: dict[str, list[Operation]] = {}
        new_usage: dict[str, list[Operation]] = {}
        if set(self.old.schemas) != set(self.new.schemas):  # only then is it worth knowing who uses what
            old_usage = self.usage(self.old, old_ops.values())
            new_usage = self.usage(self.new, new_ops.values())
        # Only schemas the generator makes a class of are Python surface (not request bodies, not page wrappers).
        old_classes, new_classes = self.surfaces[0].classes, self.surfaces[1].classes
        for name in self.old.schemas:
            target = self.renames.get(name)
            before = old_classes.get(name)
            after = new_classes.get(target) if target else None
            if before and after:
                message = f"model `{before}` renamed to `{after}` (the Python class is renamed)"
                rule = "model.renamed"
                if self.surfaces[1].class_aliases.get(before) == after:
                    rule = "model.renamed-with-alias"
                    message += f"; `{before}` still works, deprecated (x-python-renamed-from)"
                self.add([Raw(rule, SCHEMA_PREFIX + escape(target or name), message)], new_usage.get(target or "", []))
            elif before and name not in self.new.schemas:
                self.add(
                    [Raw("model.removed", SCHEMA_PREFIX + escape(name), f"model `{before}` removed")],
                    old_usage.get(name, []),
                )
        for name in self.new.schemas:
            after = new_classes.get(name)
            if after and name not in self.old.schemas and (name not in renamed_to or not self.class_before(name)):
                self.add(
                    [Raw("model.added", SCHEMA_PREFIX + escape(name), f"new model `{after}`")], new_usage.get(name, [])
                )
        unreached: list[Pair] = []
        for name in self.old.schemas:
            target = self.renames.get(name, name)
            if target not in self.new.schemas:
                continue
            old_pointer, new_pointer = SCHEMA_PREFIX + escape(name), SCHEMA_PREFIX + escape(target)
            if any((d, old_pointer, new_pointer) in self.reached for d in (REQUEST, RESPONSE)):
                continue
            direction = REQUEST if target.endswith(("Request", "Params")) else RESPONSE
            unreached.append((direction, old_pointer, new_pointer))
        raws, _ = self.schemas.closure(unreached)
        self.add(raws)

    def class_before(self, new_name: str) -> str | None:
        """The old class of the schema renamed to ``new_name``, if it was a class."""
        olds = [old for old, new in self.renames.items() if new == new_name]
        return self.surfaces[0].classes.get(olds[0]) if olds else None

    @staticmethod
    def usage(doc: Document, ops: Iterable[Operation]) -> dict[str, list[Operation]]:
        """The operations that reach each component schema."""
        memo: dict[str, frozenset[str]] = {}
        found: dict[str, list[Operation]] = {}
        for op in ops:
            for name in sorted(doc.reachable_schemas([op.node, op.path_item.get("parameters")], memo)):
                found.setdefault(name, []).append(op)
        return found

    def changes(self) -> list[Change]:
        """The collected changes, sorted by location."""
        out: list[Change] = []
        for (location, _), entry in self.entries.items():
            message = entry.message
            if len(entry.directions) > 1:
                message += " (the schema is used in requests and responses)"
            ops = tuple(entry.ops.items())
            operation, python = ops[0] if len(ops) == 1 else ("", "")
            out.append(Change(RULES[entry.rule][0], entry.rule, operation, python, location, message, ops))
        groups = ("/paths/", "/components/schemas/", "/components/")
        return sorted(
            out,
            key=lambda c: (next((i for i, g in enumerate(groups) if c.location.startswith(g)), 9), c.location, c.rule),
        )


def diff_specs(
    old: Mapping[str, Any], new: Mapping[str, Any], surfaces: tuple[Surface, Surface] | None = None
) -> list[Change]:
    """Every semantic change from ``old`` to ``new`` (two loaded OpenAPI documents), each reported once.

    ``surfaces`` are their Python surfaces (:func:`codegen.specdiff.surface.surface`, from the generator); without
    them the Python names are derived from the specs' conventions (:func:`~codegen.specdiff.surface.from_spec`).
    """
    return Differ(old, new, surfaces).run()
