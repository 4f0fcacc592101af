"""The reference entries of the hand-written methods a resource inherits (``x-python-mixin`` on its tag).

They are read from the mixin module's source with :mod:`ast` (nothing of the package is imported, so a stale or
half-generated tree cannot break generation): every public method of the sync class, its signature (module-level
type aliases such as ``ProgressHook`` spelled out) and its Google-style docstring, whether written in place or
assigned (``upload_files.__doc__ = _UPLOAD_FILES_DOC``, shared by the sync and async twins). The docstring gives the
summary, the description, one ``Args:`` entry per parameter, ``Returns:``, ``Raises:`` and an ``Example:``.

A mixin method cannot be left out of the reference, nor documented wrongly: generation fails (a
:class:`~codegen.parse.SpecError` naming the file and line) when a public method lacks a docstring, an ``Args:``
entry for a parameter (or has one for no parameter), or an ``Example:`` calling it; when the async class lacks the
method, has it with another signature or not as a coroutine; or when a mixin class has bases (their methods would
be inherited unseen).
"""

from __future__ import annotations

import ast
import inspect
import re
from dataclasses import dataclass, field
from pathlib import Path

from .api import Api, Resource, py_literal
from .parse import SpecError

SECTIONS = ("Args:", "Returns:", "Raises:", "Example:")


@dataclass
class MixinParam:
    """One parameter of a hand-written method."""

    name: str
    annotation: str
    default: str | None  # the default's source, or None when required
    keyword_only: bool
    description: str

    @property
    def signature(self) -> str:
        """``name: annotation`` with `` = default`` when optional."""
        return f"{self.name}: {self.annotation}" + (f" = {self.default}" if self.default is not None else "")

    @property
    def required(self) -> bool:
        """Whether the caller must pass it."""
        return self.default is None


@dataclass
class MixinMethod:
    """A public method of a mixin class, as its reference section shows it."""

    name: str
    file: str  # repository-relative path of the mixin module: avala/uploads/_methods.py
    sync_class: str
    async_class: str
    returns: str
    summary: str
    description: list[str]  # paragraphs, Markdown
    params: list[MixinParam]
    returns_text: str
    raises: list[tuple[str, str]]
    example: str
    callee: str = ""
    returns_models: list[str] = field(default_factory=list)  # models named by the return annotation

    @property
    def returns_lead(self) -> str:
        """The ``Returns:`` text as the continuation of a sentence (``The batch's UUID.`` -> ``the batch's UUID.``)."""
        text = self.returns_text
        if text[:1].isupper() and text[1:2].islower():
            text = text[0].lower() + text[1:]
        return text if not text or text.endswith(".") else text + "."

    @property
    def signature_params(self) -> list[str]:
        """The parameters as the signature macro renders them, ``*`` before the first keyword-only one."""
        out: list[str] = []
        for param in self.params:
            if param.keyword_only and "*" not in out:
                out.append("*")
            out.append(param.signature)
        return out


@dataclass
class _Function:
    node: ast.FunctionDef | ast.AsyncFunctionDef
    doc: str | None
    params: list[tuple[str, str, str | None, bool]] = field(default_factory=list)  # name, annotation, default, kw
    returns: str = ""


def markdown(text: str) -> str:
    """reStructuredText of a docstring as Markdown: ````x```` -> `` `x` ``, ``:class:`~a.B``` -> `` `B` ``,
    ``:meth:`f``` -> `` `f()` ``."""
    text = re.sub(r":meth:`~?(?:[\w.]*\.)?(\w+)`", r"`\1()`", text)
    text = re.sub(r":(?:class|func|mod|attr|exc|data):`~?([\w.]+)`", lambda m: f"`{_short(m[0], m[1])}`", text)
    return text.replace("``", "`")


def _short(role: str, target: str) -> str:
    """The name a role shows: the last component under ``~``, else the whole target."""
    return target.rsplit(".", 1)[-1] if "`~" in role else target


def _join(lines: list[str]) -> str:
    return " ".join(" ".join(lines).split())


def parse_docstring(doc: str, where: str) -> tuple[str, list[str], dict[str, str], str, list[tuple[str, str]], str]:
    """Summary, description paragraphs, ``Args:`` entries, ``Returns:`` text, ``Raises:`` entries and the example of
    a Google-style docstring."""
    lines = inspect.cleandoc(doc).splitlines()
    body: dict[str, list[str]] = {"": []}
    current = ""
    for line in lines:
        if line.strip() in SECTIONS and not line.startswith(" "):
            current = line.strip()
            if current in body:
                raise SpecError(f"{where}: the docstring has two {current} sections")
            body[current] = []
        elif line.strip().endswith(":") and not line.startswith(" ") and line.strip()[:-1].isalpha():
            raise SpecError(f"{where}: unknown docstring section {line.strip()!r} (use {', '.join(SECTIONS)})")
        else:
            body[current].append(line)
    paragraphs: list[list[str]] = [[]]
    for line in body[""]:
        if line.strip():
            paragraphs[-1].append(line)
        elif paragraphs[-1]:
            paragraphs.append([])
    texts = [markdown(_join(p)) for p in paragraphs if p]
    if not texts:
        raise SpecError(f"{where}: the docstring is empty")
    summary, description = texts[0], texts[1:]
    args = _entries(body.get("Args:", []), where, "Args:")
    raises = list(_entries(body.get("Raises:", []), where, "Raises:").items())
    returns = markdown(_join(body.get("Returns:", [])))
    example = "\n".join(body.get("Example:", []))
    example = inspect.cleandoc(example) if example.strip() else ""
    return summary, description, args, returns, raises, example


def _entries(lines: list[str], where: str, section: str) -> dict[str, str]:
    """``name: text`` entries of an ``Args:`` or ``Raises:`` section (continuation lines indented deeper)."""
    entries: dict[str, list[str]] = {}
    indent: int | None = None
    for line in lines:
        if not line.strip():
            continue
        depth = len(line) - len(line.lstrip())
        if indent is None:
            indent = depth
        match = re.fullmatch(r"(\w+): ?(.*)", line.strip())
        if depth == indent and match:
            if match[1] in entries:
                raise SpecError(f"{where}: {section} names {match[1]!r} twice")
            entries[match[1]] = [match[2]]
        elif depth > indent and entries:
            entries[next(reversed(entries))].append(line)
        else:
            raise SpecError(f"{where}: cannot read the {section} line {line.strip()!r}")
    return {name: markdown(_join(text)) for name, text in entries.items()}


class _Aliases(ast.NodeTransformer):
    """Replaces module-level type aliases (``ProgressHook``) in an annotation by what they stand for."""

    def __init__(self, aliases: dict[str, ast.expr]) -> None:
        self.aliases = aliases

    def visit_Name(self, node: ast.Name) -> ast.expr:
        return self.aliases.get(node.id, node)


def _source(node: ast.expr, aliases: dict[str, ast.expr]) -> str:
    if isinstance(node, ast.Constant) and isinstance(node.value, str | int | float | bool | type(None)):
        return py_literal(node.value)
    return ast.unparse(_Aliases(aliases).visit(node))


def _module_facts(tree: ast.Module) -> tuple[dict[str, str], dict[str, ast.expr]]:
    """Module-level string constants (shared docstrings) and type aliases (``X = Callable[...]``)."""
    strings: dict[str, str] = {}
    aliases: dict[str, ast.expr] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name, value = node.targets[0].id, node.value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                strings[name] = value.value
            elif isinstance(value, ast.Subscript | ast.BinOp) and name[:1].isupper():
                aliases[name] = value
    return strings, aliases


def _functions(cls: ast.ClassDef, strings: dict[str, str], aliases: dict[str, ast.expr]) -> dict[str, _Function]:
    """The public methods of a class, with their docstrings (in place or assigned to ``method.__doc__``)."""
    found: dict[str, _Function] = {}
    for node in cls.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and not node.name.startswith("_"):
            found[node.name] = _Function(node, ast.get_docstring(node, clean=False))
        elif isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if (
                isinstance(target, ast.Attribute)
                and target.attr == "__doc__"
                and isinstance(target.value, ast.Name)
                and target.value.id in found
            ):
                value = node.value
                if isinstance(value, ast.Name) and value.id in strings:
                    found[target.value.id].doc = strings[value.id]
                elif isinstance(value, ast.Constant) and isinstance(value.value, str):
                    found[target.value.id].doc = value.value
    for function in found.values():
        args = function.node.args
        if args.vararg or args.kwarg:
            raise SpecError(f"{cls.name}.{function.node.name}: a mixin method takes no *args or **kwargs")
        if args.posonlyargs:
            raise SpecError(f"{cls.name}.{function.node.name}: no positional-only parameters (not in the reference)")
        defaults: list[ast.expr | None] = [None] * (len(args.args) - len(args.defaults)) + list(args.defaults)
        for arg, default in list(zip(args.args, defaults, strict=True))[1:]:  # self
            function.params.append((arg.arg, _annotation(arg, aliases), _default(default, aliases), False))
        for arg, kw_default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
            function.params.append((arg.arg, _annotation(arg, aliases), _default(kw_default, aliases), True))
        if function.node.returns is None:
            raise SpecError(f"{cls.name}.{function.node.name}: no return annotation")
        function.returns = _source(function.node.returns, aliases)
    return found


def _annotation(arg: ast.arg, aliases: dict[str, ast.expr]) -> str:
    if arg.annotation is None:
        raise SpecError(f"parameter {arg.arg!r} of a mixin method has no annotation")
    return _source(arg.annotation, aliases)


def _default(node: ast.expr | None, aliases: dict[str, ast.expr]) -> str | None:
    return None if node is None else _source(node, aliases)


def _class(tree: ast.Module, name: str, rel: str) -> ast.ClassDef:
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == name:
            if node.bases or node.keywords:
                raise SpecError(f"{rel}:{node.lineno}: mixin class {name} must have no bases (only its body is read)")
            return node
    raise SpecError(f"{rel}: no class {name} (x-python-mixin)")


def mixin_methods(resource: Resource, root: Path) -> list[MixinMethod]:
    """The reference entries of a resource's mixin methods, in source order (none without ``x-python-mixin``)."""
    if not resource.mixin:
        return []
    module = resource.mixin["module"]
    path = root / Path(*module.split("."))
    file = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
    rel = file.relative_to(root).as_posix()
    try:
        tree = ast.parse(file.read_text(encoding="utf-8"), rel)
    except OSError as exc:
        raise SpecError(f"tag {resource.tag!r}: x-python-mixin module {module}: {exc.strerror or exc}") from None
    strings, aliases = _module_facts(tree)
    sync_cls = _class(tree, resource.mixin["sync"], rel)
    async_cls = _class(tree, resource.mixin["async"], rel)
    sync, twins = _functions(sync_cls, strings, aliases), _functions(async_cls, strings, aliases)
    if sorted(sync) != sorted(twins):
        raise SpecError(f"{rel}: {sync_cls.name} and {async_cls.name} must have the same public methods")
    methods = []
    for name, function in sync.items():
        where = f"{rel}:{function.node.lineno}: {sync_cls.name}.{name}"
        twin = twins[name]
        if isinstance(function.node, ast.AsyncFunctionDef) or not isinstance(twin.node, ast.AsyncFunctionDef):
            raise SpecError(f"{where}: a plain method in {sync_cls.name}, a coroutine in {async_cls.name}")
        if (function.params, function.returns) != (twin.params, twin.returns):
            raise SpecError(f"{where}: the signature differs from {async_cls.name}.{name}")
        if not function.doc:
            raise SpecError(f"{where}: no docstring (the API reference is written from it)")
        summary, description, args, returns_text, raises, example = parse_docstring(function.doc, where)
        names = [p[0] for p in function.params]
        if sorted(args) != sorted(names):
            missing, unknown = sorted(set(names) - set(args)), sorted(set(args) - set(names))
            raise SpecError(f"{where}: Args: must describe every parameter (missing {missing}, unknown {unknown})")
        callee = f"client.{resource.tag}.{name}"
        if not re.search(rf"(?:^|= ){re.escape(callee)}\(", example, re.M):
            raise SpecError(f"{where}: the docstring needs an Example: section calling {callee}(...)")
        params = [MixinParam(n, a, d, kw, args[n]) for n, a, d, kw in function.params]
        methods.append(
            MixinMethod(
                name=name,
                file=rel,
                sync_class=sync_cls.name,
                async_class=async_cls.name,
                returns=function.returns,
                summary=summary,
                description=description,
                params=params,
                returns_text=returns_text,
                raises=raises,
                example=example,
                callee=callee,
            )
        )
    return methods


def attach(api: Api, root: Path) -> None:
    """Give every resource its mixin methods (``Resource.mixin_methods``); a name clash with an operation fails."""
    models = {model.name for model in api.models}
    for resource in api.resources:
        resource.mixin_methods = mixin_methods(resource, root)
        taken = {"wait"} | {name for op in resource.operations for name in (op.method_name, *op.renamed_from)}
        taken |= {d.name for op in resource.operations for d in op.derived}
        for method in resource.mixin_methods:
            if method.name in taken:
                raise SpecError(f"{method.file}: {method.name} is also a generated method of {resource.tag}")
            method.returns_models = [name for name in re.findall(r"\w+", method.returns) if name in models]
