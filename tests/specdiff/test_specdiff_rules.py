"""Every rule of the spec diff on a minimal old/new pair (see cases.py), and the diff's cross-cutting behaviour."""

from __future__ import annotations

import copy
import time
from pathlib import Path
from typing import Any

import pytest

from codegen.specdiff import RULES, Change, diff_specs
from codegen.specdiff.cli import parse

from . import synthetic
from .cases import CASES, CREATE, GET, LIST, base, props, schema

REPO_SPEC = Path(__file__).resolve().parents[2] / "openapi.yaml"


def rows(changes: list[Change]) -> list[tuple[str, str, str, str, str, str]]:
    return [(c.severity, c.rule, c.operation, c.python, c.location, c.message) for c in changes]


def run(name: str) -> list[Change]:
    old, new = base(), base()
    CASES[name][0](old, new)
    return diff_specs(old, new)


@pytest.mark.parametrize("name", sorted(CASES))
def test_case(name: str) -> None:
    assert rows(run(name)) == CASES[name][1]


def test_every_rule_has_a_case_of_its_own() -> None:
    for rule, (severity, _) in RULES.items():
        assert rule in CASES, f"no case for {rule}"
        assert (severity, rule) in {(row[0], row[1]) for row in CASES[rule][1]}, rule
    reported = {row[1] for _, expected in CASES.values() for row in expected}
    assert reported <= set(RULES)


def test_identical_specs_have_no_change() -> None:
    assert diff_specs(base(), base()) == []


def test_repository_spec_against_itself() -> None:
    if not REPO_SPEC.exists():
        pytest.skip("openapi.yaml is not written yet")
    document = parse(REPO_SPEC.read_text(encoding="utf-8"), str(REPO_SPEC))
    assert diff_specs(document, copy.deepcopy(document)) == []


def test_a_shared_schema_change_is_reported_once_with_every_operation() -> None:
    (change,) = run("shared-schema-once")
    assert (change.operation, change.python) == ("", "")
    assert change.affected == (LIST, CREATE, GET)
    assert change.to_dict()["affected"][0] == {"operation": "GET /datasets/", "python": "client.datasets.list"}


def test_a_schema_used_in_both_directions_keeps_the_breaking_verdict() -> None:
    (change,) = run("both-directions")
    assert change.breaking
    assert change.message.endswith("(the schema is used in requests and responses)")


def test_recursive_schemas_terminate_and_report_once() -> None:
    old, new = base(), base()
    schemas = old["components"]["schemas"]
    schemas["Node"] = {"type": "object", "properties": {"next": {"$ref": "#/components/schemas/Edge"}}}
    schemas["Edge"] = {
        "type": "object",
        "properties": {"to": {"$ref": "#/components/schemas/Node"}, "w": {"type": "integer"}},
    }
    props(old, "Dataset")["graph"] = {"$ref": "#/components/schemas/Node"}
    props(old, "Owner")["graph"] = {"$ref": "#/components/schemas/Node"}
    new = copy.deepcopy(old)
    new["components"]["schemas"]["Edge"]["properties"]["w"]["type"] = "string"
    new["components"]["schemas"]["Alias"] = {"$ref": "#/components/schemas/Alias"}  # a ref to itself
    assert [(c.rule, c.location, c.message) for c in diff_specs(old, new)] == [
        ("model.added", "/components/schemas/Alias", "new model `Alias`"),
        (
            "response.type.changed",
            "/components/schemas/Edge/properties/w/type",
            "type of response property `Edge.w` changed from `integer` to `string`"
            " (the schema is used in requests and responses)",
        ),
    ]


def test_recursive_schema_renamed() -> None:
    old, new = base(), base()
    schemas = new["components"]["schemas"]
    schemas["Account"] = schemas.pop("Owner")
    schemas["Account"]["properties"]["parent"] = {"$ref": "#/components/schemas/Account"}
    for node in (props(new, "Dataset")["owner"]["oneOf"], props(new, "Dataset")["source"]["anyOf"]):
        node[0 if "$ref" in node[0] else 1] = {"$ref": "#/components/schemas/Account"}
    props(new, "DatasetCreateRequest")["owner"] = {"$ref": "#/components/schemas/Account"}
    assert [c.rule for c in diff_specs(old, new)] == ["model.renamed"]


def test_renamed_model_chain_is_one_rename_each() -> None:
    old, new = base(), base()
    schemas = new["components"]["schemas"]
    schemas["DatasetPage"] = schemas.pop("PaginatedDatasetList")
    schemas["DataSet"] = schemas.pop("Dataset")
    for path, method in (("/datasets/", "post"), ("/datasets/{uid}/", "get")):
        new["paths"][path][method]["responses"][next(iter(new["paths"][path][method]["responses"]))]["content"][
            "application/json"
        ]["schema"] = {"$ref": "#/components/schemas/DataSet"}
    page = new["paths"]["/datasets/"]["get"]["responses"]["200"]["content"]["application/json"]
    page["schema"] = {"$ref": "#/components/schemas/DatasetPage"}
    schemas["DatasetPage"]["properties"]["results"]["items"] = {"$ref": "#/components/schemas/DataSet"}
    assert [(c.rule, c.message) for c in diff_specs(old, new)] == [
        ("model.renamed", "model `Dataset` renamed to `DataSet` (the Python class is renamed)"),
    ]  # the page wrapper is no Python class: renaming it changes nothing


def test_unreached_models_are_compared_as_responses_or_by_request_name() -> None:
    old, new = base(), base()
    props(new, "Team")["slug"]["type"] = ["string", "null"]
    old["components"]["schemas"]["TeamCreateRequest"] = {"type": "object", "properties": {"name": {"type": "string"}}}
    new["components"]["schemas"]["TeamCreateRequest"] = {"type": "object", "properties": {"name": {"type": "integer"}}}
    assert rows(diff_specs(old, new)) == [
        (
            "breaking",
            "response.nullable.added",
            "",
            "",
            "/components/schemas/Team/properties/slug/type",
            "response property `Team.slug` became nullable",
        ),
        (
            "breaking",
            "request.type.changed",
            "",
            "",
            "/components/schemas/TeamCreateRequest/properties/name/type",
            "type of request property `TeamCreateRequest.name` changed from `string` to `integer`",
        ),
    ]


def test_equivalent_spellings_are_not_changes() -> None:
    old, new = base(), base()
    responses = new["paths"]["/datasets/{uid}/"]["get"]["responses"]
    responses[200] = responses.pop("200")  # an unquoted status code
    props(new, "Dataset")["status"] = {"type": "string", "description": "Re-described."}
    props(old, "Dataset")["created_at"] = {"type": "string", "format": "date-time", "nullable": True}  # 3.0 style
    props(new, "Dataset")["created_at"] = {
        "anyOf": [{"type": "string", "format": "date-time"}, {"type": "null"}],
        "description": "3.1 style",
    }
    props(new, "Dataset")["name"] = {"allOf": [{"type": "string", "maxLength": 64}], "description": "Wrapped."}
    props(new, "Dataset")["uid"] = {"type": ["string"]}
    assert diff_specs(old, new) == []


def test_parameter_referenced_from_components_is_reported_once() -> None:
    old, new = base(), base()
    for doc in (old, new):
        doc["paths"]["/fleet/devices/"]["get"]["parameters"].append({"$ref": "#/components/parameters/Limit"})
    new["components"]["parameters"]["Limit"]["required"] = True
    (change,) = diff_specs(old, new)
    assert (change.rule, change.location) == (
        "request.parameter.became-required",
        "/components/parameters/Limit/required",
    )
    assert [op for op, _ in change.affected] == ["GET /datasets/", "GET /fleet/devices/"]


def test_nested_request_objects_and_array_items() -> None:
    old, new = base(), base()
    item = {"type": "object", "required": ["key"], "properties": {"key": {"type": "string"}}}
    props(old, "DatasetCreateRequest")["labels"] = {"type": "array", "items": item}
    props(new, "DatasetCreateRequest")["labels"] = {"type": "array", "items": copy.deepcopy(item)}
    new_item: dict[str, Any] = props(new, "DatasetCreateRequest")["labels"]["items"]
    new_item["properties"]["color"] = {"type": "string"}
    new_item["required"].append("color")
    assert [(c.rule, c.location, c.message) for c in diff_specs(old, new)] == [
        (
            "request.property.required-added",
            "/components/schemas/DatasetCreateRequest/properties/labels/items/properties/color",
            "new required request property `DatasetCreateRequest.labels[].color`",
        )
    ]


def test_wire_rename_keeps_matching_when_the_python_name_is_kept() -> None:
    old, new = base(), base()
    parameters = new["paths"]["/fleet/devices/"]["get"]["parameters"]
    parameters[0] = {"name": "rule_uid", "in": "query", "x-python-name": "rule_id", "schema": {"type": "integer"}}
    assert [c.rule for c in diff_specs(old, new)] == ["request.parameter.renamed", "request.type.changed"]


def test_schema_renames_do_not_swallow_real_removals() -> None:
    old, new = base(), base()
    schema(new, "Team")["properties"]["name"] = {"type": "string"}
    new["components"]["schemas"]["Group"] = new["components"]["schemas"].pop("Team")
    assert [(c.rule, c.location) for c in diff_specs(old, new)] == [
        ("model.added", "/components/schemas/Group"),
        ("model.removed", "/components/schemas/Team"),
    ]


def test_synthetic_5000_line_spec_diffs_in_well_under_two_seconds() -> None:
    document = synthetic.spec()
    changed = copy.deepcopy(document)
    changed["components"]["schemas"]["Owner"]["properties"]["username"]["type"] = "integer"
    changed["components"]["schemas"]["Model7"]["required"].remove("name")
    del changed["paths"]["/resource3/{uid}/items/"]
    old_text, new_text = synthetic.text(document), synthetic.text(changed)
    assert old_text.count("\n") > 5000
    started = time.perf_counter()
    changes = diff_specs(parse(old_text, "old"), parse(new_text, "new"))
    elapsed = time.perf_counter() - started
    assert [c.rule for c in changes] == ["path.removed", "response.property.became-optional", "response.type.changed"]
    assert elapsed < 5.0, f"{elapsed:.2f} s"  # generous: the machine may be busy (about 0.3 s when idle)


def test_all_of_members_are_matched_and_compared() -> None:
    old, new = base(), base()
    schema(old, "Device")["allOf"] = [{"$ref": "#/components/schemas/Team"}]
    schema(new, "Device")["allOf"] = [
        {"$ref": "#/components/schemas/Team"},
        {"type": "object", "properties": {"x": {"type": "string"}}},
    ]
    props(new, "Team")["slug"]["type"] = "integer"
    assert [(c.severity, c.rule, c.location, c.message) for c in diff_specs(old, new)] == [
        (
            "non-breaking",
            "response.constraint.tightened",
            "/components/schemas/Device/allOf/1",
            "response schema `Device` must also match an inline schema (allOf)",
        ),
        (
            "breaking",
            "response.type.changed",
            "/components/schemas/Team/properties/slug/type",
            "type of response property `Team.slug` changed from `string` to `integer`",
        ),
    ]
    # dropping a member is the opposite
    assert ("breaking", "response.constraint.loosened") in [(c.severity, c.rule) for c in diff_specs(new, base())]


def test_a_single_schema_becoming_a_one_of_matches_its_member_by_type() -> None:
    old, new = base(), base()
    props(new, "DatasetCreateRequest")["name"] = {"oneOf": [{"type": "string", "maxLength": 10}, {"type": "integer"}]}
    assert [(c.rule, c.location, c.message) for c in diff_specs(old, new)] == [
        (
            "request.constraint.tightened",
            "/components/schemas/DatasetCreateRequest/properties/name/oneOf/0/maxLength",
            "maxLength of request property `DatasetCreateRequest.name` tightened from `64` to `10`",
        ),
        (
            "request.alternative.added",
            "/components/schemas/DatasetCreateRequest/properties/name/oneOf/1",
            "request property `DatasetCreateRequest.name` accepts `integer`",
        ),
    ]


def test_nullable_wrapper_around_a_model() -> None:
    old, new = base(), base()
    props(old, "DatasetCreateRequest")["owner"] = {"oneOf": [{"$ref": "#/components/schemas/Owner"}, {"type": "null"}]}
    assert rows(diff_specs(old, new)) == [
        (
            "breaking",
            "request.nullable.removed",
            "POST /datasets/",
            "client.datasets.create",
            "/components/schemas/DatasetCreateRequest/properties/owner/oneOf",
            "request property `DatasetCreateRequest.owner` is no longer nullable",
        )
    ]


def test_inline_schema_moved_to_a_component_is_not_a_change() -> None:
    old, new = base(), base()
    content = old["paths"]["/fleet/devices/"]["get"]["responses"]["200"]["content"]["application/json"]
    content["schema"]["items"] = copy.deepcopy(schema(old, "Device"))
    assert diff_specs(old, new) == []


def test_global_security_change_is_one_change_for_every_operation() -> None:
    old, new = base(), base()
    new["security"] = [{"ApiKeyAuth": []}, {"Bearer": []}]
    (change,) = diff_specs(old, new)
    assert (change.rule, change.location, change.message) == (
        "request.security.loosened",
        "/security",
        "security changed from ApiKeyAuth to ApiKeyAuth or Bearer",
    )
    assert len(change.affected) == 5  # every operation but signup, which overrides it


def test_a_referenced_one_of_written_inline_is_compared_member_by_member() -> None:
    old, new = base(), base()
    old["components"]["schemas"]["Source"] = {"oneOf": [{"type": "string"}, {"type": "integer"}]}
    props(old, "DatasetCreateRequest")["source"] = {"$ref": "#/components/schemas/Source"}
    new["components"]["schemas"]["Source"] = copy.deepcopy(old["components"]["schemas"]["Source"])
    props(new, "DatasetCreateRequest")["source"]["oneOf"].append({"type": "boolean"})
    assert [(c.rule, c.location, c.message) for c in diff_specs(old, new)] == [
        (
            "request.alternative.added",
            "/components/schemas/DatasetCreateRequest/properties/source/oneOf/2",
            "request property `DatasetCreateRequest.source` accepts `boolean`",
        )
    ]
