"""Calendar invitations (iCalendar, RFC 5545 / iTIP RFC 5546) and personal calendar feeds.

Each panelist has one calendar event per interview: its UID never changes
(`interview-<id>-<user id>@<host>`), its SEQUENCE goes up with every change, so Outlook,
Google, Apple Calendar and Thunderbird replace the old copy instead of adding a second one.
Invitations carry the time in the display time zone (with its VTIMEZONE), the place and the
video link, and nothing of the candidate but their name: no e-mail, no phone.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import icalendar
import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from scorecard.extensions import db
from scorecard.models import (
    Application,
    CalendarFeed,
    CalendarInvite,
    Interview,
    InterviewStatus,
    Scorecard,
    User,
    utcnow,
)
from scorecard.timeutil import zone

PRODID = "-//Scorecard//Interview invitations//EN"


# --- invitations: one per interview and panelist ---------------------------------------------


def event_uid(interview_id: int, user_id: int) -> str:
    """The event's UID: stable for an interview and a panelist, whatever changes."""
    host = urlsplit(current_app.config["PUBLIC_URL"]).hostname or "scorecard"
    return f"interview-{interview_id}-{user_id}@{host}"


def bump(interview: Interview, user_id: int, cancelled: bool = False) -> int:
    """Raise the SEQUENCE of a panelist's event (creating it at 0); returns the new value.

    Called in the transaction of the change, so two changes can never share a SEQUENCE.
    """
    invite = db.session.scalar(
        sa.select(CalendarInvite)
        .where(CalendarInvite.interview_id == interview.id, CalendarInvite.user_id == user_id)
        .with_for_update()
    )
    if invite is None:
        invite = CalendarInvite(interview_id=interview.id, user_id=user_id, sequence=0)
        db.session.add(invite)
    else:
        invite.sequence += 1
    invite.cancelled = cancelled
    invite.updated_at = utcnow()
    db.session.flush()
    return invite.sequence


def current_sequence(interview_id: int, user_id: int) -> int:
    """The SEQUENCE a panelist's event has now (0 before any invitation)."""
    value = db.session.scalar(
        sa.select(CalendarInvite.sequence).where(
            CalendarInvite.interview_id == interview_id, CalendarInvite.user_id == user_id
        )
    )
    return value or 0


def _summary(interview: Interview) -> str:
    from scorecard.i18n import bilingual_text

    return _(
        "Interview: %(candidate)s · %(round)s",
        candidate=interview.application.candidate.name,
        round=bilingual_text(interview.round, "name"),
    )


def _description(interview: Interview, user: User) -> str:
    from scorecard.i18n import bilingual_text
    from scorecard.labels import kit_url

    lines = [
        _("Job: %(job)s", job=bilingual_text(interview.application.job, "title")),
        _("Round: %(round)s", round=bilingual_text(interview.round, "name")),
    ]
    if interview.video_link:
        lines.append(_("Video link: %(link)s", link=interview.video_link))
    card = next((c for c in interview.scorecards if c.interviewer_id == user.id), None)
    if card is not None:
        base = current_app.config["PUBLIC_URL"].rstrip("/")
        with current_app.test_request_context(base_url=base):
            lines.append(_("Interview kit: %(link)s", link=base + kit_url(card)))
    return "\n".join(lines)


def _event(interview: Interview, user: User, sequence: int, cancelled: bool) -> icalendar.Event:
    tz = zone()
    start = interview.starts_at.replace(tzinfo=UTC).astimezone(tz)
    event = icalendar.Event()
    event.add("uid", event_uid(interview.id, user.id))
    event.add("sequence", sequence)
    event.add("dtstamp", datetime.now(UTC))
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=interview.duration_minutes))
    event.add("summary", _summary(interview))
    event.add("description", _description(interview, user))
    if interview.location:
        event.add("location", interview.location)
    elif interview.video_link:
        event.add("location", interview.video_link)
    if interview.video_link:
        event.add("url", interview.video_link)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    organizer = icalendar.vCalAddress(f"mailto:{current_app.config['MAIL_FROM']}")
    organizer.params["cn"] = icalendar.vText("Scorecard")
    event.add("organizer", organizer)
    attendee = icalendar.vCalAddress(f"mailto:{user.email}")
    attendee.params["cn"] = icalendar.vText(user.name)
    attendee.params["role"] = icalendar.vText("REQ-PARTICIPANT")
    attendee.params["partstat"] = icalendar.vText("NEEDS-ACTION")
    attendee.params["rsvp"] = icalendar.vText("FALSE")
    event.add("attendee", attendee)
    return event


def _calendar(method: str | None, name: str | None = None) -> icalendar.Calendar:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
        cal.add("x-wr-timezone", str(zone()))
        cal.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
        cal.add("x-published-ttl", "PT1H")
    return cal


def invitation(interview: Interview, user: User, sequence: int, method: str) -> bytes:
    """An iTIP message (METHOD REQUEST or CANCEL) for one panelist, as .ics bytes.

    Texts are in the current locale: call it inside `force_locale(recipient's language)`.
    """
    cal = _calendar(method)
    cal.add_component(_event(interview, user, sequence, cancelled=method == "CANCEL"))
    cal.add_missing_timezones()
    return cal.to_ical()


# --- the personal feed -----------------------------------------------------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_feed(user: User) -> str:
    """A new secret feed address token for `user` (any previous one stops working)."""
    token = secrets.token_urlsafe(32)
    db.session.execute(sa.delete(CalendarFeed).where(CalendarFeed.user_id == user.id))
    db.session.add(CalendarFeed(user_id=user.id, token_hash=_hash(token), prefix=token[:8]))
    db.session.flush()
    return token


def feed_of(user: User) -> CalendarFeed | None:
    """The user's feed, if they made one."""
    return db.session.scalar(sa.select(CalendarFeed).where(CalendarFeed.user_id == user.id))


def revoke_feed(user: User) -> bool:
    """Stop the user's feed address; True if there was one."""
    done = db.session.execute(sa.delete(CalendarFeed).where(CalendarFeed.user_id == user.id))
    return bool(done.rowcount)


def feed_owner(token: str) -> User | None:
    """The active user a feed token belongs to, or None (unknown, revoked, deactivated)."""
    if not token or len(token) > 100:
        return None
    feed = db.session.scalar(sa.select(CalendarFeed).where(CalendarFeed.token_hash == _hash(token)))
    if feed is None or not feed.user.active:
        return None
    now = utcnow()
    if feed.last_used_at is None or now - feed.last_used_at > timedelta(minutes=5):
        feed.last_used_at = now  # at most one write per 5 minutes of polling
    return feed.user


@dataclass(frozen=True)
class FeedItem:
    interview: Interview
    sequence: int


def upcoming_interviews(user: User, now: datetime | None = None) -> list[FeedItem]:
    """The user's own scheduled interviews that have not ended yet (one running stays)."""
    from scorecard.services.scheduling import MAX_MINUTES

    now = now or utcnow()
    rows = db.session.scalars(
        sa.select(Interview)
        .join(Scorecard, Scorecard.interview_id == Interview.id)
        .join(Application, Application.id == Interview.application_id)
        .where(
            Scorecard.interviewer_id == user.id,
            Interview.status == InterviewStatus.SCHEDULED,
            Interview.starts_at >= now - timedelta(minutes=MAX_MINUTES),  # narrows in SQL
        )
        .order_by(Interview.starts_at, Interview.id)
    ).all()
    rows = [iv for iv in rows if iv.ends_at > now]
    sequences = dict(
        db.session.execute(
            sa.select(CalendarInvite.interview_id, CalendarInvite.sequence).where(
                CalendarInvite.user_id == user.id,
                CalendarInvite.interview_id.in_([iv.id for iv in rows]),
            )
        ).all()
    )
    return [FeedItem(iv, sequences.get(iv.id, 0)) for iv in rows]


def feed_calendar(user: User) -> bytes:
    """The feed: exactly the user's upcoming interviews, in the user's language."""
    locale = user.locale or current_app.config.get("BABEL_DEFAULT_LOCALE", "en")
    with force_locale(locale):
        cal = _calendar(None, name=_("Scorecard interviews"))
        for item in upcoming_interviews(user):
            cal.add_component(_event(item.interview, user, item.sequence, cancelled=False))
    cal.add_missing_timezones()
    return cal.to_ical()
