# pyright: strict
"""A user's script as pyright (strict) and mypy --strict see it (checked by tests/test_typing.py, never run): every
result is precisely typed, raw responses and pages included."""

from __future__ import annotations

from typing import Any, Literal, assert_type

from avala import AsyncClient, AsyncCursorPage, Client, CursorPage, RawResponse
from avala.types import AnnotationIssue, Dataset, Device, Export


def sync_calls(client: Client) -> None:
    raw = client.with_raw_response.datasets.get("training-v2")
    assert_type(raw, RawResponse[Dataset])
    assert_type(raw.parse(), Dataset)
    assert_type(raw.status_code, int)
    assert_type(raw.request_id, str | None)
    assert_type(raw.retries, int)

    raw_page = client.with_raw_response.datasets.list(limit=20)
    assert_type(raw_page.parse(), CursorPage[Dataset])
    assert_type(raw_page.parse().next_cursor, str | None)
    for dataset in raw_page.parse().iter_all():
        assert_type(dataset, Dataset)

    assert_type(client.with_raw_response.fleet.devices.list().parse(), CursorPage[Device])
    assert_type(client.with_raw_response.fleet.devices.delete("dev-1").parse(), None)
    assert_type(client.with_raw_response.fleet.events.create_batch(events=[]).parse(), int)
    assert_type(client.with_raw_response.annotation_issues.list_by_sequence("seq-1").parse(), list[AnnotationIssue])
    assert_type(client.with_options(max_retries=5).with_raw_response.exports.get("e").parse(), Export)

    assert_type(client.datasets.list(), CursorPage[Dataset])
    # known values are typed (and completed by an IDE); any other string still passes both ways
    dataset = client.datasets.get("d")
    assert_type(dataset.data_type, Literal["image", "video", "lidar", "mcap", "splat"] | str | None)
    assert_type(dataset.status, Literal["creating", "created"] | str | None)
    client.datasets.list(data_type="lidar", visibility="private")
    client.datasets.list(data_type="a type the SDK has never seen")
    client.fleet.alerts.list(status="acknowledged", severity="critical")
    assert_type(client.exports.wait("exp-1"), Export)
    assert_type(client.datasets.get("d").to_json(), str)
    assert_type(client.datasets.get("d").to_dict(), dict[str, Any])


async def async_calls(client: AsyncClient) -> None:
    raw = await client.with_raw_response.datasets.get("training-v2")
    assert_type(raw, RawResponse[Dataset])
    assert_type(raw.parse(), Dataset)

    raw_page = await client.with_raw_response.datasets.list(limit=20)
    page = raw_page.parse()
    assert_type(page, AsyncCursorPage[Dataset])
    async for dataset in page.iter_all():
        assert_type(dataset, Dataset)
    assert_type(await page.next_page(), AsyncCursorPage[Dataset] | None)

    assert_type((await client.with_raw_response.fleet.devices.get("dev-1")).parse(), Device)
