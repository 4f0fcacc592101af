"""Annotations at run time: ``typing.get_type_hints`` resolves on every public method of every generated resource
class (plain and raw, sync and async) and of the hand-written public classes; the raw classes mirror the plain ones."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import typing
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
import yaml

import avala.resources
import avala.types
from avala import AsyncClient, AsyncCursorPage, Client, CursorPage, RawResponse
from avala._resource import AsyncResource, SyncResource


def generated_classes() -> list[type[Any]]:
    """Every class defined in a generated resource module."""
    found = []
    for info in pkgutil.iter_modules(avala.resources.__path__):
        module = importlib.import_module(f"avala.resources.{info.name}")
        found += [cls for cls in vars(module).values() if inspect.isclass(cls) and cls.__module__ == module.__name__]
    return found


GENERATED = generated_classes()
SPEC = yaml.safe_load((Path(__file__).resolve().parents[1] / "openapi.yaml").read_text(encoding="utf-8"))
RAW_OPERATIONS = [op for item in SPEC["paths"].values() for op in item.values() if isinstance(op, dict)]
# client-side methods built on an operation have no raw twin; a chunked one's twin yields one RawResponse per chunk
DERIVED = {d["name"] for op in RAW_OPERATIONS for d in op.get("x-python-derived", [])}
CHUNKED = {
    op["operationId"].removeprefix(op["tags"][0].replace(".", "_") + "_")
    for op in RAW_OPERATIONS
    if "x-python-chunked" in op
}
HAND_WRITTEN = [Client, AsyncClient, CursorPage, AsyncCursorPage, RawResponse, SyncResource, AsyncResource]
METHODS = [
    pytest.param(cls, name, id=f"{cls.__module__.removeprefix('avala.')}.{cls.__name__}.{name}")
    for cls in GENERATED + HAND_WRITTEN
    for name, member in inspect.getmembers(cls, callable)
    if not name.startswith("_") or name == "__init__"
    if getattr(member, "__module__", "").startswith("avala")
]
RAW_TWINS = [
    pytest.param(cls, raw, id=cls.__name__)
    for cls in GENERATED
    for raw in GENERATED
    if raw.__name__ == f"{cls.__name__}WithRawResponse"
]


def test_every_resource_class_and_its_methods_are_found() -> None:
    names = {cls.__name__ for cls in GENERATED}
    assert {"Datasets", "AsyncDatasets", "DatasetsWithRawResponse", "AsyncDatasetsWithRawResponse"} <= names
    assert len(RAW_TWINS) * 2 == len(GENERATED) - 2  # every client resource, sync and async; signup has none
    assert len(METHODS) > 4 * 120


@pytest.mark.parametrize(("cls", "name"), METHODS)
def test_type_hints_resolve(cls: type[Any], name: str) -> None:
    hints = typing.get_type_hints(getattr(cls, name))
    assert "return" in hints


@pytest.mark.parametrize(("plain", "raw"), RAW_TWINS)
def test_a_raw_class_has_the_plain_methods_with_the_same_arguments(plain: type[Any], raw: type[Any]) -> None:
    def methods(cls: type[Any]) -> dict[str, Any]:
        return {n: f for n, f in vars(cls).items() if inspect.isfunction(f) and not n.startswith("_")}

    plain_methods, raw_methods = methods(plain), methods(raw)
    assert set(raw_methods) == set(plain_methods) - {"wait"} - DERIVED
    for name, method in raw_methods.items():
        hints, plain_hints = typing.get_type_hints(method), typing.get_type_hints(plain_methods[name])
        if name in CHUNKED:  # Iterator[tuple[int, R]] -> Iterator[tuple[int, RawResponse[R]]], and async
            (step,) = typing.get_args(plain_hints.pop("return"))
            iterator = AsyncIterator if inspect.iscoroutinefunction(method) else Iterator
            index, result = typing.get_args(step)
            assert hints.pop("return") == iterator[tuple[index, RawResponse[result]]], name  # type: ignore[misc,valid-type]
        else:
            assert hints.pop("return") == RawResponse[plain_hints.pop("return")], name  # type: ignore[misc]
        assert hints == plain_hints, name
        assert inspect.signature(method).parameters == inspect.signature(plain_methods[name]).parameters, name


def test_hints_resolve_without_loading_resources_at_import() -> None:
    """The resource modules hold what their annotations name; ``import avala`` still loads none of them."""
    import subprocess
    import sys

    code = "import sys, avala; avala.Client(api_key='k'); "
    code += "print(any(m.startswith('avala.resources') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


@pytest.mark.parametrize("name", sorted(avala.types.__all__))
def test_type_hints_resolve_on_every_model(name: str) -> None:
    """Class annotations too (attrs.resolve_types, pydantic-style tools), though a model has a ``dict`` method."""
    model = getattr(avala.types, name)
    hints = typing.get_type_hints(model)
    if hasattr(model, "from_dict"):
        assert hints["additional_properties"] == dict[str, Any]
        attrs.resolve_types(model)
