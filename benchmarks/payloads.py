"""The fixed, realistic payloads every benchmark uses: one ``Dataset`` and a 100-item ``DatasetItem`` page.

Deterministic (no randomness, no clock), stdlib only: the server, the workers of both SDKs and the pagination
benchmark import this module, so every side measures the very same bytes.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

DATASET_UID = "550e8400-e29b-41d4-a716-446655440000"
OWNER = "acme-ai"
SLUG = "training-v2"
PAGE_SIZE = 100
CDN = f"https://cdn.avala.ai/{OWNER}/{SLUG}"


def dataset() -> dict[str, Any]:
    """A ``GET /datasets/{uid}/`` body: the eight fields of a dataset, two of them date-times."""
    return {
        "uid": DATASET_UID,
        "name": "Training set v2",
        "slug": SLUG,
        "item_count": 48213,
        "data_type": "lidar",
        "created_at": "2026-02-24T10:15:00.123456Z",
        "updated_at": "2026-03-02T08:01:12+00:00",
        "status": "created",
    }


def item(index: int) -> dict[str, Any]:
    """One dataset item with all 16 fields: two date-times, nested dicts and lists, a signed URL (its signature a
    SHA-256 hex digest, as random-looking as a real one)."""
    frame = f"scene-{index // 50:04d}/frame-{index:06d}"
    uid = f"1c6f2a9e-4b7d-4f3a-9e2c-{index:012x}"
    return {
        "id": 48000 + index,
        "uid": uid,
        "key": f"{frame}.pcd",
        "dataset": DATASET_UID,
        "url": f"{CDN}/{frame}.pcd?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=3600&X-Amz-Signature="
        + hashlib.sha256(frame.encode()).hexdigest(),  # a real signature is 64 hex digits with no long zero runs
        "gpu_texture_url": f"{CDN}/{frame}.ktx2",
        "thumbnails": [f"{CDN}/{frame}_thumb_{size}.jpg" for size in (128, 256, 512)],
        "video_thumbnail": None,
        "metadata": {
            "sensor": "lidar_top",
            "timestamp_ns": 1771928100000000000 + index * 100_000_000,
            "pose": {"x": 12.5 + index, "y": -3.25, "z": 1.8, "yaw": 0.0125 * index},
            "tags": ["highway", "night"] if index % 2 else ["urban", "day"],
        },
        "export_snippet": {"format": "avala-json", "version": 2, "frame_index": index},
        "annotations": {
            "cuboid": [
                {"label": "car", "center": [4.2, 1.1, 0.8], "size": [4.5, 1.9, 1.6], "track_id": f"t{n}"}
                for n in range(3)
            ],
            "polyline": 3,
        },
        "crop_data": {"x": 0, "y": 0, "width": 1920, "height": 1080} if index % 3 == 0 else None,
        "related_items": [{"uid": f"1c6f2a9e-4b7d-4f3a-9e2c-{index + 1:012x}", "relation": "next_frame"}],
        "related_sequence_uid": f"7d3e1f00-0000-4000-8000-{index // 50:012x}",
        "created_at": f"2026-02-24T10:{index % 60:02d}:00.123456Z",
        "updated_at": f"2026-03-02T08:{index % 60:02d}:12+00:00",
    }


def items(count: int = PAGE_SIZE, start: int = 0) -> list[dict[str, Any]]:
    """``count`` consecutive items."""
    return [item(index) for index in range(start, start + count)]


def page(base_url: str, cursor: str | None = "cD0yMDI2LTAyLTI0", count: int = PAGE_SIZE) -> dict[str, Any]:
    """A ``GET /datasets/{owner}/{slug}/items/`` body with a ``next`` link (None on the last page)."""
    path = f"{base_url}/datasets/{OWNER}/{SLUG}/items/"
    return {
        "next": None if cursor is None else f"{path}?cursor={cursor}&limit={count}",
        "previous": None,
        "results": items(count),
    }


def encode(value: Any) -> bytes:
    """Compact JSON bytes, as an API server sends them."""
    return json.dumps(value, separators=(",", ":")).encode()
