"""Generated models: ``from_dict`` reads every shape of object the API may send the same way, whichever of its two
paths (every field present, or some missing) it takes; ``to_dict`` and ``to_json`` give the object back."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest

from avala._model import parse_date, parse_datetime
from avala.types import AnnotationIssue, Dataset, DatasetItem, QualityTarget, SignupUser, Webhook
from tests import api_surface

_DATASET_FIELDS: dict[str, Any] = {
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
# every field of the model, in its order (tests/api_surface.py): a field added to the spec later reads as None
DATASET: dict[str, Any] = {name: _DATASET_FIELDS.get(name) for name in api_surface.MODELS["Dataset"]}


def test_every_field_present() -> None:
    """Every field of the fixture reads back; a field added to the spec later is None (tests/api_surface.py)."""
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
    assert set(DATASET) <= set(api_surface.MODELS["Dataset"])
    later = {name: None for name in api_surface.MODELS["Dataset"] if name not in DATASET}
    assert ds.to_dict() == {**later, **DATASET}  # a UTC time written back as the API writes it, with Z


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


# --- to_json -------------------------------------------------------------------------------------------------------


def test_to_json_is_the_text_the_api_sent() -> None:
    """Compact, ISO 8601 date-times (UTC with Z, other offsets kept), unknown fields kept, non-ASCII as is."""
    sent = {**DATASET, "name": "Autobahn München 北", "region": {"code": "eu", "zones": [1, 2]}}
    text = json.dumps(sent, ensure_ascii=False, separators=(",", ":"))
    ds = Dataset.from_dict(json.loads(text))
    assert ds.to_json() == text
    assert json.loads(ds.to_json()) == ds.to_dict()
    assert Dataset.from_dict(json.loads(ds.to_json())) == ds


def test_to_json_indented_for_people() -> None:
    text = Dataset.from_dict(DATASET).to_json(indent=2)
    assert text.startswith('{\n  "uid": "ds-1",\n') and json.loads(text) == DATASET


def test_to_json_of_nested_models_dates_and_nulls() -> None:
    item = DatasetItem.from_dict({"uid": "i-1", "created_at": "2026-02-24T10:15:00.5Z"})
    assert json.loads(item.to_json())["created_at"] == "2026-02-24T10:15:00.500000Z"
    issue = AnnotationIssue.from_dict({"uid": "a-1", "reporter": {"username": "ann"}, "new_field": None})
    dumped = json.loads(issue.to_json())
    assert dumped["reporter"]["username"] == "ann" and dumped["new_field"] is None


def test_to_json_keeps_a_secret_field_that_repr_hides() -> None:
    hook = Webhook.from_dict({"uid": "w-1", "target_url": "https://example.com/hook", "secret": "whsec_123"})
    assert "whsec_123" not in repr(hook)
    assert json.loads(hook.to_json())["secret"] == "whsec_123"


def test_to_json_refuses_what_json_cannot_hold() -> None:
    target = QualityTarget.from_dict({"uid": "q-1", "name": "n", "metric": "m", "operator": "gt", "threshold": 0.9})
    target.threshold = float("nan")
    with pytest.raises(ValueError):
        target.to_json()


def test_the_published_0x_names_keep_working_on_every_model() -> None:
    """``model_validate``, ``model_dump()``, ``model_dump_json()`` and ``.dict()`` of the 0.x pydantic models are the
    attrs models' own."""
    import attrs

    import avala
    import avala.types

    models = [getattr(avala.types, name) for name in avala.types.__all__]
    models = [cls for cls in models if attrs.has(cls)]
    assert Dataset in models and len(models) > 40
    for cls in models:
        assert cls.model_validate == cls.from_dict, cls.__name__
        assert cls.model_dump is cls.to_dict and cls.dict is cls.to_dict, cls.__name__
        assert cls.model_dump_json is cls.to_json, cls.__name__
    ds = Dataset.model_validate({**DATASET, "region": "eu"})
    assert ds == Dataset.from_dict({**DATASET, "region": "eu"})
    assert ds.model_dump() == ds.dict() == ds.to_dict() == {**DATASET, "region": "eu"}
    assert avala.Avala is avala.Client
