"""Open enums in the spec diff: ``anyOf: [{type: string, enum: [...]}, {type: string}]`` accepts what the plain string
does, so naming known values (or changing them) changes nothing on the wire, while anything else still counts."""

from __future__ import annotations

from typing import Any

from codegen.specdiff import Change, diff_specs

from .cases import base, props


def open_enum(values: list[str], nullable: bool = False) -> dict[str, Any]:
    members: list[dict[str, Any]] = [{"type": "string", "enum": values}, {"type": "string"}]
    return {"anyOf": members + ([{"type": "null"}] if nullable else []), "description": "Known values."}


def diff(edit: Any) -> list[Change]:
    old, new = base(), base()
    edit(old, new)
    return diff_specs(old, new)


def test_naming_the_known_values_of_a_string_changes_nothing() -> None:
    def edit(old: Any, new: Any) -> None:
        props(new, "Dataset")["status"] = open_enum(["ready", "creating"])
        props(new, "DatasetCreateRequest")["notes"] = open_enum(["a", "b"], nullable=True)

    assert diff(edit) == []


def test_known_values_added_or_removed_change_nothing() -> None:
    def edit(old: Any, new: Any) -> None:
        props(old, "Dataset")["status"] = open_enum(["ready", "creating"])
        props(new, "Dataset")["status"] = open_enum(["ready", "archived"])

    assert diff(edit) == []


def test_an_open_enum_that_loses_its_null_or_its_type_is_still_reported() -> None:
    def edit(old: Any, new: Any) -> None:
        props(old, "Dataset")["status"] = open_enum(["ready"], nullable=True)
        props(new, "Dataset")["status"] = open_enum(["ready"])
        props(old, "DatasetCreateRequest")["notes"] = open_enum(["a"])
        props(new, "DatasetCreateRequest")["notes"] = {"type": "integer", "description": "Notes."}

    rules = sorted(change.rule for change in diff(edit))
    assert rules == ["request.type.changed", "response.nullable.removed"], rules


def test_a_closed_enum_is_still_an_enum() -> None:
    def edit(old: Any, new: Any) -> None:
        props(new, "DatasetCreateRequest")["data_type"] = {
            "type": "string",
            "enum": ["image"],
            "description": "Data type.",
        }

    assert [change.rule for change in diff(edit)] == ["request.enum.value-removed"]
