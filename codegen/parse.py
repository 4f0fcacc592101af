"""Load ``openapi.yaml`` and parse it with the pinned openapi-python-client."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from openapi_python_client.config import Config, ConfigFile, MetaType
from openapi_python_client.parser.errors import GeneratorError
from openapi_python_client.parser.openapi import GeneratorData


class SpecError(Exception):
    """The document cannot be generated from: a parser warning or error, or a broken project convention."""


def load_document(path: Path) -> dict[str, Any]:
    """Read an OpenAPI document from YAML or JSON."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    document = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
    if not isinstance(document, dict):
        raise SpecError(f"{path}: not an OpenAPI document")
    return document


def parse_document(document: dict[str, Any], source: Path) -> GeneratorData:
    """Run the generator's parser; every warning it reports is an error here."""
    config = Config.from_sources(ConfigFile(), MetaType.NONE, source, "utf-8", True, None)
    data = GeneratorData.from_dict(document, config=config)
    if isinstance(data, GeneratorError):
        raise SpecError(f"{data.header}: {data.detail}")
    problems = [f"{error.header or 'warning'}: {error.detail}" for error in data.errors]
    for collection in data.endpoint_collections_by_tag.values():
        problems += [f"{error.header or 'warning'}: {error.detail}" for error in collection.parse_errors]
    if problems:
        raise SpecError("openapi-python-client reported problems:\n  " + "\n  ".join(problems))
    return data
