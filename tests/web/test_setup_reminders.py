"""Overdue feedback: the list, "remind", and `flask send-reminders` through a real SMTP server."""

import os
import re
import socket
import subprocess
import sys
from datetime import timedelta
from email import message_from_bytes
from email.header import decode_header, make_header
from pathlib import Path

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from scorecard.extensions import db as _db
from scorecard.models import (
    Application,
    AuditEvent,
    Candidate,
    InterviewStatus,
    Reminder,
    Scorecard,
    utcnow,
)
from scorecard.services import queries, reminders, scheduling
from scorecard.services.errors import DomainError
from tests.web.setup_support import make_team, post


class Inbox:
    def __init__(self) -> None:
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"

    def subjects(self) -> list[str]:
        return [str(make_header(decode_header(m["Subject"]))) for m in self.messages]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(app, monkeypatch):
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "SMTP_PORT", port)
    yield inbox
    controller.stop()


@pytest.fixture
def world(db, make_user):
    """Interviews that ended 30 h ago (overdue), 10 h ago (not yet), and a submitted-free mix."""
    team = make_team(make_user)
    rnd = team.job.rounds[0]
    ivs = {}
    for label, hours in (("old", 31), ("recent", 11), ("cancelled", 40)):
        cand = Candidate(name=f"候选人{label}", email=f"{label}@example.com")
        app = Application(candidate=cand, job=team.job)
        db.session.add_all([cand, app])
        db.session.flush()
        ivs[label] = scheduling.schedule_interview(
            app, rnd, utcnow() - timedelta(hours=hours), [team.iv1, team.iv2], team.hr
        )
    ivs["cancelled"].status = InterviewStatus.CANCELLED
    db.session.commit()
    return team, ivs


def _overdue_ids(user=None, job_id=None):
    return sorted(r.card.id for r in reminders.overdue_scorecards(user, job_id))


def test_overdue_list_follows_the_jobs_hours(client, db, world, login_as):
    team, ivs = world
    old = sorted(c.id for c in ivs["old"].scorecards)
    assert _overdue_ids() == old
    login_as(team.hr)
    page = client.get(f"/setup/overdue?job={team.job.id}").get_data(as_text=True)
    assert "候选人old" in page and "候选人recent" not in page and "候选人cancelled" not in page
    data = {"job-title_en": team.job.title_en, "job-status": "open", "job-overdue_hours": "8"}
    assert post(client, f"/setup/jobs/{team.job.id}", data).status_code == 302
    db.session.expire_all()
    recent = sorted(c.id for c in ivs["recent"].scorecards)
    assert _overdue_ids() == sorted(old + recent)
    assert "候选人recent" in client.get("/setup/overdue").get_data(as_text=True)


def test_the_list_the_badge_and_remind_share_one_due_time(db, world):
    """Feedback falls due the job's hours after the interview ended: a second before, no page
    calls the scorecard overdue and "remind" refuses; at that moment all of them do."""
    team, ivs = world
    card = ivs["recent"].scorecards[0]
    due = queries.feedback_due(team.job, card.interview.ends_at)
    assert due == card.interview.ends_at + timedelta(hours=team.job.overdue_hours)
    before = due - timedelta(seconds=1)
    assert not queries.is_overdue(card, before)
    assert card.id not in {r.card.id for r in reminders.overdue_scorecards(None, now=before)}
    with pytest.raises(DomainError):
        reminders.remind(card, team.hr, now=before)
    assert queries.is_overdue(card, due)
    rows = {r.card.id: r for r in reminders.overdue_scorecards(None, now=due)}
    assert rows[card.id].overdue_since == due
    assert reminders.remind(card, team.hr, now=due).scorecard_id == card.id


def test_remind_sends_once_a_day(client, db, world, smtp, login_as):
    team, ivs = world
    card = next(c for c in ivs["old"].scorecards if c.interviewer_id == team.iv1.id)
    login_as(team.hr)
    response = post(client, f"/setup/scorecards/{card.id}/remind", follow_redirects=True)
    assert f"Reminder sent to {team.iv1.name}." in response.get_data(as_text=True)
    assert len(smtp.messages) == 1
    message = smtp.messages[0]
    assert message["To"] == team.iv1.email
    assert "候选人old" in smtp.subjects()[0]
    body = message.get_payload(decode=True).decode()
    from scorecard.labels import kit_url

    with client.application.test_request_context():
        link = "http://127.0.0.1:5000" + kit_url(card)
    assert "候选人old" in body and link in body
    again = post(client, f"/setup/scorecards/{card.id}/remind", follow_redirects=True)
    assert "was already reminded today" in again.get_data(as_text=True)
    assert len(smtp.messages) == 1
    reminder = db.session.scalar(sa.select(Reminder))
    assert reminder.sent_at is not None and reminder.requested_by_id == team.hr.id
    assert "Reminded today" in client.get("/setup/overdue").get_data(as_text=True)
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "reminder.create"))
    assert event.actor_id == team.hr.id
    recent = ivs["recent"].scorecards[0]
    early = post(client, f"/setup/scorecards/{recent.id}/remind", follow_redirects=True)
    assert "not overdue yet" in early.get_data(as_text=True)


def test_cli_sends_each_overdue_reminder_once(app, db, world, smtp):
    team, ivs = world
    runner = app.test_cli_runner()
    first = runner.invoke(args=["send-reminders"])
    assert first.exit_code == 0, first.output
    assert "2 sent, 0 failed, 0 already sent today" in first.output
    assert sorted(m["To"] for m in smtp.messages) == sorted([team.iv1.email, team.iv2.email])
    second = runner.invoke(args=["send-reminders"])
    assert "0 sent, 0 failed, 2 already sent today" in second.output
    assert len(smtp.messages) == 2
    _db.session.remove()
    assert _db.session.scalar(sa.select(sa.func.count(Reminder.id))) == 2


def test_the_database_refuses_a_second_reminder_the_same_day(app, db, world):
    _team, ivs = world
    card = ivs["old"].scorecards[0]
    with app.test_request_context():
        assert reminders.claim(card, None) is not None
        db.session.commit()
        assert reminders.claim(card, None) is None
        db.session.add(
            Reminder(
                scorecard_id=card.id,
                interviewer_id=card.interviewer_id,
                day=reminders.reminder_day(),
            )
        )
        with pytest.raises(sa.exc.IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_concurrent_senders_send_each_reminder_once(app, db, world, smtp):
    """Two overlapping `flask send-reminders` processes (cron runs) on the same database."""
    _db.session.remove()
    env = {
        **os.environ,
        "FLASK_APP": "scorecard:create_app",
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(app.config["SMTP_PORT"]),
    }
    flask = str(Path(sys.executable).with_name("flask"))
    procs = [
        subprocess.Popen(
            [flask, "send-reminders"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    sent = sum(int(re.search(rb"(\d+) sent", out).group(1)) for out, _err in outputs)
    assert sent == 2 and len(smtp.messages) == 2  # two overdue scorecards, each reminded once
    assert _db.session.scalar(sa.select(sa.func.count(Reminder.id))) == 2


def test_a_failed_send_is_recorded_and_retried(app, client, db, world, login_as, monkeypatch):
    team, ivs = world
    card = ivs["old"].scorecards[0]
    card_id = card.id
    monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "SMTP_PORT", _free_port())  # nobody listens there
    login_as(team.hr)
    response = post(client, f"/setup/scorecards/{card.id}/remind", follow_redirects=True)
    assert "could not be sent now" in response.get_data(as_text=True)
    reminder = db.session.scalar(sa.select(Reminder))
    assert reminder.sent_at is None and reminder.error and reminder.status == "failed"
    failing = app.test_cli_runner().invoke(args=["send-reminders"])
    assert failing.exit_code == 1 and "0 sent, 2 failed" in failing.output
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        monkeypatch.setitem(app.config, "SMTP_PORT", port)
        ok = app.test_cli_runner().invoke(args=["send-reminders"])
    finally:
        controller.stop()
    assert "2 sent, 0 failed" in ok.output
    assert len(inbox.messages) == 2
    _db.session.remove()
    retried = _db.session.scalar(sa.select(Reminder).where(Reminder.scorecard_id == card_id))
    assert retried.sent_at is not None and retried.attempts == 3 and retried.error == ""
    assert _db.session.scalar(sa.select(sa.func.count(Scorecard.id))) == 6
