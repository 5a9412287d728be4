"""Overdue feedback: which scorecards are late, and reminding their authors once a day.

A reminder row is claimed before the e-mail goes out. The unique (scorecard, day) constraint
decides between concurrent senders (a click on "remind" and `flask send-reminders`, or two
cron runs): whoever inserts first sends; the other gets a conflict and sends nothing.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from scorecard.extensions import db
from scorecard.models import (
    Application,
    Interview,
    InterviewStatus,
    NoticeKind,
    Reminder,
    Scorecard,
    ScorecardStatus,
    User,
    utcnow,
)
from scorecard.permissions import editable_job_ids_for
from scorecard.services import audit, notices
from scorecard.services.errors import DomainError
from scorecard.services.mailer import send_mail
from scorecard.services.queries import feedback_due, is_past_due
from scorecard.timeutil import to_local

RETRY_AFTER = timedelta(minutes=10)  # a claim older than this is taken to have died


@dataclass(frozen=True)
class OverdueRow:
    card: Scorecard
    overdue_since: datetime  # naive UTC
    last_reminder: Reminder | None


def reminder_day(now: datetime | None = None) -> date:
    """The calendar day (display time zone) a reminder counts against."""
    return to_local(now or utcnow()).date()


def overdue_scorecards(
    user: User | None, job_id: int | None = None, now: datetime | None = None
) -> list[OverdueRow]:
    """Draft scorecards of scheduled interviews that ended more than the job's N hours ago.

    `user` limits the list to jobs they may edit (None: every job, for the CLI).
    """
    now = now or utcnow()
    stmt = (
        sa.select(Scorecard)
        .join(Interview, Scorecard.interview_id == Interview.id)
        .join(Application, Interview.application_id == Application.id)
        .where(
            Scorecard.status == ScorecardStatus.DRAFT,
            Interview.status == InterviewStatus.SCHEDULED,
            Interview.starts_at <= now,  # narrows in SQL; the exact rule is applied below
        )
        .options(
            selectinload(Scorecard.interviewer),
            selectinload(Scorecard.interview)
            .selectinload(Interview.application)
            .selectinload(Application.job),
            selectinload(Scorecard.interview)
            .selectinload(Interview.application)
            .selectinload(Application.candidate),
            selectinload(Scorecard.interview).selectinload(Interview.round),
        )
        .order_by(Interview.starts_at, Scorecard.id)
    )
    if job_id is not None:
        stmt = stmt.where(Application.job_id == job_id)
    if user is not None:
        ids = editable_job_ids_for(user)
        if ids is not None:
            stmt = stmt.where(Application.job_id.in_(ids))
    rows = []
    for card in db.session.scalars(stmt):
        if is_past_due(card.interview.application.job, card.interview.ends_at, now):
            rows.append(card)
    last = _last_reminders([c.id for c in rows])
    return [
        OverdueRow(
            c,
            feedback_due(c.interview.application.job, c.interview.ends_at),
            last.get(c.id),
        )
        for c in rows
    ]


def _last_reminders(card_ids: list[int]) -> dict[int, Reminder]:
    if not card_ids:
        return {}
    out: dict[int, Reminder] = {}
    for reminder in db.session.scalars(
        sa.select(Reminder).where(Reminder.scorecard_id.in_(card_ids)).order_by(Reminder.id)
    ):
        out[reminder.scorecard_id] = reminder
    return out


def claim(card: Scorecard, actor: User | None, now: datetime | None = None) -> Reminder | None:
    """Insert today's reminder for a scorecard; None if one already exists for today."""
    now = now or utcnow()
    reminder = Reminder(
        scorecard_id=card.id,
        interviewer_id=card.interviewer_id,
        day=reminder_day(now),
        requested_by_id=actor.id if actor else None,
        created_at=now,
        claimed_at=now,
        attempts=1,
    )
    try:
        with db.session.begin_nested():
            db.session.add(reminder)
    except sa.exc.IntegrityError:
        return None
    audit.record(
        "reminder.create",
        "reminder",
        reminder.id,
        actor=actor,
        job_id=card.interview.application.job_id,
        after={
            "scorecard": card.id,
            "interviewer": card.interviewer.email,
            "day": str(reminder.day),
        },
    )
    return reminder


def remind(card: Scorecard, actor: User | None, now: datetime | None = None) -> Reminder:
    """Claim today's reminder for an overdue scorecard; DomainError if already reminded."""
    if card.status != ScorecardStatus.DRAFT:
        raise DomainError(None, _("This scorecard is already submitted."))
    if card.interview.status != InterviewStatus.SCHEDULED:
        raise DomainError(None, _("This interview was cancelled."))
    job = card.interview.application.job
    if not is_past_due(job, card.interview.ends_at, now or utcnow()):
        raise DomainError(None, _("This scorecard is not overdue yet."))
    if not notices.wants(card.interviewer_id, NoticeKind.OVERDUE):
        raise DomainError(
            None,
            _("%(name)s has switched off overdue reminders.", name=card.interviewer.name),
        )
    reminder = claim(card, actor, now)
    if reminder is None:
        raise DomainError(
            None,
            _("%(name)s was already reminded today.", name=card.interviewer.name),
        )
    return reminder


def _message(reminder: Reminder) -> tuple[str, str]:
    from scorecard.i18n import bilingual_text
    from scorecard.labels import kit_url, localdt

    card = reminder.scorecard
    iv = card.interview
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    with current_app.test_request_context(base_url=base):
        link = base + kit_url(card)
        subject = _(
            "Scorecard overdue: %(candidate)s, %(round)s",
            candidate=iv.application.candidate.name,
            round=bilingual_text(iv.round, "name"),
        )
        body = _(
            "Hello %(name)s,\n\nyour scorecard for %(candidate)s (%(job)s, %(round)s, "
            "interview on %(when)s) is not submitted yet. Please submit it:\n%(link)s\n\n"
            "Scorecard",
            name=card.interviewer.name,
            candidate=iv.application.candidate.name,
            job=bilingual_text(iv.application.job, "title"),
            round=bilingual_text(iv.round, "name"),
            when=localdt(iv.starts_at),
            link=link,
        )
    return subject, body


def deliver(reminder: Reminder) -> bool:
    """Send a claimed reminder and record the outcome (commits: the e-mail is out)."""
    user = reminder.interviewer
    locale = user.locale or current_app.config.get("BABEL_DEFAULT_LOCALE", "en")
    with force_locale(locale):
        subject, body = _message(reminder)
    try:
        send_mail(user.email, subject, body)
    except Exception as exc:  # noqa: BLE001 - any failure to send is recorded, then retried
        reminder.error = f"{exc.__class__.__name__}: {exc}"[:500]
        reminder.claimed_at = None
        db.session.commit()
        return False
    reminder.sent_at = utcnow()
    reminder.error = ""
    db.session.commit()
    return True


def _reclaim(reminder_id: int, now: datetime) -> bool:
    """Take over an unsent reminder whose sender failed or died; True if we own it now."""
    result = db.session.execute(
        sa.update(Reminder)
        .where(
            Reminder.id == reminder_id,
            Reminder.sent_at.is_(None),
            sa.or_(Reminder.claimed_at.is_(None), Reminder.claimed_at < now - RETRY_AFTER),
        )
        .values(claimed_at=now, attempts=Reminder.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0
    skipped: int = 0  # already reminded today
    switched_off: int = 0  # the author switched overdue reminders off (Settings)


def send_due_reminders(now: datetime | None = None) -> SendReport:
    """Remind every overdue scorecard's author once today; retry today's failed reminders."""
    now = now or utcnow()
    report = SendReport()
    day = reminder_day(now)
    for row in overdue_scorecards(None, now=now):
        if not notices.wants(row.card.interviewer_id, NoticeKind.OVERDUE):
            report.switched_off += 1
            continue
        reminder = claim(row.card, None, now)
        db.session.commit()  # the claim is visible to every other sender before we send
        if reminder is None:
            existing = db.session.scalar(
                sa.select(Reminder).where(Reminder.scorecard_id == row.card.id, Reminder.day == day)
            )
            if existing is None or existing.sent_at is not None or not _reclaim(existing.id, now):
                db.session.rollback()
                report.skipped += 1
                continue
            db.session.commit()
            db.session.refresh(existing)
            reminder = existing
        if deliver(reminder):
            report.sent += 1
        else:
            report.failed += 1
    return report
