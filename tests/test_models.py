"""Generated models: ``from_dict`` reads every shape of object the API may send the same way, whichever of its two
paths (every field present, or some missing) it takes; ``to_dict`` gives the object back."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest

from avala._model import parse_date, parse_datetime
from avala.types import AnnotationIssue, Dataset, DatasetItem, SignupUser

DATASET: dict[str, Any] = {
    "uid": "ds-1",
    "name": "Highway",
    "slug": "highway",
    "item_count": 12,
    "data_type": "image",
    "created_at": "2026-02-24T10:15:00Z",
    "updated_at": "2026-02-25T08:00:00.123456+02:00",
    "status": "created",
    "is_sequence": False,
    "predefined_labels": [{"name": "car", "color": "#ff0000"}],
    "owner_name": "acme-ai",
}


def test_every_field_present() -> None:
    ds = Dataset.from_dict(DATASET)
    assert (ds.uid, ds.name, ds.slug, ds.item_count, ds.data_type, ds.status) == (
        "ds-1",
        "Highway",
        "highway",
        12,
        "image",
        "created",
    )
    assert ds.created_at == datetime(2026, 2, 24, 10, 15, tzinfo=UTC)
    assert ds.updated_at == datetime(2026, 2, 25, 8, 0, 0, 123456, tzinfo=timezone(timedelta(hours=2)))
    assert ds.additional_properties == {}
    assert ds.to_dict() == {**DATASET, "created_at": "2026-02-24T10:15:00+00:00"}


def test_unknown_fields_are_kept_next_to_every_known_one() -> None:
    ds = Dataset.from_dict({**DATASET, "region": "eu", "tags": ["a"]})
    assert ds.additional_properties == {"region": "eu", "tags": ["a"]}
    assert ds.to_dict()["region"] == "eu"


def test_as_many_keys_as_fields_but_one_known_missing_and_one_unknown() -> None:
    """The count of keys says "every field", the keys say otherwise: the defaults and the extra field still hold."""
    data = {k: v for k, v in DATASET.items() if k != "item_count"} | {"region": "eu"}
    assert len(data) == len(DATASET)
    ds = Dataset.from_dict(data)
    assert ds.item_count == 0  # the schema's default
    assert ds.additional_properties == {"region": "eu"}


def test_only_the_required_fields() -> None:
    ds = Dataset.from_dict({"uid": "ds-1", "name": "n", "slug": "s", "data_type": "video"})
    assert (ds.item_count, ds.created_at, ds.status, ds.additional_properties) == (0, None, None, {})
    user = SignupUser.from_dict({"uid": "u-1", "username": "ada"})
    assert user.in_waitlist is True  # a non-None default
    assert SignupUser.from_dict({"uid": "u-1", "username": "ada", "in_waitlist": None}).in_waitlist is True


def test_null_values_of_nullable_fields() -> None:
    item = DatasetItem.from_dict({"uid": "it-1", "created_at": None, "metadata": None, "thumbnails": None})
    assert (item.created_at, item.metadata, item.thumbnails) == (None, None, None)


@pytest.mark.parametrize("present", [True, False], ids=["all-fields", "some-fields"])
def test_a_missing_required_field_raises_key_error(present: bool) -> None:
    data = dict(DATASET) if present else {"uid": "ds-1", "name": "n", "data_type": "image"}
    del data["uid"]
    with pytest.raises(KeyError, match="uid"):
        Dataset.from_dict(data)


def test_a_nested_object_missing_its_required_field_raises_key_error() -> None:
    issue = {"uid": "is-1", "project": {"uid": "p-1", "name": "Lanes"}, "reporter": {"username": "ada"}}
    parsed = AnnotationIssue.from_dict(issue)
    assert parsed.project is not None and parsed.project.name == "Lanes"
    assert parsed.reporter is not None and parsed.reporter.username == "ada"
    with pytest.raises(KeyError, match="name"):
        AnnotationIssue.from_dict({**issue, "project": {"uid": "p-1"}})
    full = {name: None for name in AnnotationIssue.from_dict(issue).to_dict()} | {"uid": "is-1"}
    with pytest.raises(KeyError, match="name"):  # the every-field path re-raises it too
        AnnotationIssue.from_dict({**full, "project": {"uid": "p-1"}})


def test_an_enum_value_the_sdk_has_never_seen_is_kept() -> None:
    assert Dataset.from_dict({**DATASET, "status": "teleported"}).status == "teleported"


def test_a_wrong_type_is_a_type_or_value_error() -> None:
    with pytest.raises(TypeError, match="ISO 8601 date-time"):
        Dataset.from_dict({**DATASET, "created_at": 12})
    with pytest.raises(ValueError):
        Dataset.from_dict({**DATASET, "created_at": "yesterday"})
    with pytest.raises((TypeError, AttributeError)):  # both reported as an unusable response by the transport
        Dataset.from_dict(["uid", "name"])  # type: ignore[arg-type]


def test_date_and_datetime_parsers() -> None:
    moment = datetime(2026, 2, 24, 10, 15, tzinfo=UTC)
    assert parse_datetime(moment) is moment
    assert parse_datetime("2026-02-24T10:15:00+00:00") == moment
    assert parse_date("2026-02-24") == date(2026, 2, 24)
    assert parse_date(date(2026, 2, 24)) == date(2026, 2, 24)
    with pytest.raises(TypeError, match="ISO 8601 date string, got int"):
        parse_date(20260224)
    with pytest.raises(TypeError, match="ISO 8601 date-time string, got NoneType"):
        parse_datetime(None)


def test_an_older_server_leaving_out_newer_fields() -> None:
    """A server from before ``is_sequence`` and ``predefined_labels`` existed: they read as None, nothing is extra."""
    older = {k: v for k, v in DATASET.items() if k not in ("is_sequence", "predefined_labels")}
    ds = Dataset.from_dict(older)
    assert (ds.is_sequence, ds.predefined_labels, ds.additional_properties) == (None, None, {})
    assert ds == Dataset.from_dict({**older, "is_sequence": None, "predefined_labels": None})
