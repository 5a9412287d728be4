"""The OpenAPI document as JSON, and the same document as a readable page (no script)."""

from __future__ import annotations

import re
from typing import Any

from flask import jsonify, render_template

from scorecard.api.core import Call, bp, operation
from scorecard.api.harvest import HARVEST_RATING, NO_DECISION
from scorecard.api.openapi import build_document


@operation(
    "GET",
    "/openapi.json",
    summary="This API's OpenAPI 3.1 document",
    tag="Documentation",
    response=dict[str, Any],
    public=True,
    who="Anyone: it describes the API and holds no data.",
)
def openapi_document(call: Call):
    """Generated from the same pydantic models that validate requests."""
    return jsonify(build_document())


INLINE = re.compile(r"`([^`]+)`|\*\*([^*]+)\*\*")


def _inline(text: str) -> list[tuple[str, str | None]]:
    """Our descriptions' `code` and **bold** as (text, tag) pieces; the template escapes them."""
    pieces: list[tuple[str, str | None]] = []
    at = 0
    for match in INLINE.finditer(text):
        if match.start() > at:
            pieces.append((text[at : match.start()], None))
        if match.group(1) is not None:
            pieces.append((match.group(1), "code"))
        else:
            pieces.append((match.group(2), "strong"))
        at = match.end()
    if at < len(text):
        pieces.append((text[at:], None))
    return pieces


def _segments(schema: dict[str, Any]) -> list[tuple[str, str | None]]:
    """A schema's type as text pieces; a piece with an anchor links to that schema."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return [(name, f"schema-{name}")]
    if "anyOf" in schema or "oneOf" in schema:
        out: list[tuple[str, str | None]] = []
        for i, part in enumerate(schema.get("anyOf") or schema.get("oneOf")):
            if i:
                out.append((" | ", None))
            out.extend(_segments(part))
        return out
    if "enum" in schema:
        return [(" | ".join(repr(v) for v in schema["enum"]), None)]
    if "const" in schema:
        return [(repr(schema["const"]), None)]
    kind = schema.get("type", "any")
    if kind == "array":
        return [("array of ", None), *_segments(schema.get("items", {}))]
    if kind == "object" and "additionalProperties" in schema:
        extra = schema["additionalProperties"]
        if isinstance(extra, dict) and extra:
            return [("map of ", None), *_segments(extra)]
    text = str(kind)
    if schema.get("format"):
        text += f" ({schema['format']})"
    return [(text, None)]


def _limits(schema: dict[str, Any]) -> str:
    parts = []
    for key, label in (
        ("minimum", "≥"),
        ("maximum", "≤"),
        ("minLength", "min length"),
        ("maxLength", "max length"),
        ("minProperties", "min entries"),
        ("maxProperties", "max entries"),
        ("pattern", "pattern"),
        ("default", "default"),
    ):
        if key in schema:
            parts.append(f"{label} {schema[key]}")
    return ", ".join(parts)


def _rows(schema: dict[str, Any]) -> list[dict[str, Any]]:
    required = set(schema.get("required", []))
    return [
        {
            "name": name,
            "type": _segments(prop),
            "required": name in required,
            "limits": _limits(prop),
            "description": prop.get("description", ""),
        }
        for name, prop in schema.get("properties", {}).items()
    ]


@bp.get("/docs")
def docs_page():
    """Every operation with its parameters, body and answers, and every schema."""
    doc = build_document()
    operations = []
    for path, item in doc["paths"].items():
        for method, op in item.items():
            operations.append(
                {
                    "id": op["operationId"],
                    "method": method.upper(),
                    "path": path,
                    "summary": op["summary"],
                    "tag": op["tags"][0],
                    "paragraphs": [
                        _inline(p) for p in op.get("description", "").split("\n\n") if p
                    ],
                    "public": not op["security"],
                    "parameters": [
                        {
                            "name": p["name"],
                            "in": p["in"],
                            "required": p["required"],
                            "type": _segments(p["schema"]),
                            "limits": _limits(p["schema"]),
                            "description": _inline(p.get("description", "")),
                        }
                        for p in op["parameters"]
                    ],
                    "body": _segments(op["requestBody"]["content"]["application/json"]["schema"])
                    if "requestBody" in op
                    else None,
                    "responses": [
                        {
                            "status": status,
                            "description": resp["description"],
                            "type": _segments(next(iter(resp["content"].values()))["schema"]),
                        }
                        for status, resp in op["responses"].items()
                    ],
                }
            )
    schemas = [
        {
            "name": name,
            "description": schema.get("description", ""),
            "rows": _rows(schema),
            "type": _segments(schema) if "properties" not in schema else None,
        }
        for name, schema in doc["components"]["schemas"].items()
    ]
    return render_template(
        "api/docs.html",
        operations=operations,
        schemas=schemas,
        harvest_scale=[(v, HARVEST_RATING[v]) for v in (1, 2, 3, 4)],
        no_decision=NO_DECISION,
    )
