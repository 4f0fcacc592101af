"""The published CLI's own checks of ``avala annotations bulk-edit`` (named in the table by ``codegen/cli.py``).

Besides the item schema of the spec (checked by :mod:`avala.cli._input`), the published command refuses what the
service's serializer refuses: an action other than ``upsert``/``delete``, an upsert without ``object_data`` or with an
object type the service does not take, and an object type the target does not support (a dataset item takes
``cuboid``; a sequence ``cuboid 3d`` or ``point cloud polyline``). Before sending it checks that the dataset exists
and is a LiDAR dataset, and that every item and sequence the edits name exists, reading their pages until it has
seen them all (``--check-only`` stops there).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

import click

from ._input import InputError

ACTIONS = ("delete", "upsert")
OBJECT_TYPES = ("cuboid", "cuboid 3d", "point cloud polyline")
ON_ITEM = ("cuboid",)
ON_SEQUENCE = ("cuboid 3d", "point cloud polyline")


def check(edit: dict[str, Any]) -> str | None:
    """What the service would refuse in one edit (the published CLI's local rules), or None."""
    action, object_type = edit.get("action"), edit.get("object_type")
    if action not in ACTIONS:
        return f"action must be one of {list(ACTIONS)}, got {action!r}"
    if action == "upsert":
        if object_type not in OBJECT_TYPES:
            return f"object_type must be one of {sorted(OBJECT_TYPES)}, got {object_type!r}"
        if edit.get("object_data") is None:
            return "object_data is required for upsert"
    if edit.get("dataset_item_uid") and object_type and object_type not in ON_ITEM:
        return f"dataset_item_uid does not support object_type={object_type!r} (use 'cuboid')"
    if edit.get("sequence_uid") and object_type and object_type not in ON_SEQUENCE:
        return f"sequence_uid does not support object_type={object_type!r} (use 'cuboid 3d' or 'point cloud polyline')"
    return None


def summary(edits: list[dict[str, Any]]) -> list[str]:
    """The count of edits per ``object_name``, most frequent first (stderr lines)."""
    counts = Counter(edit.get("object_name") or "Object" for edit in edits)
    return ["Distinct object_name values:"] + [
        f"  {name}: {count}" for name, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


def _missing(wanted: set[str], known: Iterable[Any], what: str, field: str, where: str) -> None:
    click.echo(f"Resolving {len(wanted)} {what}...", err=True)
    missing = set(wanted)
    for row in known:  # pages are read until every wanted uid has been seen
        missing.discard(str(row.uid))
        if not missing:
            break
    if missing:
        sample = sorted(missing)[:10]
        raise InputError(f"{len(missing)} of {len(wanted)} {field}(s) do not exist on {where}. Sample: {sample}")
    click.echo(f"  All {len(wanted)} {what} exist.", err=True)


def preflight(client: Any, args: list[Any], edits: list[dict[str, Any]]) -> None:
    """The dataset exists and is a LiDAR dataset; every item and sequence the edits name exists (read-only)."""
    owner, slug = args
    where = f"{owner}/{slug}"
    dataset = client.datasets.get_by_slug(owner, slug)
    if dataset.data_type != "lidar":
        raise InputError(f"Dataset {where} has data_type={dataset.data_type!r}, but bulk-edit requires 'lidar'")
    click.echo(f"Dataset {where}: data_type={dataset.data_type}, is_sequence={dataset.is_sequence}", err=True)
    items = {str(e["dataset_item_uid"]) for e in edits if e.get("dataset_item_uid")}
    sequences = {str(e["sequence_uid"]) for e in edits if e.get("sequence_uid")}
    if items:
        _missing(items, client.datasets.list_items(owner, slug).iter_all(), "dataset items", "dataset_item_uid", where)
    if sequences:
        found = client.datasets.list_sequences(owner, slug).iter_all()
        _missing(sequences, found, "sequences", "sequence_uid", where)
