"""Read queries shared by pages: each returns plain rows, one query where possible."""

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from scorecard.extensions import db
from scorecard.models import (
    Application,
    Interview,
    InterviewStatus,
    Job,
    Round,
    Scorecard,
    ScorecardStatus,
    ScorecardVersion,
    User,
    utcnow,
)
from scorecard.permissions import job_ids_for


@dataclass(frozen=True)
class MyInterviews:
    today: list[Scorecard]
    upcoming: list[Scorecard]
    waiting: list[Scorecard]
    submitted: list[Scorecard]


def my_interviews(user: User, day_start: datetime, day_end: datetime) -> MyInterviews:
    """The interviewer's scorecards split into today / upcoming / waiting / submitted.

    `day_start` and `day_end` bound "today" in the user's timezone, given as naive UTC.
    """
    rows = db.session.scalars(
        sa.select(Scorecard)
        .join(Scorecard.interview)
        .where(Scorecard.interviewer_id == user.id)
        .where(Interview.status == InterviewStatus.SCHEDULED)
        .options(
            joinedload(Scorecard.interview)
            .joinedload(Interview.application)
            .joinedload(Application.candidate),
            joinedload(Scorecard.interview).joinedload(Interview.round),
            joinedload(Scorecard.interview)
            .joinedload(Interview.application)
            .joinedload(Application.job),
        )
        .order_by(Interview.starts_at)
    ).all()
    now = utcnow()
    today, upcoming, waiting, submitted = [], [], [], []
    for card in rows:
        iv = card.interview
        if card.status == ScorecardStatus.SUBMITTED:
            submitted.append(card)
        elif day_start <= iv.starts_at < day_end:
            today.append(card)
        elif iv.starts_at >= day_end:
            upcoming.append(card)
        elif iv.ends_at <= now or iv.starts_at < day_start:
            waiting.append(card)
    submitted.sort(key=lambda c: c.submitted_at or now, reverse=True)
    return MyInterviews(today, upcoming, waiting, submitted)


def feedback_due(job: Job, ends_at: datetime) -> datetime:
    """When feedback on an interview that ended at `ends_at` falls due: the job's overdue hours
    later. The one overdue rule: feedback not in by then (`is_past_due`) is overdue."""
    return ends_at + timedelta(hours=job.overdue_hours)


def is_past_due(job: Job, ends_at: datetime, at: datetime) -> bool:
    """True when feedback on an interview that ended at `ends_at` is overdue at `at`."""
    return feedback_due(job, ends_at) <= at


def is_overdue(card: Scorecard, now: datetime | None = None) -> bool:
    """Not submitted N hours (the job's setting) after the interview ended."""
    job: Job = card.interview.application.job
    return card.status == ScorecardStatus.DRAFT and is_past_due(
        job, card.interview.ends_at, now or utcnow()
    )


def job_overview(user: User) -> list[tuple[Job, int, int]]:
    """Visible jobs with their count of applications and of scheduled interviews."""
    apps = (
        sa.select(sa.func.count(Application.id))
        .where(Application.job_id == Job.id)
        .correlate(Job)
        .scalar_subquery()
    )
    ivs = (
        sa.select(sa.func.count(Interview.id))
        .join(Application, Interview.application_id == Application.id)
        .where(Application.job_id == Job.id, Interview.status == InterviewStatus.SCHEDULED)
        .correlate(Job)
        .scalar_subquery()
    )
    stmt = sa.select(Job, apps, ivs).order_by(Job.created_at.desc(), Job.id.desc())
    ids = job_ids_for(user)
    if ids is not None:
        stmt = stmt.where(Job.id.in_(ids))
    return [(job, n_apps, n_ivs) for job, n_apps, n_ivs in db.session.execute(stmt)]


def job_with_setup(job_id: int, members: bool = False) -> Job | None:
    """A job with its rounds, each version's criteria and questions and its red flags loaded
    at once (and its team with `members`): what the job page and the API's job show."""
    versions = selectinload(Job.rounds).selectinload(Round.versions)
    options = [
        versions.selectinload(ScorecardVersion.criteria),
        selectinload(Job.rounds)
        .selectinload(Round.versions)
        .selectinload(ScorecardVersion.questions),
        selectinload(Job.red_flags),
    ]
    if members:
        options.append(selectinload(Job.members))
    return db.session.scalar(sa.select(Job).where(Job.id == job_id).options(*options))
