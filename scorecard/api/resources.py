"""The caller, jobs (with rounds, criteria and questions), candidates, applications, interviews."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from scorecard.api import present
from scorecard.api.core import Call, not_found, operation
from scorecard.api.schemas import (
    ApplicationOut,
    ApplicationPage,
    ApplicationsQuery,
    CandidateDetail,
    InterviewOut,
    InterviewPage,
    InterviewsQuery,
    JobDetail,
    JobMembership,
    JobPage,
    JobsQuery,
    Me,
)
from scorecard.api.visibility import (
    application_clause,
    application_or_404,
    interview_clause,
    interview_or_404,
    job_or_404,
    visible_job_clause,
)
from scorecard.extensions import db
from scorecard.models import (
    Application,
    Candidate,
    HireDecision,
    Interview,
    Job,
    JobMember,
    RoundDecision,
    Scorecard,
)
from scorecard.permissions import job_role
from scorecard.services import queries

TEAM = "Anyone on the job's hiring team; admins."
PANEL_OR_TEAM = (
    "The interview's panel; admins, HR and managers on the job's hiring team. An interviewer "
    "sees only the candidates they are assigned to interview, without e-mail or phone."
)


@operation(
    "GET",
    "/me",
    summary="The token's user and their job memberships",
    tag="Account",
    response=Me,
    who="Any token.",
)
def me(call: Call):
    """Who this token acts as: role, language and the jobs they are on."""
    user = call.user
    rows = db.session.execute(
        sa.select(JobMember.job_id, JobMember.job_role)
        .where(JobMember.user_id == user.id)
        .order_by(JobMember.job_id)
    )
    return Me(
        id=user.id,
        name=user.name,
        email=user.email,
        role=user.role.value,
        locale=user.locale,
        jobs=[JobMembership(job_id=j, job_role=r.value) for j, r in rows],
    )


@operation(
    "GET",
    "/jobs",
    summary="Jobs the caller may see",
    tag="Jobs",
    response=JobPage,
    query=JobsQuery,
    who="Any token: lists the jobs whose hiring team the caller is on (admins: all).",
)
def list_jobs(call: Call):
    """Newest first. `updated_since` compares the job's creation time."""
    q = call.query
    stmt = sa.select(Job).where(visible_job_clause(call.user))
    if q.status:
        stmt = stmt.where(Job.status == q.status)
    if q.updated_since:
        stmt = stmt.where(Job.created_at >= q.updated_since)
    rows, total = present.paginate(stmt.order_by(Job.created_at.desc(), Job.id.desc()), q)
    roles = dict(
        db.session.execute(
            sa.select(JobMember.job_id, JobMember.job_role).where(
                JobMember.user_id == call.user.id, JobMember.job_id.in_([j.id for j in rows])
            )
        ).all()
    )
    return present.page(JobPage, [present.job_summary(j, roles.get(j.id)) for j in rows], q, total)


@operation(
    "GET",
    "/jobs/<id:job_id>",
    summary="A job with its rounds, current criteria (with anchors), questions and red flags",
    tag="Jobs",
    response=JobDetail,
    who=TEAM,
)
def get_job(call: Call, job_id: int):
    """Each round lists the criteria and questions of its current scorecard version."""
    job_or_404(call.user, job_id)
    job = queries.job_with_setup(job_id)
    return present.job_detail(job, job_role(call.user, job.id))


@operation(
    "GET",
    "/jobs/<id:job_id>/applications",
    summary="A job's applications (candidates)",
    tag="Candidates",
    response=ApplicationPage,
    query=ApplicationsQuery,
    who=PANEL_OR_TEAM,
)
def list_applications(call: Call, job_id: int):
    """`updated_since` matches applications created, closed or decided on at or after it."""
    job_or_404(call.user, job_id)
    q = call.query
    stmt = (
        sa.select(Application)
        .where(Application.job_id == job_id, application_clause(call.user))
        .options(selectinload(Application.candidate))
    )
    if q.status:
        stmt = stmt.where(Application.status == q.status)
    if q.updated_since:
        since = q.updated_since
        decided = sa.or_(
            sa.select(RoundDecision.id)
            .where(
                RoundDecision.application_id == Application.id, RoundDecision.decided_at >= since
            )
            .exists(),
            sa.select(HireDecision.id)
            .where(HireDecision.application_id == Application.id, HireDecision.decided_at >= since)
            .exists(),
        )
        stmt = stmt.where(
            sa.or_(Application.created_at >= since, Application.closed_at >= since, decided)
        )
    rows, total = present.paginate(stmt.order_by(Application.id), q)
    return present.page(
        ApplicationPage, [present.application(a, call.user) for a in rows], q, total
    )


@operation(
    "GET",
    "/applications/<id:application_id>",
    summary="One application with its candidate",
    tag="Candidates",
    response=ApplicationOut,
    who=PANEL_OR_TEAM,
)
def get_application(call: Call, application_id: int):
    """E-mail, phone and source are null for interviewers."""
    return present.application(application_or_404(call.user, application_id), call.user)


@operation(
    "GET",
    "/candidates/<id:candidate_id>",
    summary="A candidate with the applications the caller may see",
    tag="Candidates",
    response=CandidateDetail,
    who=PANEL_OR_TEAM,
)
def get_candidate(call: Call, candidate_id: int):
    """404 unless at least one of the candidate's applications is visible to the caller."""
    cand = db.session.get(Candidate, candidate_id)
    if cand is None:
        raise not_found()
    apps = list(
        db.session.scalars(
            sa.select(Application)
            .where(Application.candidate_id == cand.id, application_clause(call.user))
            .order_by(Application.id)
        )
    )
    if not apps:
        raise not_found()
    return present.candidate_detail(cand, call.user, apps)


def _interviews_stmt(call: Call) -> sa.Select:
    return (
        sa.select(Interview)
        .where(interview_clause(call.user))
        .options(
            selectinload(Interview.application),
            selectinload(Interview.round),
            selectinload(Interview.scorecards).selectinload(Scorecard.interviewer),
        )
    )


@operation(
    "GET",
    "/jobs/<id:job_id>/interviews",
    summary="A job's interviews with their panels",
    tag="Interviews",
    response=InterviewPage,
    query=InterviewsQuery,
    who=PANEL_OR_TEAM,
)
def list_interviews(call: Call, job_id: int):
    """By start time. `updated_since` compares the interview's creation time."""
    job_or_404(call.user, job_id)
    q = call.query
    stmt = _interviews_stmt(call).where(
        Interview.application_id.in_(sa.select(Application.id).where(Application.job_id == job_id))
    )
    if q.status:
        stmt = stmt.where(Interview.status == q.status)
    if q.updated_since:
        stmt = stmt.where(Interview.created_at >= q.updated_since)
    rows, total = present.paginate(stmt.order_by(Interview.starts_at, Interview.id), q)
    return present.page(InterviewPage, [present.interview(iv, call.user) for iv in rows], q, total)


@operation(
    "GET",
    "/interviews/<id:interview_id>",
    summary="One interview with its panel and the caller's own scorecard id",
    tag="Interviews",
    response=InterviewOut,
    who=PANEL_OR_TEAM,
)
def get_interview(call: Call, interview_id: int):
    """The panel lists names only; scorecards follow the blind rule (see Scorecards)."""
    interview_or_404(call.user, interview_id)
    iv = db.session.scalar(_interviews_stmt(call).where(Interview.id == interview_id))
    return present.interview(iv, call.user)
