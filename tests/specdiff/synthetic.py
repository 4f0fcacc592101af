"""A synthetic spec the size of the real one (about 5,000 lines of YAML), for timing the spec diff."""

from __future__ import annotations

from typing import Any

import yaml

RESOURCES = 30


def model(name: str, index: int) -> dict[str, Any]:
    """A model schema with a dozen fields of every kind."""
    return {
        "type": "object",
        "description": f"A {name}.",
        "required": ["uid", "name", "created_at"],
        "properties": {
            "uid": {"type": "string", "format": "uuid", "description": "UID."},
            "name": {"type": "string", "maxLength": 200, "description": "Name."},
            "slug": {"type": "string", "pattern": "^[a-z0-9-]+$", "description": "Slug."},
            "status": {"type": ["string", "null"], "description": "Known values: `ready`."},
            "count": {"type": "integer", "default": 0, "minimum": 0, "description": "Count."},
            "ratio": {"type": ["number", "null"], "description": "Ratio."},
            "tags": {"type": "array", "items": {"type": "string"}, "default": [], "description": "Tags."},
            "metadata": {"type": ["object", "null"], "additionalProperties": True, "description": "Metadata."},
            "owner": {"oneOf": [{"$ref": "#/components/schemas/Owner"}, {"type": "null"}], "description": "Owner."},
            "parent": {
                "oneOf": [{"$ref": f"#/components/schemas/{name}"}, {"type": "null"}],
                "description": "Recursive.",
            },
            "sibling": {"$ref": f"#/components/schemas/Model{(index + 1) % RESOURCES}"},
            "created_at": {"type": "string", "format": "date-time", "description": "Created."},
            "updated_at": {"type": ["string", "null"], "format": "date-time", "description": "Updated."},
        },
        "example": {"uid": "0b7e6f3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b", "name": "x", "created_at": "2026-02-24T10:15:00Z"},
    }


def spec() -> dict[str, Any]:
    """The synthetic document: per resource list/create/get/update/delete/action operations."""
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {
        "Owner": {
            "type": "object",
            "required": ["username"],
            "properties": {"username": {"type": "string"}, "boss": {"$ref": "#/components/schemas/Owner"}},
        }
    }
    for i in range(RESOURCES):
        tag, name = f"resource{i}", f"Model{i}"
        schemas[name] = model(name, i)
        schemas[f"Paginated{name}List"] = {
            "type": "object",
            "required": ["results", "next", "previous"],
            "properties": {
                "results": {"type": "array", "items": {"$ref": f"#/components/schemas/{name}"}},
                "next": {"type": ["string", "null"], "format": "uri"},
                "previous": {"type": ["string", "null"], "format": "uri"},
            },
        }
        schemas[f"{name}CreateRequest"] = {
            "type": "object",
            "required": ["name"],
            "properties": {
                "name": {"type": "string", "maxLength": 200, "description": "Name."},
                "kind": {"type": "string", "enum": ["a", "b", "c"], "description": "Kind."},
                "visibility": {"type": "string", "default": "private", "description": "Visibility."},
                "tags": {"type": "array", "items": {"type": "string"}, "description": "Tags."},
                "config": {"type": ["object", "null"], "additionalProperties": True, "description": "Config."},
            },
        }
        one = {"$ref": f"#/components/schemas/{name}"}
        uid = {"name": "uid", "in": "path", "required": True, "description": "UID.", "schema": {"type": "string"}}
        ok = {"description": "OK.", "content": {"application/json": {"schema": one}}}
        body = {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}CreateRequest"}}},
        }
        paths[f"/{tag}/"] = {
            "get": {
                "tags": [tag],
                "operationId": f"{tag}_list",
                "summary": "List.",
                "parameters": [
                    {
                        "name": "kind",
                        "in": "query",
                        "description": "Kind.",
                        "schema": {"type": "string", "enum": ["a", "b"]},
                    },
                    {"name": "q", "in": "query", "description": "Search.", "schema": {"type": "string"}},
                    {"$ref": "#/components/parameters/Limit"},
                    {"$ref": "#/components/parameters/Cursor"},
                ],
                "responses": {
                    "200": {
                        "description": "Page.",
                        "content": {
                            "application/json": {"schema": {"$ref": f"#/components/schemas/Paginated{name}List"}}
                        },
                    },
                    "401": {"$ref": "#/components/responses/Unauthorized"},
                },
            },
            "post": {
                "tags": [tag],
                "operationId": f"{tag}_create",
                "summary": "Create.",
                "requestBody": body,
                "responses": {"201": ok, "400": {"$ref": "#/components/responses/Unauthorized"}},
            },
        }
        paths[f"/{tag}/{{uid}}/"] = {
            "get": {"tags": [tag], "operationId": f"{tag}_get", "parameters": [uid], "responses": {"200": ok}},
            "patch": {
                "tags": [tag],
                "operationId": f"{tag}_update",
                "parameters": [uid],
                "requestBody": body,
                "responses": {"200": ok},
            },
            "delete": {
                "tags": [tag],
                "operationId": f"{tag}_delete",
                "parameters": [uid],
                "responses": {"204": {"description": "Deleted."}},
            },
        }
        paths[f"/{tag}/{{uid}}/items/"] = {
            "get": {
                "tags": [tag],
                "operationId": f"{tag}_list_items",
                "parameters": [uid],
                "responses": {
                    "200": {
                        "description": "Items.",
                        "content": {"application/json": {"schema": {"type": "array", "items": one}}},
                    }
                },
            },
        }
    return {
        "openapi": "3.1.0",
        "info": {"title": "Synthetic", "version": "1.0.0"},
        "security": [{"ApiKeyAuth": []}],
        "tags": [{"name": f"resource{i}", "description": "R."} for i in range(RESOURCES)],
        "paths": paths,
        "components": {
            "securitySchemes": {"ApiKeyAuth": {"type": "apiKey", "in": "header", "name": "X-Avala-Api-Key"}},
            "parameters": {
                "Limit": {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
                "Cursor": {"name": "cursor", "in": "query", "schema": {"type": "string"}},
            },
            "responses": {
                "Unauthorized": {"description": "No.", "content": {"application/json": {"schema": {"type": "object"}}}}
            },
            "schemas": schemas,
        },
    }


def text(document: dict[str, Any]) -> str:
    """Block-style YAML, as openapi.yaml is written."""
    return yaml.safe_dump(document, sort_keys=False, default_flow_style=False, width=120)
