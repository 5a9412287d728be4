"""The OpenAPI 3.1 document, assembled from the declared operations and their pydantic models.

Nothing here is written by hand per endpoint: paths, parameters, bodies and answers all come
from `scorecard.api.core.OPERATIONS`, the same declarations that validate requests.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from pydantic import BaseModel, TypeAdapter

from scorecard.api.core import ID_MAX, OPERATIONS, Operation
from scorecard.api.schemas import Error

REF = "#/components/schemas/{model}"
ERRORS = {
    400: "Malformed request: the body is not a JSON object.",
    401: "No valid bearer token (missing, unknown, revoked, or its user is deactivated).",
    404: "Not found, or not the caller's to see (the API never says which).",
    409: "Conflict: a stale lock_version (the answer carries the current state), a submitted "
    "or cancelled scorecard, or a reused submission key.",
    422: "Invalid input: `field` names the first problem, `problems` lists them all; nothing "
    "was stored.",
}
INTRO = """Scorecard's JSON API. It follows the same permission and blind rules as the pages,
through the same services.

**Authentication**: `Authorization: Bearer <personal API token>` on every request (create
tokens under Settings → API tokens). Session cookies are not accepted.

**Errors** always have the shape `{"error": {"code", "message", "field"}}` (plus `problems`
for invalid input and `state` for a scorecard conflict). Messages follow the token user's
language (else Accept-Language).

**Lists** take `page` (from 1), `per_page` (1–500, default 50) and `updated_since` (ISO 8601)
and answer `{"items", "page", "per_page", "total"}`.

**Greenhouse Harvest**: `GET /api/v1/applications/{application_id}/scorecards?format=harvest`
answers Harvest v3 scorecard objects (flat, relations as ids); `format=harvest_v1` the retired
v1 objects (embedded users; a display name is never split at a space). Scale mapping:
1 → definitely_not, 2 → no, 3 → yes, 4 → strong_yes; not assessed → omitted from `ratings`,
attribute rating `no_decision`; no overall recommendation → `no_decision`; `mixed` stays
empty."""


class _Builder:
    def __init__(self) -> None:
        self.components: dict[str, Any] = {}

    def schema(self, annotation: Any, mode: str) -> dict[str, Any]:
        """A schema for a model or type: models become components referenced by name."""
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            schema = annotation.model_json_schema(mode=mode, ref_template=REF)  # type: ignore[arg-type]
            self.components.update(schema.pop("$defs", {}))
            self.components[annotation.__name__] = schema
            return {"$ref": REF.format(model=annotation.__name__)}
        schema = TypeAdapter(annotation).json_schema(mode=mode, ref_template=REF)  # type: ignore[arg-type]
        self.components.update(schema.pop("$defs", {}))
        return schema

    def parameters(self, op: Operation) -> list[dict[str, Any]]:
        params: list[dict[str, Any]] = [
            {
                "name": name,
                "in": "path",
                "required": True,
                "schema": {"type": "integer", "minimum": 1, "maximum": ID_MAX},
            }
            for name in op.path_params
        ]
        if op.query is not None:
            schema = op.query.model_json_schema(mode="validation", ref_template=REF)
            required = set(schema.get("required", []))
            for name, prop in schema.get("properties", {}).items():
                prop = _without_null(dict(prop))
                description = prop.pop("description", None)
                prop.pop("title", None)
                param = {"name": name, "in": "query", "required": name in required, "schema": prop}
                if description:
                    param["description"] = description
                params.append(param)
        return params

    def operation(self, op: Operation) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "operationId": op.name,
            "summary": op.summary,
            "tags": [op.tag],
            "description": "\n\n".join(
                p for p in (op.description, f"**Who may call it**: {op.who}" if op.who else "") if p
            ),
            "parameters": self.parameters(op),
            "security": [] if op.public else [{"bearerAuth": []}],
        }
        if op.body is not None:
            doc["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": self.schema(op.body, "validation")}},
            }
        responses: dict[str, Any] = {
            str(op.status): {
                "description": "Created." if op.status == 201 else "OK.",
                "content": {op.content_type: {"schema": self.schema(op.response, "serialization")}},
            }
        }
        error_ref = self.schema(Error, "serialization")
        for status in op.error_statuses:
            responses[str(status)] = {
                "description": ERRORS[status],
                "content": {"application/json": {"schema": error_ref}},
            }
        doc["responses"] = responses
        return doc


def _without_null(prop: dict[str, Any]) -> dict[str, Any]:
    """A query parameter is absent rather than null: drop the null branch of Optional."""
    any_of = prop.get("anyOf")
    if any_of:
        kept = [s for s in any_of if s.get("type") != "null"]
        prop.pop("anyOf")
        if len(kept) == 1:
            prop.update(kept[0])
        else:
            prop["anyOf"] = kept
    if prop.get("default", 0) is None:
        prop.pop("default")
    return prop


@lru_cache(maxsize=1)
def build_document() -> dict[str, Any]:
    """The whole OpenAPI 3.1 document (built once per process: operations are fixed)."""
    builder = _Builder()
    paths: dict[str, Any] = {}
    for op in OPERATIONS:
        paths.setdefault(op.path, {})[op.method.lower()] = builder.operation(op)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Scorecard API", "version": "1.0.0", "description": INTRO},
        "servers": [{"url": "/"}],
        "tags": [{"name": name} for name in dict.fromkeys(op.tag for op in OPERATIONS)],
        "paths": paths,
        "components": {
            "schemas": dict(sorted(builder.components.items())),
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A personal API token (sc_…), created on the settings page.",
                }
            },
        },
    }
