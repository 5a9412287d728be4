"""The hiring team of a job: who may hold which job role, adding and removing members."""

import sqlalchemy as sa
from flask_babel import gettext as _

from scorecard.extensions import db
from scorecard.models import (
    Application,
    Interview,
    InterviewStatus,
    Job,
    JobMember,
    JobRole,
    Role,
    Scorecard,
    ScorecardStatus,
    User,
)
from scorecard.services import audit
from scorecard.services.errors import DomainError

ROLE_FITS = {
    JobRole.RECRUITER: {Role.HR, Role.ADMIN},
    JobRole.HIRING_MANAGER: {Role.MANAGER, Role.ADMIN},
    JobRole.INTERVIEWER: set(Role),
}


def add_member(job: Job, user: User, role: JobRole, actor: User | None) -> JobMember:
    """Put a user on a job's hiring team."""
    if role not in ROLE_FITS or user.role not in ROLE_FITS[role]:
        raise DomainError("job_role", _("This person's role does not allow that job role."))
    existing = db.session.scalar(
        sa.select(JobMember).where(JobMember.job_id == job.id, JobMember.user_id == user.id)
    )
    if existing is not None:
        raise DomainError("user_id", _("This person is already on the hiring team."))
    member = JobMember(job_id=job.id, user_id=user.id, job_role=role)
    try:
        # The unique (job, user) constraint decides when two requests race.
        with db.session.begin_nested():
            db.session.add(member)
    except sa.exc.IntegrityError:
        raise DomainError("user_id", _("This person is already on the hiring team.")) from None
    db.session.refresh(job, ["members"])
    audit.record(
        "job.member_add",
        "job_member",
        member.id,
        actor=actor,
        job_id=job.id,
        after={"user": user.email, "job_role": role.value},
    )
    return member


def remove_member(member: JobMember, actor: User | None) -> None:
    """Take a user off the team, unless they still owe a scorecard on a scheduled interview."""
    pending = db.session.scalar(
        sa.select(sa.func.count(Scorecard.id))
        .join(Interview, Scorecard.interview_id == Interview.id)
        .join(Application, Interview.application_id == Application.id)
        .where(
            Application.job_id == member.job_id,
            Scorecard.interviewer_id == member.user_id,
            Scorecard.status == ScorecardStatus.DRAFT,
            Interview.status == InterviewStatus.SCHEDULED,
        )
    )
    if pending:
        raise DomainError(
            "member",
            _(
                "%(name)s is on the panel of %(n)s scheduled interviews: "
                "change those panels first.",
                name=member.user.name,
                n=pending,
            ),
        )
    before = {"user": member.user.email, "job_role": member.job_role.value}
    job_id, member_id = member.job_id, member.id
    db.session.delete(member)
    db.session.flush()
    audit.record(
        "job.member_remove", "job_member", member_id, actor=actor, job_id=job_id, before=before
    )
