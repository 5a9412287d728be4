"""Scheduling interviews: booking, rescheduling, cancelling; a draft scorecard per panel member."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from scorecard.extensions import db
from scorecard.models import (
    Application,
    ApplicationStatus,
    Interview,
    InterviewStatus,
    JobMember,
    Round,
    Scorecard,
    User,
    utcnow,
)
from scorecard.services import announce, audit
from scorecard.services.errors import DomainError
from scorecard.urls import is_web_url

MIN_MINUTES, MAX_MINUTES = 5, 600


def team_user_ids(job_id: int) -> set[int]:
    """The users on a job's hiring team."""
    return set(db.session.scalars(sa.select(JobMember.user_id).where(JobMember.job_id == job_id)))


def _check_panel(job_id: int, panel: list[User]) -> None:
    if not panel:
        raise DomainError("panel", _("Choose at least one interviewer."))
    if len({u.id for u in panel}) != len(panel):
        raise DomainError("panel", _("Each interviewer can be on the panel once."))
    team = team_user_ids(job_id)
    for user in panel:
        if user.id not in team:
            raise DomainError(
                "panel", _("%(name)s is not on this job's hiring team.", name=user.name)
            )
        if not user.active:
            raise DomainError("panel", _("%(name)s's account is deactivated.", name=user.name))


def _check_details(duration_minutes: int, location: str, video_link: str) -> None:
    if not MIN_MINUTES <= duration_minutes <= MAX_MINUTES:
        raise DomainError("duration_minutes", _("Enter a duration from 5 to 600 minutes."))
    if len(location) > 300:
        raise DomainError("location", _("At most %(n)s characters.", n=300))
    if video_link and not is_web_url(video_link):
        raise DomainError("video_link", _("A video link starts with https:// or http://."))
    if len(video_link) > 500:
        raise DomainError("video_link", _("At most %(n)s characters.", n=500))


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
    """Book an interview and give each panel member a draft scorecard on the round's version.

    `starts_at` is naive UTC. No check that it lies ahead: `book_interview` adds that for
    people booking; seeding and imports may record interviews that already happened.
    """
    if rnd.job_id != application.job_id:
        raise DomainError("round_id", _("This round belongs to another job."))
    version = rnd.current_version
    if version is None or not version.criteria:
        raise DomainError("round_id", _("This round has no criteria yet: add criteria first."))
    location, video_link = (location or "").strip(), (video_link or "").strip()
    _check_details(duration_minutes, location, video_link)
    _check_panel(application.job_id, panel)
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
        after=_snapshot(interview, panel),
    )
    return interview


def _snapshot(interview: Interview, panel: list[User]) -> dict[str, Any]:
    return {
        "application": interview.application_id,
        "round": interview.round.key,
        "starts_at": interview.starts_at.isoformat(),
        "duration_minutes": interview.duration_minutes,
        "location": interview.location,
        "video_link": interview.video_link,
        "panel": sorted(u.email for u in panel),
        "status": interview.status.value if interview.status else InterviewStatus.SCHEDULED.value,
    }


def book_interview(
    application: Application,
    rnd: Round,
    starts_at: datetime,
    panel: list[User],
    actor: User | None,
    duration_minutes: int = 60,
    location: str = "",
    video_link: str = "",
    now: datetime | None = None,
) -> Interview:
    """A new booking by a person: the application is open and the time lies ahead."""
    if application.status != ApplicationStatus.ACTIVE:
        raise DomainError("application_id", _("This candidate's application is closed."))
    if starts_at <= (now or utcnow()):
        raise DomainError("starts_at", _("Choose a time in the future."))
    interview = schedule_interview(
        application, rnd, starts_at, panel, actor, duration_minutes, location, video_link
    )
    current = application.current_round
    if current is None or current.position < rnd.position:
        application.current_round = rnd
    announce.interview_booked(interview)
    return interview


def _started(card: Scorecard) -> bool:
    return bool(card.is_submitted or card.ratings or card.star_evidence or card.red_flags)


def reschedule_interview(
    interview: Interview,
    starts_at: datetime,
    panel: list[User],
    actor: User | None,
    duration_minutes: int,
    location: str = "",
    video_link: str = "",
    now: datetime | None = None,
) -> Interview:
    """Move an interview or change its panel; a started scorecard's author stays on it."""
    if interview.status != InterviewStatus.SCHEDULED:
        raise DomainError(None, _("A cancelled interview cannot be changed."))
    if starts_at != interview.starts_at and starts_at <= (now or utcnow()):
        raise DomainError("starts_at", _("Choose a time in the future."))
    location, video_link = (location or "").strip(), (video_link or "").strip()
    _check_details(duration_minutes, location, video_link)
    job_id = interview.application.job_id
    before = _snapshot(interview, [c.interviewer for c in interview.scorecards])
    wanted = {u.id: u for u in panel}
    if len(wanted) != len(panel):
        raise DomainError("panel", _("Each interviewer can be on the panel once."))
    current = {c.interviewer_id: c for c in interview.scorecards}
    added = [u for uid, u in wanted.items() if uid not in current]
    removed = [c for uid, c in current.items() if uid not in wanted]
    if not wanted:
        raise DomainError("panel", _("Choose at least one interviewer."))
    if added:
        # Members who stay were checked when they joined; only newcomers must be on the team.
        _check_panel(job_id, added)
    for card in removed:
        if _started(card):
            raise DomainError(
                "panel",
                _(
                    "%(name)s has started their scorecard and stays on the panel.",
                    name=card.interviewer.name,
                ),
            )
    version = interview.round.current_version
    removed_ids = [card.interviewer_id for card in removed]
    for card in removed:
        interview.scorecards.remove(card)
        db.session.delete(card)
    for user in added:
        db.session.add(Scorecard(interview=interview, interviewer=user, version=version))
    interview.starts_at = starts_at
    interview.duration_minutes = duration_minutes
    interview.location = location
    interview.video_link = video_link
    db.session.flush()
    db.session.refresh(interview, ["scorecards"])
    after = _snapshot(interview, [c.interviewer for c in interview.scorecards])
    audit.record_change(
        "interview.reschedule",
        "interview",
        interview.id,
        actor=actor,
        job_id=job_id,
        before=before,
        after=after,
    )
    moved = any(
        before[k] != after[k] for k in ("starts_at", "duration_minutes", "location", "video_link")
    )
    announce.interview_rescheduled(interview, wanted.keys() - current.keys(), removed_ids, moved)
    return interview


def cancel_interview(interview: Interview, actor: User | None) -> Interview:
    """Cancel an interview; its scorecards (drafts included) are kept."""
    if interview.status == InterviewStatus.CANCELLED:
        return interview
    interview.status = InterviewStatus.CANCELLED
    db.session.flush()
    audit.record(
        "interview.cancel",
        "interview",
        interview.id,
        actor=actor,
        job_id=interview.application.job_id,
        before={"status": InterviewStatus.SCHEDULED.value},
        after={"status": InterviewStatus.CANCELLED.value},
    )
    announce.interview_cancelled(interview)
    return interview
