"""Answers of recommendations (reasons, flags), decisions and calibration."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import (
    Field,
)

from scorecard.api.schemas.base import (
    Confidence,
    Out,
    Recommendation,
    UserRef,
)

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


def as_json_value(value: Any) -> Any:
    """Engine parameters (tuples) → JSON values."""
    if isinstance(value, tuple):
        return [str(v) for v in value]
    return value
