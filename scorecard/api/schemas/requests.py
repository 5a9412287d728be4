"""The API's query strings and request bodies: strict types, no unknown fields."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    Field,
    StringConstraints,
)

from scorecard.api.core import ID_MAX
from scorecard.api.schemas.base import (
    PAGE_MAX,
    PER_PAGE_MAX,
    FieldValue,
    QueryModel,
    Since,
    Strict,
)
from scorecard.services.decisions import RATIONALE_MAX
from scorecard.services.scorecards.fields import (
    CHANGES_MAX,
    FIELD_KEY_PATTERN,
    REASON_MAX,
    SUBMISSION_KEY_PATTERN,
)

# --- queries ---------------------------------------------------------------------------------


class PageQuery(QueryModel):
    page: int = Field(1, ge=1, le=PAGE_MAX, description="Page number, from 1.")
    per_page: int = Field(
        50, ge=1, le=PER_PAGE_MAX, description=f"Items per page, 1–{PER_PAGE_MAX}."
    )
    updated_since: Since = None


class JobsQuery(PageQuery):
    status: Literal["open", "closed"] | None = Field(None, description="Only jobs in this state.")


class ApplicationsQuery(PageQuery):
    status: Literal["active", "on_hold", "hired", "rejected", "withdrawn"] | None = Field(
        None, description="Only applications in this state."
    )


class InterviewsQuery(PageQuery):
    status: Literal["scheduled", "cancelled"] | None = Field(
        None, description="Only interviews in this state."
    )


class ScorecardsQuery(PageQuery):
    job_id: int | None = Field(None, ge=1, le=ID_MAX, description="Only this job's.")
    status: Literal["draft", "submitted"] | None = Field(None, description="Only this state.")
    mine: bool = Field(False, description="Only the caller's own scorecards.")


class ApplicationScorecardsQuery(PageQuery):
    format: Literal["native", "harvest", "harvest_v1"] = Field(
        "native",
        description="`harvest`: a bare array of Greenhouse Harvest v3 scorecard objects "
        "(submitted scorecards only); `harvest_v1`: the same in the retired Harvest v1 shape; "
        "`native`: this API's page of scorecards.",
    )


# --- bodies ------------------------------------------------------------------------------------

FieldKey = Annotated[str, StringConstraints(pattern=FIELD_KEY_PATTERN)]


Changes = Annotated[
    dict[FieldKey, FieldValue],
    Field(
        min_length=1,
        max_length=CHANGES_MAX,
        description="Changed fields, keyed as the scorecard's flat field map: "
        "`rating.<criterion id>.value` (1–4 or null = not assessed), "
        "`rating.<criterion id>.note`, `star.<question id>.<situation|task|action|result>`, "
        "`flag.<red flag id>` (true/false), `takeaways`, `overall` (1–4 or null).",
    ),
]
LockVersion = Annotated[
    int,
    Field(
        ge=1,
        le=ID_MAX,
        description="The scorecard's lock_version as last read; a stale one is a 409 conflict.",
    ),
]


class AutosaveIn(Strict):
    lock_version: LockVersion
    changes: Changes


class SubmitIn(Strict):
    submission_key: Annotated[
        str,
        StringConstraints(pattern=SUBMISSION_KEY_PATTERN),
        Field(
            description="A key the client generates once per scorecard (8–64 letters, digits, "
            "- or _): a retry with the same key answers the same submission."
        ),
    ]
    lock_version: LockVersion | None = None


class EditIn(Strict):
    lock_version: LockVersion
    changes: Changes
    reason: Annotated[str, Field(min_length=1, max_length=REASON_MAX)]


class RoundDecisionIn(Strict):
    decision: Literal["advance", "hold", "reject"]
    rationale: Annotated[str, Field(max_length=RATIONALE_MAX)] = ""


class HireDecisionIn(Strict):
    decision: Literal["hire", "no_hire"]
    rationale: Annotated[str, Field(min_length=1, max_length=RATIONALE_MAX)]
