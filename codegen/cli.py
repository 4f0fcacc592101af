"""The command table of the ``avala`` command line, built from the same view model as the SDK.

Every operation becomes ``avala <group> <command>``: the tag is the group (``fleet.devices`` -> ``fleet devices``,
``_`` -> ``-``), the Python method name the command (``list_items`` -> ``list-items``). Path parameters are
arguments, query parameters and body properties are options with their types, an ``enum`` gives the choices, and
the spec's summaries and descriptions are the help. A ``get`` with ``x-python-wait`` adds a ``wait`` command; each
``x-python-derived`` method is a command too (its arguments after the path parameters). A JSON-array body
(``x-python-chunked``, the only kind of array body the spec allows) is read from ``--input FILE`` (a JSON array or
JSON lines), each item checked against the item schema (:class:`CliInput`) before anything is sent, and sent in
chunks of ``--chunk-size``.

``PUBLISHED`` holds the names the published 0.10 CLI used where they differ (group, command and option aliases), so
that scripts written for it keep running. It names the CLI only, never the API: an alias whose operation or
parameter has left the spec is a :class:`~codegen.parse.SpecError`, so it cannot rot silently.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .api import Api, Derived, Operation, Param, union_members
from .parse import SpecError

# Options the runner adds to commands; a spec parameter with the same flag is renamed --<location>-<name>.
RESERVED_FLAGS = frozenset({"--output", "--fields", "--all", "--yes", "--help", "--interval", "--timeout", "--quiet"})

# The published CLI's names, where they differ from the generated ones.
PUBLISHED: dict[str, Any] = {
    # generated group -> its published names
    "groups": {"auto-label-jobs": ["auto-label"]},
    # operation -> extra command paths (a path in another group is allowed: `webhooks deliveries`)
    "commands": {
        "agents.list_executions": ["agents executions"],
        "consensus.get_summary": ["consensus summary"],
        "datasets.get_health": ["datasets health"],
        "consensus.list_scores": ["consensus scores"],
        "webhook_deliveries.list": ["webhooks deliveries"],
    },
    # operation -> {parameter: extra option flags}; a path parameter given an option may be passed either way
    # (a flag ending in "@" takes a file to read the JSON value from, or, when the file is an object holding that
    # parameter, several body fields at once as the published --condition-file; "--on/--off" a boolean pair)
    "options": {
        "annotations.bulk_edit": {"owner": ["--owner"], "slug": ["--slug"]},
        "auto_label_jobs.create": {"project_uid": ["--project"]},
        "datasets.create": {"owner_name": ["--owner"]},
        "fleet.alerts.resolve": {"resolution_note": ["--note"]},
        "fleet.events.list": {"device_id": ["--device"], "recording_id": ["--recording"]},
        "fleet.recordings.list": {"device_id": ["--device"]},
        "fleet.rules.create": {"condition": ["--condition-file@"], "enabled": ["--enabled/--disabled"]},
        "fleet.rules.update": {"enabled": ["--enabled/--disabled"]},
        "storage_configs.create": {
            "gc_storage_bucket_name": ["--gc-bucket-name"],
            "gc_storage_prefix": ["--gc-prefix"],
            "gc_storage_auth_json_content": ["--gc-auth-json"],
        },
        "consensus.get_summary": {"project_uid": ["--project"]},
        "consensus.list_scores": {"project_uid": ["--project"]},
        "consensus.compute": {"project_uid": ["--project"]},
        "consensus.get_config": {"project_uid": ["--project"]},
        "consensus.update_config": {"project_uid": ["--project"]},
        "quality_targets.list": {"project_uid": ["--project"]},
        "quality_targets.create": {"project_uid": ["--project"]},
        "quality_targets.evaluate": {"project_uid": ["--project"]},
        "quality_targets.get": {"project_uid": ["--project"]},
        "quality_targets.update": {"project_uid": ["--project"]},
        "quality_targets.delete": {"project_uid": ["--project"]},
    },
    # published command -> (operation without settings, operation with settings): GET or PUT by the options given
    "dispatch": {"consensus config": ["consensus.get_config", "consensus.update_config"]},
    # operation -> {parameter: value sent when its option is not given}: what the published command always sent
    "defaults": {"fleet.rules.create": {"actions": []}},
    # chunked operation -> module of avala.cli with the published CLI's own checks of its --input items (the rules
    # of the service it mirrors, and the --check-only pre-flight)
    "input_checks": {"annotations.bulk_edit": "_bulk_edit"},
    # operation -> (option that chooses, {its value: prefix of the parameters it uses}): a credential option whose
    # prefix belongs to another value is not sent, with a warning (the published CLI drops credentials a storage
    # configuration does not use, such as AVALA_S3_* variables left exported while a GCS configuration is created)
    "credentials_of": {
        "storage_configs.create": [
            "provider",
            {"aws_s3": "s3_", "s3": "s3_", "gc_storage": "gc_", "google_cloud": "gc_"},
        ]
    },
}

_CLIENT_SUFFIX = re.compile(r"\s*\(`[^`]*`[^)]*\)")


def flag(name: str) -> str:
    """``data_type`` -> ``--data-type``."""
    return "--" + name.replace("_", "-")


def one_line(value: Any) -> str:
    """Text on one line, whitespace collapsed."""
    return " ".join(str(value or "").split())


@dataclass
class CliParam:
    """One argument or option of a generated command."""

    name: str  # the SDK keyword (or positional) argument
    location: str  # path, query, body
    kind: str  # str, int, float, bool, list, json
    required: bool
    choices: tuple[str, ...]
    help: str
    flags: tuple[str, ...]  # options; for a path parameter, the extra option names (empty: argument only)
    secret: bool = False


@dataclass
class CliInput:
    """The items of a JSON-array body, read from ``--input FILE``: what the runner checks each one against."""

    name: str  # the SDK argument the items fill (``edits``)
    required: tuple[str, ...]  # properties every item must have
    exactly_one: tuple[str, ...]  # properties of which an item has exactly one (a oneOf of required-only options)
    properties: dict[str, tuple[tuple[str, ...], tuple[str, ...]]]  # name -> (JSON types, closed choices); () any
    closed: bool  # additionalProperties: false (an unknown property is an error)
    checks: str | None = None  # module of avala.cli with further checks (codegen/cli.py PUBLISHED input_checks)


@dataclass
class CliCommand:
    """One command: the SDK call it makes and how its arguments are given."""

    callee: str  # client attribute path of the method (fleet.devices.list), or avala.<function>
    kind: str  # the result: page, array, single, raw, field, none; wait for a generated wait command
    summary: str
    description: str
    confirm: bool
    params: list[CliParam]
    wait: tuple[str, tuple[str, ...], str | None, float, float] | None = None
    input: CliInput | None = None
    defaults: dict[str, Any] = field(default_factory=dict)  # sent when the option is not given (PUBLISHED)
    credentials_of: tuple[str, dict[str, str]] | None = None  # chooser option, value -> prefix of its credentials


@dataclass
class CliGroup:
    """A group of commands (one tag, or the namespace of several)."""

    help: str
    aliases: tuple[str, ...] = ()
    commands: dict[str, CliCommand] = field(default_factory=dict)
    aliases_of: dict[str, str] = field(default_factory=dict)  # alias -> command of this group
    foreign: dict[str, tuple[str, str]] = field(default_factory=dict)  # name -> (group, command) elsewhere
    dispatch: dict[str, tuple[str, str]] = field(default_factory=dict)  # name -> (plain command, with settings)


class _Spec:
    """The raw document, for what the view model does not carry (enum values, secret formats)."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.by_id = {
            op.get("operationId"): op
            for item in document.get("paths", {}).values()
            for op in item.values()
            if isinstance(op, dict)
        }

    def resolve(self, node: Any) -> Any:
        for _ in range(32):
            if not (isinstance(node, dict) and "$ref" in node):
                return node
            target: Any = self.document
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            node = target
        raise SpecError("$ref cycle")

    def schema(self, op: Operation, param: Param) -> dict[str, Any]:
        """The raw schema of a parameter or body property."""
        raw = self.by_id[op.operation_id]
        if param.location == "body":
            body = self.resolve(raw.get("requestBody", {}))
            schema = self.resolve(body.get("content", {}).get("application/json", {}).get("schema", {}))
            return dict(self.resolve(schema.get("properties", {}).get(param.wire_name, {})))
        for p in map(self.resolve, raw.get("parameters", [])):
            if p.get("in") == param.location and p.get("name") == param.wire_name:
                return dict(self.resolve(p.get("schema", {})))
        return {}

    def choices(self, schema: dict[str, Any]) -> tuple[str, ...]:
        """The enum values of a schema (a nullable ``oneOf``/``anyOf`` included), as strings; none for an open enum
        (``anyOf: [{type: string, enum: [...]}, {type: string}]``), whose known values the help lists, as any other
        value passes."""
        values = schema.get("enum")
        if values is None:
            alternatives = [self.resolve(a) for a in schema.get("oneOf", []) + schema.get("anyOf", [])]
            if any("enum" not in a and a.get("type") not in (None, "null") for a in alternatives):
                return ()
            values = next((a["enum"] for a in alternatives if "enum" in a), None)
        return tuple(str(v) for v in values or () if v is not None)


def kind_of(annotation: str) -> str:
    """The CLI kind of a Python annotation."""
    # an open enum (Literal[...] | str) is its plain type
    base = " | ".join(m for m in union_members(annotation) if m != "None" and not m.startswith("Literal["))
    if base in ("str", "int", "float", "bool"):
        return base
    if base == "list[str]":
        return "list"
    return "json"


def build_cli(api: Api, document: dict[str, Any], strict: bool = True) -> dict[str, CliGroup]:
    """The command table: group path (``fleet devices``) -> group. Not ``strict`` (another revision of the spec, for
    the spec diff): a published name whose operation the document lacks is left out instead of being an error."""
    spec = _Spec(document)
    tags = {t["name"]: t for t in document.get("tags", [])}
    groups: dict[str, CliGroup] = {}
    by_operation: dict[str, tuple[str, str]] = {}
    for resource in api.resources:
        words = [part.replace("_", "-") for part in resource.path]
        for depth in range(1, len(words)):
            parent = " ".join(words[:depth])
            children = [
                " ".join(r.path[depth:]).replace("_", "-")
                for r in api.resources
                if r.path[:depth] == resource.path[:depth]
            ]
            description = tags.get(".".join(resource.path[:depth]), {}).get("description")
            groups.setdefault(
                parent,
                CliGroup(
                    _CLIENT_SUFFIX.sub("", one_line(description))
                    if description
                    else f"{parent.capitalize()}: {', '.join(children)}."
                ),
            )
        name = " ".join(words)
        group = groups.setdefault(name, CliGroup(_CLIENT_SUFFIX.sub("", one_line(resource.description))))
        for op in resource.operations:
            command = build_command(spec, op, resource.client_attribute)
            command_name = op.method_name.replace("_", "-")
            group.commands[command_name] = command
            by_operation[op.qualified_name] = (name, command_name)
            for old in op.renamed_from:  # x-python-renamed-from: the old command name keeps working too
                group.aliases_of.setdefault(old.replace("_", "-"), command_name)
            if op.wait is not None:
                group.commands["wait"] = build_wait(op, command)
            if resource.client_attribute:
                for derived in op.derived:
                    group.commands[derived.name.replace("_", "-")] = build_derived(op, derived, command)
    apply_published(groups, by_operation, strict)
    return groups


def command_paths(api: Api, groups: dict[str, CliGroup]) -> dict[tuple[str, str], tuple[str, ...]]:
    """Operation (HTTP method, path) -> the commands that call it (``fleet devices list``), its own name first, then
    its other names (the published CLI's, the old names of a rename); for the spec diff's report."""
    found: dict[str, list[str]] = {}
    for group_name, group in groups.items():
        for name, command in group.commands.items():
            if command.kind != "wait":
                found.setdefault(command.callee, []).append(f"{group_name} {name}")
        for alias, command_name in group.aliases_of.items():
            found.setdefault(group.commands[command_name].callee, []).append(f"{group_name} {alias}")
        for alias, (other, command_name) in group.foreign.items():
            found.setdefault(groups[other].commands[command_name].callee, []).append(f"{group_name} {alias}")
        for alias in group.aliases:
            parent, _, _ = group_name.rpartition(" ")
            other = f"{parent} {alias}".strip()
            for name, command in group.commands.items():
                if command.kind != "wait":
                    found.setdefault(command.callee, []).append(f"{other} {name}")
    paths: dict[tuple[str, str], tuple[str, ...]] = {}
    for op in api.operations:
        callee = op.qualified_name if op.callee.startswith("client.") else op.callee
        paths[(op.http_method, op.path)] = tuple(found.get(callee, ()))
    return paths


def build_command(spec: _Spec, op: Operation, client_attribute: bool) -> CliCommand:
    """The command of one operation."""
    params = []
    items = None
    if op.chunked is not None:
        items = build_input(spec, op)
        params.append(
            CliParam(
                op.chunked.argument,
                "input",
                "items",
                True,
                (),
                f"File of the {op.chunked.argument}: a JSON array, or one JSON object per line (`.jsonl`); "
                "`-` reads stdin.",
                ("--input",),
            )
        )
        params.append(
            CliParam(
                "chunk_size",
                "call",
                "int",
                False,
                (),
                f"{op.chunked.argument.capitalize()} per request (default {op.chunked.size}).",
                ("--chunk-size",),
            )
        )
    for p in op.path_params + op.argument_params:  # x-python-positional ones are options too, passed by name
        schema = spec.schema(op, p)
        flags: tuple[str, ...] = ()
        if p.location != "path":
            flags = (flag(p.name),)
            if flags[0] in RESERVED_FLAGS:
                flags = (flag(f"{p.location}_{p.name}"),)
        params.append(
            CliParam(
                name=p.name,
                location=p.location,
                kind=kind_of(p.annotation),
                required=p.required,
                choices=spec.choices(schema if "items" not in schema else spec.resolve(schema["items"])),
                help=one_line(p.description),
                flags=flags,
                secret=schema.get("format") == "password",
            )
        )
    return CliCommand(
        callee=op.qualified_name if client_attribute else f"avala.{op.callee.removeprefix('avala.')}",
        kind=op.result_kind,
        summary=one_line(op.summary) or op.qualified_name,
        description=one_line(op.description),
        confirm=op.http_method == "DELETE" or op.method_name.startswith("cancel"),
        params=[*(p for p in params if p.location == "path"), *(p for p in params if p.location != "path")],
        input=items,
    )


def json_types(spec: _Spec, schema: dict[str, Any]) -> tuple[str, ...]:
    """The JSON types a schema allows (``anyOf``/``oneOf`` alternatives merged); empty: any value."""
    alternatives = [spec.resolve(a) for a in schema.get("anyOf", []) + schema.get("oneOf", [])]
    if alternatives:
        found = [json_types(spec, a) for a in alternatives]
        return () if any(not f for f in found) else tuple(dict.fromkeys(t for f in found for t in f))
    kind = schema.get("type")
    if kind is None:
        return ("object",) if "properties" in schema else ()
    return tuple(kind) if isinstance(kind, list) else (str(kind),)


def build_input(spec: _Spec, op: Operation) -> CliInput:
    """The item schema of a chunked body, as the runner checks it."""
    assert op.chunked is not None
    raw = spec.by_id[op.operation_id]
    body = spec.resolve(spec.resolve(raw.get("requestBody", {})).get("content", {}).get("application/json", {}))
    item = spec.resolve(spec.resolve(body.get("schema", {})).get("items", {}))
    properties = {
        name: (json_types(spec, spec.resolve(value)), spec.choices(spec.resolve(value)))
        for name, value in item.get("properties", {}).items()
    }
    alternatives = [o.get("required", []) for o in item.get("oneOf", []) if set(o) == {"required"}]
    return CliInput(
        name=op.chunked.argument,
        required=tuple(item.get("required", [])),
        exactly_one=tuple(name for option in alternatives if len(option) == 1 for name in option),
        properties=properties,
        closed=item.get("additionalProperties") is False,
    )


def build_derived(op: Operation, derived: Derived, base: CliCommand) -> CliCommand:
    """The command of an ``x-python-derived`` method: the operation's path parameters, then its own arguments."""
    params = [p for p in base.params if p.location == "path"]
    for a in derived.arguments:
        params.append(CliParam(a.name, "path", kind_of(a.annotation), True, (), one_line(a.description), ()))
    return CliCommand(
        callee=f"{op.qualified_name.rpartition('.')[0]}.{derived.name}",
        kind="single" if derived.returns.models else "field",
        summary=one_line(derived.summary) or derived.name,
        description=one_line(derived.description),
        confirm=False,
        params=params,
    )


def build_wait(op: Operation, get: CliCommand) -> CliCommand:
    """The ``wait`` command polling a ``get`` operation."""
    assert op.wait is not None
    until = ", ".join(op.wait.until)
    target = op.wait.target
    params = list(get.params)
    if target:
        params.append(CliParam(target, "wait", "str", False, (), f"The {op.wait.field} to wait for.", (flag(target),)))
    return CliCommand(
        callee=get.callee,
        kind="wait",
        summary=f"Wait until the {op.wait.field} is {until if not target else f'{op.wait.until[0]} (or --{target})'}.",
        description=f"Poll `{get.callee}` every --interval seconds, showing the {op.wait.field} as it changes, "
        f"until it is {until if not target else 'the one asked for'}; print the final object. Exit 1 at --timeout.",
        confirm=False,
        params=params,
        wait=(op.wait.field, op.wait.until, target, op.wait.interval, op.wait.timeout),
    )


def apply_published(groups: dict[str, CliGroup], by_operation: dict[str, tuple[str, str]], strict: bool = True) -> None:
    """Add the published CLI's names (not ``strict``: an entry the spec cannot take is left out, not an error)."""

    def locate(operation: str) -> tuple[str, str]:
        if operation not in by_operation:
            raise SpecError(f"codegen/cli.py PUBLISHED names {operation!r}, which is not an operation of the spec")
        return by_operation[operation]

    def group_aliases(name: str, aliases: list[str]) -> None:
        if name not in groups:
            raise SpecError(f"codegen/cli.py PUBLISHED names group {name!r}, which the spec does not have")
        groups[name].aliases = tuple(aliases)

    def commands(operation: str, paths: list[str]) -> None:
        group_name, command = locate(operation)
        for path in paths:
            target_group, _, alias = path.rpartition(" ")
            if target_group == group_name:
                groups[group_name].aliases_of[alias] = command
            elif target_group not in groups:
                raise SpecError(f"codegen/cli.py PUBLISHED: no group {target_group!r} for {path!r}")
            else:
                groups[target_group].foreign[alias] = (group_name, command)

    def options(operation: str, extra_flags: dict[str, list[str]]) -> None:
        group_name, command = locate(operation)
        params = {p.name: p for p in groups[group_name].commands[command].params}
        for name, extra in extra_flags.items():
            if name not in params:
                raise SpecError(f"codegen/cli.py PUBLISHED: {operation} has no parameter {name!r}")
            params[name].flags = params[name].flags + tuple(extra)

    def defaults(operation: str, values: dict[str, Any]) -> None:
        group_name, command = locate(operation)
        record = groups[group_name].commands[command]
        unknown = set(values) - {p.name for p in record.params}
        if unknown:
            raise SpecError(f"codegen/cli.py PUBLISHED defaults: {operation} has no parameter {sorted(unknown)}")
        record.defaults = dict(values)

    def credentials_of(operation: str, rule: list[Any]) -> None:
        group_name, command = locate(operation)
        record = groups[group_name].commands[command]
        chooser, prefixes = rule
        names = {p.name for p in record.params}
        secrets = [p.name for p in record.params if p.secret]
        if chooser not in names or not all(any(n.startswith(x) for x in prefixes.values()) for n in secrets):
            raise SpecError(
                f"codegen/cli.py PUBLISHED credentials_of: {operation} has no {chooser!r}, or a credential of no prefix"
            )
        record.credentials_of = (chooser, dict(prefixes))

    def input_checks(operation: str, module: str) -> None:
        group_name, command = locate(operation)
        items = groups[group_name].commands[command].input
        if items is None:
            raise SpecError(f"codegen/cli.py PUBLISHED input_checks: {operation} has no --input (x-python-chunked)")
        items.checks = module

    def dispatch(path: str, operations: list[str]) -> None:
        plain, settings = operations
        target_group, _, name = path.rpartition(" ")
        first, second = locate(plain), locate(settings)
        if first[0] != target_group or second[0] != target_group:
            raise SpecError(f"codegen/cli.py PUBLISHED dispatch {path!r}: both operations must be in its group")
        groups[target_group].dispatch[name] = (first[1], second[1])

    steps: dict[str, Callable[[str, Any], None]] = {
        "groups": group_aliases,
        "commands": commands,
        "options": options,
        "defaults": defaults,
        "input_checks": input_checks,
        "credentials_of": credentials_of,
        "dispatch": dispatch,
    }
    for section, step in steps.items():
        for key, value in PUBLISHED[section].items():
            try:
                step(key, value)
            except SpecError:
                if strict:
                    raise
