"""Cases for slices (catalogue §2.14, models §7.8): collection reads end in a literal ``list/`` segment."""

from __future__ import annotations

from typing import Any

from avala.types import Slice, SliceItem

from .cases_common import at
from .cases_core import is_page
from .harness import Case
from .payloads import DATASET, SLICE, SLICE_ITEM, page

SLICE_MINIMAL = {"uid": "5a000000-0001-4000-8000-000000000002", "name": "Empty", "created_by": "jdoe"}


def check_slice(result: Any) -> None:
    assert isinstance(result, Slice)
    assert result.uid == SLICE["uid"] and result.name == "Validation Set" and result.slug == "validation-set"
    assert result.owner_name == "acme-ai" and result.organization == {"slug": "acme-ai", "name": "Acme AI"}
    assert result.visibility == "private" and result.status == "ready" and result.item_count == 250
    assert result.sub_slices == [{"dataset": DATASET["uid"], "filters": {}}] and result.source_data is None
    assert result.featured_slice_item_urls == ["https://cdn.avala.ai/s/1.jpg"]


def check_slice_minimal(result: Any) -> None:
    assert isinstance(result, Slice) and result.name == "Empty"
    assert result.item_count is None and result.sub_slices is None and result.organization is None
    assert result.additional_properties == {"created_by": "jdoe"}


def check_slice_item(result: Any) -> None:
    assert isinstance(result, SliceItem)
    assert result.uid == "slice-item-0001" and result.id == 7 and result.key == "frames/000001.jpg"
    assert result.metadata == {"camera": "front"} and result.related_sequence_uid == "seq-01"
    assert result.created_at == at("2026-02-24T10:15:00Z") and result.updated_at == at("2026-02-24T10:16:30.123456Z")


CASES = [
    Case(
        "slices.list",
        "GET",
        "/slices/my-org/list/?limit=20",
        args=("my-org",),
        kwargs={"limit": 20},
        response=page([SLICE, SLICE_MINIMAL], "c2w", "/slices/my-org/list/"),
        check=lambda r: (is_page(r, Slice, 2, "c2w"), check_slice(r[0]), check_slice_minimal(r[1])),
    ),
    Case(
        "slices.list",
        "GET",
        "/slices/acme-ai/list/?cursor=c2w",
        args=("acme-ai",),
        kwargs={"cursor": "c2w"},
        response=page([]),
        check=lambda r: is_page(r, Slice, 0, None),
        id="slices.list-cursor",
    ),
    Case(
        "slices.get", "GET", "/slices/my-org/my-slice/", args=("my-org", "my-slice"), response=SLICE, check=check_slice
    ),
    # The owner goes in the body as `organization`; the path has no owner.
    Case(
        "slices.create",
        "POST",
        "/slices/",
        kwargs={
            "name": "Validation Set",
            "visibility": "private",
            "sub_slices": [{"dataset": "dataset_uid", "filters": {}}],
            "organization": "my-org",
        },
        body={
            "name": "Validation Set",
            "visibility": "private",
            "sub_slices": [{"dataset": "dataset_uid", "filters": {}}],
            "organization": "my-org",
        },
        status=201,
        response=SLICE,
        check=check_slice,
    ),
    Case(
        "slices.create",
        "POST",
        "/slices/",
        kwargs={"name": "Sample", "visibility": "public", "sub_slices": [], "random_selection_count": 0},
        body={"name": "Sample", "visibility": "public", "sub_slices": [], "random_selection_count": 0},
        status=201,
        response=SLICE_MINIMAL,
        check=check_slice_minimal,
        id="slices.create-random-0",
    ),
    Case(
        "slices.list_items",
        "GET",
        "/slices/my-org/my-slice/items/list/?limit=50",
        args=("my-org", "my-slice"),
        kwargs={"limit": 50},
        response=page([SLICE_ITEM], "aXQ", "/slices/my-org/my-slice/items/list/"),
        check=lambda r: (is_page(r, SliceItem, 1, "aXQ"), check_slice_item(r[0])),
    ),
    Case(
        "slices.get_item",
        "GET",
        "/slices/my-org/my-slice/items/item_uid/",
        args=("my-org", "my-slice", "item_uid"),
        response=SLICE_ITEM,
        check=check_slice_item,
    ),
]
