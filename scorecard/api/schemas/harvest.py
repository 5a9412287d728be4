"""Scorecards in the shapes of Greenhouse Harvest v3 and the retired v1 (answers)."""

from __future__ import annotations

from typing import Literal

from scorecard.api.schemas.base import (
    Out,
)

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
