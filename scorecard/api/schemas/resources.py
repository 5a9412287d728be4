"""Answers about jobs, candidates, applications, interviews and scorecards."""

from __future__ import annotations

from typing import Literal

from pydantic import (
    Field,
)

from scorecard.api.schemas.base import (
    FieldValue,
    Out,
    Scale,
    UserRef,
)

# --- the caller -------------------------------------------------------------------------------


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


Me.model_rebuild()
