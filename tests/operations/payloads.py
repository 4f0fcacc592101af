"""Realistic response objects, written from the API catalogue's model tables (not from openapi.yaml)."""

from __future__ import annotations

from typing import Any

TS = "2026-02-24T10:15:00Z"
BASE = "https://api.avala.ai/api/v1"


def page(results: list[Any], next_cursor: str | None = None, path: str = "/x/") -> dict[str, Any]:
    """A DRF cursor page whose ``next`` URL carries the cursor."""
    return {
        "results": results,
        "next": f"{BASE}{path}?cursor={next_cursor}" if next_cursor else None,
        "previous": None,
    }


DATASET = {
    "uid": "550e8400-e29b-41d4-a716-446655440000",
    "name": "Training v2",
    "slug": "training-v2",
    "item_count": 1200,
    "data_type": "lidar",
    "status": "created",
    "created_at": TS,
    "updated_at": TS,
}
DATASET_ITEM = {
    "id": 7,
    "uid": "item-0001",
    "key": "frames/000001.jpg",
    "dataset": DATASET["uid"],
    "url": "https://cdn.avala.ai/frames/000001.jpg",
    "gpu_texture_url": None,
    "thumbnails": ["https://cdn.avala.ai/t/1.jpg"],
    "video_thumbnail": None,
    "metadata": {"camera": "front"},
    "export_snippet": None,
    "annotations": {"boxes": 3},
    "crop_data": None,
    "related_items": [{"uid": "item-0002"}],
    "related_sequence_uid": "seq-01",
    "created_at": TS,
    "updated_at": "2026-02-24T10:16:30.123456+00:00",
}
DATASET_SEQUENCE = {
    "uid": "seq-01",
    "key": "drive-17",
    "custom_uuid": None,
    "status": "ready",
    "featured_image": None,
    "number_of_frames": 120,
    "views": [{"name": "front"}],
    "crop_data": None,
    "predefined_labels": [],
    "frames": [{"index": 0}],
    "metrics": {"boxes": 10},
    "dataset_uid": DATASET["uid"],
    "allow_lidar_calibration": True,
    "lidar_calibration_enabled": False,
    "camera_calibration_enabled": None,
}
PROJECT = {"uid": "770a9600-a40d-63f6-c938-668877660000", "name": "Highway QA", "status": "active", "created_at": TS}
TASK = {
    "uid": "990c1800-b62f-85a8-e150-880099880000",
    "type": "bounding_box",
    "name": "Frame 1",
    "status": "pending",
    "project": PROJECT["uid"],
    "created_at": TS,
    "updated_at": TS,
}
EXPORT = {"uid": "exp-01", "status": "exported", "download_url": "https://cdn.avala.ai/e.zip", "created_at": TS}
STORAGE_CONFIG = {
    "uid": "sc-01",
    "name": "Production S3",
    "provider": "aws_s3",
    "s3_bucket_name": "my-bucket",
    "s3_bucket_region": "us-west-2",
    "s3_bucket_prefix": None,
    "s3_is_accelerated": False,
    "gc_storage_bucket_name": None,
    "gc_storage_prefix": None,
    "is_verified": True,
    "last_verified_at": TS,
    "created_at": TS,
    "updated_at": TS,
}
