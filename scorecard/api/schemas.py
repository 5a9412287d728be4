"""Request and answer models of the API (pydantic v2): they validate, and they are the document.

Requests are strict (no "5" for 5, no unknown fields); answers forbid extra fields so that no
field can leak into an answer without being declared here first.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from scorecard.api.core import ID_MAX
from scorecard.services.decisions import RATIONALE_MAX
from scorecard.services.scorecards.fields import (
    CHANGES_MAX,
    FIELD_KEY_PATTERN,
    REASON_MAX,
    SUBMISSION_KEY_PATTERN,
)

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


class Me(Out):
    id: int
    name: str
    email: str
    role: Literal["admin", "hr", "manager", "interviewer"]
    locale: str | None
    jobs: list[JobMembership]


class JobMembership(Out):
    job_id: int
    job_role: Literal["recruiter", "hiring_manager", "interviewer"]


# --- jobs --------------------------------------------------------------------------------------


class JobSummary(Out):
    id: int
    title: str = Field(description="In the caller's language (the other one if empty).")
    title_zh: str
    title_en: str
    status: Literal["open", "closed"]
    created_at: str
    my_job_role: Literal["recruiter", "hiring_manager", "interviewer"] | None


class Anchor(Out):
    value: Scale
    text_zh: str
    text_en: str


class CriterionOut(Out):
    id: int
    key: str
    position: int
    dimension: Literal["technical", "business", "attitude", "etiquette"]
    name: str
    name_zh: str
    name_en: str
    description_zh: str
    description_en: str
    weight: float
    must_have: bool
    veto_eligible: bool
    anchors: list[Anchor]


class QuestionOut(Out):
    id: int
    key: str
    position: int
    criterion_id: int | None
    star: bool
    text_zh: str
    text_en: str
    guidance_zh: str
    guidance_en: str


class RedFlagOut(Out):
    id: int
    key: str
    label_zh: str
    label_en: str
    description_zh: str
    description_en: str


class RoundOut(Out):
    id: int
    key: str
    position: int
    name: str
    name_zh: str
    name_en: str
    focus_zh: str
    focus_en: str
    weight: float
    version_id: int | None = Field(description="The current scorecard version.")
    version_number: int | None
    criteria: list[CriterionOut]
    questions: list[QuestionOut]


class JobDetail(JobSummary):
    description_zh: str
    description_en: str
    rounds: list[RoundOut]
    red_flags: list[RedFlagOut]


class JobPage(Out):
    items: list[JobSummary]
    page: int
    per_page: int
    total: int


# --- candidates and applications ------------------------------------------------------------------


class CandidateOut(Out):
    id: int
    name: str
    email: str | None = Field(description="null for interviewers (they see name and note only).")
    phone: str | None
    source: str | None
    note: str
    created_at: str
    erased: bool


ApplicationStatus = Literal["active", "on_hold", "hired", "rejected", "withdrawn"]


class ApplicationOut(Out):
    id: int
    job_id: int
    candidate: CandidateOut
    status: ApplicationStatus
    current_round_id: int | None
    created_at: str
    closed_at: str | None


class ApplicationBrief(Out):
    id: int
    job_id: int
    status: ApplicationStatus
    current_round_id: int | None


class CandidateDetail(CandidateOut):
    applications: list[ApplicationBrief]


class ApplicationPage(Out):
    items: list[ApplicationOut]
    page: int
    per_page: int
    total: int


# --- interviews and scorecards ------------------------------------------------------------------


class InterviewOut(Out):
    id: int
    application_id: int
    job_id: int
    candidate_id: int
    round_id: int
    round_name: str
    starts_at: str
    ends_at: str
    duration_minutes: int
    location: str
    video_link: str
    status: Literal["scheduled", "cancelled"]
    panel: list[UserRef]
    my_scorecard_id: int | None
    created_at: str


class InterviewPage(Out):
    items: list[InterviewOut]
    page: int
    per_page: int
    total: int


class RatingOut(Out):
    criterion_id: int
    criterion_key: str
    value: Scale | None = Field(description="1–4, or null for not assessed.")
    note: str


class StarOut(Out):
    question_id: int
    situation: str
    task: str
    action: str
    result: str


class RedFlagRef(Out):
    id: int
    key: str


class ScorecardOut(Out):
    id: int
    interview_id: int
    application_id: int
    job_id: int
    round_id: int
    interviewer: UserRef
    status: Literal["draft", "submitted"]
    version_id: int
    lock_version: int | None = Field(description="Only on the caller's own scorecard.")
    overall: Scale | None
    takeaways: str
    ratings: list[RatingOut]
    star: list[StarOut]
    red_flags: list[RedFlagRef]
    created_at: str
    updated_at: str
    submitted_at: str | None
    edited_at: str | None
    fields: dict[str, FieldValue] | None = Field(
        description="Only on the caller's own scorecard: the flat field map autosave takes."
    )


class ScorecardPage(Out):
    items: list[ScorecardOut]
    page: int
    per_page: int
    total: int


class SaveOut(Out):
    id: int
    lock_version: int
    saved_at: str


class SubmissionOut(Out):
    id: int
    submission_key: str
    submitted_at: str


class SubmitOut(Out):
    submission: SubmissionOut
    scorecard: ScorecardOut


class EditOut(Out):
    changed: list[str] = Field(description="The fields whose value changed (audited).")
    scorecard: ScorecardOut


# --- Greenhouse Harvest ---------------------------------------------------------------------------

HarvestRating = Literal["definitely_not", "no", "mixed", "yes", "strong_yes", "no_decision"]


class HarvestUser(Out):
    id: int
    first_name: str
    last_name: str
    name: str
    employee_id: str | None


class HarvestStep(Out):
    id: int
    name: str


class HarvestAttribute(Out):
    name: str
    type: str
    note: str | None
    rating: HarvestRating


class HarvestRatings(Out):
    definitely_not: list[str]
    no: list[str]
    mixed: list[str]
    yes: list[str]
    strong_yes: list[str]


class HarvestQuestion(Out):
    id: int | None
    question: str
    answer: str


class HarvestScorecard(Out):
    """A scorecard in the shape of Greenhouse Harvest's scorecard object."""

    id: int
    updated_at: str
    created_at: str
    interview: str
    interview_step: HarvestStep
    candidate_id: int
    application_id: int
    interviewed_at: str
    submitted_by: HarvestUser
    interviewer: HarvestUser
    submitted_at: str
    overall_recommendation: Literal["definitely_not", "no", "yes", "strong_yes", "no_decision"]
    attributes: list[HarvestAttribute]
    ratings: HarvestRatings
    questions: list[HarvestQuestion]


class HarvestV3Question(Out):
    question_id: int | None
    question: str
    answer: str


class HarvestV3Scorecard(Out):
    """A scorecard in Greenhouse Harvest v3's flat shape: relations as ids, no embedded users."""

    id: int
    application_id: int
    candidate_id: int
    interview_id: int
    interview_step_id: int
    interviewer_id: int
    submitted_by_id: int
    interviewed_at: str
    submitted_at: str
    created_at: str
    updated_at: str
    overall_recommendation: Literal["definitely_not", "no", "yes", "strong_yes", "no_decision"]
    attributes: list[HarvestAttribute]
    questions: list[HarvestV3Question]


# --- recommendations ---------------------------------------------------------------------------

ParamValue = str | int | float | list[str] | None


class ReasonOut(Out):
    code: str
    params: dict[str, ParamValue]
    text: str = Field(description="The engine's machine string, e.g. 'score 3.2917 ≥ 2.75: hire'.")
    message: str = Field(description="The same reason in plain words, in the caller's language.")


class FlagOut(Out):
    kind: Literal[
        "disagreement", "overall_disagreement", "red_flag", "veto", "low_rating", "hurdle"
    ]
    round_key: str
    criterion_key: str | None
    red_flag_key: str | None
    interviewers: list[UserRef]
    message: str


class CriterionResultOut(Out):
    key: str = Field(description="Engine key: '<round key>:<criterion key>'.")
    round_key: str
    criterion_id: int | None
    name: str
    score: float | None
    ratings: int
    spread: int | None
    weight: float
    must_have: bool


class RoundResultOut(Out):
    round_id: int | None
    round_key: str
    recommendation: Recommendation
    recommendation_label: str
    score: float | None
    coverage: float
    confidence: Confidence
    reliability: float
    raters: int
    reasons: list[ReasonOut]
    flags: list[FlagOut]


class RecommendationOut(Out):
    application_id: int
    round_id: int | None = Field(description="Set when this is one round's recommendation.")
    state: Literal["scored", "unscored", "blind"] = Field(
        description="unscored: nothing submitted yet; blind: the caller sits on this "
        "candidate's panel and has not submitted, so nothing aggregated is shown."
    )
    # An unscored or blind answer is the three fields above and these defaults.
    recommendation: Recommendation | None = None
    recommendation_label: str | None = None
    score: float | None = None
    coverage: float | None = None
    confidence: Confidence | None = None
    reliability: float | None = None
    raters: int | None = None
    reasons: list[ReasonOut] = Field(default_factory=list)
    flags: list[FlagOut] = Field(default_factory=list)
    rounds: list[RoundResultOut] = Field(default_factory=list)
    criteria: list[CriterionResultOut] = Field(default_factory=list)
    dimensions: dict[str, float | None] = Field(default_factory=dict)
    edited_scorecards: int = 0


class RecommendationPage(Out):
    items: list[RecommendationOut]
    page: int
    per_page: int
    total: int


# --- decisions and calibration -------------------------------------------------------------------


class DecisionOut(Out):
    id: int
    kind: Literal["round", "hire"]
    application_id: int
    round_id: int | None
    decision: Literal["advance", "hold", "reject", "hire", "no_hire"]
    rationale: str
    recommendation: str | None = Field(
        description="The engine's recommendation when the decision was taken."
    )
    decided_by: UserRef
    decided_at: str


class DecisionPage(Out):
    items: list[DecisionOut]
    page: int
    per_page: int
    total: int


class AlphaOut(Out):
    key: str
    round_key: str
    name: str
    alpha: float | None


class LeniencyOut(Out):
    interviewer: UserRef
    n: int
    mean: float
    adjustment: float | None = Field(description="Shown once the interviewer rated 15 candidates.")
    stable: bool


class AgreementOut(Out):
    round_id: int | None
    round_key: str | None
    candidates: int = Field(description="Candidates with 2 or more interviewers.")
    sufficient: bool = Field(description="At least 20 such candidates; below, figures are null.")
    k0: float | None
    icc1: float | None
    icck: float | None
    alpha: list[AlphaOut]
    leniency: list[LeniencyOut]


class CalibrationOut(Out):
    job_id: int
    use_calibrated: bool
    overall: AgreementOut
    rounds: list[AgreementOut]


Me.model_rebuild()


def as_json_value(value: Any) -> Any:
    """Engine parameters (tuples) → JSON values."""
    if isinstance(value, tuple):
        return [str(v) for v in value]
    return value
