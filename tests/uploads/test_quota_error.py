"""413 from an upload endpoint is a QuotaExceededError carrying limit and used; it is never retried."""

from __future__ import annotations

import pytest
from pytest_httpx import HTTPXMock

from avala import AsyncClient, Client
from avala.errors import AvalaError, QuotaExceededError
from tests.conftest import API_KEY, BASE

URL = BASE + "/datasets/manual-upload/file-upload-url/"
ARGS = {"dataset_name": "d", "file_path_in_dataset": "a.bin", "content_length": 10}


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_413_carries_limit_and_used(mode: str, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(
        method="POST", url=URL, status_code=413, json={"detail": "Storage quota exceeded.", "limit": 100, "used": 95}
    )
    with pytest.raises(QuotaExceededError) as info:
        if mode == "sync":
            with Client(api_key=API_KEY) as client:
                client.datasets.create_manual_upload_url(**ARGS)
        else:
            async with AsyncClient(api_key=API_KEY) as aclient:
                await aclient.datasets.create_manual_upload_url(**ARGS)
    error = info.value
    assert (error.status_code, error.limit, error.used) == (413, 100, 95)
    assert error.message == "Storage quota exceeded." and error.attempts == 1
    assert isinstance(error, AvalaError) and error.operation == "datasets.create_manual_upload_url"
    assert len(httpx_mock.get_requests()) == 1


def test_413_without_numbers(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(method="POST", url=URL, status_code=413, text="<html>Request Entity Too Large</html>")
    with Client(api_key=API_KEY) as client, pytest.raises(QuotaExceededError) as info:
        client.datasets.create_manual_upload_url(**ARGS)
    assert (info.value.limit, info.value.used) == (None, None)
