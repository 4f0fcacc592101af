"""The view model that the templates render: resources, operations and models.

It is built from the generator's parsed document (names, types, required flags, defaults, resolved ``$ref``s)
plus the raw document for the few ``x-`` extensions the project uses (listed at the top of ``openapi.yaml``):

- ``x-python-name`` on a query parameter: the Python argument name when it differs from the wire name;
- ``x-python-result-field`` on an operation: the method returns this field of the response object;
- ``x-python-client-attribute: false`` on a tag: its operations are not a client attribute (module functions);
- ``x-python-wait`` on a ``get`` operation: also generate ``wait()``, polling it until a status field holds one of
  the ``until`` values (``field``, ``until``, optional ``target`` argument name, ``interval``, ``timeout``);
- ``x-python-positional`` on an operation: required query or body arguments taken positionally after the path
  parameters, in that order (the published ``fleet.uploads.confirm_upload(recording_uid, session_uid, files)``);
- ``x-python-sent-with: <property>`` on a request-body property with a ``const``: not an argument; the constant is
  sent exactly when that other property is (``upload_protocol_version: 2`` with ``dataset_upload_uid``);
- ``x-python-mixin: {module, sync, async}`` on a tag: the resource classes also inherit these hand-written classes
  (methods that are more than one API call, such as ``datasets.upload_files``); their reference sections are read
  from the mixin's source, signatures and Google-style docstrings with an ``Example:`` (``codegen/mixins.py``);
- ``x-python-renamed-from`` on an operation (old method names) or a component schema (old class names): keep each
  old name for a release as a deprecated alias that warns with a ``DeprecationWarning`` naming the new one;
- ``x-python-derived`` on an operation: client-side methods built on it, each a list entry with ``name``,
  ``summary``, ``description``, ``arguments`` (``name``, ``schema``, ``description``, ``example``: positional after
  the operation's path parameters), ``returns`` (a schema, usually a ``$ref``) and either ``function`` (a function of
  ``avala._derived`` called with the operation's result and the arguments) or ``find`` (``{match, argument, value}``
  on a page operation: walk every page, return ``value`` of the first item whose ``match`` equals the argument, else
  None);
- ``x-python-chunked: {argument, size}`` on an operation whose request body is a JSON array: the method takes the
  items as the positional ``argument`` (any iterable, read lazily) and a keyword ``chunk_size`` (default ``size``),
  and returns an iterator of ``(chunk_index, result)``, one request per chunk (``avala._chunks``).

A request body schema with ``maxProperties: 0`` is sent as the empty object ``{}`` and takes no arguments. One whose
``oneOf`` alternatives each require one property (``oneOf: [{required: [a]}, {required: [b]}]``) makes the method
raise ``ValueError`` unless exactly one of those arguments is given, before anything is sent.

Project conventions checked here (a violation is a :class:`~codegen.parse.SpecError`): one tag per operation, the
tag is the client attribute path (``fleet.devices``), and the operationId is ``<tag with . -> _>_<method name>``
with a snake_case method name.
"""

from __future__ import annotations

import builtins
import keyword
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from openapi_python_client.parser.openapi import Endpoint, GeneratorData
from openapi_python_client.parser.properties import (
    AnyProperty,
    BooleanProperty,
    ConstProperty,
    DateProperty,
    DateTimeProperty,
    EnumProperty,
    FloatProperty,
    IntProperty,
    ListProperty,
    LiteralEnumProperty,
    ModelProperty,
    NoneProperty,
    StringProperty,
    UnionProperty,
    UuidProperty,
)

from .parse import SpecError, escape, required_alternatives

if TYPE_CHECKING:
    from .mixins import MixinMethod

HTTP_METHODS = ("get", "put", "post", "patch", "delete", "head", "options")
TYPING_NAMES = ("Any", "Literal", "datetime", "date")  # names an annotation may use that a module must import


def text(value: Any) -> str:
    """The plain text of a generator string (they wrap spec strings in ``UntrustedString``)."""
    if value is None:
        return ""
    getter = getattr(value, "get_untrusted_value", None)
    return str(getter() if getter else value)


def python_name(wire_name: str) -> str:
    """The Python identifier for a wire name: the name itself when it is a valid, non-keyword identifier."""
    if wire_name.isidentifier() and not keyword.iskeyword(wire_name):
        return wire_name
    candidate = re.sub(r"\W+", "_", wire_name).strip("_") or "value"
    if candidate[0].isdigit() or keyword.iskeyword(candidate):
        candidate += "_"
    return candidate


def is_method_name(name: str) -> bool:
    """Whether ``name`` is a snake_case Python method name (``list_items``; not ``listAll``, not a keyword)."""
    return re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)*", name) is not None and not keyword.iskeyword(name)


def is_class_name(name: str) -> bool:
    """Whether ``name`` is a PascalCase class name (``DatasetItem``)."""
    return re.fullmatch(r"[A-Z][A-Za-z0-9]*", name) is not None


def renamed_from(raw: dict[str, Any], where: str, valid: Callable[[str], bool]) -> tuple[str, ...]:
    """The old names of ``x-python-renamed-from`` (a name or a list of names), checked with ``valid``."""
    value = raw.get("x-python-renamed-from")
    if value is None:
        return ()
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list) or not names or not all(isinstance(n, str) and valid(n) for n in names):
        raise SpecError(f"{where}: x-python-renamed-from must be a name or a list of names ({value!r})")
    return tuple(dict.fromkeys(names))


def pascal(name: str) -> str:
    """``fleet.alert_channels`` -> ``FleetAlertChannels``."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[._\-\s]+", name) if part)


def snake(name: str) -> str:
    """``DatasetItem`` -> ``dataset_item``."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


@dataclass(frozen=True)
class PyType:
    """A Python type annotation and how to convert a decoded JSON value into it."""

    annotation: str
    convert: Callable[[str], str] | None = None  # value expression -> converting expression; None: used as is
    models: frozenset[str] = frozenset()
    nullable: bool = False
    typed_dicts: frozenset[str] = frozenset()

    def conversion(self, value: str) -> str:
        """The expression converting ``value`` (a simple name) into this type."""
        return self.convert(value) if self.convert else value


@dataclass
class Field:
    """A model field."""

    wire_name: str
    name: str
    type: PyType
    required: bool
    default: str | None  # Python code; None for a required field
    factory: str | None  # "list" / "dict" for a mutable default
    description: str
    secret: bool


@dataclass
class Model:
    """A response model (an attrs class) or a request item (a TypedDict)."""

    name: str
    module: str
    description: str
    example: Any
    fields: list[Field]
    typed_dict: bool = False
    schema: str = ""  # the component schema it is generated from
    renamed_from: tuple[str, ...] = ()  # deprecated alias names (x-python-renamed-from)

    @property
    def imports(self) -> list[str]:
        """The other models this one refers to, sorted."""
        names = {n for f in self.fields for n in f.type.models | f.type.typed_dicts}
        return sorted(names - {self.name})

    @property
    def uses(self) -> set[str]:
        """Names of typing helpers the rendered module needs."""
        annotations = " ".join(f.type.annotation for f in self.fields)
        found = {name for name in TYPING_NAMES if re.search(rf"\b{name}\b", annotations)}
        if any(f.type.convert for f in self.fields):
            found.add("convert")
        if any(f.secret for f in self.fields):
            found.add("secret")
        if any(not f.required for f in self.fields):
            found.add("NotRequired")
        return found


@dataclass
class Param:
    """One argument of a generated method: a path or query parameter or a body property."""

    wire_name: str
    name: str
    location: str  # "path", "query" or "body"
    type: PyType
    required: bool
    default: str | None  # Python code of the default when not required
    description: str
    example: Any = None
    has_example: bool = False
    sent_with: str | None = None  # x-python-sent-with: the property whose presence sends this constant
    const: Any = None

    @property
    def annotation(self) -> str:
        """The annotation in the method signature (``| None`` added for an optional argument defaulting to None)."""
        if self.required or self.default is not None or self.type.nullable:
            return self.type.annotation
        return f"{self.type.annotation} | None"

    @property
    def signature(self) -> str:
        """The parameter as written in the method signature."""
        if self.required:
            return f"{self.name}: {self.annotation}"
        return f"{self.name}: {self.annotation} = {self.default or 'None'}"


@dataclass(frozen=True)
class Wait:
    """A ``wait()`` method polling a ``get`` operation (from ``x-python-wait``)."""

    field: str  # the model field polled
    until: tuple[str, ...]  # values that end the wait
    target: str | None  # when set, the wait takes this argument (default until[0]) and waits for exactly it
    interval: float
    timeout: float
    target_annotation: str = "str"  # the target argument's type: the polled field's (its known values), less None


@dataclass(frozen=True)
class Chunked:
    """A JSON-array body sent in chunks (from ``x-python-chunked``)."""

    argument: str  # the positional argument holding the items
    size: int  # the default chunk size
    item: str  # the annotation of one item


@dataclass
class Derived:
    """A client-side method built on one operation (from ``x-python-derived``)."""

    name: str
    summary: str
    description: str
    arguments: list[Param]  # positional, after the operation's path parameters
    returns: PyType
    function: str | None  # a function of avala._derived: function(result, *arguments)
    find: dict[str, str] | None  # {match, argument, value}: the first item of any page with item.match == argument
    example_args: list[tuple[str | None, Any]] = field(default_factory=list)


@dataclass
class Operation:
    """One API operation, rendered as a method on a sync and an async resource class."""

    operation_id: str
    method_name: str
    qualified_name: str  # datasets.list_items
    http_method: str
    path: str  # with its parameters' names, /datasets/{uid}/ (the runtime Operation reads the names from it)
    summary: str
    description: str
    path_params: list[Param]
    query_params: list[Param]
    body_params: list[Param]
    body: str | None  # None: no body; "required": always a JSON object; "optional": no body when empty
    result_kind: str  # page, array, single, raw, none, field
    result_model: str | None
    result_field: str | None
    result_type: PyType
    auth: bool
    deprecated: bool
    example_args: list[tuple[str | None, Any]]
    wait: Wait | None = None
    exactly_one: list[str] = field(default_factory=list)  # arguments of which exactly one must be given
    derived: list[Derived] = field(default_factory=list)
    chunked: Chunked | None = None
    callee: str = ""  # what a user calls: client.datasets.list, or avala.signup for a module-function tag
    positional: list[str] = field(default_factory=list)  # x-python-positional: argument names, in order
    renamed_from: tuple[str, ...] = ()  # old method names kept as deprecated aliases (x-python-renamed-from)

    @property
    def argument_params(self) -> list[Param]:
        """Query parameters then body properties: every argument but the path parameters (a body field named like a
        path parameter is filled from it and is not an argument)."""
        path_names = {p.name for p in self.path_params}
        return self.query_params + [p for p in self.body_params if p.name not in path_names and p.sent_with is None]

    @property
    def positional_params(self) -> list[Param]:
        """Arguments taken positionally after the path parameters (``x-python-positional``), in their order."""
        by_name = {p.name: p for p in self.argument_params}
        return [by_name[name] for name in self.positional]

    @property
    def leading_params(self) -> list[Param]:
        """The positional arguments: path parameters, then the ``x-python-positional`` ones."""
        return self.path_params + self.positional_params

    @property
    def alias_callees(self) -> list[str]:
        """What users called before each rename (``client.datasets.list_all``)."""
        return [self.callee.removesuffix(self.method_name) + old for old in self.renamed_from]

    @property
    def keyword_params(self) -> list[Param]:
        """The keyword-only arguments: query parameters then body properties, less the positional ones."""
        return [p for p in self.argument_params if p.name not in self.positional]

    @property
    def body_from_path(self) -> list[Param]:
        """Body properties filled from the path parameter of the same name."""
        path_names = {p.name for p in self.path_params}
        return [p for p in self.body_params if p.name in path_names]

    @property
    def result_name(self) -> str | None:
        """The variable an example assigns the result to; None when the method returns nothing."""
        if self.result_kind == "none":
            return None
        if self.result_kind == "page":
            return "page"
        if self.result_kind == "field":
            return self.result_field
        models = sorted(self.result_type.models)
        if not models:
            return "result"
        name = snake(models[0]) + ("s" if self.result_kind == "array" else "")
        return name + "_" if name in dir(builtins) or keyword.iskeyword(name) else name

    def returns(self, is_async: bool) -> str:
        """The return annotation of the generated method."""
        if self.chunked:
            iterator = "AsyncIterator" if is_async else "Iterator"
            return f"{iterator}[tuple[int, {self.result_type.annotation}]]"
        return self.result_annotation(is_async)

    def raw_returns(self, is_async: bool) -> str:
        """The return annotation of the ``with_raw_response`` twin: a RawResponse of the result (one per chunk)."""
        if self.chunked:
            iterator = "AsyncIterator" if is_async else "Iterator"
            return f"{iterator}[tuple[int, RawResponse[{self.result_type.annotation}]]]"
        return f"RawResponse[{self.result_annotation(is_async)}]"

    def result_annotation(self, is_async: bool) -> str:
        """The annotation of the parsed result of one request."""
        if self.result_kind == "page":
            page = "AsyncCursorPage" if is_async else "CursorPage"
            return f"{page}[{self.result_model}]"
        return self.result_type.annotation


@dataclass
class Resource:
    """A group of operations under one tag: one module with a sync and an async class."""

    tag: str
    path: tuple[str, ...]  # attribute path on the client: ("fleet", "devices")
    class_name: str
    module: str
    description: str
    client_attribute: bool
    operations: list[Operation] = field(default_factory=list)
    mixin: dict[str, str] | None = None  # x-python-mixin: {module, sync, async}
    mixin_methods: list[MixinMethod] = field(default_factory=list)  # read from the mixin's source (codegen.mixins)

    @property
    def async_class_name(self) -> str:
        """The async twin's class name."""
        return f"Async{self.class_name}"

    @property
    def attribute(self) -> str:
        """The attribute name on its parent (the client or a namespace)."""
        return self.path[-1]

    @property
    def models(self) -> list[str]:
        """Models and typed dicts the module imports at run time."""
        names: set[str] = set()
        for op in self.operations:
            if op.result_model:
                names.add(op.result_model)
            names |= op.result_type.models
            for derived in op.derived:
                names |= derived.returns.models
            for param in op.argument_params:
                names |= param.type.typed_dicts
            if op.chunked:
                names.add(op.chunked.item)
        return sorted(names)

    @property
    def derived_functions(self) -> list[str]:
        """The ``avala._derived`` functions the module's derived methods call, sorted."""
        return sorted({d.function for op in self.operations for d in op.derived if d.function})

    @property
    def uses(self) -> set[str]:
        """Names of typing helpers and result parsers the module needs."""
        found: set[str] = set()
        for op in self.operations:
            params = op.path_params + op.argument_params
            annotations = " ".join(p.type.annotation for p in params) + " " + op.returns(False)
            found |= {name for name in TYPING_NAMES if re.search(rf"\b{name}\b", annotations)}
            found.add(op.result_kind)
            if op.chunked:
                found.add("chunked")
            if op.result_kind == "page":
                found.add("page")
            if "list[" in annotations:
                found.add("builtins")
        return found


@dataclass
class Namespace:
    """A client attribute that only groups resources (``client.fleet``)."""

    name: str
    class_name: str
    description: str
    resources: list[Resource]


@dataclass
class Api:
    """Everything the templates render."""

    title: str
    version: str
    description: str
    base_url: str
    resources: list[Resource]
    models: list[Model]
    namespaces: list[Namespace]

    @property
    def client_resources(self) -> list[Resource]:
        """Resources that are direct client attributes."""
        return [r for r in self.resources if r.client_attribute and len(r.path) == 1]

    @property
    def operations(self) -> list[Operation]:
        """All operations in document order."""
        return [op for r in self.resources for op in r.operations]


# --- types ---------------------------------------------------------------------------------------------------------


def is_free_form(prop: ModelProperty) -> bool:
    """An object schema with no declared properties is a plain ``dict[str, Any]`` in Python."""
    return not (prop.data.properties or {})


def py_type(prop: Any, depth: int = 0) -> PyType:
    """The Python type of a parsed property."""
    scalar = {
        StringProperty: "str",
        UuidProperty: "str",
        IntProperty: "int",
        FloatProperty: "float",
        BooleanProperty: "bool",
        AnyProperty: "Any",
        NoneProperty: "None",
    }
    for cls, annotation in scalar.items():
        if type(prop) is cls:
            return PyType(annotation, nullable=annotation in ("None", "Any"))
    if isinstance(prop, EnumProperty | LiteralEnumProperty):
        return open_literal(prop)
    if isinstance(prop, ConstProperty):
        return PyType(type(prop.value.raw_value).__name__)
    if isinstance(prop, DateTimeProperty):
        return PyType("datetime", lambda v: f"parse_datetime({v})")
    if isinstance(prop, DateProperty):
        return PyType("date", lambda v: f"parse_date({v})")
    if isinstance(prop, ModelProperty):
        if is_free_form(prop):
            return PyType("dict[str, Any]")
        name = prop.class_info.name
        return PyType(name, lambda v: f"{name}.from_dict({v})", models=frozenset({name}))
    if isinstance(prop, ListProperty):
        inner = py_type(prop.inner_property, depth + 1)
        item = f"x{depth}"
        convert = (lambda v: f"[{inner.conversion(item)} for {item} in {v}]") if inner.convert else None
        return PyType(f"list[{inner.annotation}]", convert, inner.models, typed_dicts=inner.typed_dicts)
    if isinstance(prop, UnionProperty):
        inners = [py_type(p, depth) for p in prop.inner_properties]
        non_null = [t for t in inners if t.annotation != "None"]
        nullable = len(non_null) < len(inners) or any(t.nullable for t in inners)
        converting = [t for t in non_null if t.convert]
        if len(converting) > 1 or (converting and len(non_null) > 1):
            raise SpecError(f"unsupported union of converted types for {text(prop.name)!r}")
        # an open enum's "| str" and a plain string alternative are one member
        annotation = " | ".join(dict.fromkeys(m for t in non_null for m in union_members(t.annotation))) or "None"
        if nullable and annotation not in ("Any", "None"):
            annotation += " | None"
        convert = None
        if converting:
            inner = converting[0]
            convert = (lambda v: f"None if {v} is None else {inner.conversion(v)}") if nullable else inner.convert
        models = frozenset().union(*(t.models for t in inners))
        return PyType(annotation, convert, models, nullable)
    raise SpecError(f"unsupported schema type {type(prop).__name__} for {text(prop.name)!r}")


def open_literal(prop: EnumProperty | LiteralEnumProperty) -> PyType:
    """An enum, open as every value set of the API: ``Literal[<its values>] | str``. Checkers and IDEs see (and
    complete) the known values; a value the SDK has never seen still passes, and comes through as the plain value."""
    values: list[Any] = list(prop.values.values()) if isinstance(prop, EnumProperty) else sorted(prop.values, key=str)
    base = "int" if prop.value_type is int else "str"
    return PyType(f"Literal[{', '.join(py_literal(v) for v in values)}] | {base}")


def union_members(annotation: str) -> list[str]:
    """The members of a union annotation (``A | B[C | D]`` -> ``A``, ``B[C | D]``), split outside brackets only."""
    members, depth, start = [], 0, 0
    for index, char in enumerate(annotation):
        depth += {"[": 1, "]": -1}.get(char, 0)
        if depth == 0 and annotation.startswith(" | ", index):
            members.append(annotation[start:index])
            start = index + 3
    return [*members, annotation[start:]]


def as_typed_dicts(t: PyType) -> PyType:
    """The same type for a request argument: nested models are plain TypedDicts, sent as given."""
    if not t.models:
        return t
    return PyType(t.annotation, None, frozenset(), t.nullable, typed_dicts=t.models)


def py_literal(value: Any) -> str:
    """A Python literal for a JSON value (used for defaults and examples)."""
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(py_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{py_literal(str(k))}: {py_literal(v)}" for k, v in value.items()) + "}"
    return repr(value)


# --- building ------------------------------------------------------------------------------------------------------


class Builder:
    """Builds the :class:`Api` from the raw document and the generator's parse of it."""

    def __init__(self, document: dict[str, Any], data: GeneratorData) -> None:
        self.document = document
        self.data = data
        self.components: dict[str, Any] = document.get("components", {}).get("schemas", {})
        self.by_class = {m.class_info.name: m for m in data.models}
        self.response_models: set[str] = set()
        self.request_models: set[str] = set()

    def resolve(self, node: Any) -> Any:
        """Follow a local ``$ref`` (repeatedly)."""
        seen = 0
        while isinstance(node, dict) and "$ref" in node:
            parts = node["$ref"].removeprefix("#/").split("/")
            node = self.document
            for part in parts:
                node = node[part.replace("~1", "/").replace("~0", "~")]
            seen += 1
            if seen > 32:
                raise SpecError("$ref cycle")
        return node

    def build(self) -> Api:
        """Build the whole view model."""
        info = self.document.get("info", {})
        resources = self.build_resources()
        models = self.build_models()
        namespaces: dict[str, Namespace] = {}
        for resource in resources:
            if len(resource.path) == 2 and resource.client_attribute:
                parent = resource.path[0]
                tag_info = self.tag_objects().get(parent, {})
                ns = namespaces.setdefault(
                    parent,
                    Namespace(parent, pascal(parent), tag_info.get("description", f"The {parent} resources."), []),
                )
                ns.resources.append(resource)
            elif len(resource.path) > 2:
                raise SpecError(f"tag {resource.tag!r}: at most one level of namespace is supported")
        servers = self.document.get("servers") or [{"url": ""}]
        return Api(
            title=info.get("title", ""),
            version=str(info.get("version", "")),
            description=info.get("description", ""),
            base_url=servers[0]["url"],
            resources=resources,
            models=models,
            namespaces=list(namespaces.values()),
        )

    def tag_objects(self) -> dict[str, dict[str, Any]]:
        """The top-level ``tags`` list by name."""
        return {t["name"]: t for t in self.document.get("tags", [])}

    def raw_operation(self, endpoint: Endpoint) -> dict[str, Any]:
        """The raw operation object of a parsed endpoint."""
        return dict(self.document["paths"][text(endpoint.path)][endpoint.method])

    def build_resources(self) -> list[Resource]:
        """One resource per tag, in the order of the top-level tags list."""
        tags = self.tag_objects()
        resources: dict[str, Resource] = {}
        for name, tag in tags.items():
            resources[name] = Resource(
                tag=name,
                path=tuple(name.split(".")),
                class_name=pascal(name),
                module=name.replace(".", "_"),
                description=tag.get("description", ""),
                client_attribute=tag.get("x-python-client-attribute", True) is not False,
                mixin=self.build_mixin(name, tag.get("x-python-mixin")),
            )
        for path, item in self.document.get("paths", {}).items():
            for method in HTTP_METHODS:
                raw = item.get(method)
                if raw is None:
                    continue
                where = f"/paths/{escape(path)}/{method}"
                op_tags = raw.get("tags") or []
                if len(op_tags) != 1 or op_tags[0] not in resources:
                    message = f"{method.upper()} {path}: needs exactly one tag declared in the top-level tags"
                    raise SpecError(message, f"{where}/tags")
                try:
                    endpoint = self.endpoint(path, method)
                    resources[op_tags[0]].operations.append(self.build_operation(endpoint, raw, op_tags[0]))
                except SpecError as exc:
                    raise exc.at(where) from None
        for resource in resources.values():
            names = [op.method_name for op in resource.operations]
            for op in resource.operations:
                for old in op.renamed_from:
                    if old in names:
                        raise SpecError(f"{op.operation_id}: x-python-renamed-from {old!r} is another method")
                names += op.renamed_from
                if resource.client_attribute:
                    op.callee = f"client.{op.qualified_name}"
                elif len(resource.operations) == 1:
                    op.callee = f"avala.{resource.module}"
                else:
                    op.callee = f"avala.{resource.module}_{op.method_name}"
        return [r for r in resources.values() if r.operations]

    @staticmethod
    def build_mixin(tag: str, spec: Any) -> dict[str, str] | None:
        """The ``x-python-mixin`` extension of a tag: ``{module, sync, async}`` (a relative module is under avala)."""
        if spec is None:
            return None
        if not isinstance(spec, dict) or set(spec) != {"module", "sync", "async"}:
            raise SpecError(f"tag {tag!r}: x-python-mixin needs exactly `module`, `sync` and `async`")
        if not all(isinstance(v, str) and v.replace(".", "").replace("_", "").isalnum() for v in spec.values()):
            raise SpecError(f"tag {tag!r}: x-python-mixin values must be dotted Python names")
        if not str(spec["module"]).startswith("avala."):
            raise SpecError(f"tag {tag!r}: x-python-mixin's module must be inside the avala package")
        return {k: str(v) for k, v in spec.items()}

    def endpoint(self, path: str, method: str) -> Endpoint:
        """The parsed endpoint for a path and method."""
        for collection in self.data.endpoint_collections_by_tag.values():
            for endpoint in collection.endpoints:
                if text(endpoint.path) == path and endpoint.method == method:
                    return endpoint
        raise SpecError(f"{method.upper()} {path}: not found in the parsed document")

    def build_operation(self, endpoint: Endpoint, raw: dict[str, Any], tag: str) -> Operation:
        """The view of one operation."""
        operation_id = raw.get("operationId", "")
        prefix = tag.replace(".", "_") + "_"
        if not operation_id.startswith(prefix) or not operation_id[len(prefix) :].isidentifier():
            raise SpecError(f"operationId {operation_id!r} must be {prefix}<python method name>", "operationId")
        method_name = operation_id[len(prefix) :]
        if not is_method_name(method_name):
            raise SpecError(
                f"operationId {operation_id!r}: the method name {method_name!r} must be snake_case"
                f" ({prefix}{snake(method_name)})",
                "operationId",
            )
        path = text(endpoint.path)
        raw_params = {(p["in"], p["name"]): p for p in map(self.resolve, raw.get("parameters", []))}

        def param(prop: Any, location: str) -> Param:
            wire = text(prop.name)
            extra = raw_params.get((location, wire), {})
            name = extra.get("x-python-name") or python_name(wire)
            example = extra.get("example", extra.get("schema", {}).get("example"))
            default = py_literal(prop.default.raw_value) if prop.default is not None else None
            return Param(
                wire_name=wire,
                name=name,
                location=location,
                type=py_type(prop),
                required=prop.required,
                default=default,
                description=extra.get("description", text(prop.description)),
                example=example,
                has_example="example" in extra or "example" in extra.get("schema", {}),
            )

        path_names = re.findall(r"{([^}]+)}", path)
        path_params = [param(p, "path") for p in endpoint.path_parameters]
        path_params.sort(key=lambda p: path_names.index(p.wire_name))
        if [p.wire_name for p in path_params] != path_names:
            raise SpecError(f"{path}: path parameters do not match the template")
        query_params = [param(p, "query") for p in endpoint.query_parameters]
        order = [p["name"] for p in map(self.resolve, raw.get("parameters", [])) if p["in"] == "query"]
        query_params.sort(key=lambda p: order.index(p.wire_name))
        chunked = self.build_chunked(endpoint, raw)
        body_params, body, exactly_one = ([], "array", []) if chunked else self.build_body(endpoint, raw)
        kind, model, field_name, result_type = self.build_result(endpoint, raw)
        security = raw.get("security", self.document.get("security", []))
        op = Operation(
            operation_id=operation_id,
            method_name=method_name,
            qualified_name=f"{tag}.{method_name}",
            http_method=endpoint.method.upper(),
            path=path,
            summary=raw.get("summary", ""),
            description=raw.get("description", ""),
            path_params=path_params,
            query_params=query_params,
            body_params=body_params,
            body=body,
            result_kind=kind,
            result_model=model,
            result_field=field_name,
            result_type=result_type,
            auth=bool(security),
            deprecated=bool(raw.get("deprecated", False)),
            example_args=[],
        )
        names = [p.name for p in op.path_params + op.argument_params]
        if len(set(names)) != len(names):
            raise SpecError(f"{operation_id}: two arguments share a Python name: {names}")
        op.positional = [str(name) for name in raw.get("x-python-positional", [])]
        required = {p.name for p in op.argument_params if p.required}
        if not set(op.positional) <= required or len(set(op.positional)) != len(op.positional):
            raise SpecError(f"{operation_id}: x-python-positional must name distinct required arguments")
        op.exactly_one = exactly_one
        op.chunked = chunked
        op.example_args = self.example_args(op, raw)
        op.wait = self.build_wait(op, raw)
        op.renamed_from = renamed_from(raw, f"operation {operation_id}", is_method_name)
        if op.renamed_from and not self.tag_objects()[tag].get("x-python-client-attribute", True):
            raise SpecError(f"{operation_id}: x-python-renamed-from is for client methods, not module functions")
        if {method_name, "wait"} & set(op.renamed_from):
            raise SpecError(f"{operation_id}: x-python-renamed-from names the method itself or wait()")
        op.derived = self.build_derived(op, raw)
        return op

    def raw_type(self, schema: Any, where: str) -> PyType:
        """The Python type of a raw schema of ``x-python-derived`` (a ``$ref`` to a model, or a scalar type)."""
        if isinstance(schema, dict) and "$ref" in schema:
            name = str(schema["$ref"]).rsplit("/", 1)[-1]
            if name not in self.by_class:
                raise SpecError(f"{where}: unknown schema {name!r}")
            self.response_models.add(name)
            return PyType(name, models=frozenset({name}))
        kinds = schema.get("type") if isinstance(schema, dict) else None
        kinds = kinds if isinstance(kinds, list) else [kinds]
        scalars = {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}
        known = [scalars[k] for k in kinds if k in scalars]
        if len(known) != 1 or not set(kinds) <= {*scalars, "null"}:
            raise SpecError(f"{where}: x-python-derived types are a $ref or one scalar type (nullable)")
        nullable = "null" in kinds
        return PyType(known[0] + (" | None" if nullable else ""), nullable=nullable)

    def build_derived(self, op: Operation, raw: dict[str, Any]) -> list[Derived]:
        """The ``x-python-derived`` methods of an operation."""
        found = []
        for spec in raw.get("x-python-derived", []):
            where = f"{op.operation_id} x-python-derived {spec.get('name')!r}"
            name = spec.get("name", "")
            if not name.isidentifier() or keyword.iskeyword(name):
                raise SpecError(f"{where}: needs a Python method name")
            if ("function" in spec) == ("find" in spec):
                raise SpecError(f"{where}: needs exactly one of `function` and `find`")
            find = spec.get("find")
            if find is not None and (op.result_kind != "page" or set(find) != {"match", "argument", "value"}):
                raise SpecError(f"{where}: `find` ({{match, argument, value}}) belongs on a page operation")
            arguments = [
                Param(
                    wire_name=a["name"],
                    name=a["name"],
                    location="derived",
                    type=self.raw_type(a.get("schema"), where),
                    required=True,
                    default=None,
                    description=a.get("description", ""),
                    example=a.get("example"),
                    has_example="example" in a,
                )
                for a in spec.get("arguments", [])
            ]
            derived = Derived(
                name=name,
                summary=spec.get("summary", ""),
                description=spec.get("description", ""),
                arguments=arguments,
                returns=self.raw_type(spec.get("returns"), where),
                function=spec.get("function"),
                find=find,
            )
            derived.example_args = [(None, p.example if p.has_example else p.name) for p in op.path_params]
            derived.example_args += [(None, a.example if a.has_example else a.name) for a in arguments]
            found.append(derived)
        return found

    def build_wait(self, op: Operation, raw: dict[str, Any]) -> Wait | None:
        """The ``x-python-wait`` extension of a ``get`` operation returning a model."""
        spec = raw.get("x-python-wait")
        if spec is None:
            return None
        if op.result_kind != "single" or op.http_method != "GET":
            raise SpecError(f"{op.operation_id}: x-python-wait belongs on a GET returning one model")
        until = tuple(str(v) for v in spec.get("until", []))
        if not until or not spec.get("field"):
            raise SpecError(f"{op.operation_id}: x-python-wait needs `field` and a non-empty `until`")
        model = self.by_class[op.result_model or ""]
        fields = (model.required_properties or []) + (model.optional_properties or [])
        polled = next((p for p in fields if text(p.name) == spec["field"]), None)
        if polled is None:
            raise SpecError(f"{op.operation_id}: x-python-wait polls {spec['field']!r}, not a field of the result")
        annotation = " | ".join(m for m in union_members(py_type(polled).annotation) if m != "None")
        return Wait(
            field=str(spec["field"]),
            until=until,
            target=spec.get("target"),
            interval=float(spec.get("interval", 2.0)),
            timeout=float(spec.get("timeout", 300.0)),
            target_annotation=annotation,
        )

    def build_chunked(self, endpoint: Endpoint, raw: dict[str, Any]) -> Chunked | None:
        """The ``x-python-chunked`` extension: required on, and only on, an operation whose body is a JSON array."""
        spec = raw.get("x-python-chunked")
        bodies = endpoint.bodies or []
        is_array = len(bodies) == 1 and isinstance(bodies[0].prop, ListProperty)
        if spec is None and not is_array:
            return None
        where = f"{text(endpoint.path)}"
        if spec is None or not is_array:
            raise SpecError(f"{where}: a JSON-array request body needs x-python-chunked, and only it")
        argument, size = spec.get("argument", ""), spec.get("size")
        if not python_name(argument) == argument or not isinstance(size, int) or isinstance(size, bool) or size < 1:
            raise SpecError(f"{where}: x-python-chunked needs an `argument` name and a positive integer `size`")
        inner = bodies[0].prop.inner_property
        if not isinstance(inner, ModelProperty) or is_free_form(inner):
            raise SpecError(f"{where}: the items of a chunked body must be an object schema with properties")
        self.request_models.add(inner.class_info.name)
        return Chunked(argument, size, inner.class_info.name)

    def build_body(self, endpoint: Endpoint, raw: dict[str, Any]) -> tuple[list[Param], str | None, list[str]]:
        """Body properties as keyword arguments, in the schema's property order, and the arguments of which exactly
        one must be given (a ``oneOf`` of required-only alternatives)."""
        if not endpoint.bodies:
            return [], None, []
        if len(endpoint.bodies) != 1 or text(endpoint.bodies[0].content_type) != "application/json":
            raise SpecError(f"{text(endpoint.path)}: only one application/json request body is supported")
        prop = endpoint.bodies[0].prop
        request_body = self.resolve(raw.get("requestBody", {}))
        schema = self.resolve(request_body.get("content", {}).get("application/json", {}).get("schema", {}))
        if schema.get("maxProperties") == 0 and not schema.get("properties") and request_body.get("required"):
            return [], "required", []  # always the empty object
        if not isinstance(prop, ModelProperty) or is_free_form(prop):
            raise SpecError(f"{text(endpoint.path)}: the request body must be an object schema with properties")
        self.request_models.add(prop.class_info.name)
        order = list((schema.get("properties") or {}).keys())
        params = []
        for p in (prop.required_properties or []) + (prop.optional_properties or []):
            wire = text(p.name)
            raw_prop = self.resolve(schema.get("properties", {}).get(wire, {}))
            default = py_literal(p.default.raw_value) if p.default is not None else None
            t = as_typed_dicts(py_type(p))
            self.request_models |= t.typed_dicts
            params.append(
                Param(
                    wire_name=wire,
                    name=python_name(wire),
                    location="body",
                    type=t,
                    required=p.required,
                    default=default,
                    description=raw_prop.get("description", text(p.description)),
                    example=(schema.get("example") or {}).get(wire, raw_prop.get("example")),
                    has_example=wire in (schema.get("example") or {}) or "example" in raw_prop,
                    sent_with=raw_prop.get("x-python-sent-with"),
                    const=raw_prop.get("const"),
                )
            )
        names = {p.wire_name for p in params}
        for p in params:
            if p.sent_with is not None and (p.sent_with not in names or p.required or p.const is None):
                raise SpecError(
                    f"{text(endpoint.path)}: x-python-sent-with on {p.wire_name!r} needs an optional property with "
                    "a `const`, and names another body property"
                )
        params.sort(key=lambda p: order.index(p.wire_name))
        exactly_one: list[str] = []
        alternatives = required_alternatives(schema)
        if alternatives is not None:
            by_wire = {p.wire_name: p for p in params}
            if any(len(a) != 1 or a[0] not in by_wire or by_wire[a[0]].required for a in alternatives):
                raise SpecError(f"{text(endpoint.path)}: oneOf alternatives must each require one optional property")
            exactly_one = [by_wire[a[0]].name for a in alternatives]
        return params, "required" if request_body.get("required", False) else "optional", exactly_one

    def build_result(self, endpoint: Endpoint, raw: dict[str, Any]) -> tuple[str, str | None, str | None, PyType]:
        """Classify the success response: page, array, single, raw, none or field."""
        success = [r for r in endpoint.responses.patterns if r.status_code.pattern.startswith("2")]
        if len(success) != 1:
            raise SpecError(f"{text(endpoint.path)}: exactly one 2xx response is supported")
        response = success[0]
        raw_response = self.resolve(raw["responses"][response.status_code.pattern])
        content = raw_response.get("content", {})
        if not content:
            return "none", None, None, PyType("None")
        schema = self.resolve(content.get("application/json", {}).get("schema", {}))
        prop = response.prop
        field_name = raw.get("x-python-result-field")
        if field_name:
            if not isinstance(prop, ModelProperty):
                raise SpecError(f"{text(endpoint.path)}: x-python-result-field needs an object response")
            for p in (prop.required_properties or []) + (prop.optional_properties or []):
                if text(p.name) == field_name:
                    return "field", None, field_name, py_type(p)
            raise SpecError(f"{text(endpoint.path)}: no response field {field_name!r}")
        if isinstance(prop, ListProperty):
            inner = py_type(prop.inner_property)
            self.response_models |= inner.models
            return "array", None, None, PyType(f"builtins.list[{inner.annotation}]", inner.convert, inner.models)
        if isinstance(prop, ModelProperty):
            props = schema.get("properties") or {}
            if {"results", "next", "previous"} <= set(props) and len(props) == 3:
                results = next(p for p in prop.required_properties or [] if text(p.name) == "results")
                if not isinstance(results, ListProperty) or not isinstance(results.inner_property, ModelProperty):
                    raise SpecError(f"{text(endpoint.path)}: page results must be an array of a model")
                item = results.inner_property.class_info.name
                self.response_models.add(item)
                return "page", item, None, PyType(item, models=frozenset({item}))
            if is_free_form(prop) or schema.get("additionalProperties") is True:
                return "raw", None, None, PyType("dict[str, Any]")
            self.response_models.add(prop.class_info.name)
            return "single", prop.class_info.name, None, py_type(prop)
        raise SpecError(f"{text(endpoint.path)}: unsupported response schema")

    def example_args(self, op: Operation, raw: dict[str, Any]) -> list[tuple[str | None, Any]]:
        """Arguments of an example call, from the parameters' and the request body's examples."""
        args: list[tuple[str | None, Any]] = [(None, p.example if p.has_example else p.name) for p in op.leading_params]
        for p in op.keyword_params:
            if p.required or (p.has_example and p.location == "body"):
                args.append((p.name, p.example if p.has_example else p.name))
            elif p.has_example and p.location == "query" and p.name != "cursor":
                args.append((p.name, p.example))
        if op.chunked:
            body = self.resolve(raw.get("requestBody", {}))
            schema = self.resolve(body.get("content", {}).get("application/json", {}).get("schema", {}))
            if "example" not in schema:
                raise SpecError(f"{op.operation_id}: the chunked request body needs an example")
            args.append((None, schema["example"]))
        return args

    def build_models(self) -> list[Model]:
        """Response models reachable from some response, and request item schemas as TypedDicts."""
        response_models = self.closure(self.response_models)
        request_items = self.closure(self.request_models) - self.request_models_top()
        models = []
        current = ""
        try:
            for name in sorted(response_models | request_items):
                current = name
                prop = self.by_class[name]
                raw = self.components.get(name, {})
                fields = []
                order = list((prop.data.properties or {}).keys())
                props = (prop.required_properties or []) + (prop.optional_properties or [])
                props.sort(key=lambda p: order.index(p.name))
                for p in props:
                    wire = text(p.name)
                    raw_prop = self.resolve(raw.get("properties", {}).get(wire, {}))
                    t = py_type(p)
                    default, factory = None, None
                    if not p.required:
                        if p.default is not None or "default" in raw_prop:
                            value = p.default.raw_value if p.default is not None else raw_prop["default"]
                            if isinstance(value, list | dict):
                                if value:
                                    raise SpecError(f"{name}.{wire}: only empty list/object defaults are supported")
                                factory = type(value).__name__
                            default = py_literal(value)
                        else:
                            default = "None"
                            if not t.nullable:
                                t = PyType(f"{t.annotation} | None", t.convert and self.nullable(t), t.models, True)
                    fields.append(
                        Field(
                            wire_name=wire,
                            name=python_name(wire),
                            type=t,
                            required=p.required,
                            default=default,
                            factory=factory,
                            description=raw_prop.get("description", text(p.description)),
                            secret=raw_prop.get("format") == "password",
                        )
                    )
                if name in request_items and name not in response_models:
                    fields = [Field(f.wire_name, f.name, as_typed_dicts(f.type), *_rest(f)) for f in fields]
                models.append(
                    Model(
                        name=name,
                        module=snake(name),
                        description=raw.get("description", text(prop.description)),
                        example=raw.get("example"),
                        fields=fields,
                        typed_dict=name in request_items and name not in response_models,
                        schema=text(prop.name).rsplit("/", 1)[-1],
                        renamed_from=renamed_from(raw, f"schema {name}", is_class_name),
                    )
                )
        except SpecError as exc:
            raise exc.at(f"/components/schemas/{escape(current)}") from None
        names = {m.name for m in models}
        for model in models:
            if clash := names & set(model.renamed_from):
                raise SpecError(f"schema {model.name}: x-python-renamed-from names an existing model: {sorted(clash)}")
        return models

    @staticmethod
    def nullable(t: PyType) -> Callable[[str], str]:
        """Wrap a conversion so that ``None`` passes through."""
        return lambda v: f"None if {v} is None else {t.conversion(v)}"

    def request_models_top(self) -> set[str]:
        """Request body object schemas themselves (they become keyword arguments, not classes)."""
        return {
            text(b.prop.class_info.name)
            for c in self.data.endpoint_collections_by_tag.values()
            for e in c.endpoints
            for b in e.bodies
            if isinstance(b.prop, ModelProperty)
        }

    def closure(self, names: Iterable[str]) -> set[str]:
        """The named models and every non-free-form model they refer to."""
        todo, seen = list(names), set()
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            prop = self.by_class[name]
            for p in (prop.required_properties or []) + (prop.optional_properties or []):
                t = py_type(p)
                todo += list(t.models | t.typed_dicts)
        return seen


def _rest(f: Field) -> tuple[Any, ...]:
    return (f.required, f.default, f.factory, f.description, f.secret)


def build_api(document: dict[str, Any], data: GeneratorData) -> Api:
    """Build the view model of a parsed document."""
    return Builder(document, data).build()
