"""Helpers for the notice, calendar and webhook tests: a real SMTP server, bookings, submits."""

import uuid
from dataclasses import dataclass
from datetime import timedelta
from email.header import decode_header, make_header
from email.message import Message

import icalendar
import pytest
from aiosmtpd.controller import Controller

from scorecard.extensions import db
from scorecard.models import Application, Candidate, Interview, Scorecard, utcnow
from scorecard.services import scheduling
from scorecard.services import scorecards as card_service
from tests.web.test_setup_reminders import Inbox, _free_port

CANDIDATE_EMAIL = "chen.jing.private@example.com"
CANDIDATE_PHONE = "+86 139 1234 5678"


@pytest.fixture
def mailbox(app, monkeypatch):
    """aiosmtpd on 127.0.0.1; the app sends to it."""
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "SMTP_PORT", port)
    yield inbox
    controller.stop()


@dataclass
class Mail:
    to: str
    subject: str
    text: str
    calendar: icalendar.Calendar | None
    method_param: str | None
    raw: bytes


def read(message: Message) -> Mail:
    """A received message: its text part and its invitation, parsed back by icalendar."""
    text, cal, method = "", None, None
    for part in message.walk():
        ctype = part.get_content_type()
        if ctype == "text/plain" and not text:
            text = part.get_payload(decode=True).decode()
        elif ctype == "text/calendar":
            cal = icalendar.Calendar.from_ical(part.get_payload(decode=True))
            method = part.get_param("method")
    return Mail(
        to=message["To"],
        subject=str(make_header(decode_header(message["Subject"]))),
        text=text,
        calendar=cal,
        method_param=method,
        raw=message.as_bytes(),
    )


def mails(inbox: Inbox, to: str | None = None) -> list[Mail]:
    out = [read(m) for m in inbox.messages]
    return [m for m in out if to is None or m.to == to]


def event_of(mail: Mail) -> icalendar.Event:
    assert mail.calendar is not None, mail.subject
    events = [c for c in mail.calendar.walk("VEVENT")]
    assert len(events) == 1
    return events[0]


def book(team, panel, hours_ahead: int = 48, name: str = "陈静 Chen Jing") -> Interview:
    """A booking by HR, the way the scheduling page makes one (commits)."""
    cand = Candidate(name=name, email=CANDIDATE_EMAIL, phone=CANDIDATE_PHONE)
    application = Application(candidate=cand, job=team.job)
    db.session.add_all([cand, application])
    db.session.flush()
    interview = scheduling.book_interview(
        application,
        team.job.rounds[0],
        utcnow().replace(microsecond=0) + timedelta(hours=hours_ahead),
        panel,
        team.hr,
        duration_minutes=45,
        location="3F 会议室A",
        video_link="https://meet.example.com/abc-defg",
    )
    db.session.commit()
    return interview


def fill_and_submit(card: Scorecard, note: str = "solid answer") -> None:
    """Rate every criterion 3 (with a note), choose an overall, submit (commits)."""
    for crit in card.version.criteria:
        card_service.set_rating(card, crit.id, 3, note)
    card.overall = 3
    db.session.flush()
    card_service.submit(card, uuid.uuid4().hex, card.interviewer)
    db.session.commit()
