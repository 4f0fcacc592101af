"""Cases for datasets, projects, tasks, exports and storage_configs."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from avala import AsyncCursorPage, CursorPage
from avala.types import Dataset, DatasetItem, DatasetSequence, Export, Project, StorageConfig, Task

from .harness import NO_BODY, Case
from .payloads import DATASET, DATASET_ITEM, DATASET_SEQUENCE, EXPORT, PROJECT, STORAGE_CONFIG, TASK, page


def is_page(result: Any, model: type, n: int, next_cursor: str | None) -> None:
    assert isinstance(result, CursorPage | AsyncCursorPage)
    assert len(result) == n and all(isinstance(item, model) for item in result)
    assert result.next_cursor == next_cursor and result.has_more == (next_cursor is not None)


def check_dataset(result: Any) -> None:
    assert isinstance(result, Dataset)
    assert result.uid == DATASET["uid"] and result.slug == "training-v2" and result.item_count == 1200
    assert result.created_at == datetime(2026, 2, 24, 10, 15, tzinfo=UTC)


def check_item(result: Any) -> None:
    assert isinstance(result, DatasetItem)
    assert result.id == 7 and result.thumbnails == ["https://cdn.avala.ai/t/1.jpg"]
    assert result.metadata == {"camera": "front"} and result.related_items == [{"uid": "item-0002"}]
    assert result.updated_at is not None and result.updated_at.microsecond == 123456


CASES = [
    Case(
        "datasets.list",
        "GET",
        "/datasets/?data_type=image&name=highway&limit=20",
        kwargs={"data_type": "image", "name": "highway", "limit": 20},
        response=page([DATASET], "cD0x", "/datasets/"),
        check=lambda r: (is_page(r, Dataset, 1, "cD0x"), check_dataset(r[0])),
    ),
    Case(
        "datasets.list",
        "GET",
        "/datasets/?status=created&visibility=private&cursor=cD0x",
        kwargs={"status": "created", "visibility": "private", "cursor": "cD0x"},
        response=page([], None),
        check=lambda r: is_page(r, Dataset, 0, None),
        id="datasets.list-filters",
    ),
    Case("datasets.list", "GET", "/datasets/", response=page([DATASET]), id="datasets.list-no-query"),
    Case(
        "datasets.get",
        "GET",
        "/datasets/550e8400-e29b-41d4-a716-446655440000/",
        args=("550e8400-e29b-41d4-a716-446655440000",),
        response=DATASET,
        check=check_dataset,
    ),
    Case(
        "datasets.get_by_slug",
        "GET",
        "/datasets/acme-ai/training-v2/",
        args=("acme-ai", "training-v2"),
        response=DATASET,
        check=check_dataset,
    ),
    Case(
        "datasets.create",
        "POST",
        "/datasets/",
        kwargs={"name": "LiDAR Captures Q1", "slug": "lidar-captures-q1", "data_type": "lidar"},
        body={
            "name": "LiDAR Captures Q1",
            "slug": "lidar-captures-q1",
            "data_type": "lidar",
            "visibility": "private",
            "create_metadata": True,
        },  # no is_sequence: the live service expects it only when the caller sets it
        status=201,
        response=DATASET,
        check=check_dataset,
    ),
    Case(
        "datasets.create",
        "POST",
        "/datasets/",
        kwargs={
            "name": "Q1",
            "slug": "q1",
            "data_type": "lidar",
            "is_sequence": True,
            "visibility": "public",
            "create_metadata": False,
            "provider_config": {"provider": "aws_s3", "s3_bucket_name": "b"},
            "owner_name": "my-org",
        },
        body={
            "name": "Q1",
            "slug": "q1",
            "data_type": "lidar",
            "is_sequence": True,
            "visibility": "public",
            "create_metadata": False,
            "provider_config": {"provider": "aws_s3", "s3_bucket_name": "b"},
            "owner_name": "my-org",
        },
        status=201,
        response=DATASET,
        id="datasets.create-all",
    ),
    Case(
        "datasets.list_items",
        "GET",
        "/datasets/my-org/my-dataset/items/?limit=50",
        args=("my-org", "my-dataset"),
        kwargs={"limit": 50},
        response=page([DATASET_ITEM, DATASET_ITEM], "abc", "/datasets/my-org/my-dataset/items/"),
        check=lambda r: (is_page(r, DatasetItem, 2, "abc"), check_item(r[1])),
    ),
    Case(
        "datasets.get_item",
        "GET",
        "/datasets/my-org/my-dataset/items/item-0001/",
        args=("my-org", "my-dataset", "item-0001"),
        response=DATASET_ITEM,
        check=check_item,
    ),
    Case(
        "datasets.list_sequences",
        "GET",
        "/datasets/my-org/my-dataset/sequences/?limit=0",
        args=("my-org", "my-dataset"),
        kwargs={"limit": 0},
        response=page([DATASET_SEQUENCE]),
        check=lambda r: (is_page(r, DatasetSequence, 1, None), None),
    ),
    Case(
        "datasets.get_sequence",
        "GET",
        "/datasets/my-org/my-dataset/sequences/seq-01/",
        args=("my-org", "my-dataset", "seq-01"),
        response=DATASET_SEQUENCE,
        check=lambda r: (isinstance(r, DatasetSequence) and r.number_of_frames == 120) or _fail(r),
    ),
    Case(
        "projects.list",
        "GET",
        "/users/me/projects/?limit=20",
        kwargs={"limit": 20},
        response=page([PROJECT], "n2"),
        check=lambda r: (is_page(r, Project, 1, "n2"), None),
    ),
    Case(
        "projects.get",
        "GET",
        f"/users/me/projects/{PROJECT['uid']}/",
        args=(PROJECT["uid"],),
        response=PROJECT,
        check=lambda r: (isinstance(r, Project) and r.name == "Highway QA" and r.updated_at is None) or _fail(r),
    ),
    Case(
        "tasks.list",
        "GET",
        "/tasks/?project=proj_uid&status=pending&limit=50",
        kwargs={"project": "proj_uid", "status": "pending", "limit": 50},
        response=page([TASK]),
        check=lambda r: (is_page(r, Task, 1, None), None),
    ),
    Case(
        "tasks.get",
        "GET",
        f"/tasks/{TASK['uid']}/",
        args=(TASK["uid"],),
        response=TASK,
        check=lambda r: (isinstance(r, Task) and r.type == "bounding_box") or _fail(r),
    ),
    Case(
        "exports.list",
        "GET",
        "/exports/?limit=10",
        kwargs={"limit": 10},
        response=page([EXPORT]),
        check=lambda r: (is_page(r, Export, 1, None), None),
    ),
    Case(
        "exports.create",
        "POST",
        "/exports/",
        kwargs={"project": "proj_uid"},
        body={"project": "proj_uid"},
        status=201,
        response=EXPORT,
        check=lambda r: (isinstance(r, Export) and r.status == "exported") or _fail(r),
    ),
    Case("exports.create", "POST", "/exports/", body={}, status=201, response=EXPORT, id="exports.create-empty"),
    Case(
        "exports.get",
        "GET",
        "/exports/exp-01/",
        args=("exp-01",),
        response=EXPORT,
        check=lambda r: (isinstance(r, Export) and r.download_url == EXPORT["download_url"]) or _fail(r),
    ),
    Case(
        "storage_configs.list",
        "GET",
        "/storage-configs/",
        response=page([STORAGE_CONFIG]),
        check=lambda r: (is_page(r, StorageConfig, 1, None), None),
    ),
    Case(
        "storage_configs.get",
        "GET",
        "/storage-configs/sc-01/",
        args=("sc-01",),
        response=STORAGE_CONFIG,
        check=lambda r: (isinstance(r, StorageConfig) and r.is_verified is True) or _fail(r),
    ),
    Case(
        "storage_configs.create",
        "POST",
        "/storage-configs/",
        kwargs={
            "name": "Production S3",
            "provider": "aws_s3",
            "s3_bucket_name": "my-bucket",
            "s3_bucket_region": "us-west-2",
            "s3_access_key_id": "AKIAABCDEFGHIJKLMNOP",
            "s3_secret_access_key": "wJalrXUtnFEMI/K7MDENG",
            "s3_is_accelerated": False,
        },
        body={
            "name": "Production S3",
            "provider": "aws_s3",
            "s3_bucket_name": "my-bucket",
            "s3_bucket_region": "us-west-2",
            "s3_access_key_id": "AKIAABCDEFGHIJKLMNOP",
            "s3_secret_access_key": "wJalrXUtnFEMI/K7MDENG",
            "s3_is_accelerated": False,
        },
        status=201,
        response=STORAGE_CONFIG,
        check=lambda r: (isinstance(r, StorageConfig) and r.s3_bucket_region == "us-west-2") or _fail(r),
    ),
    Case(
        "storage_configs.test",
        "POST",
        "/storage-configs/sc-01/test/",
        args=("sc-01",),
        body=NO_BODY,
        response={"verified": True, "errors": {}},
        check=lambda r: (r == {"verified": True, "errors": {}}) or _fail(r),
    ),
    Case("storage_configs.delete", "DELETE", "/storage-configs/sc-01/", args=("sc-01",), status=204),
]


def _fail(result: Any) -> None:
    raise AssertionError(f"unexpected result: {result!r}")
