"""Jobs: creating one (from the default template, as a copy, blank) and editing its settings."""

from typing import Any

from flask_babel import gettext as _

from scorecard.extensions import db
from scorecard.models import Job, JobRole, JobStatus, Role, User
from scorecard.services import audit
from scorecard.services.errors import DomainError
from scorecard.services.policy import POLICY_FIELDS
from scorecard.services.setup.common import _clean, _snap
from scorecard.services.setup.job_template import (
    create_job_from_template,
    default_template,
    job_as_template,
)
from scorecard.services.setup.team import add_member

JOB_FIELDS = ("title_zh", "title_en", "description_zh", "description_en")


def _titles(values: dict[str, Any]) -> dict[str, str]:
    titles = {
        "title_zh": _clean(values.get("title_zh"), 200),
        "title_en": _clean(values.get("title_en"), 200),
    }
    if not (titles["title_zh"] or titles["title_en"]):
        raise DomainError("title_zh", _("Enter a job title in Chinese or English."))
    return titles


def _join_creator(job: Job, actor: User | None) -> None:
    # A non-admin creator must be on the team, or the job would be invisible to them.
    if actor is not None and actor.role != Role.ADMIN:
        add_member(job, actor, JobRole.RECRUITER, actor)


def new_job_from_default(actor: User | None) -> Job:
    """A job from the shipped default template, with its creator on the team."""
    job = create_job_from_template(default_template(), actor, origin="template")
    _join_creator(job, actor)
    return job


def copy_job(source: Job, values: dict[str, Any], actor: User | None, with_team: bool) -> Job:
    """A new job with another job's setup (and optionally its team); titles may be changed."""
    template = job_as_template(source)
    titles = {
        "title_zh": _clean(values.get("title_zh"), 200),
        "title_en": _clean(values.get("title_en"), 200),
    }
    if not (titles["title_zh"] or titles["title_en"]):
        titles = {
            "title_zh": (source.title_zh + "（副本）") if source.title_zh else "",
            "title_en": (source.title_en + " (copy)") if source.title_en else "",
        }
    template["job"]["title"] = {"zh": titles["title_zh"], "en": titles["title_en"]}
    job = create_job_from_template(template, actor, origin=f"copy:{source.id}")
    # The whole recommendation policy comes along, as on the policy page: the bands and
    # thresholds, the reliability prior r1, blind review until the debrief and calibrated
    # scores. None is derived from the source's candidates; leaving the last three out made
    # a copy of a blind job show colleagues' scorecards.
    for attr in POLICY_FIELDS:
        setattr(job, attr, getattr(source, attr))
    if with_team:
        for member in source.members:
            add_member(job, member.user, member.job_role, actor)
    if (
        actor is not None
        and actor.role != Role.ADMIN
        and not any(m.user_id == actor.id for m in job.members)
    ):
        _join_creator(job, actor)
    return job


def create_blank_job(values: dict[str, Any], actor: User | None) -> Job:
    """A job with titles only: rounds are added afterwards."""
    titles = _titles(values)
    job = Job(
        **titles,
        description_zh=_clean(values.get("description_zh")),
        description_en=_clean(values.get("description_en")),
        created_by_id=actor.id if actor else None,
    )
    db.session.add(job)
    db.session.flush()
    audit.record(
        "job.create", "job", job.id, actor=actor, job_id=job.id, after={**titles, "from": "blank"}
    )
    _join_creator(job, actor)
    return job


def update_job(job: Job, values: dict[str, Any], actor: User | None) -> Job:
    """Change a job's titles, descriptions, status and overdue-feedback hours."""
    fields = (*JOB_FIELDS, "status", "overdue_hours")
    titles = _titles(values)
    message = _("Enter a whole number of hours from 1 to 720.")
    try:
        hours = int(str(values.get("overdue_hours", job.overdue_hours)).strip())
    except ValueError:
        raise DomainError("overdue_hours", message) from None
    if not 1 <= hours <= 720:
        raise DomainError("overdue_hours", message)
    try:
        status = JobStatus(values.get("status", job.status.value))
    except ValueError:
        raise DomainError("status", _("Unknown status.")) from None
    changes = {
        "status": status,
        **titles,
        "description_zh": _clean(values.get("description_zh")),
        "description_en": _clean(values.get("description_en")),
        "overdue_hours": hours,
    }
    audit.update_audited(
        "job.update",
        "job",
        job,
        changes,
        lambda j: _snap(j, fields),
        actor=actor,
        job_id=job.id,
    )
    return job
