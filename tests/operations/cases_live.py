"""Cases for what the published 0.10 package calls beyond the reference documents (issue 15, uploads aside):
dataset health, the later ``datasets.create`` arguments, storage configurations of an organization and keyless IAM
role access. Expectations come from ``../shared/reference/published-0.10/operations.md``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from avala.types import Dataset, DatasetHealth, SequenceHealth, StorageConfig, StorageConfigSetupInfo

from .cases_core import is_page
from .harness import Case
from .payloads import DATASET, STORAGE_CONFIG, TS, page

DATASET_HEALTH = {
    "dataset_uid": DATASET["uid"],
    "dataset_slug": "training-v2",
    "dataset_status": "created",
    "data_type": "lidar",
    "is_sequence": True,
    "item_count": 0,
    "sequence_count": 1,
    "total_frames": 240,
    "s3_prefix": "datasets/acme-ai/training-v2/",
    "gc_storage_prefix": None,
    "last_updated_at": TS,
    "sequences": [
        {
            "uid": "seq-01",
            "key": "scene-0001",
            "status": "ready",
            "frame_count": 240,
            "has_lidar_calibration": True,
            "has_camera_calibration": False,
        }
    ],
    "ingest_ok": False,
    "issues": ["Dataset has zero items and zero sequences"],
}
# What an older server or a non-owner gets: only the required fields.
DATASET_HEALTH_MINIMAL = {"dataset_uid": DATASET["uid"], "dataset_slug": "training-v2", "sequences": [{"uid": "s"}]}
EDIT_UPSERT = {
    "action": "upsert",
    "object_uuid": "3f2b8c1e-9d4a-4e7b-b6c5-2a1f0e9d8c7b",
    "object_type": "cuboid",
    "sequence_uid": "seq-01",
    "object_name": "car",
    "object_data": {
        "label": "car",
        "object_id": 17,
        "position": {"px": 12.4, "py": -3.1, "pz": 0.9},
        "dimensions": {"dx": 4.5, "dy": 1.9, "dz": 1.6},
        "rotation": {"qx": 0.0, "qy": 0.0, "qz": 0.38, "qw": 0.92},
    },
}
EDIT_DELETE = {"action": "delete", "object_uuid": "7c6d", "object_type": "cuboid", "dataset_item_uid": "item-0001"}
SETUP_INFO = {"avala_aws_account_id": "123456789012", "external_id": "avala-7f3c9e2a1b4d"}


def check_health(result: Any) -> None:
    assert isinstance(result, DatasetHealth)
    assert (result.dataset_uid, result.dataset_slug, result.total_frames) == (DATASET["uid"], "training-v2", 240)
    assert result.last_updated_at == datetime(2026, 2, 24, 10, 15, tzinfo=UTC)
    (sequence,) = result.sequences
    assert isinstance(sequence, SequenceHealth) and sequence.frame_count == 240
    assert sequence.has_lidar_calibration is True and sequence.has_camera_calibration is False
    assert result.ingest_ok is False and result.issues == ["Dataset has zero items and zero sequences"]


def check_health_defaults(result: Any) -> None:
    assert isinstance(result, DatasetHealth)
    assert (result.item_count, result.sequence_count, result.total_frames) == (0, 0, 0)
    assert result.ingest_ok is False and result.issues == [] and result.s3_prefix is None
    (sequence,) = result.sequences
    assert (sequence.frame_count, sequence.has_lidar_calibration, sequence.has_camera_calibration) == (0, False, False)


def check_owner(owner: str) -> Any:
    def check(result: Any) -> None:
        assert isinstance(result, Dataset) and result.owner_name == owner

    return check


CASES = [
    Case(
        "datasets.get_health",
        "GET",
        "/datasets/acme-ai/training-v2/health/",
        args=("acme-ai", "training-v2"),
        response=DATASET_HEALTH,
        check=check_health,
    ),
    Case(
        "datasets.get_health",
        "GET",
        "/datasets/acme-ai/training-v2/health/",
        args=("acme-ai", "training-v2"),
        response=DATASET_HEALTH_MINIMAL,
        check=check_health_defaults,
        id="datasets.get_health-defaults",
    ),
    Case(
        "datasets.create",
        "POST",
        "/datasets/",
        kwargs={
            "name": "Q1",
            "slug": "q1",
            "data_type": "lidar",
            "organization_id": 42,
            "organization_uid": "org-0001",
            "gpu_texture_format": "ktx2",
            "metadata": {"source": "fleet"},
            "industry": 3,
            "license": 1,
        },
        body={
            "name": "Q1",
            "slug": "q1",
            "data_type": "lidar",
            "visibility": "private",
            "create_metadata": True,
            "organization_id": 42,
            "organization_uid": "org-0001",
            "gpu_texture_format": "ktx2",
            "metadata": {"source": "fleet"},
            "industry": 3,
            "license": 1,
        },
        status=201,
        response={**DATASET, "owner_name": "acme-ai"},
        check=check_owner("acme-ai"),
        id="datasets.create-published-0.10-arguments",
    ),
    Case(
        "datasets.create",
        "POST",
        "/datasets/",
        kwargs={"name": "Q1", "slug": "q1", "data_type": "image", "is_sequence": False},
        body={
            "name": "Q1",
            "slug": "q1",
            "data_type": "image",
            "is_sequence": False,
            "visibility": "private",
            "create_metadata": True,
        },
        status=201,
        response=DATASET,
        id="datasets.create-is_sequence-false-is-sent-when-given",
    ),
    Case(
        "datasets.transfer",
        "POST",
        "/datasets/acme-ai/training-v2/transfer/",
        args=("acme-ai", "training-v2"),
        kwargs={"organization_uid": "org-0002"},
        body={"organization_uid": "org-0002"},
        response={**DATASET, "owner_name": "new-org"},
        check=check_owner("new-org"),
    ),
    Case(
        "datasets.transfer",
        "POST",
        "/datasets/acme-ai/training-v2/transfer/",
        args=("acme-ai", "training-v2"),
        kwargs={"owner_username": "jane"},
        body={"owner_username": "jane"},
        response={**DATASET, "owner_name": "jane"},
        check=check_owner("jane"),
        id="datasets.transfer-to-a-user",
    ),
    Case(
        "annotations.bulk_edit",
        "POST",
        "/datasets/acme-ai/training-v2/bulk-edition/",
        args=("acme-ai", "training-v2", [EDIT_UPSERT, EDIT_DELETE]),
        body=[EDIT_UPSERT, EDIT_DELETE],
        response={"updated": 2},
        check=lambda r: _is(r == [(0, {"updated": 2})], r),
    ),
    Case(
        "storage_configs.list",
        "GET",
        "/storage-configs/?organization=acme-ai&limit=5",
        kwargs={"organization": "acme-ai", "limit": 5},
        response=page([{**STORAGE_CONFIG, "s3_auth_method": "iam_role"}]),
        check=lambda r: (is_page(r, StorageConfig, 1, None), _is(r[0].s3_auth_method == "iam_role", r)),
        id="storage_configs.list-organization",
    ),
    Case(
        "storage_configs.get",
        "GET",
        "/storage-configs/sc-01/?organization=acme-ai",
        args=("sc-01",),
        kwargs={"organization": "acme-ai"},
        response=STORAGE_CONFIG,
        check=lambda r: _is(isinstance(r, StorageConfig) and r.uid == "sc-01", r),
        id="storage_configs.get-organization",
    ),
    Case(
        "storage_configs.create",
        "POST",
        "/storage-configs/?organization=acme-ai",
        kwargs={
            "organization": "acme-ai",
            "name": "Keyless S3",
            "provider": "aws_s3",
            "s3_bucket_name": "my-bucket",
            "s3_auth_method": "iam_role",
            "s3_role_arn": "arn:aws:iam::123456789012:role/avala-read",
        },
        body={
            "name": "Keyless S3",
            "provider": "aws_s3",
            "s3_bucket_name": "my-bucket",
            "s3_auth_method": "iam_role",
            "s3_role_arn": "arn:aws:iam::123456789012:role/avala-read",
        },
        status=201,
        response={**STORAGE_CONFIG, "s3_auth_method": "iam_role"},
        check=lambda r: _is(isinstance(r, StorageConfig) and r.s3_auth_method == "iam_role", r),
        id="storage_configs.create-iam-role-for-an-organization",
    ),
    Case(
        "storage_configs.setup_info",
        "GET",
        "/storage-configs/setup-info/",
        response=SETUP_INFO,
        check=lambda r: _is(
            isinstance(r, StorageConfigSetupInfo)
            and (r.avala_aws_account_id, r.external_id) == ("123456789012", "avala-7f3c9e2a1b4d"),
            r,
        ),
    ),
    Case(
        "storage_configs.setup_info",
        "GET",
        "/storage-configs/setup-info/?organization=acme-ai",
        kwargs={"organization": "acme-ai"},
        response=SETUP_INFO,
        check=lambda r: _is(isinstance(r, StorageConfigSetupInfo), r),
        id="storage_configs.setup_info-organization",
    ),
]


def _is(condition: bool, result: Any) -> None:
    if not condition:
        raise AssertionError(f"unexpected result: {result!r}")
