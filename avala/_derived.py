"""What the ``x-python-derived`` methods compute on the client from one operation's result (see openapi.yaml).

``datasets.get_frame`` and ``datasets.get_calibration`` read a sequence (``datasets.get_sequence``): the service
embeds every frame's LiDAR JSON metadata in the sequence and has no calibration endpoint, so the published SDK
derives both here, and so does this one, with its field fallbacks. Sync and async methods call the same functions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .types.camera_calibration import CameraCalibration
from .types.dataset_calibration import DatasetCalibration
from .types.dataset_frame import DatasetFrame
from .types.dataset_sequence import DatasetSequence

_VEC3 = ("x", "y", "z")
_QUAT = ("x", "y", "z", "w")
_CAMERA_KEYS = ("width", "height", "fx", "fy", "cx", "cy")


def _vector(value: Any, keys: tuple[str, ...]) -> dict[str, Any] | None:
    """A position or rotation object carrying every coordinate, else None (the frame's ``raw`` keeps the value)."""
    if isinstance(value, Mapping) and all(isinstance(value.get(k), int | float) for k in keys):
        return dict(value)
    return None


def _first(*values: Any) -> Any:
    """The first value that is not None (``0`` and ``""`` count as given)."""
    return next((v for v in values if v is not None), None)


def _frames(sequence: DatasetSequence) -> list[Mapping[str, Any]]:
    """The sequence's frames, each checked to be a JSON object."""
    frames: list[Any] = sequence.frames or []
    for index, frame in enumerate(frames):
        if not isinstance(frame, Mapping):
            raise TypeError(f"sequence {sequence.uid}: frame {index} is {type(frame).__name__}, not a JSON object")
    return frames


def frame_of_sequence(sequence: DatasetSequence, frame_idx: int) -> DatasetFrame:
    """Frame ``frame_idx`` of the sequence's ``frames``, typed; ``raw`` holds the frame object as the API sent it.

    ``model`` falls back to ``camera_model`` and the reverse (frames use either name). A position or heading that
    lacks a coordinate is None (still in ``raw``). Raises ``IndexError`` when the index is outside the frames."""
    frames = _frames(sequence)
    if isinstance(frame_idx, bool) or not isinstance(frame_idx, int) or not 0 <= frame_idx < len(frames):
        raise IndexError(f"frame_idx {frame_idx!r} out of range for sequence {sequence.uid} with {len(frames)} frames")
    raw = frames[frame_idx]
    images = raw.get("images")
    return DatasetFrame.from_dict(
        {
            "frame_index": frame_idx,
            "key": raw.get("key"),
            "model": _first(raw.get("model"), raw.get("camera_model")),
            "camera_model": _first(raw.get("camera_model"), raw.get("model")),
            "xi": raw.get("xi"),
            "alpha": raw.get("alpha"),
            "device_position": _vector(raw.get("device_position"), _VEC3),
            "device_heading": _vector(raw.get("device_heading"), _QUAT),
            "images": [_image(image) for image in images if isinstance(image, Mapping)]
            if isinstance(images, list)
            else None,
            "raw": dict(raw),
        }
    )


def _image(image: Mapping[str, Any]) -> dict[str, Any]:
    """A camera view of a frame with its position and heading checked (see :func:`_vector`)."""
    return {
        **image,
        "position": _vector(image.get("position"), _VEC3),
        "heading": _vector(image.get("heading"), _QUAT),
    }


def calibration_of_sequence(sequence: DatasetSequence) -> DatasetCalibration:
    """The camera rig of the sequence, read from its first frame (every frame carries the rig).

    One ``CameraCalibration`` per image of frame 0: ``camera_id`` from ``camera``, ``camera_id`` or ``sensor_id``;
    ``model``, ``xi`` and ``alpha`` fall back to the frame's own values. No frames: no cameras.
    ``dataset_level_camera_calibration`` stays None (the sequence does not carry it)."""
    frames = _frames(sequence)
    cameras: list[CameraCalibration] = []
    if frames:
        first = frames[0]
        images = first.get("images")
        for image in images if isinstance(images, list) else []:
            if not isinstance(image, Mapping):
                continue
            camera: dict[str, Any] = {key: image.get(key) for key in _CAMERA_KEYS}
            camera.update(
                camera_id=_first(image.get("camera"), image.get("camera_id"), image.get("sensor_id")),
                position=_vector(image.get("position"), _VEC3),
                heading=_vector(image.get("heading"), _QUAT),
                model=_first(image.get("model"), image.get("camera_model"), first.get("model")),
                xi=_first(image.get("xi"), first.get("xi")),
                alpha=_first(image.get("alpha"), first.get("alpha")),
            )
            cameras.append(CameraCalibration.from_dict(camera))
    return DatasetCalibration(sequence_uid=sequence.uid, cameras=cameras)
