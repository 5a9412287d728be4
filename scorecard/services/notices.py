"""E-mail notices: queued with the change that causes them, sent later by `flask deliver`.

`queue_*` functions run inside the change's transaction and write one `Notice` row per
recipient (nothing for a recipient who switched that kind off). `send_due` composes each
message when it goes out — in the recipient's language, from the interview as it is then —
and sends it; failures are retried with exponential back-off. No notice carries a rating, a
score or a recommendation: the debrief notice says that the scorecards are in and links to
the round summary, where the blind rule decides what its reader sees.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from scorecard.extensions import db
from scorecard.models import (
    Application,
    Interview,
    InterviewStatus,
    JobMember,
    JobRole,
    Notice,
    NoticeKind,
    NoticeStatus,
    NoticeSwitch,
    Round,
    Scorecard,
    ScorecardStatus,
    User,
    utcnow,
)
from scorecard.services import calendar, outbox
from scorecard.services.mailer import send_notice_mail

MAX_ATTEMPTS = 8  # about an hour and a half of retries before a notice is given up
BACKOFF_BASE = timedelta(minutes=1)

# What each switch in Settings says (the order is the page's order).
KIND_LABELS = {
    NoticeKind.PANEL: _l("I am put on an interview panel (with a calendar invitation)"),
    NoticeKind.MOVED: _l("An interview of mine moves or its place changes"),
    NoticeKind.CANCELLED: _l("An interview of mine is cancelled or I am taken off its panel"),
    NoticeKind.DEBRIEF: _l("All scorecards of a round are in (hiring managers)"),
    NoticeKind.OVERDUE: _l("My scorecard is overdue (a daily reminder)"),
}


# --- switches ------------------------------------------------------------------------------


def switches(user: User) -> dict[NoticeKind, bool]:
    """Every kind → whether `user` gets it (on unless switched off)."""
    stored = dict(
        db.session.execute(
            sa.select(NoticeSwitch.kind, NoticeSwitch.enabled).where(
                NoticeSwitch.user_id == user.id
            )
        ).all()
    )
    return {kind: stored.get(kind, True) for kind in NoticeKind}


def wants(user_id: int, kind: NoticeKind) -> bool:
    """Whether the user gets notices of this kind (one query)."""
    enabled = db.session.scalar(
        sa.select(NoticeSwitch.enabled).where(
            NoticeSwitch.user_id == user_id, NoticeSwitch.kind == kind
        )
    )
    return enabled is None or bool(enabled)


def set_switches(user: User, wanted: dict[NoticeKind, bool]) -> list[NoticeKind]:
    """Store the user's choices; returns the kinds that changed."""
    current = switches(user)
    changed = [k for k, on in wanted.items() if current.get(k, True) != on]
    for kind in changed:
        row = db.session.scalar(
            sa.select(NoticeSwitch).where(
                NoticeSwitch.user_id == user.id, NoticeSwitch.kind == kind
            )
        )
        if row is None:
            db.session.add(NoticeSwitch(user_id=user.id, kind=kind, enabled=wanted[kind]))
        else:
            row.enabled = wanted[kind]
            row.updated_at = utcnow()
    db.session.flush()
    return changed


# --- queueing (inside the change's transaction) ---------------------------------------------


def _queue(kind: NoticeKind, user_id: int, **refs) -> Notice | None:
    if not wants(user_id, kind):
        return None
    notice = Notice(kind=kind, user_id=user_id, **refs)
    db.session.add(notice)
    return notice


def queue_invitation(interview: Interview, user_id: int, kind: NoticeKind) -> None:
    """A panelist's event changed: raise its SEQUENCE and queue the e-mail that says so."""
    sequence = calendar.bump(interview, user_id, cancelled=kind == NoticeKind.CANCELLED)
    _queue(kind, user_id, interview_id=interview.id, sequence=sequence)


def queue_debrief_if_complete(card: Scorecard) -> int:
    """After a submission: if every scorecard of that candidate's round is in, tell the job's
    hiring managers once (the unique key makes a second trigger harmless). Returns how many."""
    interview = card.interview
    application_id, round_id = interview.application_id, interview.round_id
    open_cards = db.session.scalar(
        sa.select(sa.func.count(Scorecard.id))
        .join(Interview, Interview.id == Scorecard.interview_id)
        .where(
            Interview.application_id == application_id,
            Interview.round_id == round_id,
            Interview.status == InterviewStatus.SCHEDULED,
            Scorecard.status == ScorecardStatus.DRAFT,
        )
    )
    if open_cards:
        return 0
    managers = db.session.scalars(
        sa.select(JobMember.user_id)
        .join(User, User.id == JobMember.user_id)
        .where(
            JobMember.job_id == interview.application.job_id,
            JobMember.job_role == JobRole.HIRING_MANAGER,
            User.active.is_(True),
        )
    ).all()
    queued = 0
    for user_id in managers:
        if not wants(user_id, NoticeKind.DEBRIEF):
            continue
        try:
            with db.session.begin_nested():
                db.session.add(
                    Notice(
                        kind=NoticeKind.DEBRIEF,
                        user_id=user_id,
                        application_id=application_id,
                        round_id=round_id,
                        once_key=f"debrief:{application_id}:{round_id}:{user_id}",
                    )
                )
            queued += 1
        except sa.exc.IntegrityError:
            pass  # already told about this round
    return queued


# --- composing ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Message:
    subject: str
    body: str
    calendar: bytes | None = None
    method: str | None = None


class Superseded(Exception):
    """The notice no longer says anything true (e.g. an invitation to a cancelled interview)."""


def _names(interview: Interview) -> dict[str, str]:
    from scorecard.i18n import bilingual_text
    from scorecard.labels import localdt

    return {
        "candidate": interview.application.candidate.name,
        "round": bilingual_text(interview.round, "name"),
        "job": bilingual_text(interview.application.job, "title"),
        "when": localdt(interview.starts_at),
        "minutes": str(interview.duration_minutes),
        "where": interview.location or interview.video_link or _("not given"),
    }


def _invitation_message(notice: Notice) -> Message:
    interview = notice.interview
    assert interview is not None
    user = notice.user
    on_panel = any(c.interviewer_id == user.id for c in interview.scorecards)
    names = _names(interview)
    if notice.kind == NoticeKind.CANCELLED:
        if interview.status == InterviewStatus.SCHEDULED and on_panel:
            raise Superseded  # taken off, then put back on: a later invitation says so
        if interview.status == InterviewStatus.CANCELLED:
            subject = _("Interview cancelled: %(candidate)s · %(round)s", **names)
            first = _(
                "the interview with %(candidate)s (%(job)s, %(round)s) on %(when)s is cancelled.",
                **names,
            )
        else:
            subject = _("You are off the panel: %(candidate)s · %(round)s", **names)
            first = _(
                "you are no longer on the panel of the interview with %(candidate)s "
                "(%(job)s, %(round)s) on %(when)s.",
                **names,
            )
        body = (
            _("Hello %(name)s,", name=user.name)
            + "\n\n"
            + first
            + "\n\n"
            + _("Your calendar removes the event with the attached cancellation.")
        )
        method = "CANCEL"
    else:
        if interview.status != InterviewStatus.SCHEDULED or not on_panel:
            raise Superseded
        if notice.kind == NoticeKind.PANEL:
            subject = _("Interview invitation: %(candidate)s · %(round)s, %(when)s", **names)
            first = _(
                "you are on the panel of an interview with %(candidate)s (%(job)s, %(round)s).",
                **names,
            )
        else:
            subject = _("Interview moved: %(candidate)s · %(round)s, now %(when)s", **names)
            first = _("the interview with %(candidate)s (%(job)s, %(round)s) has changed.", **names)
        details = _("When: %(when)s (%(minutes)s minutes)\nWhere: %(where)s", **names)
        body = (
            _("Hello %(name)s,", name=user.name)
            + "\n\n"
            + first
            + "\n\n"
            + details
            + "\n\n"
            + _("The attached invitation puts it in your calendar.")
        )
        method = "REQUEST"
    ics = calendar.invitation(interview, user, notice.sequence or 0, method)
    return Message(subject, body + "\n\nScorecard", ics, method)


def _debrief_message(notice: Notice, application: Application) -> Message:
    from flask import url_for

    from scorecard.i18n import bilingual_text

    rnd = db.session.get(Round, notice.round_id)
    if rnd is None:
        raise Superseded
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    link = base + url_for("summaries.round_summary", application_id=application.id, round_id=rnd.id)
    names = {
        "candidate": application.candidate.name,
        "round": bilingual_text(rnd, "name"),
        "job": bilingual_text(application.job, "title"),
    }
    subject = _("All scorecards are in: %(candidate)s · %(round)s", **names)
    body = (
        _("Hello %(name)s,", name=notice.user.name)
        + "\n\n"
        + _(
            "all scorecards for %(candidate)s · %(round)s (%(job)s) are in — the debrief is ready:",
            **names,
        )
        + f"\n{link}\n\nScorecard"
    )
    return Message(subject, body)


def compose(notice: Notice) -> Message:
    """The notice as an e-mail in its recipient's language; raises Superseded."""
    if notice.interview is not None:
        application = notice.interview.application
    else:
        application = db.session.get(Application, notice.application_id)
    if application is None or application.candidate.erased_at is not None:
        raise Superseded  # nothing of an erased candidate leaves the system
    locale = notice.user.locale or current_app.config.get("BABEL_DEFAULT_LOCALE", "en")
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    with current_app.test_request_context(base_url=base), force_locale(locale):
        if notice.kind == NoticeKind.DEBRIEF:
            return _debrief_message(notice, application)
        return _invitation_message(notice)


# --- sending ------------------------------------------------------------------------------


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0  # this attempt failed (retried later unless it was the last)
    skipped: int = 0  # switched off since, or no longer true


def send_due(now: datetime | None = None, limit: int = 100) -> SendReport:
    """Send the notices that are due; each by one sender only (see outbox.claim)."""
    report = SendReport()
    now = now or utcnow()
    for notice_id, token in outbox.claim(Notice, NoticeStatus.PENDING, now, limit):
        notice = db.session.get(Notice, notice_id)
        if notice is None:
            continue
        if not wants(notice.user_id, notice.kind) or not notice.user.active:
            outbox.finish(Notice, notice_id, token, status=NoticeStatus.SKIPPED)
            report.skipped += 1
            continue
        try:
            message = compose(notice)
        except Superseded:
            outbox.finish(Notice, notice_id, token, status=NoticeStatus.SKIPPED)
            report.skipped += 1
            continue
        to, attempts = notice.user.email, notice.attempts
        db.session.commit()  # no transaction stays open while the SMTP server answers
        try:
            send_notice_mail(to, message.subject, message.body, message.calendar, message.method)
        except Exception as exc:  # noqa: BLE001 - every failure to send is recorded and retried
            last = attempts >= MAX_ATTEMPTS
            outbox.finish(
                Notice,
                notice_id,
                token,
                status=NoticeStatus.FAILED if last else NoticeStatus.PENDING,
                next_attempt_at=utcnow() + outbox.backoff(attempts, BACKOFF_BASE),
                error=f"{exc.__class__.__name__}: {exc}"[:500],
            )
            report.failed += 1
            continue
        outbox.finish(
            Notice, notice_id, token, status=NoticeStatus.SENT, sent_at=utcnow(), error=""
        )
        report.sent += 1
    return report
