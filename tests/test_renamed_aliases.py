"""``x-python-renamed-from``: a renamed operation or model keeps its old name for a release, as a deprecated alias.

The spec has no rename today, so the modules are generated here from a copy of ``openapi.yaml`` with one operation
and one model renamed, exactly as ``make codegen`` would generate them, and loaded next to the real ones.
"""

from __future__ import annotations

import copy
import importlib
import json
import re
import sys
import types
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from pytest_httpx import HTTPXMock

from avala import AsyncClient, Client
from codegen.api import build_api
from codegen.cli import build_cli
from codegen.parse import SpecError, parse_document
from codegen.render import render
from tests.conftest import BASE

ROOT = Path(__file__).resolve().parent.parent
SPEC: dict[str, Any] = yaml.load((ROOT / "openapi.yaml").read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
PAGE = {"results": [{"uid": "w1", "target_url": "https://example.com/hook", "events": ["task.completed"]}]}


def renamed_spec() -> dict[str, Any]:
    """``webhooks.list`` renamed to ``list_all`` and ``Webhook`` to ``WebhookSubscription``, old names kept."""
    document = copy.deepcopy(SPEC)
    operation = document["paths"]["/webhooks/"]["get"]
    operation["operationId"] = "webhooks_list_all"
    operation["x-python-renamed-from"] = "list"
    schemas = document["components"]["schemas"]
    schemas["WebhookSubscription"] = schemas.pop("Webhook")
    schemas["WebhookSubscription"]["x-python-renamed-from"] = ["Webhook"]
    text = json.dumps(document).replace('"#/components/schemas/Webhook"', '"#/components/schemas/WebhookSubscription"')
    renamed: dict[str, Any] = json.loads(text)
    return renamed


@cache
def generated() -> dict[str, str]:
    document = renamed_spec()
    api = build_api(document, parse_document(document, ROOT / "openapi.yaml"))
    return render(api, ROOT / "templates", build_cli(api, document))


def load(rel: str, name: str) -> types.ModuleType:
    """Execute a generated module under ``name`` (its package is the real one, so its relative imports work)."""
    module = types.ModuleType(name)
    module.__package__ = name.rpartition(".")[0]
    sys.modules[name] = module
    exec(compile(generated()[rel], rel, "exec"), module.__dict__)
    return module


@pytest.fixture
def renamed_modules() -> Iterator[dict[str, types.ModuleType]]:
    """The renamed model's module, the types package's ``__getattr__`` and the webhooks resource, as generated."""
    importlib.import_module("avala.types")
    saved = dict(sys.modules)
    try:
        yield {
            "model": load("avala/types/webhook_subscription.py", "avala.types.webhook_subscription"),
            "types": load("avala/types/__init__.py", "avala.types"),
            "resource": load("avala/resources/webhooks.py", "avala.resources._renamed_webhooks"),
        }
    finally:
        for name in set(sys.modules) - set(saved):
            del sys.modules[name]
        sys.modules.update(saved)


def test_the_old_method_name_works_and_warns(
    renamed_modules: dict[str, types.ModuleType], client: Client, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(url=f"{BASE}/webhooks/?limit=5", json=PAGE)
    resource = renamed_modules["resource"].Webhooks(client._transport)
    with pytest.warns(
        DeprecationWarning, match=r"^client\.webhooks\.list is deprecated .*: use client\.webhooks\.list_all$"
    ):
        page = resource.list(limit=5)
    assert [w.uid for w in page] == ["w1"]
    assert type(page[0]).__name__ == "WebhookSubscription"


async def test_the_old_async_method_name_works_and_warns(
    renamed_modules: dict[str, types.ModuleType], async_client: AsyncClient, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(url=f"{BASE}/webhooks/", json=PAGE)
    resource = renamed_modules["resource"].AsyncWebhooks(async_client._transport)
    with pytest.warns(DeprecationWarning, match="use client.webhooks.list_all"):
        page = await resource.list()
    assert len(page) == 1


def test_the_new_name_does_not_warn(
    renamed_modules: dict[str, types.ModuleType], client: Client, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(url=f"{BASE}/webhooks/", json=PAGE)
    resource = renamed_modules["resource"].Webhooks(client._transport)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(resource.list_all()) == 1


def test_the_old_model_name_is_the_new_class_and_warns(renamed_modules: dict[str, types.ModuleType]) -> None:
    package = renamed_modules["types"]
    with pytest.warns(DeprecationWarning, match=r"avala\.types\.Webhook is deprecated .*: use avala\.types\.Webhook"):
        old = package.Webhook
    assert old is package.WebhookSubscription is renamed_modules["model"].WebhookSubscription
    assert "Webhook" not in package.__all__


def test_the_generated_surface_lists_the_aliases() -> None:
    namespace: dict[str, Any] = {}
    exec(generated()["tests/api_surface.py"], namespace)
    assert namespace["OPERATION_ALIASES"] == {"webhooks.list": "webhooks.list_all"}
    assert namespace["MODEL_ALIASES"] == {"Webhook": "WebhookSubscription"}


@pytest.mark.parametrize(
    ("where", "value", "message"),
    [
        ("operation", "listAll", "x-python-renamed-from must be a name or a list of names"),
        ("operation", "create", "x-python-renamed-from 'create' is another method"),
        ("operation", "list_all", "x-python-renamed-from names the method itself or wait()"),
        ("schema", "Task", "x-python-renamed-from names an existing model: ['Task']"),
        ("schema", "not_a_class", "x-python-renamed-from must be a name or a list of names"),
    ],
)
def test_bad_renames_are_refused(where: str, value: str, message: str) -> None:
    document = renamed_spec()
    if where == "operation":
        document["paths"]["/webhooks/"]["get"]["x-python-renamed-from"] = value
    else:
        document["components"]["schemas"]["WebhookSubscription"]["x-python-renamed-from"] = value
    with pytest.raises(SpecError, match=re.escape(message)):
        build_api(document, parse_document(document, ROOT / "openapi.yaml"))


def test_the_old_command_name_keeps_working() -> None:
    table = generated()["avala/cli/_table.py"]
    assert '"webhooks": G(' in table and '{"list": "list-all"}' in table
