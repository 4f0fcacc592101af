"""Cases for the dataset manual-upload operations and users.me (the wire of uploads-protocol.md, section 1)."""

from __future__ import annotations

from typing import Any

from avala.types import AllowedMimes, Dataset, UploadQuota, User

from .harness import Case
from .payloads import DATASET

BATCH = "3c9a1f6e-2b4d-4c8e-9f1a-7d6b5e4c3a21"
UPLOAD = "6f1c2b7e-3d4a-4e9b-8c5f-0a1b2c3d4e5f"
PUT_TARGET = {"method": "PUT", "upload_uid": UPLOAD, "url": "https://data.avala.ai/k?X-Amz-Signature=s", "headers": {}}


def check_quota(result: Any) -> None:
    assert isinstance(result, UploadQuota) and (result.used, result.limit) == (10, 100)


def check_mimes(result: Any) -> None:
    assert isinstance(result, AllowedMimes) and result.mime_types == ["image/png"] and result.video_prefix == "video/"


def check_user(result: Any) -> None:
    assert isinstance(result, User) and result.uid == "u-1" and result.username == "jdoe"


CASES = [
    Case(
        "datasets.manual_upload_quota",
        "GET",
        "/datasets/manual-upload/quota/",
        response={"used": 10, "limit": 100},
        check=check_quota,
    ),
    Case(
        "datasets.manual_upload_quota",
        "GET",
        "/datasets/manual-upload/quota/?organization_uid=org-1",
        kwargs={"organization_uid": "org-1"},
        response={"used": 10, "limit": 100},
        check=check_quota,
        id="datasets.manual_upload_quota-org",
    ),
    Case(
        "datasets.manual_upload_allowed_mimes",
        "GET",
        "/datasets/manual-upload/allowed-mimes/",
        response={"mime_types": ["image/png"], "video_prefix": "video/"},
        check=check_mimes,
    ),
    Case(
        "datasets.create_manual_upload_url",
        "POST",
        "/datasets/manual-upload/file-upload-url/",
        kwargs={"dataset_name": "Training v2", "file_path_in_dataset": "a/b.png", "content_length": 5},
        body={"dataset_name": "Training v2", "file_path_in_dataset": "a/b.png", "content_length": 5},
        response={"url": "https://data.avala.ai/", "fields": {"key": "a/b.png"}},
        check=lambda r: r == {"url": "https://data.avala.ai/", "fields": {"key": "a/b.png"}},
        id="datasets.create_manual_upload_url-v1",
    ),
    Case(
        "datasets.create_manual_upload_url",
        "POST",
        "/datasets/manual-upload/file-upload-url/",
        kwargs={
            "dataset_name": "Training v2",
            "file_path_in_dataset": "a/b.png",
            "content_length": 5,
            "organization_uid": "org-1",
            "dataset_upload_uid": BATCH,
        },
        body={
            "dataset_name": "Training v2",
            "file_path_in_dataset": "a/b.png",
            "content_length": 5,
            "organization_uid": "org-1",
            "dataset_upload_uid": BATCH,
            "upload_protocol_version": 2,
        },
        response=PUT_TARGET,
        check=lambda r: r == PUT_TARGET,
        id="datasets.create_manual_upload_url-v2",
    ),
    Case(
        "datasets.create_manual_upload_parts",
        "POST",
        f"/datasets/manual-upload/uploads/{UPLOAD}/parts/",
        args=(UPLOAD,),
        kwargs={"part_numbers": [3]},
        body={"part_numbers": [3]},
        response={"parts": [{"part_number": 3, "url": "https://data.avala.ai/p", "headers": {}}]},
        check=lambda r: r["parts"][0]["part_number"] == 3,
    ),
    Case(
        "datasets.complete_manual_upload",
        "POST",
        f"/datasets/manual-upload/uploads/{UPLOAD}/complete/",
        args=(UPLOAD,),
        body={},
        response={},
        check=lambda r: r == {},
    ),
    Case(
        "datasets.create_from_manual_upload",
        "POST",
        "/datasets/manual-upload/",
        kwargs={"name": "Training v2", "slug": "training-v2", "data_type": "image"},
        body={
            "name": "Training v2",
            "slug": "training-v2",
            "data_type": "image",
            "visibility": "private",
            "create_metadata": True,
        },
        status=201,
        response=DATASET,
        check=lambda r: isinstance(r, Dataset) and r.slug == "training-v2",
    ),
    Case(
        "datasets.create_from_manual_upload",
        "POST",
        "/datasets/manual-upload/",
        kwargs={
            "name": "Training v2",
            "slug": "training-v2",
            "data_type": "image",
            "visibility": "public",
            "create_metadata": False,
            "owner_name": "acme-ai",
            "metadata": {"k": 1},
            "industry": 3,
            "license": 4,
            "organization_uid": "org-1",
            "dataset_upload_uid": BATCH,
        },
        body={
            "name": "Training v2",
            "slug": "training-v2",
            "data_type": "image",
            "visibility": "public",
            "create_metadata": False,
            "owner_name": "acme-ai",
            "metadata": {"k": 1},
            "industry": 3,
            "license": 4,
            "organization_uid": "org-1",
            "dataset_upload_uid": BATCH,
        },
        status=201,
        response=DATASET,
        id="datasets.create_from_manual_upload-all",
    ),
    Case("users.me", "GET", "/users/me/", response={"uid": "u-1", "username": "jdoe"}, check=check_user),
]
