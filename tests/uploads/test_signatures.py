"""The upload methods keep the published package's signatures (names, order, defaults), sync and async alike."""

from __future__ import annotations

import inspect

from avala import AsyncClient, Client
from tests.conftest import API_KEY

# avala 0.10.0, avala/resources/datasets.py: (name, default) of each keyword argument, in order.
PUBLISHED = {
    "upload_files": [
        ("dataset_name", inspect.Parameter.empty),
        ("files", inspect.Parameter.empty),
        ("workers", 8),
        ("on_progress", None),
        ("on_skipped", None),
        ("organization_uid", None),
        ("resume", True),
        ("state_key", None),
        ("clear_state_on_success", False),
        ("dataset_upload_uid", None),
    ],
    "create_from_local": [
        ("source", inspect.Parameter.empty),
        ("name", inspect.Parameter.empty),
        ("slug", inspect.Parameter.empty),
        ("data_type", inspect.Parameter.empty),
        ("visibility", "private"),
        ("create_metadata", True),
        ("owner_name", None),
        ("industry", None),
        ("license", None),
        ("workers", 8),
        ("on_progress", None),
        ("wait", False),
        ("wait_timeout", 3600.0),
        ("organization_uid", None),
        ("metadata", None),
        ("resume", True),
        ("check_quota", True),
    ],
}
ADDED = {"upload_files": ["on_bytes"], "create_from_local": ["on_skipped", "on_bytes"]}


def test_published_arguments_come_first_with_their_defaults_then_the_additions() -> None:
    with Client(api_key=API_KEY) as client:
        aclient = AsyncClient(api_key=API_KEY)
        for name, published in PUBLISHED.items():
            sync = inspect.signature(getattr(client.datasets, name))
            async_ = inspect.signature(getattr(aclient.datasets, name))
            assert str(sync) == str(async_)
            assert inspect.iscoroutinefunction(getattr(aclient.datasets, name))
            params = list(sync.parameters.values())
            assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in params)
            assert [(p.name, p.default) for p in params[: len(published)]] == published
            assert [p.name for p in params[len(published) :]] == ADDED[name]
            assert all(p.default is None for p in params[len(published) :])
            assert getattr(client.datasets, name).__doc__


def test_prepare_manual_upload_batch_is_there_too() -> None:
    with Client(api_key=API_KEY) as client:
        params = inspect.signature(client.datasets.prepare_manual_upload_batch).parameters
        assert list(params) == ["dataset_name", "organization_uid", "resume", "state_key"]
