"""The result type of the spec diff and the table of rules it applies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

BREAKING = "breaking"
NON_BREAKING = "non-breaking"

# rule id -> (severity, what it means). Every rule the diff can report is listed here, and only here.
RULES: dict[str, tuple[str, str]] = {
    # operations and resources
    "path.removed": (BREAKING, "a path and every operation on it removed"),
    "operation.removed": (BREAKING, "an operation removed"),
    "operation.added": (NON_BREAKING, "a new operation"),
    "operation.method-changed": (BREAKING, "same operationId, same path, other HTTP method"),
    "operation.path-changed": (BREAKING, "same operationId, other path"),
    "operation.renamed": (BREAKING, "operationId changed: the Python method is renamed"),
    "operation.renamed-with-alias": (
        NON_BREAKING,
        "operationId changed, the old method kept as a deprecated alias (x-python-renamed-from)",
    ),
    "operation.tag-changed": (BREAKING, "tag changed: the Python method moved to another resource"),
    "tag.renamed": (BREAKING, "every operation of a tag moved to a new tag: the Python resource is renamed"),
    "operation.deprecated": (NON_BREAKING, "an operation became deprecated"),
    "operation.wait-removed": (BREAKING, "x-python-wait removed: the Python `wait()` method disappears"),
    "operation.wait-added": (NON_BREAKING, "x-python-wait added: a new Python `wait()` method"),
    "operation.wait-changed": (BREAKING, "x-python-wait field, until or target changed: `wait()` behaves otherwise"),
    "operation.wait-tuned": (NON_BREAKING, "x-python-wait interval or timeout default changed"),
    "operation.result-field-changed": (BREAKING, "x-python-result-field changed: the Python return value changes"),
    "request.security.tightened": (BREAKING, "an old way to authenticate is no longer accepted"),
    "request.security.loosened": (NON_BREAKING, "a new way to authenticate (or none) is accepted"),
    # parameters
    "request.parameter.required-added": (BREAKING, "a new required parameter"),
    "request.parameter.added": (NON_BREAKING, "a new optional parameter"),
    "request.parameter.removed": (BREAKING, "a parameter removed"),
    "request.parameter.became-required": (BREAKING, "an optional parameter became required"),
    "request.parameter.became-optional": (NON_BREAKING, "a required parameter became optional"),
    "request.parameter.renamed": (BREAKING, "a parameter renamed (wire name, or path parameter = Python argument)"),
    "request.parameter.python-renamed": (BREAKING, "x-python-name changed: the Python argument is renamed"),
    "request.parameter.location-changed": (BREAKING, "a parameter moved between query, header, path and cookie"),
    "request.parameter.serialization-changed": (BREAKING, "a parameter's style or explode changed"),
    # request bodies
    "request.body.required-added": (BREAKING, "a new required request body"),
    "request.body.added": (NON_BREAKING, "a new optional request body"),
    "request.body.removed": (BREAKING, "the request body removed"),
    "request.body.became-required": (BREAKING, "the request body became required"),
    "request.body.became-optional": (NON_BREAKING, "the request body became optional"),
    "request.body.media-type-removed": (BREAKING, "a request media type is no longer accepted"),
    "request.body.media-type-added": (NON_BREAKING, "a new request media type is accepted"),
    # schemas, request direction (request bodies and parameters)
    "request.property.required-added": (BREAKING, "a new required request property"),
    "request.property.added": (NON_BREAKING, "a new optional request property"),
    "request.property.removed": (BREAKING, "a request property removed (old code passing it breaks)"),
    "request.property.became-required": (BREAKING, "a request property became required"),
    "request.property.became-optional": (NON_BREAKING, "a request property became optional"),
    "request.type.changed": (BREAKING, "a request value's type changed or narrowed"),
    "request.type.widened": (NON_BREAKING, "a request value accepts more types"),
    "request.nullable.removed": (BREAKING, "a request value no longer accepts null"),
    "request.nullable.added": (NON_BREAKING, "a request value accepts null"),
    "request.enum.added": (BREAKING, "a request value restricted to an enum"),
    "request.enum.removed": (NON_BREAKING, "a request value no longer restricted to an enum"),
    "request.enum.value-removed": (BREAKING, "a request enum value removed"),
    "request.enum.value-added": (NON_BREAKING, "a request enum value added"),
    "request.constraint.tightened": (BREAKING, "a request constraint tightened, added or changed"),
    "request.constraint.loosened": (NON_BREAKING, "a request constraint loosened or removed"),
    "request.alternative.removed": (BREAKING, "a oneOf/anyOf alternative of a request value removed"),
    "request.alternative.added": (NON_BREAKING, "a oneOf/anyOf alternative of a request value added"),
    "request.model.replaced": (BREAKING, "a request value refers to another model (class)"),
    "request.default.changed": (BREAKING, "a request default changed: callers omitting the value get another"),
    # responses
    "response.status.removed": (BREAKING, "a success status removed"),
    "response.status.added": (NON_BREAKING, "a success status added"),
    "response.status.changed": (BREAKING, "the success status changed"),
    "response.shape.changed": (BREAKING, "the response shape changed between page, array, object and scalar"),
    "response.body.removed": (BREAKING, "a success response no longer has a body"),
    "response.body.added": (NON_BREAKING, "a success response without a body now has one"),
    "response.media-type.removed": (BREAKING, "a response media type removed"),
    "response.media-type.added": (NON_BREAKING, "a response media type added"),
    # schemas, response direction
    "response.property.removed": (BREAKING, "a response property removed (the model attribute disappears)"),
    "response.property.added": (NON_BREAKING, "a new response property"),
    "response.property.became-optional": (BREAKING, "a required response property became optional"),
    "response.property.became-required": (NON_BREAKING, "an optional response property became required"),
    "response.type.changed": (BREAKING, "a response value's type changed or widened"),
    "response.type.narrowed": (NON_BREAKING, "a response value has fewer possible types"),
    "response.nullable.added": (BREAKING, "a response value may be null"),
    "response.nullable.removed": (NON_BREAKING, "a response value is never null"),
    # the SDK keeps enums open: a value it has never seen comes through as the plain value, never an error
    "response.enum.value-added": (NON_BREAKING, "a value added to a response enum (the SDK's enums are open)"),
    "response.enum.value-removed": (NON_BREAKING, "a response enum value removed"),
    "response.enum.removed": (NON_BREAKING, "a response value no longer restricted to an enum (enums are open)"),
    "response.enum.added": (NON_BREAKING, "a response value restricted to an enum"),
    "response.constraint.loosened": (BREAKING, "a response constraint loosened, removed or changed"),
    "response.constraint.tightened": (NON_BREAKING, "a response constraint tightened or added"),
    "response.alternative.added": (BREAKING, "a oneOf/anyOf alternative of a response value added"),
    "response.alternative.removed": (NON_BREAKING, "a oneOf/anyOf alternative of a response value removed"),
    "response.model.replaced": (BREAKING, "a response value refers to another model (class)"),
    # models (components/schemas = Python classes)
    "model.removed": (BREAKING, "a schema removed: its Python class disappears"),
    "model.added": (NON_BREAKING, "a new schema: a new Python class"),
    "model.renamed": (BREAKING, "a schema renamed with an equivalent structure: its Python class is renamed"),
    "model.renamed-with-alias": (
        NON_BREAKING,
        "a schema renamed, the old class name kept as a deprecated alias (x-python-renamed-from)",
    ),
}


@dataclass(frozen=True)
class Change:
    """One semantic change between two specs.

    ``operation`` ("GET /datasets/") and ``python`` ("client.datasets.list") name the one operation affected; they
    are empty when a change reaches several operations (or none), which ``affected`` lists as
    ``(operation, python call)`` pairs. ``location`` is a JSON pointer into the new document, or into the old one
    for something removed.
    """

    severity: str
    rule: str
    operation: str
    python: str
    location: str
    message: str
    affected: tuple[tuple[str, str], ...] = ()

    @property
    def breaking(self) -> bool:
        """Whether old code or old clients can break."""
        return self.severity == BREAKING

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {
            "severity": self.severity,
            "rule": self.rule,
            "operation": self.operation,
            "python": self.python,
            "location": self.location,
            "message": self.message,
            "affected": [{"operation": op, "python": py} for op, py in self.affected],
        }
