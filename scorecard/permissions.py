"""Who may see what: the rules live here and on the models; views only ask."""

from functools import wraps

import sqlalchemy as sa
from flask import abort, g, has_request_context, request
from flask_login import current_user

from scorecard.extensions import db
from scorecard.models import Job, JobMember, JobRole, Role, User


def roles_required(*roles: Role):
    """Allow only these global roles; others get 404 (no confirmation that a page exists)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                from scorecard.extensions import login_manager

                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(404)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def job_ids_for(user: User) -> sa.Select | None:
    """A subquery of the job ids a user may see, or None for all jobs (admin)."""
    if user.role == Role.ADMIN:
        return None
    return sa.select(JobMember.job_id).where(JobMember.user_id == user.id)


def visible_jobs(user: User) -> list[Job]:
    """Jobs the user is on the hiring team of (every job for admins)."""
    stmt = sa.select(Job).order_by(Job.created_at.desc(), Job.id.desc())
    ids = job_ids_for(user)
    if ids is not None:
        stmt = stmt.where(Job.id.in_(ids))
    return list(db.session.scalars(stmt))


def job_role(user: User, job_id: int) -> JobRole | None:
    """The user's role on a job's hiring team, or None (asked once per reading request: the
    guard and the view ask the same question; a writing request may change membership)."""
    reading = has_request_context() and request.method in ("GET", "HEAD")
    memo: dict | None = g.setdefault("_job_roles", {}) if reading else None
    key = (user.id, job_id)
    if memo is not None and key in memo:
        return memo[key]
    role = db.session.scalar(
        sa.select(JobMember.job_role).where(
            JobMember.job_id == job_id, JobMember.user_id == user.id
        )
    )
    if memo is not None:
        memo[key] = role
    return role


def can_view_job(user: User, job_id: int) -> bool:
    """Admins see every job; everybody else only the jobs they are a member of."""
    return user.role == Role.ADMIN or job_role(user, job_id) is not None


def get_job_or_404(job_id: int) -> Job:
    """Load a job the current user may see, else 404."""
    job = db.session.get(Job, job_id)
    if job is None or not can_view_job(current_user, job.id):
        abort(404)
    return job


def can_edit_job(user: User, job_id: int) -> bool:
    """Admins, and HR on the job's hiring team, may change its setup, candidates, interviews."""
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.HR and job_role(user, job_id) is not None


def get_editable_job_or_404(job_id: int) -> Job:
    """Load a job the current user may edit, else 404 (read-only members get 404 too)."""
    job = db.session.get(Job, job_id)
    if job is None or not can_edit_job(current_user, job.id):
        abort(404)
    return job


def editable_job_ids_for(user: User) -> sa.Select | None:
    """A subquery of the job ids a user may edit, or None for all jobs (admin)."""
    if user.role == Role.ADMIN:
        return None
    if user.role != Role.HR:
        return sa.select(JobMember.job_id).where(sa.false())
    return sa.select(JobMember.job_id).where(JobMember.user_id == user.id)


def can_review_job(user: User, job_id: int) -> bool:
    """Admins, and HR or managers on the job's hiring team, see scores and recommendations.

    Interviewers never do here: what they may see of colleagues follows the blind rule.
    """
    if user.role == Role.ADMIN:
        return True
    if user.role not in (Role.HR, Role.MANAGER):
        return False
    return job_role(user, job_id) in (JobRole.RECRUITER, JobRole.HIRING_MANAGER)


def get_reviewable_job_or_404(job_id: int) -> Job:
    """Load a job whose scores the current user may review, else 404."""
    job = db.session.get(Job, job_id)
    if job is None or not can_review_job(current_user, job.id):
        abort(404)
    return job


def get_reviewable_application_or_404(application_id: int):
    """Load an application whose job's scores the current user may review, else 404."""
    from scorecard.models import Application

    application = db.session.get(Application, application_id)
    if application is None or not can_review_job(current_user, application.job_id):
        abort(404)
    return application


def can_decide(user: User, job_id: int) -> bool:
    """Round and hire decisions: the job's hiring manager, or an admin (HR only sees them)."""
    if user.role == Role.ADMIN:
        return True
    if user.role not in (Role.HR, Role.MANAGER):
        return False
    return job_role(user, job_id) == JobRole.HIRING_MANAGER
