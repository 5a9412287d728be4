"""The API models' base classes and shared types: strict requests, answers, errors."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

PER_PAGE_MAX = 500
PAGE_MAX = 100_000

Recommendation = Literal["strong_hire", "hire", "lean_no", "no_hire", "incomplete"]
Confidence = Literal["high", "medium", "low"]
Scale = Annotated[int, Field(ge=1, le=4)]


def _to_naive_utc(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is None:
        return value
    try:
        return value.astimezone(UTC).replace(tzinfo=None)
    except OverflowError:
        raise ValueError("out of range") from None


Since = Annotated[
    datetime | None,
    AfterValidator(_to_naive_utc),
    Field(
        description="Only what changed at or after this moment (ISO 8601; without a time "
        "zone it is read as UTC). Each list says which time stamp it compares.",
    ),
]


class Strict(BaseModel):
    """Request bodies: exact JSON types, no unknown fields."""

    model_config = ConfigDict(extra="forbid", strict=True)


class QueryModel(BaseModel):
    """Query strings: values arrive as text and are converted; unknown parameters refused."""

    model_config = ConfigDict(extra="forbid")


def _no_defaults(schema: dict[str, Any]) -> None:
    # An answer always carries every field, so a default would tell its reader nothing.
    for prop in schema.get("properties", {}).values():
        prop.pop("default", None)


class Out(BaseModel):
    """Answers: every field declared, and every field always sent (a default included).

    The presenters (scorecard/api/present.py, present_results.py) build answers as these
    models; `from_attributes` lets a model read an ORM row whose attributes match it.
    """

    model_config = ConfigDict(
        extra="forbid",
        from_attributes=True,
        json_schema_serialization_defaults_required=True,
        json_schema_extra=_no_defaults,
    )


def _field_value(value: Any) -> Any:
    # One check with one message instead of a union's four (int, str, bool, null); which of
    # them a given field takes is the scorecard service's to say.
    if value is None or isinstance(value, bool | int | str):
        return value
    raise PydanticCustomError("field_value", "Must be a whole number, text, true/false or null.")


FieldValue = Annotated[
    Any,
    AfterValidator(_field_value),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "integer"},
                {"type": "string"},
                {"type": "boolean"},
                {"type": "null"},
            ]
        }
    ),
]

# --- answers: common ---------------------------------------------------------------------------


class UserRef(Out):
    id: int
    name: str


class Problem(Out):
    field: str | None
    message: str


class CardState(Out):
    """The caller's own scorecard as the kit sees it (sent with a conflict)."""

    id: int
    lock_version: int
    status: Literal["draft", "submitted"]
    submitted_at: str | None
    edited_at: str | None
    fields: dict[str, FieldValue]


class ErrorDetail(Out):
    # Built by api.core.error_response, which leaves out `problems` and `state` when empty.
    model_config = ConfigDict(
        json_schema_serialization_defaults_required=False, json_schema_extra=None
    )

    code: str = Field(description="A stable machine code, e.g. not_found, invalid, conflict.")
    message: str = Field(description="What went wrong, in the caller's language.")
    field: str | None = Field(description="The request field at fault, if one is.")
    problems: list[Problem] | None = None
    state: CardState | None = None


class Error(Out):
    error: ErrorDetail
