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

# --- automation (catalogue §7.4) ------------------------------------------------------------------------------------
PROJECT_UID = PROJECT["uid"]
AGENT = {
    "uid": "a1b2c3d4-0001-4000-8000-000000000001",
    "name": "QA Bot",
    "description": "Flags low-confidence boxes.",
    "events": ["task.completed"],
    "callback_url": "https://example.com/webhook",
    "is_active": True,
    "project": PROJECT_UID,
    "task_types": ["annotation"],
    "secret": "agent-signing-secret-4f9a",
    "execution_stats": {"total": 12, "succeeded": 11, "failed": 1},
    "created_at": TS,
    "updated_at": "2026-02-24T11:00:00.250000+00:00",
}
AGENT_MINIMAL = {"uid": "a1b2c3d4-0001-4000-8000-000000000002", "name": "Bare Bot"}
AGENT_EXECUTION = {
    "uid": "e0e0e0e0-0001-4000-8000-000000000001",
    "registration": AGENT["uid"],
    "event_type": "task.completed",
    "task": TASK["uid"],
    "result": "approved",
    "status": "completed",
    "action": "approve",
    "event_payload": {"task_uid": TASK["uid"]},
    "response_payload": {"ok": True},
    "error_message": None,
    "started_at": TS,
    "completed_at": "2026-02-24T10:15:02Z",
    "created_at": TS,
    "updated_at": TS,
}
INFERENCE_PROVIDER = {
    "uid": "1f1f1f1f-0001-4000-8000-000000000001",
    "name": "My SageMaker",
    "description": None,
    "provider_type": "sagemaker",
    "config": {"endpoint": "my-endpoint", "region": "us-east-1"},
    "is_active": True,
    "project": None,
    "last_test_at": "2026-02-24T09:00:00Z",
    "last_test_success": True,
    "created_at": TS,
    "updated_at": TS,
}
AUTO_LABEL_JOB = {
    "uid": "ab000000-0001-4000-8000-000000000001",
    "status": "running",
    "model_type": "sam3",
    "confidence_threshold": 0.85,
    "labels": ["car", "truck"],
    "dry_run": False,
    "total_items": 200,
    "processed_items": 80,
    "successful_items": 78,
    "failed_items": 1,
    "skipped_items": 1,
    "progress_pct": 40.0,
    "error_message": None,
    "summary": {"boxes": 312},
    "started_at": TS,
    "completed_at": None,
    "created_at": TS,
}
AUTO_LABEL_JOB_MINIMAL = {"uid": "ab000000-0001-4000-8000-000000000002", "status": "pending"}

# --- quality and consensus (catalogue §7.5) -------------------------------------------------------------------------
QUALITY_TARGET = {
    "uid": "9a000000-0001-4000-8000-000000000001",
    "name": "Accuracy Target",
    "metric": "accuracy",
    "operator": "gte",
    "threshold": 0.95,
    "severity": "critical",
    "is_active": True,
    "notify_webhook": True,
    "notify_emails": ["alerts@example.com"],
    "last_evaluated_at": TS,
    "last_value": 0.97,
    "is_breached": False,
    "breach_count": 2,
    "last_breached_at": "2026-02-20T08:00:00Z",
    "created_at": TS,
    "updated_at": TS,
}
QUALITY_TARGET_MINIMAL = {
    "uid": "9a000000-0001-4000-8000-000000000002",
    "name": "Recall",
    "metric": "recall",
    "operator": "gt",
    "threshold": 1,
}
QUALITY_TARGET_EVALUATION = {
    "uid": QUALITY_TARGET["uid"],
    "name": "Accuracy Target",
    "metric": "accuracy",
    "threshold": 0.95,
    "operator": "gte",
    "current_value": 0.91,
    "is_breached": True,
    "severity": "critical",
}
CONSENSUS_SUMMARY = {
    "mean_score": 0.82,
    "median_score": 0.85,
    "min_score": 0.4,
    "max_score": 1.0,
    "total_items": 120,
    "items_with_consensus": 96,
    "score_distribution": {"0.8-0.9": 40, "0.9-1.0": 56},
    "by_task_name": [{"task_name": "Frame 1", "mean_score": 0.8}],
}
CONSENSUS_SCORE = {
    "uid": "c0000000-0001-4000-8000-000000000001",
    "dataset_item_uid": DATASET_ITEM["uid"],
    "task_name": "Frame 1",
    "score_type": "iou",
    "score": 0.87,
    "annotator_count": 3,
    "details": {"pairs": 3},
    "created_at": TS,
}
CONSENSUS_COMPUTE_RESULT = {"status": "started", "message": "Consensus computation started."}
CONSENSUS_CONFIG = {
    "uid": "c0000000-0002-4000-8000-000000000001",
    "iou_threshold": 0.7,
    "min_agreement_ratio": 0.8,
    "min_annotations": 3,
    "created_at": TS,
    "updated_at": TS,
}

# --- webhooks (catalogue §7.6) --------------------------------------------------------------------------------------
WEBHOOK = {
    "uid": "b0000000-0001-4000-8000-000000000001",
    "target_url": "https://example.com/webhook",
    "events": ["task.completed", "export.ready"],
    "is_active": True,
    "secret": "whsec-7d1e9c0a5b",
    "created_at": TS,
    "updated_at": TS,
}
WEBHOOK_DELIVERY = {
    "uid": "b0000000-0002-4000-8000-000000000001",
    "subscription": WEBHOOK["uid"],
    "event_type": "export.ready",
    "payload": {"export_uid": EXPORT["uid"]},
    "response_status": 200,
    "response_body": "ok",
    "attempts": 1,
    "next_retry_at": None,
    "status": "delivered",
    "created_at": TS,
    "updated_at": TS,
}

# --- organizations (catalogue §7.7) ---------------------------------------------------------------------------------
ORGANIZATION = {
    "uid": "0a000000-0001-4000-8000-000000000001",
    "name": "Acme AI",
    "slug": "acme-ai",
    "handle": "acme",
    "description": "Perception data for autonomous trucking.",
    "logo": "https://cdn.avala.ai/logos/acme.png",
    "website": "https://acme.example.com",
    "industry": "technology",
    "email": "ops@acme.example.com",
    "phone": "+1 555 0100",
    "visibility": "private",
    "plan": "enterprise",
    "is_verified": True,
    "is_active": True,
    "member_count": 14,
    "team_count": 3,
    "dataset_count": 22,
    "project_count": 9,
    "slice_count": 4,
    "role": "owner",
    "joined_at": "2025-11-03T09:30:00Z",
    "allowed_domains": ["acme.example.com"],
    "created_at": TS,
    "updated_at": TS,
}
ORGANIZATION_MINIMAL = {"uid": "0a000000-0001-4000-8000-000000000002", "name": "Tiny", "slug": "tiny"}
ORGANIZATION_MEMBER = {
    "user_uid": "u0000000-0001-4000-8000-000000000001",
    "username": "jdoe",
    "email": "jdoe@acme.example.com",
    "full_name": "Jane Doe",
    "picture": None,
    "role": "admin",
    "created_at": TS,
}
INVITATION = {
    "uid": "1e000000-0001-4000-8000-000000000001",
    "organization_name": "Acme AI",
    "organization_slug": "acme-ai",
    "invited_email": "user@example.com",
    "invited_by_username": "jdoe",
    "role": "member",
    "status": "pending",
    "expires_at": "2026-03-03T10:15:00Z",
    "is_expired": False,
    "accept_url": "https://avala.ai/invitations/accept/abc",
    "copy_link": "https://avala.ai/i/abc",
    "created_at": TS,
}
TEAM = {
    "uid": "7e000000-0001-4000-8000-000000000001",
    "name": "ML Engineers",
    "slug": "ml-engineers",
    "description": "Machine learning team",
    "color": "#3366ff",
    "organization_uid": ORGANIZATION["uid"],
    "organization_name": "Acme AI",
    "organization_slug": "acme-ai",
    "member_count": 5,
    "created_at": TS,
    "updated_at": TS,
}
TEAM_MEMBER = {
    "user_uid": "u0000000-0001-4000-8000-000000000002",
    "username": "rsmith",
    "email": None,
    "full_name": "R. Smith",
    "picture": "https://cdn.avala.ai/u/rsmith.png",
    "role": "lead",
    "created_at": TS,
}

# --- slices (catalogue §7.8) ----------------------------------------------------------------------------------------
SLICE = {
    "uid": "5a000000-0001-4000-8000-000000000001",
    "name": "Validation Set",
    "slug": "validation-set",
    "owner_name": "acme-ai",
    "organization": {"slug": "acme-ai", "name": "Acme AI"},
    "visibility": "private",
    "status": "ready",
    "item_count": 250,
    "sub_slices": [{"dataset": DATASET["uid"], "filters": {}}],
    "source_data": None,
    "featured_slice_item_urls": ["https://cdn.avala.ai/s/1.jpg"],
}
SLICE_ITEM = {**DATASET_ITEM, "uid": "slice-item-0001"}

# --- annotation issues (catalogue §7.9) -----------------------------------------------------------------------------
SEQUENCE_UID = "8f14e45f-ceea-467f-a0e5-bd1c9b6f3a21"
ANNOTATION_ISSUE = {
    "uid": "15500000-0001-4000-8000-000000000001",
    "dataset_item_uid": "1c6f2a9e-4b7d-4f3a-9e2c-8d5b7a1f0e34",
    "sequence_uid": SEQUENCE_UID,
    "project": {"uid": PROJECT_UID, "name": "Highway QA"},
    "reporter": {"username": "jdoe", "picture": None, "full_name": "Jane Doe", "type": "customer", "is_staff": False},
    "priority": "high",
    "severity": "major",
    "description": "Truck labelled as car in frames 40-44.",
    "status": "open",
    "tool": {"uid": "a06c526b-13de-4f50-81a2-b3c4d5e6f708", "name": "Cuboid", "default": True},
    "problem": {"uid": "b17d637c-24ef-4061-92b3-c4d5e6f70819", "title": "Wrong class"},
    "wrong_class": "car",
    "correct_class": "truck",
    "should_re_annotate": True,
    "should_delete": False,
    "frames_affected": "40-44",
    "coordinates": [12.5, 40.25, 3.0],
    "query_params": {"frame": 40},
    "created_at": TS,
    "closed_at": None,
    "object_uid": "c28e748d-35f0-4172-a3c4-d5e6f708192a",
    "assignee": "rsmith",  # not in the model: must land in additional_properties
}
ANNOTATION_ISSUE_MINIMAL = {"uid": "15500000-0001-4000-8000-000000000002"}
ANNOTATION_ISSUE_METRICS = {
    "status_count": {"open": 4, "resolved": 10},
    "priority_count": {"high": 2, "low": 12},
    "severity_count": {"major": 3, "minor": 11},
    "mean_seconds_close_time_all": 86400,
    "mean_seconds_close_time_customer": 43200,
    "mean_unresolved_issue_age_all": 7200,
    "mean_unresolved_issue_age_customer": None,
    "object_count_by_annotation_issue_problem_uid": [{"problem_uid": "b17d637c", "count": 3}],
}
ANNOTATION_ISSUE_TOOL_DETAIL = {
    "uid": "a06c526b-13de-4f50-81a2-b3c4d5e6f708",
    "name": "Cuboid",
    "dataset_type": "lidar",
    "default": True,
    "problems": [
        {"uid": "b17d637c-24ef-4061-92b3-c4d5e6f70819", "title": "Wrong class"},
        {"uid": "b17d637c-24ef-4061-92b3-c4d5e6f70820", "title": "Missing object"},
    ],
}

# --- fleet (catalogue §7.10) ----------------------------------------------------------------------------------------
DEVICE_UID = "d39f859e-4601-4283-b4d5-e6f708192a3b"
RECORDING_UID = "e4a096af-5712-4394-85e6-f708192a3b4c"
RULE_UID = "06c2b8c1-7934-45b6-a708-192a3b4c5d6e"
DEVICE = {
    "uid": DEVICE_UID,
    "name": "truck-017",
    "type": "vehicle",
    "status": "online",
    "tags": ["fleet-a", "lidar"],
    "firmware_version": "2.4.1",
    "metadata": {"vin": "1FTFW1E50PFA00017"},
    "last_seen_at": "2026-02-24T10:14:59Z",
    "device_token": "devtok-9c1f",
    "created_at": TS,
    "updated_at": TS,
}
DEVICE_MINIMAL = {"uid": "d39f859e-4601-4283-b4d5-e6f708192a3c", "name": "bench-rig"}
RECORDING = {
    "uid": RECORDING_UID,
    "device": DEVICE_UID,
    "status": "ready",
    "duration_seconds": 1800.5,
    "size_bytes": 73400320000,
    "topic_count": 12,
    "tags": ["highway"],
    "topics": [{"name": "/lidar/points", "messages": 18000}],
    "started_at": "2026-02-23T22:00:00Z",
    "ended_at": "2026-02-23T22:30:00.500000Z",
    "created_at": TS,
    "updated_at": TS,
}
RECORDING_MINIMAL = {"uid": "e4a096af-5712-4394-85e6-f708192a3b4d", "status": "uploading"}
FLEET_EVENT = {
    "uid": "f5b1a7b0-6823-44a5-96f7-08192a3b4c5d",
    "recording": RECORDING_UID,
    "device": DEVICE_UID,
    "type": "warning",
    "label": "hard_brake",
    "description": "Deceleration above 0.6 g.",
    "timestamp": "2026-02-23T22:14:07Z",
    "duration_ms": 1200,
    "tags": ["braking"],
    "metadata": {"decel_g": 0.64},
    "severity": "warning",
    "created_at": TS,
    "updated_at": TS,
}
RULE = {
    "uid": RULE_UID,
    "name": "Hard braking",
    "description": "Alert on decelerations above 0.6 g.",
    "enabled": False,
    "condition": {"metric": "decel_g", "op": "gt", "value": 0.6},
    "actions": [{"type": "alert", "channel": "slack-ops"}],
    "scope": {"tags": ["fleet-a"]},
    "hit_count": 7,
    "last_hit_at": "2026-02-23T22:14:07Z",
    "created_at": TS,
    "updated_at": TS,
}
RULE_MINIMAL = {"uid": "06c2b8c1-7934-45b6-a708-192a3b4c5d6f", "name": "Draft rule"}
ALERT = {
    "uid": "17e4d0e3-8a45-46c7-b819-2a3b4c5d6e7f",
    "rule": RULE_UID,
    "device": DEVICE_UID,
    "recording": RECORDING_UID,
    "severity": "warning",
    "status": "resolved",
    "message": "Hard braking on truck-017.",
    "triggered_at": "2026-02-23T22:14:08Z",
    "acknowledged_at": "2026-02-24T08:00:00Z",
    "acknowledged_by": "jdoe",
    "resolved_at": TS,
    "resolution_note": "Driver coached; sensor calibration verified.",
    "created_at": "2026-02-23T22:14:08Z",
    "updated_at": TS,
}
ALERT_CHANNEL = {
    "uid": "28f5e1f4-9b56-47d8-c92a-3b4c5d6e7f80",
    "name": "slack-ops",
    "type": "slack",
    "config": {"webhook_url": "https://hooks.slack.com/services/T000/B000/XXXX"},
    "created_at": TS,
    "updated_at": TS,
}

# --- signup (catalogue §7.11) ---------------------------------------------------------------------------------------
SIGNUP_API_KEY = "avk_live_9f8e7d6c5b4a39281706f5e4d3c2b1a0"
SIGNUP_RESPONSE = {
    "user": {
        "uid": "u0000000-0009-4000-8000-000000000001",
        "username": "newbie",
        "email": "new@example.com",
        "first_name": "New",
        "last_name": "User",
    },
    "api_key": SIGNUP_API_KEY,
}
