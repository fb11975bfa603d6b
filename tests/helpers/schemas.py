"""Answers checked against the OpenAPI document: its schemas, with their references resolved."""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

DOCUMENT_URI = "urn:ontherecord:openapi"


def schema_errors(document: dict[str, Any], schema: dict[str, Any], instance: Any) -> list[str]:
    """What is wrong with `instance` against a schema of the document (none: it conforms).

    The schema's "#/components/…" references resolve within the document.
    """
    # Set inside the document, so its "#/…" references resolve against the document.
    anchored = {"$ref": f"{DOCUMENT_URI}#/components/schemas/__checked__"}
    document_with = {**document, "components": {
        **document["components"], "schemas": {**document["components"]["schemas"],
                                              "__checked__": schema}}}
    registry = Registry().with_resource(
        DOCUMENT_URI, Resource.from_contents(document_with, default_specification=DRAFT202012))
    validator = Draft202012Validator(anchored, registry=registry)
    return [f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}"
            for e in validator.iter_errors(instance)]


def named(name: str) -> dict[str, Any]:
    """A reference to a component schema, by name."""
    return {"$ref": f"#/components/schemas/{name}"}
