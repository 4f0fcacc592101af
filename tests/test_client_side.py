"""What issue 15's methods do on the client besides one request: the exactly-one check of ``datasets.transfer``,
frames and calibrations derived from one sequence, ``organizations.slug_for_uid`` walking the organization pages,
``annotations.bulk_edit`` sending its edits in chunks."""

from __future__ import annotations

import inspect
import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from pytest_httpx import HTTPXMock

from avala import AsyncClient, Client
from avala.errors import AvalaError, ChunkError, ValidationError
from avala.types import CameraCalibration, DatasetCalibration, DatasetFrame, FrameImage, Quat, Vec3
from tests.conftest import API_KEY, BASE


async def call(mode: str, name: str, *args: Any, **kwargs: Any) -> Any:
    """``client.<name>(*args, **kwargs)`` on a fresh sync or async client."""
    client: Any = Client(api_key=API_KEY) if mode == "sync" else AsyncClient(api_key=API_KEY)
    try:
        target = client
        for part in name.split("."):
            target = getattr(target, part)
        result = target(*args, **kwargs)
        return await result if inspect.isawaitable(result) else result
    finally:
        closed = client.close()
        if inspect.isawaitable(closed):
            await closed


@asynccontextmanager
async def clients(mode: str) -> AsyncIterator[Any]:
    """A sync or async client, closed at the end."""
    if mode == "sync":
        with Client(api_key=API_KEY) as client:
            yield client
    else:
        async with AsyncClient(api_key=API_KEY) as aclient:
            yield aclient


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize(
    ("kwargs", "problem"),
    [
        ({}, "neither was given"),
        ({"organization_uid": "org-1", "owner_username": "jane"}, "both organization_uid and owner_username"),
    ],
    ids=["neither", "both"],
)
async def test_transfer_needs_exactly_one_target(
    mode: str, kwargs: dict[str, Any], problem: str, httpx_mock: HTTPXMock
) -> None:
    with pytest.raises(ValueError, match="exactly one of organization_uid or owner_username") as caught:
        await call(mode, "datasets.transfer", "acme-ai", "training-v2", **kwargs)
    assert problem in str(caught.value)
    assert "org-1" not in str(caught.value) and "jane" not in str(caught.value)  # names, never values
    assert httpx_mock.get_requests() == []  # nothing was sent


# --- datasets.get_frame / get_calibration: derived from one datasets.get_sequence -------------------------------------

SEQUENCE_URL = f"{BASE}/datasets/acme-ai/training-v2/sequences/seq-01/"
FRAME_0 = {
    "key": "scene-0001/frame-000000.pcd",
    "camera_model": "doublesphere",  # the frame uses the other name: model falls back to it
    "xi": -0.18,
    "alpha": 0.59,
    "device_position": {"x": 12.5, "y": -3.25, "z": 1.8},
    "device_heading": {"x": 0.0, "y": 0.0, "z": 0.38, "w": 0.92},
    "timestamp": 1771928100.0,
    "images": [
        {
            "camera": "cam_front",
            "image_url": "https://cdn.avala.ai/f.jpg",
            "position": {"x": 1.5, "y": 0.0, "z": 1.6},
            "heading": {"x": 0.5, "y": -0.5, "z": 0.5, "w": -0.5},
            "width": 1920,
            "height": 1080,
            "fx": 1266.4,
            "fy": 1266.4,
            "cx": 960.0,
            "cy": 540.0,
            "model": "pinhole",
            "exposure_ms": 8,
        },
        {"sensor_id": "cam_back", "position": {"x": -1.0, "y": 0.0}, "xi": 0.0},  # a coordinate missing
    ],
}
FRAME_1 = {"key": "scene-0001/frame-000001.pcd", "model": "pinhole", "device_position": None}


def sequence(frames: Any) -> dict[str, Any]:
    return {"uid": "seq-01", "key": "scene-0001", "frames": frames}


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_get_frame_types_one_frame_of_the_sequence(mode: str, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(method="GET", url=SEQUENCE_URL, json=sequence([FRAME_0, FRAME_1]))
    frame = await call(mode, "datasets.get_frame", "acme-ai", "training-v2", "seq-01", 0)
    assert isinstance(frame, DatasetFrame)
    assert (frame.frame_index, frame.key) == (0, "scene-0001/frame-000000.pcd")
    assert (frame.model, frame.camera_model, frame.xi, frame.alpha) == ("doublesphere", "doublesphere", -0.18, 0.59)
    assert isinstance(frame.device_position, Vec3) and frame.device_position.z == 1.8
    assert isinstance(frame.device_heading, Quat) and frame.device_heading.w == 0.92
    assert frame.images is not None and len(frame.images) == 2
    front, back = frame.images
    assert isinstance(front, FrameImage) and (front.width, front.fx, front.model) == (1920, 1266.4, "pinhole")
    assert isinstance(front.position, Vec3) and isinstance(front.heading, Quat) and front.heading.w == -0.5
    assert front.additional_properties == {"camera": "cam_front", "exposure_ms": 8}  # nothing of the frame is lost
    assert back.position is None  # it lacks z; raw still has it
    assert frame.raw == FRAME_0
    assert len(httpx_mock.get_requests()) == 1


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_get_frame_falls_back_from_model_to_camera_model_and_back(mode: str, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(method="GET", url=SEQUENCE_URL, json=sequence([FRAME_0, FRAME_1]))
    frame = await call(mode, "datasets.get_frame", "acme-ai", "training-v2", "seq-01", 1)
    assert (frame.frame_index, frame.model, frame.camera_model) == (1, "pinhole", "pinhole")
    assert frame.device_position is None and frame.device_heading is None and frame.images is None


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize(("frames", "index"), [([FRAME_0], 1), ([FRAME_0], -1), (None, 0)], ids=["past", "neg", "none"])
async def test_get_frame_outside_the_frames_is_an_index_error(
    mode: str, frames: Any, index: int, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(method="GET", url=SEQUENCE_URL, json=sequence(frames))
    with pytest.raises(IndexError, match=f"frame_idx {index} out of range for sequence seq-01"):
        await call(mode, "datasets.get_frame", "acme-ai", "training-v2", "seq-01", index)


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_get_calibration_reads_the_rig_of_the_first_frame(mode: str, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(method="GET", url=SEQUENCE_URL, json=sequence([FRAME_0, FRAME_1]))
    calibration = await call(mode, "datasets.get_calibration", "acme-ai", "training-v2", "seq-01")
    assert isinstance(calibration, DatasetCalibration)
    assert calibration.sequence_uid == "seq-01" and calibration.dataset_level_camera_calibration is None
    front, back = calibration.cameras
    assert isinstance(front, CameraCalibration)
    assert (front.camera_id, front.width, front.height, front.fx, front.cy) == ("cam_front", 1920, 1080, 1266.4, 540.0)
    assert front.model == "pinhole"  # the image's own model wins over the frame's
    assert (front.xi, front.alpha) == (-0.18, 0.59)  # the frame's, as the image has none
    assert isinstance(front.position, Vec3) and isinstance(front.heading, Quat)
    assert back.camera_id == "cam_back" and back.position is None
    assert back.model is None  # neither the image nor the frame says `model` (the frame says camera_model)
    assert (back.xi, back.alpha) == (0.0, 0.59)  # 0.0 is a value, not a missing one


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_a_sequence_without_frames_has_no_cameras(mode: str, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(method="GET", url=SEQUENCE_URL, json=sequence(None))
    calibration = await call(mode, "datasets.get_calibration", "acme-ai", "training-v2", "seq-01")
    assert calibration.cameras == [] and calibration.sequence_uid == "seq-01"


# --- organizations.slug_for_uid: every page of organizations.list (paged by number), up to the first match --------


def org(uid: str, slug: str) -> dict[str, Any]:
    return {"uid": uid, "name": slug.title(), "slug": slug}


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_slug_for_uid_walks_the_pages_until_it_finds_the_uid(mode: str, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(
        url=f"{BASE}/organizations/",
        json={"results": [org("o1", "one")], "next": f"{BASE}/organizations/?page=2", "previous": None},
    )
    httpx_mock.add_response(
        url=f"{BASE}/organizations/?page=2",
        json={"results": [org("o2", "two"), org("o3", "three")], "next": f"{BASE}/organizations/?page=3"},
    )
    assert await call(mode, "organizations.slug_for_uid", "o2") == "two"
    assert len(httpx_mock.get_requests()) == 2  # the third page is never fetched


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_slug_for_uid_is_none_for_an_unknown_uid(mode: str, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(
        url=f"{BASE}/organizations/",
        json={"results": [org("o1", "one")], "next": f"{BASE}/organizations/?page=2", "previous": None},
    )
    httpx_mock.add_response(
        url=f"{BASE}/organizations/?page=2", json={"results": [org("o2", "two")], "next": None, "previous": None}
    )
    assert await call(mode, "organizations.slug_for_uid", "o9") is None
    assert len(httpx_mock.get_requests()) == 2


# --- annotations.bulk_edit: a JSON array sent in chunks, one request per step ----------------------------------------

BULK_URL = f"{BASE}/datasets/acme-ai/training-v2/bulk-edition/"


def edits(n: int) -> Iterator[dict[str, Any]]:
    """``n`` edits from a generator: the SDK must read them lazily, never as a whole."""
    for i in range(n):
        yield {"action": "delete", "object_uuid": f"obj-{i}", "object_type": "cuboid", "dataset_item_uid": "item-1"}


async def walk(mode: str, client: Any, *args: Any, **kwargs: Any) -> list[tuple[int, Any]]:
    if mode == "sync":
        return list(client.annotations.bulk_edit(*args, **kwargs))
    return [step async for step in await client.annotations.bulk_edit(*args, **kwargs)]


def chunk_sizes(httpx_mock: HTTPXMock) -> list[int]:
    return [len(json.loads(request.content)) for request in httpx_mock.get_requests()]


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_bulk_edit_sends_one_request_per_chunk(mode: str, httpx_mock: HTTPXMock) -> None:
    for n in (500, 500, 201):
        httpx_mock.add_response(method="POST", url=BULK_URL, json={"updated": n})
    async with clients(mode) as client:
        steps = await walk(mode, client, "acme-ai", "training-v2", edits(1201))
    assert steps == [(0, {"updated": 500}), (1, {"updated": 500}), (2, {"updated": 201})]
    assert chunk_sizes(httpx_mock) == [500, 500, 201]
    sent = [edit["object_uuid"] for r in httpx_mock.get_requests() for edit in json.loads(r.content)]
    assert sent == [f"obj-{i}" for i in range(1201)]  # every edit once, in order


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_bulk_edit_sends_a_chunk_only_when_the_next_result_is_asked_for(mode: str, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(method="POST", url=BULK_URL, json={"updated": 2}, is_reusable=True)
    async with clients(mode) as client:
        if mode == "sync":
            steps = client.annotations.bulk_edit("acme-ai", "training-v2", edits(5), chunk_size=2)
            assert httpx_mock.get_requests() == []
            assert next(steps) == (0, {"updated": 2})
            assert chunk_sizes(httpx_mock) == [2]
            assert [index for index, _ in steps] == [1, 2]
        else:
            steps = await client.annotations.bulk_edit("acme-ai", "training-v2", edits(5), chunk_size=2)
            assert httpx_mock.get_requests() == []
            assert await steps.__anext__() == (0, {"updated": 2})
            assert chunk_sizes(httpx_mock) == [2]
            assert [index async for index, _ in steps] == [1, 2]
    assert chunk_sizes(httpx_mock) == [2, 2, 1]


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_a_failed_chunk_says_where_to_resume(mode: str, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(method="POST", url=BULK_URL, json={"updated": 2})
    httpx_mock.add_response(
        method="POST",
        url=BULK_URL,
        status_code=400,
        json={"object_uuid": ["Unknown item."]},
        headers={"X-Request-Id": "r9"},
    )
    seen: list[tuple[int, Any]] = []
    async with clients(mode) as client:
        with pytest.raises(ChunkError) as caught:
            if mode == "sync":
                seen.extend(client.annotations.bulk_edit("acme-ai", "training-v2", edits(6), chunk_size=2))
            else:
                async for step in await client.annotations.bulk_edit("acme-ai", "training-v2", edits(6), chunk_size=2):
                    seen.append(step)
    error = caught.value
    assert seen == [(0, {"updated": 2})]
    assert isinstance(error, RuntimeError) and isinstance(error, AvalaError)  # what the published SDK raises, typed
    assert error.chunk_index == 1 and isinstance(error.__cause__, ValidationError)
    assert (error.status_code, error.request_id, error.operation) == (400, "r9", "annotations.bulk_edit")
    assert str(error) == "annotations.bulk_edit: chunk 1 failed: object_uuid: Unknown item."
    assert chunk_sizes(httpx_mock) == [2, 2]  # the third chunk is never sent


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("size", [0, -1, True, 2.5, "10"])
async def test_bulk_edit_refuses_a_bad_chunk_size_before_sending(mode: str, size: Any, httpx_mock: HTTPXMock) -> None:
    with pytest.raises(ValueError, match="chunk_size must be a positive integer"):
        await call(mode, "annotations.bulk_edit", "acme-ai", "training-v2", edits(3), chunk_size=size)
    assert httpx_mock.get_requests() == []


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_bulk_edit_refuses_what_is_not_a_list_of_edits(mode: str, httpx_mock: HTTPXMock) -> None:
    with pytest.raises(TypeError, match="pass an iterable of edit objects, not a dict"):
        await call(mode, "annotations.bulk_edit", "acme-ai", "training-v2", {"action": "delete"})
    httpx_mock.add_response(method="POST", url=BULK_URL, json={"updated": 2})
    async with clients(mode) as client:
        with pytest.raises(TypeError, match="item 2 is a str, not a JSON object"):
            await walk(mode, client, "acme-ai", "training-v2", [*edits(2), "obj-2"], chunk_size=2)
    assert chunk_sizes(httpx_mock) == [2]  # the chunks before the bad item were sent, the bad one not


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_bulk_edit_of_nothing_sends_nothing(mode: str, httpx_mock: HTTPXMock) -> None:
    async with clients(mode) as client:
        assert await walk(mode, client, "acme-ai", "training-v2", []) == []
    assert httpx_mock.get_requests() == []


# --- the with_raw_response twins keep the checks and the chunking ---------------------------------------------------


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_raw_bulk_edit_yields_one_raw_response_per_chunk(mode: str, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(method="POST", url=BULK_URL, json={"updated": 2}, headers={"X-Request-Id": "r1"})
    httpx_mock.add_response(method="POST", url=BULK_URL, json={"updated": 1}, headers={"X-Request-Id": "r2"})
    async with clients(mode) as client:
        raw = client.with_raw_response.annotations
        if mode == "sync":
            steps = list(raw.bulk_edit("acme-ai", "training-v2", edits(3), chunk_size=2))
        else:
            steps = [step async for step in await raw.bulk_edit("acme-ai", "training-v2", edits(3), chunk_size=2)]
    assert [(index, r.status_code, r.request_id, r.parse()) for index, r in steps] == [
        (0, 200, "r1", {"updated": 2}),
        (1, 200, "r2", {"updated": 1}),
    ]


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_raw_transfer_checks_its_target_too(mode: str, httpx_mock: HTTPXMock) -> None:
    async with clients(mode) as client:
        with pytest.raises(ValueError, match="exactly one of organization_uid or owner_username"):
            result = client.with_raw_response.datasets.transfer("acme-ai", "training-v2")
            if inspect.isawaitable(result):
                await result
    assert httpx_mock.get_requests() == []
