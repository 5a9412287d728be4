"""Scheduling interviews: booking, panels (a draft scorecard per interviewer)."""

from datetime import datetime

from flask_babel import gettext as _

from scorecard.extensions import db
from scorecard.models import Application, Interview, Round, Scorecard, User
from scorecard.services import audit
from scorecard.services.errors import DomainError


def schedule_interview(
    application: Application,
    rnd: Round,
    starts_at: datetime,
    panel: list[User],
    actor: User | None,
    duration_minutes: int = 60,
    location: str = "",
    video_link: str = "",
) -> Interview:
    """Book an interview and give each panel member a draft scorecard on the round's version."""
    version = rnd.current_version
    if version is None or not version.criteria:
        raise DomainError("round", _("This round has no criteria yet: add criteria first."))
    if not panel:
        raise DomainError("panel", _("Choose at least one interviewer."))
    interview = Interview(
        application=application,
        round=rnd,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        location=location,
        video_link=video_link,
    )
    db.session.add(interview)
    for user in panel:
        db.session.add(Scorecard(interview=interview, interviewer=user, version=version))
    db.session.flush()
    audit.record(
        "interview.schedule",
        "interview",
        interview.id,
        actor=actor,
        job_id=application.job_id,
        after={
            "application": application.id,
            "round": rnd.key,
            "starts_at": starts_at.isoformat(),
            "panel": sorted(u.email for u in panel),
        },
    )
    return interview
