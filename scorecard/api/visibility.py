"""What an API caller may see, as SQL conditions and loaders that answer 404 otherwise.

These restate the pages' rules through scorecard.permissions (jobs) and
scorecard.services.scorecards (scorecards: the blind rule) — nothing here decides anew:

- a job: its hiring team (can_view_job); its scores, recommendations, decisions and
  calibration: its recruiters and hiring managers (can_review_job); admins see everything;
- an application or interview: the panel (an interviewer sees only candidates they are
  assigned to), and non-interviewers on the job's team (as the interview page);
- a scorecard: `visible_scorecard_clause` — blind until one's own is submitted.
"""

from __future__ import annotations

import sqlalchemy as sa

from scorecard.api.core import not_found
from scorecard.extensions import db
from scorecard.models import Application, Interview, Job, JobMember, Role, Scorecard, User
from scorecard.permissions import can_review_job, can_view_job, job_ids_for


def job_or_404(user: User, job_id: int) -> Job:
    job = db.session.get(Job, job_id)
    if job is None or not can_view_job(user, job.id):
        raise not_found()
    return job


def reviewable_job_or_404(user: User, job_id: int) -> Job:
    job = db.session.get(Job, job_id)
    if job is None or not can_review_job(user, job.id):
        raise not_found()
    return job


def visible_job_clause(user: User) -> sa.ColumnElement[bool]:
    ids = job_ids_for(user)
    return sa.true() if ids is None else Job.id.in_(ids)


def _on_panel_of_application(user: User) -> sa.Exists:
    return (
        sa.select(Scorecard.id)
        .join(Interview, Interview.id == Scorecard.interview_id)
        .where(Interview.application_id == Application.id, Scorecard.interviewer_id == user.id)
        .correlate(Application)
        .exists()
    )


def _staff_on_team(user: User, job_column: sa.ColumnElement[int]) -> sa.ColumnElement[bool]:
    if user.role == Role.INTERVIEWER:
        return sa.false()
    return job_column.in_(sa.select(JobMember.job_id).where(JobMember.user_id == user.id))


def application_clause(user: User) -> sa.ColumnElement[bool]:
    """Applications the user may see."""
    if user.role == Role.ADMIN:
        return sa.true()
    return sa.or_(_on_panel_of_application(user), _staff_on_team(user, Application.job_id))


def application_or_404(user: User, application_id: int) -> Application:
    row = db.session.scalar(
        sa.select(Application).where(Application.id == application_id, application_clause(user))
    )
    if row is None:
        raise not_found()
    return row


def reviewable_application_or_404(user: User, application_id: int) -> Application:
    row = db.session.get(Application, application_id)
    if row is None or not can_review_job(user, row.job_id):
        raise not_found()
    return row


def interview_clause(user: User) -> sa.ColumnElement[bool]:
    """Interviews the user may see: the panel, and non-interviewers on the job's team."""
    if user.role == Role.ADMIN:
        return sa.true()
    on_panel = (
        sa.select(Scorecard.id)
        .where(Scorecard.interview_id == Interview.id, Scorecard.interviewer_id == user.id)
        .correlate(Interview)
        .exists()
    )
    job_of = (
        sa.select(Application.job_id)
        .where(Application.id == Interview.application_id)
        .correlate(Interview)
        .scalar_subquery()
    )
    return sa.or_(on_panel, _staff_on_team(user, job_of))


def interview_or_404(user: User, interview_id: int) -> Interview:
    row = db.session.scalar(
        sa.select(Interview).where(Interview.id == interview_id, interview_clause(user))
    )
    if row is None:
        raise not_found()
    return row
