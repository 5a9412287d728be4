"""Who may see what: the rules live here and on the models; views only ask."""

from functools import wraps

import sqlalchemy as sa
from flask import abort
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
    """The user's role on a job's hiring team, or None."""
    return db.session.scalar(
        sa.select(JobMember.job_role).where(
            JobMember.job_id == job_id, JobMember.user_id == user.id
        )
    )


def can_view_job(user: User, job_id: int) -> bool:
    """Admins see every job; everybody else only the jobs they are a member of."""
    return user.role == Role.ADMIN or job_role(user, job_id) is not None


def get_job_or_404(job_id: int) -> Job:
    """Load a job the current user may see, else 404."""
    job = db.session.get(Job, job_id)
    if job is None or not can_view_job(current_user, job.id):
        abort(404)
    return job
