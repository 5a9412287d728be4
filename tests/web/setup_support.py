"""Helpers for the setup tests: a job from the default template with its team, posting forms."""

from dataclasses import dataclass

import sqlalchemy as sa

from scorecard.extensions import db
from scorecard.models import AuditEvent, Job, JobRole, Role, User
from scorecard.services.setup.job_template import create_job_from_template, default_template
from scorecard.services.setup.team import add_member
from tests.conftest import csrf_from


@dataclass
class Team:
    job: Job
    hr: User
    manager: User
    iv1: User
    iv2: User


def make_team(make_user, title_en: str = "Implementation Engineer") -> Team:
    """A default-template job with an HR recruiter, a manager and two interviewers (commits)."""
    hr = make_user(Role.HR)
    manager = make_user(Role.MANAGER)
    iv1, iv2 = make_user(Role.INTERVIEWER), make_user(Role.INTERVIEWER)
    job = create_job_from_template(default_template(), hr)
    job.title_en = title_en
    add_member(job, hr, JobRole.RECRUITER, None)
    add_member(job, manager, JobRole.HIRING_MANAGER, None)
    add_member(job, iv1, JobRole.INTERVIEWER, None)
    add_member(job, iv2, JobRole.INTERVIEWER, None)
    db.session.commit()
    return Team(job, hr, manager, iv1, iv2)


def post(client, path: str, data: dict | None = None, page: str | None = None, **kwargs):
    """POST a form with a valid CSRF token taken from `page` (default: the jobs list)."""
    token = csrf_from(client.get(page or "/jobs").get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **(data or {})}, **kwargs)


def audit_actions(job_id: int | None = None) -> list[str]:
    stmt = sa.select(AuditEvent.action).order_by(AuditEvent.id)
    if job_id is not None:
        stmt = stmt.where(AuditEvent.job_id == job_id)
    return list(db.session.scalars(stmt))


def criterion_data(**overrides) -> dict:
    """A complete, valid criterion form."""
    data = {
        "dimension": "technical",
        "name_zh": "接口调试",
        "name_en": "Interface debugging",
        "description_zh": "排查接口问题",
        "description_en": "Finds interface faults",
        "weight": "1.5",
        "anchor1_zh": "不会",
        "anchor1_en": "Cannot",
        "anchor2_zh": "勉强",
        "anchor2_en": "Barely",
        "anchor3_zh": "熟练",
        "anchor3_en": "Fluent",
        "anchor4_zh": "专家",
        "anchor4_en": "Expert",
    }
    data.update(overrides)
    return data
