"""One old/new spec pair per rule of the spec diff: each case edits copies of fixtures/base.yaml.

A case is ``(edit, expected)``: ``edit(old, new)`` changes the two copies in place, ``expected`` lists every change
the diff must report, as ``(severity, rule, operation, python call, location, message)``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

FIXTURES = Path(__file__).parent / "fixtures"
BASE: dict[str, Any] = yaml.safe_load((FIXTURES / "base.yaml").read_text(encoding="utf-8"))

Doc = dict[str, Any]
Expected = tuple[str, str, str, str, str, str]
B, N = "breaking", "non-breaking"

LIST = ("GET /datasets/", "client.datasets.list")
CREATE = ("POST /datasets/", "client.datasets.create")
GET = ("GET /datasets/{uid}/", "client.datasets.get")
DELETE = ("DELETE /datasets/{uid}/", "client.datasets.delete")
DEVICES = ("GET /fleet/devices/", "client.fleet.devices.list")
SIGNUP = ("POST /signup/", "avala.signup")
NONE = ("", "")


def base() -> Doc:
    """A fresh copy of the base spec."""
    return copy.deepcopy(BASE)


def op(doc: Doc, path: str, method: str) -> dict[str, Any]:
    """An operation object."""
    node: dict[str, Any] = doc["paths"][path][method]
    return node


def schema(doc: Doc, name: str) -> dict[str, Any]:
    """A component schema."""
    node: dict[str, Any] = doc["components"]["schemas"][name]
    return node


def props(doc: Doc, name: str) -> dict[str, Any]:
    """The properties of a component schema."""
    node: dict[str, Any] = schema(doc, name)["properties"]
    return node


def param(doc: Doc, path: str, method: str, name: str) -> dict[str, Any]:
    """An inline parameter of an operation."""
    return next(p for p in op(doc, path, method)["parameters"] if p.get("name") == name)


def signup_body(doc: Doc) -> dict[str, Any]:
    """The inline request body schema of signup."""
    node: dict[str, Any] = op(doc, "/signup/", "post")["requestBody"]["content"]["application/json"]["schema"]
    return node


def rename_ref(doc: Any, old: str, new: str) -> None:
    """Point every ``$ref`` to schema ``old`` at ``new``."""
    if isinstance(doc, dict):
        if doc.get("$ref") == f"#/components/schemas/{old}":
            doc["$ref"] = f"#/components/schemas/{new}"
        for value in doc.values():
            rename_ref(value, old, new)
    elif isinstance(doc, list):
        for value in doc:
            rename_ref(value, old, new)


def e(op_: tuple[str, str], severity: str, rule: str, location: str, message: str) -> Expected:
    """An expected change."""
    return (severity, rule, op_[0], op_[1], location, message)


Edit = Callable[[Doc, Doc], None]
CASES: dict[str, tuple[Edit, list[Expected]]] = {}


def case(name: str, *expected: Expected) -> Callable[[Edit], Edit]:
    """Register ``edit`` as the case ``name``."""

    def register(edit: Edit) -> Edit:
        CASES[name] = (edit, list(expected))
        return edit

    return register


DS = "/paths/~1datasets~1"
DS_UID = "/paths/~1datasets~1{uid}~1"
DEV = "/paths/~1fleet~1devices~1"
SU = "/paths/~1signup~1"
SUB = SU + "/post/requestBody/content/application~1json/schema"
SUR = SU + "/post/responses/201/content/application~1json/schema"
C = "/components/schemas/"


# ---------------------------------------------------------------- operations and resources


@case(
    "path.removed",
    e(DEVICES, B, "path.removed", "/paths/~1fleet~1devices~1", "path `/fleet/devices/` removed"),
)
def _path_removed(old: Doc, new: Doc) -> None:
    del new["paths"]["/fleet/devices/"]


@case(
    "operation.removed",
    e(DELETE, B, "operation.removed", "/paths/~1datasets~1{uid}~1/delete", "operation removed"),
)
def _operation_removed(old: Doc, new: Doc) -> None:
    del new["paths"]["/datasets/{uid}/"]["delete"]


@case(
    "operation.added",
    e(
        ("PATCH /datasets/{uid}/", "client.datasets.update"),
        N,
        "operation.added",
        "/paths/~1datasets~1{uid}~1/patch",
        "new operation",
    ),
)
def _operation_added(old: Doc, new: Doc) -> None:
    new["paths"]["/datasets/{uid}/"]["patch"] = {
        "tags": ["datasets"],
        "operationId": "datasets_update",
        "responses": {
            "200": {
                "description": "Updated.",
                "content": op(new, "/datasets/{uid}/", "get")["responses"]["200"]["content"],
            }
        },
    }


@case(
    "operation.method-changed",
    e(
        ("POST /datasets/{uid}/", "client.datasets.delete"),
        B,
        "operation.method-changed",
        "/paths/~1datasets~1{uid}~1/post",
        "HTTP method changed from DELETE to POST",
    ),
)
def _method_changed(old: Doc, new: Doc) -> None:
    new["paths"]["/datasets/{uid}/"]["post"] = new["paths"]["/datasets/{uid}/"].pop("delete")


@case(
    "operation.path-changed",
    e(
        ("GET /fleet/device-list/", "client.fleet.devices.list"),
        B,
        "operation.path-changed",
        "/paths/~1fleet~1device-list~1/get",
        "operation moved from `GET /fleet/devices/` to `GET /fleet/device-list/`",
    ),
)
def _path_changed(old: Doc, new: Doc) -> None:
    new["paths"]["/fleet/device-list/"] = new["paths"].pop("/fleet/devices/")


@case(
    "operation.renamed",
    e(
        ("GET /datasets/{uid}/", "client.datasets.retrieve"),
        B,
        "operation.renamed",
        "/paths/~1datasets~1{uid}~1/get/operationId",
        "Python method renamed from `client.datasets.get` to `client.datasets.retrieve`"
        " (operationId `datasets_get` -> `datasets_retrieve`)",
    ),
)
def _operation_renamed(old: Doc, new: Doc) -> None:
    op(new, "/datasets/{uid}/", "get")["operationId"] = "datasets_retrieve"


@case(
    "operation.renamed-with-alias",
    e(
        ("GET /datasets/{uid}/", "client.datasets.retrieve"),
        N,
        "operation.renamed-with-alias",
        "/paths/~1datasets~1{uid}~1/get/operationId",
        "Python method renamed from `client.datasets.get` to `client.datasets.retrieve`"
        " (operationId `datasets_get` -> `datasets_retrieve`); `client.datasets.get` still works, deprecated"
        " (x-python-renamed-from)",
    ),
)
def _operation_renamed_with_alias(old: Doc, new: Doc) -> None:
    op(new, "/datasets/{uid}/", "get")["operationId"] = "datasets_retrieve"
    op(new, "/datasets/{uid}/", "get")["x-python-renamed-from"] = "get"


@case(
    "operation.tag-changed",
    e(
        ("DELETE /datasets/{uid}/", "client.fleet.devices.delete"),
        B,
        "operation.tag-changed",
        "/paths/~1datasets~1{uid}~1/delete/tags/0",
        "operation moved from `client.datasets` to `client.fleet.devices` (tag `datasets` -> `fleet.devices`)",
    ),
)
def _tag_changed(old: Doc, new: Doc) -> None:
    node = op(new, "/datasets/{uid}/", "delete")
    node["tags"], node["operationId"] = ["fleet.devices"], "fleet_devices_delete"


@case(
    "tag.renamed",
    e(
        ("GET /fleet/devices/", "client.fleet.machines.list"),
        B,
        "tag.renamed",
        "/tags/1",
        "resource `client.fleet.devices` renamed to `client.fleet.machines` (tag `fleet.devices` -> `fleet.machines`)",
    ),
)
def _tag_renamed(old: Doc, new: Doc) -> None:
    new["tags"][1]["name"] = "fleet.machines"
    node = op(new, "/fleet/devices/", "get")
    node["tags"], node["operationId"] = ["fleet.machines"], "fleet_machines_list"


@case(
    "operation.deprecated",
    e(GET, N, "operation.deprecated", "/paths/~1datasets~1{uid}~1/get/deprecated", "operation deprecated"),
)
def _deprecated(old: Doc, new: Doc) -> None:
    op(new, "/datasets/{uid}/", "get")["deprecated"] = True


@case(
    "operation.result-field-changed",
    e(
        SIGNUP,
        B,
        "operation.result-field-changed",
        "/paths/~1signup~1/post/x-python-result-field",
        "Python result changed from `(whole response)` to `api_key`",
    ),
)
def _result_field(old: Doc, new: Doc) -> None:
    op(new, "/signup/", "post")["x-python-result-field"] = "api_key"


@case(
    "request.security.tightened",
    e(SIGNUP, B, "request.security.tightened", "/security", "security changed from none to ApiKeyAuth"),
)
def _security_tightened(old: Doc, new: Doc) -> None:
    del op(new, "/signup/", "post")["security"]


@case(
    "request.security.loosened",
    e(
        GET,
        N,
        "request.security.loosened",
        "/paths/~1datasets~1{uid}~1/get/security",
        "security changed from ApiKeyAuth to ApiKeyAuth or none",
    ),
)
def _security_loosened(old: Doc, new: Doc) -> None:
    op(new, "/datasets/{uid}/", "get")["security"] = [{"ApiKeyAuth": []}, {}]


@case(
    "operation.wait-removed",
    e(
        GET,
        B,
        "operation.wait-removed",
        "/paths/~1datasets~1{uid}~1/get/x-python-wait",
        "Python method `client.datasets.wait` removed (x-python-wait)",
    ),
)
def _wait_removed(old: Doc, new: Doc) -> None:
    del op(new, "/datasets/{uid}/", "get")["x-python-wait"]


@case(
    "operation.wait-added",
    e(
        GET,
        N,
        "operation.wait-added",
        "/paths/~1datasets~1{uid}~1/get/x-python-wait",
        "new Python method `client.datasets.wait` (x-python-wait)",
    ),
)
def _wait_added(old: Doc, new: Doc) -> None:
    del op(old, "/datasets/{uid}/", "get")["x-python-wait"]


@case(
    "operation.wait-changed",
    e(
        GET,
        B,
        "operation.wait-changed",
        "/paths/~1datasets~1{uid}~1/get/x-python-wait",
        '`client.datasets.wait` changed: until `["ready"]` -> `["ready", "failed"]`',
    ),
    e(
        GET,
        N,
        "operation.wait-tuned",
        "/paths/~1datasets~1{uid}~1/get/x-python-wait",
        "`client.datasets.wait` changed: interval `10.0` -> `5.0`",
    ),
)
def _wait_changed(old: Doc, new: Doc) -> None:
    op(new, "/datasets/{uid}/", "get")["x-python-wait"]["until"].append("failed")
    op(new, "/datasets/{uid}/", "get")["x-python-wait"]["interval"] = 5.0


@case(
    "operation.wait-tuned",
    e(
        GET,
        N,
        "operation.wait-tuned",
        "/paths/~1datasets~1{uid}~1/get/x-python-wait",
        "`client.datasets.wait` changed: timeout `3600.0` -> `600`",
    ),
)
def _wait_tuned(old: Doc, new: Doc) -> None:
    op(new, "/datasets/{uid}/", "get")["x-python-wait"]["timeout"] = 600


# ---------------------------------------------------------------- parameters


@case(
    "request.parameter.required-added",
    e(
        LIST,
        B,
        "request.parameter.required-added",
        "/paths/~1datasets~1/get/parameters/2",
        "new required query parameter `owner`",
    ),
)
def _param_required_added(old: Doc, new: Doc) -> None:
    op(new, "/datasets/", "get")["parameters"].insert(
        2, {"name": "owner", "in": "query", "required": True, "schema": {"type": "string"}}
    )


@case(
    "request.parameter.added",
    e(
        LIST,
        N,
        "request.parameter.added",
        "/paths/~1datasets~1/get/parameters/2",
        "new optional query parameter `owner`",
    ),
)
def _param_added(old: Doc, new: Doc) -> None:
    op(new, "/datasets/", "get")["parameters"].insert(2, {"name": "owner", "in": "query", "schema": {"type": "string"}})


@case(
    "request.parameter.removed",
    e(LIST, B, "request.parameter.removed", "/paths/~1datasets~1/get/parameters/1", "query parameter `name` removed"),
)
def _param_removed(old: Doc, new: Doc) -> None:
    op(new, "/datasets/", "get")["parameters"].pop(1)


@case(
    "request.parameter.became-required",
    e(
        LIST,
        B,
        "request.parameter.became-required",
        "/paths/~1datasets~1/get/parameters/1/required",
        "query parameter `name` became required",
    ),
)
def _param_became_required(old: Doc, new: Doc) -> None:
    param(new, "/datasets/", "get", "name")["required"] = True


@case(
    "request.parameter.became-optional",
    e(
        LIST,
        N,
        "request.parameter.became-optional",
        "/paths/~1datasets~1/get/parameters/1",
        "query parameter `name` became optional",
    ),
)
def _param_became_optional(old: Doc, new: Doc) -> None:
    param(old, "/datasets/", "get", "name")["required"] = True


@case(
    "request.parameter.renamed",
    e(
        DEVICES,
        B,
        "request.parameter.renamed",
        "/paths/~1fleet~1devices~1/get/parameters/0/name",
        "query parameter renamed from `rule` to `rule_uid` (Python argument `rule_id` unchanged)",
    ),
)
def _param_renamed(old: Doc, new: Doc) -> None:
    param(new, "/fleet/devices/", "get", "rule")["name"] = "rule_uid"


@case(
    "request.parameter.renamed/path",
    e(
        ("DELETE /datasets/{dataset_uid}/", "client.datasets.delete"),
        B,
        "request.parameter.renamed",
        "/paths/~1datasets~1{dataset_uid}~1/delete/parameters/0/name",
        "path parameter renamed from `uid` to `dataset_uid` (the Python argument is renamed; the wire is unchanged)",
    ),
    e(
        ("GET /datasets/{dataset_uid}/", "client.datasets.get"),
        B,
        "request.parameter.renamed",
        "/paths/~1datasets~1{dataset_uid}~1/get/parameters/0/name",
        "path parameter renamed from `uid` to `dataset_uid` (the Python argument is renamed; the wire is unchanged)",
    ),
)
def _path_param_renamed(old: Doc, new: Doc) -> None:
    new["paths"]["/datasets/{dataset_uid}/"] = item = new["paths"].pop("/datasets/{uid}/")
    item["get"]["parameters"][0]["name"] = "dataset_uid"
    item["delete"]["parameters"][0]["name"] = "dataset_uid"


@case(
    "request.parameter.python-renamed",
    e(
        DEVICES,
        B,
        "request.parameter.python-renamed",
        "/paths/~1fleet~1devices~1/get/parameters/0/x-python-name",
        "Python argument of query parameter `rule` renamed from `rule_id` to `rule` (wire name unchanged)",
    ),
)
def _param_python_renamed(old: Doc, new: Doc) -> None:
    param(new, "/fleet/devices/", "get", "rule")["x-python-name"] = "rule"


@case(
    "request.parameter.location-changed",
    e(
        LIST,
        B,
        "request.parameter.location-changed",
        "/paths/~1datasets~1/get/parameters/1/in",
        "parameter `name` moved from query to header",
    ),
)
def _param_location(old: Doc, new: Doc) -> None:
    param(new, "/datasets/", "get", "name")["in"] = "header"


@case(
    "request.parameter.serialization-changed",
    e(
        LIST,
        B,
        "request.parameter.serialization-changed",
        "/paths/~1datasets~1/get/parameters/0",
        "serialization of query parameter `data_type` changed"
        " from style=form, explode=true to style=form, explode=false",
    ),
)
def _param_serialization(old: Doc, new: Doc) -> None:
    param(new, "/datasets/", "get", "data_type")["explode"] = False


# ---------------------------------------------------------------- request bodies


@case(
    "request.body.required-added",
    e(
        DELETE,
        B,
        "request.body.required-added",
        "/paths/~1datasets~1{uid}~1/delete/requestBody",
        "new required request body",
    ),
)
def _body_required_added(old: Doc, new: Doc) -> None:
    op(new, "/datasets/{uid}/", "delete")["requestBody"] = {
        "required": True,
        "content": {"application/json": {"schema": {"type": "object", "properties": {"reason": {"type": "string"}}}}},
    }


@case(
    "request.body.added",
    e(DELETE, N, "request.body.added", "/paths/~1datasets~1{uid}~1/delete/requestBody", "new optional request body"),
)
def _body_added(old: Doc, new: Doc) -> None:
    op(new, "/datasets/{uid}/", "delete")["requestBody"] = {
        "content": {"application/json": {"schema": {"type": "object", "properties": {"reason": {"type": "string"}}}}},
    }


@case(
    "request.body.removed",
    e(SIGNUP, B, "request.body.removed", "/paths/~1signup~1/post/requestBody", "request body removed"),
)
def _body_removed(old: Doc, new: Doc) -> None:
    del op(new, "/signup/", "post")["requestBody"]


@case(
    "request.body.became-required",
    e(
        SIGNUP,
        B,
        "request.body.became-required",
        "/paths/~1signup~1/post/requestBody/required",
        "request body became required",
    ),
)
def _body_became_required(old: Doc, new: Doc) -> None:
    op(old, "/signup/", "post")["requestBody"]["required"] = False


@case(
    "request.body.became-optional",
    e(SIGNUP, N, "request.body.became-optional", "/paths/~1signup~1/post/requestBody", "request body became optional"),
)
def _body_became_optional(old: Doc, new: Doc) -> None:
    op(new, "/signup/", "post")["requestBody"]["required"] = False


@case(
    "request.body.media-type-removed",
    e(
        SIGNUP,
        B,
        "request.body.media-type-removed",
        "/paths/~1signup~1/post/requestBody/content/application~1json",
        "request media type `application/json` removed",
    ),
    e(
        SIGNUP,
        N,
        "request.body.media-type-added",
        "/paths/~1signup~1/post/requestBody/content/application~1x-www-form-urlencoded",
        "request media type `application/x-www-form-urlencoded` added",
    ),
)
def _body_media_removed(old: Doc, new: Doc) -> None:
    content = op(new, "/signup/", "post")["requestBody"]["content"]
    content["application/x-www-form-urlencoded"] = content.pop("application/json")


@case(
    "request.body.media-type-added",
    e(
        SIGNUP,
        N,
        "request.body.media-type-added",
        "/paths/~1signup~1/post/requestBody/content/multipart~1form-data",
        "request media type `multipart/form-data` added",
    ),
)
def _body_media_added(old: Doc, new: Doc) -> None:
    content = op(new, "/signup/", "post")["requestBody"]["content"]
    content["multipart/form-data"] = copy.deepcopy(content["application/json"])


# ---------------------------------------------------------------- request schemas


@case(
    "request.property.required-added",
    e(
        CREATE,
        B,
        "request.property.required-added",
        "/components/schemas/DatasetCreateRequest/properties/slug",
        "new required request property `DatasetCreateRequest.slug`",
    ),
)
def _req_prop_required_added(old: Doc, new: Doc) -> None:
    props(new, "DatasetCreateRequest")["slug"] = {"type": "string"}
    schema(new, "DatasetCreateRequest")["required"].append("slug")


@case(
    "request.property.added",
    e(
        CREATE,
        N,
        "request.property.added",
        "/components/schemas/DatasetCreateRequest/properties/slug",
        "new optional request property `DatasetCreateRequest.slug`",
    ),
)
def _req_prop_added(old: Doc, new: Doc) -> None:
    props(new, "DatasetCreateRequest")["slug"] = {"type": "string"}


@case(
    "request.property.removed",
    e(
        CREATE,
        B,
        "request.property.removed",
        "/components/schemas/DatasetCreateRequest/properties/tags",
        "request property `DatasetCreateRequest.tags` removed",
    ),
)
def _req_prop_removed(old: Doc, new: Doc) -> None:
    del props(new, "DatasetCreateRequest")["tags"]


@case(
    "request.property.became-required",
    e(
        CREATE,
        B,
        "request.property.became-required",
        "/components/schemas/DatasetCreateRequest/required/1",
        "request property `DatasetCreateRequest.data_type` became required",
    ),
)
def _req_prop_became_required(old: Doc, new: Doc) -> None:
    schema(new, "DatasetCreateRequest")["required"].append("data_type")


@case(
    "request.property.became-optional",
    e(
        SIGNUP,
        N,
        "request.property.became-optional",
        "/paths/~1signup~1/post/requestBody/content/application~1json/schema/properties/email",
        "request property `email` became optional",
    ),
)
def _req_prop_became_optional(old: Doc, new: Doc) -> None:
    signup_body(new)["required"] = []


@case(
    "request.type.changed",
    e(
        CREATE,
        B,
        "request.type.changed",
        "/components/schemas/DatasetCreateRequest/properties/name/type",
        "type of request property `DatasetCreateRequest.name` changed from `string` to `integer`",
    ),
)
def _req_type_changed(old: Doc, new: Doc) -> None:
    props(new, "DatasetCreateRequest")["name"] = {"type": "integer"}


@case(
    "request.type.widened",
    e(
        LIST,
        N,
        "request.type.widened",
        "/components/parameters/Limit/schema/type",
        "type of query parameter `limit` widened from `integer` to `number`",
    ),
)
def _req_type_widened(old: Doc, new: Doc) -> None:
    new["components"]["parameters"]["Limit"]["schema"]["type"] = "number"


@case(
    "request.nullable.removed",
    e(
        CREATE,
        B,
        "request.nullable.removed",
        "/components/schemas/DatasetCreateRequest/properties/notes/type",
        "request property `DatasetCreateRequest.notes` is no longer nullable",
    ),
)
def _req_nullable_removed(old: Doc, new: Doc) -> None:
    props(new, "DatasetCreateRequest")["notes"]["type"] = "string"


@case(
    "request.nullable.added",
    e(
        CREATE,
        N,
        "request.nullable.added",
        "/components/schemas/DatasetCreateRequest/properties/tags/type",
        "request property `DatasetCreateRequest.tags` became nullable",
    ),
)
def _req_nullable_added(old: Doc, new: Doc) -> None:
    props(new, "DatasetCreateRequest")["tags"]["type"] = ["array", "null"]


@case(
    "request.enum.added",
    e(
        CREATE,
        B,
        "request.enum.added",
        "/components/schemas/DatasetCreateRequest/properties/visibility/enum",
        "request property `DatasetCreateRequest.visibility` restricted to `private`, `public`",
    ),
)
def _req_enum_added(old: Doc, new: Doc) -> None:
    props(new, "DatasetCreateRequest")["visibility"]["enum"] = ["private", "public"]


@case(
    "request.enum.removed",
    e(
        CREATE,
        N,
        "request.enum.removed",
        "/components/schemas/DatasetCreateRequest/properties/data_type/enum",
        "request property `DatasetCreateRequest.data_type` no longer restricted to an enum",
    ),
)
def _req_enum_removed(old: Doc, new: Doc) -> None:
    del props(new, "DatasetCreateRequest")["data_type"]["enum"]


@case(
    "request.enum.value-removed",
    e(
        LIST,
        B,
        "request.enum.value-removed",
        "/paths/~1datasets~1/get/parameters/0/schema/enum/1",
        "enum value `video` removed from query parameter `data_type`",
    ),
)
def _req_enum_value_removed(old: Doc, new: Doc) -> None:
    param(new, "/datasets/", "get", "data_type")["schema"]["enum"] = ["image"]


@case(
    "request.enum.value-added",
    e(
        CREATE,
        N,
        "request.enum.value-added",
        "/components/schemas/DatasetCreateRequest/properties/data_type/enum/2",
        "enum value `lidar` added to request property `DatasetCreateRequest.data_type`",
    ),
)
def _req_enum_value_added(old: Doc, new: Doc) -> None:
    props(new, "DatasetCreateRequest")["data_type"]["enum"].append("lidar")


@case(
    "request.constraint.tightened",
    e(
        LIST,
        B,
        "request.constraint.tightened",
        "/paths/~1datasets~1/get/parameters/1/schema/maxLength",
        "maxLength of query parameter `name` tightened from `100` to `50`",
    ),
    e(
        SIGNUP,
        B,
        "request.constraint.tightened",
        "/paths/~1signup~1/post/requestBody/content/application~1json/schema/properties/email/pattern",
        "pattern `^[^@]+@[^@]+$` added to request property `email`",
    ),
    e(
        LIST,
        B,
        "request.constraint.tightened",
        "/components/parameters/Limit/schema/multipleOf",
        "multipleOf `10` added to query parameter `limit`",
    ),
)
def _req_tightened(old: Doc, new: Doc) -> None:
    param(new, "/datasets/", "get", "name")["schema"]["maxLength"] = 50
    new["components"]["parameters"]["Limit"]["schema"]["multipleOf"] = 10
    signup_body(new)["properties"]["email"]["pattern"] = "^[^@]+@[^@]+$"


@case(
    "request.constraint.loosened",
    e(
        LIST,
        N,
        "request.constraint.loosened",
        "/paths/~1datasets~1/get/parameters/1/schema/maxLength",
        "maxLength `100` removed from query parameter `name`",
    ),
    e(
        SIGNUP,
        N,
        "request.constraint.loosened",
        "/paths/~1signup~1/post/requestBody/content/application~1json/schema/properties/email/format",
        "format `email` removed from request property `email`",
    ),
    e(
        LIST,
        N,
        "request.constraint.loosened",
        "/components/parameters/Limit/schema/maximum",
        "maximum of query parameter `limit` loosened from `100` to `1000`",
    ),
)
def _req_loosened(old: Doc, new: Doc) -> None:
    del param(new, "/datasets/", "get", "name")["schema"]["maxLength"]
    new["components"]["parameters"]["Limit"]["schema"]["maximum"] = 1000
    del signup_body(new)["properties"]["email"]["format"]


@case(
    "request.alternative.removed",
    e(
        CREATE,
        N,
        "request.alternative.added",
        "/components/schemas/DatasetCreateRequest/properties/source/oneOf/1",
        "request property `DatasetCreateRequest.source` accepts `boolean`",
    ),
    e(
        CREATE,
        B,
        "request.alternative.removed",
        "/components/schemas/DatasetCreateRequest/properties/source/oneOf/1",
        "request property `DatasetCreateRequest.source` no longer accepts `integer`",
    ),
)
def _req_alt_removed(old: Doc, new: Doc) -> None:
    props(new, "DatasetCreateRequest")["source"]["oneOf"].pop(1)
    props(new, "DatasetCreateRequest")["source"]["oneOf"].append({"type": "boolean"})


@case(
    "request.alternative.added",
    e(
        CREATE,
        N,
        "request.alternative.added",
        "/components/schemas/DatasetCreateRequest/properties/source/oneOf/2",
        "request property `DatasetCreateRequest.source` accepts `Team`",
    ),
)
def _req_alt_added(old: Doc, new: Doc) -> None:
    props(new, "DatasetCreateRequest")["source"]["oneOf"].append({"$ref": "#/components/schemas/Team"})


@case(
    "request.model.replaced",
    e(
        CREATE,
        B,
        "request.model.replaced",
        "/components/schemas/DatasetCreateRequest/properties/owner",
        "request property `DatasetCreateRequest.owner` now refers to model `Team` instead of `Owner`",
    ),
)
def _req_model_replaced(old: Doc, new: Doc) -> None:
    props(new, "DatasetCreateRequest")["owner"] = {"$ref": "#/components/schemas/Team"}


@case(
    "request.default.changed",
    e(
        CREATE,
        B,
        "request.default.changed",
        "/components/schemas/DatasetCreateRequest/properties/visibility/default",
        "default of request property `DatasetCreateRequest.visibility` changed from `private` to `public`",
    ),
)
def _req_default(old: Doc, new: Doc) -> None:
    props(new, "DatasetCreateRequest")["visibility"]["default"] = "public"


# ---------------------------------------------------------------- responses


@case(
    "response.status.removed",
    e(CREATE, B, "response.status.removed", "/paths/~1datasets~1/post/responses/200", "success status 200 removed"),
)
def _status_removed(old: Doc, new: Doc) -> None:
    responses = op(old, "/datasets/", "post")["responses"]
    responses["200"] = copy.deepcopy(responses["201"])


@case(
    "response.status.added",
    e(CREATE, N, "response.status.added", "/paths/~1datasets~1/post/responses/202", "success status 202 added"),
)
def _status_added(old: Doc, new: Doc) -> None:
    responses = op(new, "/datasets/", "post")["responses"]
    responses["202"] = {"description": "Accepted."}


@case(
    "response.status.changed",
    e(
        CREATE,
        B,
        "response.status.changed",
        "/paths/~1datasets~1/post/responses/200",
        "success status changed from 201 to 200",
    ),
)
def _status_changed(old: Doc, new: Doc) -> None:
    responses = op(new, "/datasets/", "post")["responses"]
    responses["200"] = responses.pop("201")


@case(
    "response.shape.changed",
    e(
        DEVICES,
        B,
        "response.shape.changed",
        "/paths/~1fleet~1devices~1/get/responses/200/content/application~1json/schema",
        "response 200 changed shape from array to page",
    ),
)
def _shape_changed(old: Doc, new: Doc) -> None:
    content = op(new, "/fleet/devices/", "get")["responses"]["200"]["content"]
    content["application/json"]["schema"] = {"$ref": "#/components/schemas/PaginatedDatasetList"}


@case(
    "response.body.removed",
    e(
        GET,
        B,
        "response.body.removed",
        "/paths/~1datasets~1{uid}~1/get/responses/200/content",
        "response 200 no longer has a body",
    ),
)
def _body_gone(old: Doc, new: Doc) -> None:
    del op(new, "/datasets/{uid}/", "get")["responses"]["200"]["content"]


@case(
    "response.body.added",
    e(
        DELETE,
        N,
        "response.body.added",
        "/paths/~1datasets~1{uid}~1/delete/responses/204/content",
        "response 204 now has a body",
    ),
)
def _body_new(old: Doc, new: Doc) -> None:
    op(new, "/datasets/{uid}/", "delete")["responses"]["204"]["content"] = {
        "application/json": {"schema": {"$ref": "#/components/schemas/Dataset"}}
    }


@case(
    "response.media-type.removed",
    e(
        GET,
        B,
        "response.media-type.removed",
        "/paths/~1datasets~1{uid}~1/get/responses/200/content/text~1csv",
        "response media type `text/csv` removed",
    ),
)
def _resp_media_removed(old: Doc, new: Doc) -> None:
    content = op(old, "/datasets/{uid}/", "get")["responses"]["200"]["content"]
    content["text/csv"] = {"schema": {"type": "string"}}


@case(
    "response.media-type.added",
    e(
        GET,
        N,
        "response.media-type.added",
        "/paths/~1datasets~1{uid}~1/get/responses/200/content/text~1csv",
        "response media type `text/csv` added",
    ),
)
def _resp_media_added(old: Doc, new: Doc) -> None:
    content = op(new, "/datasets/{uid}/", "get")["responses"]["200"]["content"]
    content["text/csv"] = {"schema": {"type": "string"}}


# ---------------------------------------------------------------- response schemas


@case(
    "response.property.removed",
    e(
        NONE,
        B,
        "response.property.removed",
        "/components/schemas/Dataset/properties/name",
        "required response property `Dataset.name` removed",
    ),
    e(
        DEVICES,
        B,
        "response.property.removed",
        "/components/schemas/Device/properties/kind",
        "optional response property `Device.kind` removed",
    ),
)
def _resp_prop_removed(old: Doc, new: Doc) -> None:
    del props(new, "Dataset")["name"]
    schema(new, "Dataset")["required"].remove("name")
    del props(new, "Device")["kind"]


@case(
    "response.property.added",
    e(
        DEVICES,
        N,
        "response.property.added",
        "/components/schemas/Device/properties/model",
        "new response property `Device.model`",
    ),
)
def _resp_prop_added(old: Doc, new: Doc) -> None:
    props(new, "Device")["model"] = {"type": "string"}
    schema(new, "Device")["required"].append("model")


@case(
    "response.property.became-optional",
    e(
        DEVICES,
        B,
        "response.property.became-optional",
        "/components/schemas/Device/properties/id",
        "response property `Device.id` became optional",
    ),
)
def _resp_became_optional(old: Doc, new: Doc) -> None:
    schema(new, "Device")["required"] = []


@case(
    "response.property.became-required",
    e(
        DEVICES,
        N,
        "response.property.became-required",
        "/components/schemas/Device/required/1",
        "response property `Device.kind` became required",
    ),
)
def _resp_became_required(old: Doc, new: Doc) -> None:
    schema(new, "Device")["required"].append("kind")


@case(
    "response.type.changed",
    e(
        NONE,
        B,
        "response.type.changed",
        "/components/schemas/Dataset/properties/created_at/format",
        "type of response property `Dataset.created_at` changed from `string (date-time)` to `string (date)`",
    ),
    e(
        NONE,
        B,
        "response.type.changed",
        "/components/schemas/Dataset/properties/item_count/type",
        "type of response property `Dataset.item_count` changed from `integer` to `string`",
    ),
)
def _resp_type_changed(old: Doc, new: Doc) -> None:
    props(new, "Dataset")["item_count"]["type"] = "string"
    props(new, "Dataset")["created_at"]["format"] = "date"


@case(
    "response.type.narrowed",
    e(
        NONE,
        N,
        "response.type.narrowed",
        "/components/schemas/Dataset/properties/size/type",
        "type of response property `Dataset.size` narrowed from `number` to `integer`",
    ),
)
def _resp_type_narrowed(old: Doc, new: Doc) -> None:
    props(new, "Dataset")["size"]["type"] = "integer"


@case(
    "response.nullable.added",
    e(
        NONE,
        B,
        "response.nullable.added",
        "/components/schemas/Dataset/properties/status/type",
        "response property `Dataset.status` became nullable",
    ),
)
def _resp_nullable_added(old: Doc, new: Doc) -> None:
    props(new, "Dataset")["status"]["type"] = ["string", "null"]


@case(
    "response.nullable.removed",
    e(
        NONE,
        N,
        "response.nullable.removed",
        "/components/schemas/Dataset/properties/created_at/type",
        "response property `Dataset.created_at` is no longer nullable",
    ),
    e(
        NONE,
        N,
        "response.nullable.removed",
        "/components/schemas/Dataset/properties/metadata/type",
        "response property `Dataset.metadata` is no longer nullable",
    ),
)
def _resp_nullable_removed(old: Doc, new: Doc) -> None:
    props(new, "Dataset")["created_at"]["type"] = "string"
    props(new, "Dataset")["metadata"]["type"] = "object"


@case(
    "response.enum.value-added",
    e(
        DEVICES,
        N,
        "response.enum.value-added",
        "/components/schemas/Device/properties/kind/enum/2",
        "enum value `radar` added to response property `Device.kind`",
    ),
)
def _resp_enum_value_added(old: Doc, new: Doc) -> None:
    props(new, "Device")["kind"]["enum"].append("radar")


@case(
    "response.enum.value-removed",
    e(
        DEVICES,
        N,
        "response.enum.value-removed",
        "/components/schemas/Device/properties/kind/enum/1",
        "enum value `lidar` removed from response property `Device.kind`",
    ),
)
def _resp_enum_value_removed(old: Doc, new: Doc) -> None:
    props(new, "Device")["kind"]["enum"].remove("lidar")


@case(
    "response.enum.removed",
    e(
        DEVICES,
        N,
        "response.enum.removed",
        "/components/schemas/Device/properties/kind/enum",
        "response property `Device.kind` no longer restricted to an enum",
    ),
)
def _resp_enum_removed(old: Doc, new: Doc) -> None:
    del props(new, "Device")["kind"]["enum"]


@case(
    "response.enum.added",
    e(
        NONE,
        N,
        "response.enum.added",
        "/components/schemas/Dataset/properties/status/enum",
        "response property `Dataset.status` restricted to `ready`, `creating`",
    ),
)
def _resp_enum_added(old: Doc, new: Doc) -> None:
    props(new, "Dataset")["status"]["enum"] = ["ready", "creating"]


@case(
    "response.constraint.loosened",
    e(
        NONE,
        B,
        "response.constraint.loosened",
        "/components/schemas/Dataset/properties/name/maxLength",
        "maxLength of response property `Dataset.name` loosened from `64` to `128`",
    ),
)
def _resp_loosened(old: Doc, new: Doc) -> None:
    props(new, "Dataset")["name"]["maxLength"] = 128


@case(
    "response.constraint.tightened",
    e(
        NONE,
        N,
        "response.constraint.tightened",
        "/components/schemas/Dataset/properties/metadata/additionalProperties",
        "additionalProperties of response property `Dataset.metadata` tightened from `true` to `schema`",
    ),
    e(
        NONE,
        N,
        "response.constraint.tightened",
        "/components/schemas/Dataset/properties/tags/uniqueItems",
        "uniqueItems of response property `Dataset.tags` tightened from `false` to `true`",
    ),
)
def _resp_tightened(old: Doc, new: Doc) -> None:
    props(new, "Dataset")["tags"]["uniqueItems"] = True
    props(new, "Dataset")["metadata"]["additionalProperties"] = {"type": "string"}


@case(
    "response.alternative.added",
    e(
        NONE,
        B,
        "response.alternative.added",
        "/components/schemas/Dataset/properties/source/anyOf/2",
        "response property `Dataset.source` accepts `integer`",
    ),
)
def _resp_alt_added(old: Doc, new: Doc) -> None:
    props(new, "Dataset")["source"]["anyOf"].append({"type": "integer"})


@case(
    "response.alternative.removed",
    e(
        NONE,
        N,
        "response.alternative.removed",
        "/components/schemas/Dataset/properties/source/anyOf/0",
        "response property `Dataset.source` no longer accepts `string`",
    ),
)
def _resp_alt_removed(old: Doc, new: Doc) -> None:
    props(new, "Dataset")["source"]["anyOf"].pop(0)


@case(
    "response.model.replaced",
    e(
        NONE,
        B,
        "response.model.replaced",
        "/components/schemas/Dataset/properties/owner/oneOf/0",
        "response property `Dataset.owner` now refers to model `Team` instead of `Owner`",
    ),
)
def _resp_model_replaced(old: Doc, new: Doc) -> None:
    props(new, "Dataset")["owner"]["oneOf"][0] = {"$ref": "#/components/schemas/Team"}


# ---------------------------------------------------------------- models


@case(
    "model.removed",
    e(NONE, B, "model.removed", "/components/schemas/Team", "model `Team` removed"),
)
def _model_removed(old: Doc, new: Doc) -> None:
    del new["components"]["schemas"]["Team"]


@case(
    "model.added",
    e(NONE, N, "model.added", "/components/schemas/Label", "new model `Label`"),
)
def _model_added(old: Doc, new: Doc) -> None:
    new["components"]["schemas"]["Label"] = {"type": "object", "properties": {"name": {"type": "string"}}}


@case(
    "model.renamed",
    e(
        NONE,
        B,
        "model.renamed",
        "/components/schemas/Account",
        "model `Owner` renamed to `Account` (the Python class is renamed)",
    ),
)
def _model_renamed(old: Doc, new: Doc) -> None:
    schemas = new["components"]["schemas"]
    schemas["Account"] = schemas.pop("Owner")
    schemas["Account"]["description"] = "Renamed; descriptions do not matter."
    rename_ref(new, "Owner", "Account")


@case(
    "model.renamed-with-alias",
    e(
        NONE,
        N,
        "model.renamed-with-alias",
        "/components/schemas/Account",
        "model `Owner` renamed to `Account` (the Python class is renamed); `Owner` still works, deprecated"
        " (x-python-renamed-from)",
    ),
    e(
        NONE,
        N,
        "response.property.added",
        "/components/schemas/Account/properties/email",
        "new response property `Account.email` (the schema is used in requests and responses)",
    ),
)
def _model_renamed_with_alias(old: Doc, new: Doc) -> None:
    """Declared, the rename holds even with a change of structure, which is compared as usual."""
    _model_renamed(old, new)
    schema(new, "Account")["x-python-renamed-from"] = "Owner"
    props(new, "Account")["email"] = {"type": "string"}


@case("nothing/request-body-schema-renamed")
def _request_body_renamed(old: Doc, new: Doc) -> None:
    """A request body schema is no Python class (its properties are keyword arguments): renaming it changes nothing."""
    schemas = new["components"]["schemas"]
    schemas["DatasetNewRequest"] = schemas.pop("DatasetCreateRequest")
    rename_ref(new, "DatasetCreateRequest", "DatasetNewRequest")


@case("nothing/page-wrapper-renamed")
def _page_wrapper_renamed(old: Doc, new: Doc) -> None:
    """A page wrapper is no Python class (the SDK returns CursorPage[Dataset]): renaming it changes nothing."""
    schemas = new["components"]["schemas"]
    schemas["DatasetPage"] = schemas.pop("PaginatedDatasetList")
    rename_ref(new, "PaginatedDatasetList", "DatasetPage")


@case(
    "page-wrapper-renamed-and-changed",
    e(
        LIST,
        N,
        "response.nullable.removed",
        "/components/schemas/PaginatedDatasetList/properties/previous/type",
        "response property `DatasetPage.previous` is no longer nullable",
    ),
)
def _page_wrapper_renamed_and_changed(old: Doc, new: Doc) -> None:
    """Two page wrappers are compared by structure, not reported as another model."""
    _page_wrapper_renamed(old, new)
    props(new, "DatasetPage")["previous"]["type"] = "string"


# ---------------------------------------------------------------- behaviours beyond one rule


@case("nothing/annotations")
def _annotations(old: Doc, new: Doc) -> None:
    new["info"]["description"] = "Changed."
    op(new, "/datasets/", "get")["summary"] = "Another summary."
    schema(new, "Dataset")["example"] = {"uid": "x"}
    props(new, "Dataset")["name"]["description"] = "Another description."
    props(new, "Dataset")["name"]["x-internal-note"] = "extensions other than x-python-* are ignored"
    signup_body(new)["properties"]["password"]["format"] = "string-secret"
    signup_body(new)["properties"]["password"].pop("format")


@case(
    "both-directions",
    e(
        NONE,
        B,
        "response.property.became-optional",
        "/components/schemas/Owner/properties/username",
        "response property `Owner.username` became optional (the schema is used in requests and responses)",
    ),
)
def _both_directions(old: Doc, new: Doc) -> None:
    schema(new, "Owner")["required"] = []


@case(
    "model.renamed+changed",
    e(
        DEVICES,
        B,
        "response.model.replaced",
        "/paths/~1fleet~1devices~1/get/responses/200/content/application~1json/schema/items",
        "response body items now refers to model `Machine` instead of `Device`",
    ),
    e(DEVICES, B, "model.removed", "/components/schemas/Device", "model `Device` removed"),
    e(DEVICES, N, "model.added", "/components/schemas/Machine", "new model `Machine`"),
)
def _model_renamed_and_changed(old: Doc, new: Doc) -> None:
    schemas = new["components"]["schemas"]
    schemas["Machine"] = schemas.pop("Device")
    schemas["Machine"]["properties"]["serial"] = {"type": "string"}
    rename_ref(new, "Device", "Machine")


@case(
    "shared-schema-once",
    e(
        NONE,
        B,
        "response.type.changed",
        "/components/schemas/Dataset/properties/uid/format",
        "type of response property `Dataset.uid` changed from `string` to `string (uuid)`",
    ),
)
def _shared_schema(old: Doc, new: Doc) -> None:
    props(new, "Dataset")["uid"]["format"] = "uuid"
