"""Every case of the operation table, against Client and AsyncClient (see harness.py)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from pytest_httpx import HTTPXMock

from avala import AsyncClient, Client
from tests.conftest import API_KEY, BASE

from .cases_annotation_issues import CASES as ANNOTATION_ISSUES
from .cases_automation import CASES as AUTOMATION
from .cases_core import CASES as CORE
from .cases_fleet import CASES as FLEET
from .cases_fleet_uploads import CASES as FLEET_UPLOADS
from .cases_live import CASES as LIVE
from .cases_organizations import CASES as ORGANIZATIONS
from .cases_quality import CASES as QUALITY
from .cases_slices import CASES as SLICES
from .cases_uploads import CASES as UPLOADS
from .cases_webhooks import CASES as WEBHOOKS
from .harness import NO_BODY, Case, invoke

ALL_CASES: list[Case] = [
    *CORE,
    *AUTOMATION,
    *QUALITY,
    *WEBHOOKS,
    *ORGANIZATIONS,
    *SLICES,
    *ANNOTATION_ISSUES,
    *FLEET,
    *LIVE,
    *FLEET_UPLOADS,
    *UPLOADS,
]


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("case", ALL_CASES, ids=[c.id for c in ALL_CASES])
async def test_operation(case: Case, mode: str, httpx_mock: HTTPXMock) -> None:
    kwargs: dict[str, Any] = {"status_code": case.status}
    if case.response is not None:
        kwargs["json"] = case.response
    httpx_mock.add_response(method=case.method, url=BASE + case.url, **kwargs)
    if mode == "sync":
        with Client(api_key=API_KEY) as client:
            result = await invoke(client, case)
    else:
        async with AsyncClient(api_key=API_KEY) as aclient:
            result = await invoke(aclient, case)
    request = httpx_mock.get_request()
    assert request is not None
    assert request.method == case.method
    expected = httpx.URL(BASE + case.url)  # the query compared decoded: httpx 0.27 writes a space %20, 0.28 "+"
    assert request.url.raw_path.split(b"?")[0] == expected.raw_path.split(b"?")[0]
    assert request.url.params.multi_items() == expected.params.multi_items()
    assert request.headers["X-Avala-Api-Key"] == API_KEY
    assert request.headers["Accept"] == "application/json"
    assert request.headers["User-Agent"].startswith("avala-python/")
    if case.body is NO_BODY:
        assert request.content == b""
        assert "content-type" not in request.headers
    else:
        assert request.headers["content-type"] == "application/json"
        assert json.loads(request.content) == case.body
    if case.status == 204:
        assert result is None
    case.check(result)
