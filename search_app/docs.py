"""The API's description: the OpenAPI document as JSON, and as a page people read.

Both come from search_app/openapi.py; the page is rendered on the server, with no script, so
it works offline and without JavaScript.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, render_template, request

from ontherecord.people import people
from ontherecord.units import units
from search_app.openapi import DOCUMENT, SCHEMAS, Schema, example_url, operations
from search_app.store import archive

bp = Blueprint("docs", __name__, url_prefix="/api")

Words = list[tuple[str, str | None]]  # a type as words, each with the schema it links to


@bp.get("/openapi.json")
def document():
    """The OpenAPI document, with this site as its server."""
    return jsonify({**DOCUMENT, "servers": [{"url": request.url_root.rstrip("/")}]})


@bp.get("/docs")
def page():
    """Every route with its parameters, answers and an example link; then the schemas."""
    # Example links open a real session, person and unit of this archive where there is one.
    store = archive()
    newest = store.public_sessions()[:1]  # read once; its people and unit are examples enough
    firsts = {"session_id": [s.id for s in newest],
              "person_slug": [p.slug for p in people(store, newest)[:1]],
              "unit_slug": [u.slug for u in units(store, newest)]}
    changes = {name: found[0] for name, found in firsts.items() if found}
    return render_template(
        "api_docs.html", info=DOCUMENT["info"], routes=[
            route(path, method, operation, changes) for path, method, operation in operations()],
        schemas=[(name, schema.get("description", ""), rows(schema))
                 for name, schema in SCHEMAS.items()])


def route(path: str, method: str, operation: Schema, changes: dict[str, str]) -> dict[str, Any]:
    """What the page shows of one operation (`changes`: example values it may not take)."""
    changes = {p["name"]: changes[p["name"]] for p in operation["parameters"]
               if p["name"] in changes}
    return {
        "method": method.upper(), "path": path, "id": operation["operationId"],
        "summary": operation["summary"], "description": operation["description"],
        "parameters": [(p, type_words(p["schema"])) for p in operation["parameters"]],
        "responses": [
            (status, answer["description"],
             [(media, type_words(body["schema"]) if "schema" in body else [])
              for media, body in answer.get("content", {}).items()],
             [example_url(path, operation, changes | when) for when in answer.get("x-when", [])],
             answer.get("headers", {}).get("Location", {}).get("description", ""))
            for status, answer in operation["responses"].items()],
        "example": example_url(path, operation, changes),
    }


def type_words(schema: Schema) -> Words:
    """A schema's type in words, such as "array of Hit", "string (date)", "Session or null"."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        return [(name, name)]
    for either in ("anyOf", "oneOf"):
        if either in schema:
            words: Words = []
            for n, option in enumerate(schema[either]):
                words += ([(" or ", None)] if n else []) + type_words(option)
            return words
    if schema.get("type") == "array":
        return [("array of ", None), *type_words(schema["items"])]
    said = schema.get("type", "any")
    if "format" in schema:
        said += f" ({schema['format']})"
    if "enum" in schema:
        said += ": " + " | ".join(map(str, schema["enum"]))
    return [(said, None)]


def described(schema: Schema) -> str:
    """A schema's description, or that of the first of its options (a nullable one's)."""
    options = schema.get("anyOf") or schema.get("oneOf") or [{}]
    return schema.get("description") or options[0].get("description", "")


def rows(schema: Schema, prefix: str = "") -> list[tuple[str, Words, str]]:
    """(name, type, description) of an object's properties, nested objects' as "a.b"."""
    found = []
    for name, prop in schema.get("properties", {}).items():
        found.append((prefix + name, type_words(prop), described(prop)))
        inner = prop.get("items", prop)
        if "properties" in inner:
            found += rows(inner, f"{prefix}{name}{'[]' if inner is not prop else ''}.")
    return found
