"""E-mail notices through a real SMTP server (aiosmtpd): invitations with iCalendar REQUEST /
CANCEL, one message per change, in each recipient's language, switchable; the debrief."""

from datetime import UTC, timedelta

import sqlalchemy as sa

from scorecard.models import Notice, NoticeKind, NoticeStatus, Role, utcnow
from scorecard.services import notices, scheduling
from scorecard.services import scorecards as card_service
from tests.web import notify_support
from tests.web.notify_support import (
    CANDIDATE_EMAIL,
    CANDIDATE_PHONE,
    book,
    event_of,
    fill_and_submit,
    mails,
)
from tests.web.setup_support import make_team

mailbox = notify_support.mailbox  # the fixture


def _send() -> notices.SendReport:
    return notices.send_due(now=utcnow() + timedelta(seconds=1))


def test_booking_invites_each_panelist_in_their_language(app, db, make_user, mailbox):
    team = make_team(make_user)
    team.iv2.locale = "zh_CN"
    db.session.commit()
    interview = book(team, [team.iv1, team.iv2])
    assert db.session.scalar(sa.select(sa.func.count(Notice.id))) == 2  # queued, not sent
    assert mailbox.messages == []  # the request wrote the outbox; nothing was sent in it
    report = _send()
    assert (report.sent, report.failed, report.skipped) == (2, 0, 0)
    en, zh = mails(mailbox, team.iv1.email)[0], mails(mailbox, team.iv2.email)[0]
    assert en.subject.startswith("Interview invitation: 陈静 Chen Jing")
    assert "you are on the panel of an interview" in en.text
    assert zh.subject.startswith("面试邀请")
    assert "面试小组" in zh.text
    for mail, user in ((en, team.iv1), (zh, team.iv2)):
        assert mail.method_param == "REQUEST"
        assert str(mail.calendar["method"]) == "REQUEST"
        event = event_of(mail)
        assert str(event["uid"]) == f"interview-{interview.id}-{user.id}@127.0.0.1"
        assert int(event["sequence"]) == 0
        assert str(event["location"]) == "3F 会议室A"
        assert str(event["url"]) == "https://meet.example.com/abc-defg"
        start = event.decoded("dtstart")
        assert str(start.tzinfo) == "Asia/Shanghai"
        assert start.astimezone(UTC).replace(tzinfo=None) == interview.starts_at
        assert event.decoded("dtend") - start == timedelta(minutes=45)
        assert mail.calendar.walk("VTIMEZONE")[0]["tzid"] == "Asia/Shanghai"
        assert f"mailto:{user.email}" == str(event["attendee"])
        # No candidate contact data anywhere in the message.
        assert CANDIDATE_EMAIL.encode() not in mail.raw and b"1234 5678" not in mail.raw
        assert CANDIDATE_PHONE not in mail.text
    assert _send().sent == 0  # one message per change: nothing is sent twice
    assert len(mailbox.messages) == 2


def test_reschedule_and_cancel_raise_the_sequence(app, db, make_user, mailbox):
    team = make_team(make_user)
    extra = make_user(Role.INTERVIEWER)
    from scorecard.models import JobRole
    from scorecard.services.setup.team import add_member

    add_member(team.job, extra, JobRole.INTERVIEWER, None)
    db.session.commit()
    interview = book(team, [team.iv1, team.iv2])
    _send()
    mailbox.messages.clear()
    later = interview.starts_at + timedelta(days=1)
    scheduling.reschedule_interview(
        interview,
        later,
        [team.iv1, extra],
        team.hr,
        60,
        "4F Room B",
        interview.video_link,
    )
    db.session.commit()
    assert _send().sent == 3
    moved = mails(mailbox, team.iv1.email)
    assert len(moved) == 1 and moved[0].subject.startswith("Interview moved")
    event = event_of(moved[0])
    assert int(event["sequence"]) == 1 and str(event["location"]) == "4F Room B"
    assert event.decoded("dtstart").astimezone(UTC).replace(tzinfo=None) == later
    off = mails(mailbox, team.iv2.email)
    assert len(off) == 1 and off[0].method_param == "CANCEL"
    assert str(off[0].calendar["method"]) == "CANCEL"
    assert str(event_of(off[0])["status"]) == "CANCELLED"
    assert int(event_of(off[0])["sequence"]) == 1
    new = mails(mailbox, extra.email)
    assert len(new) == 1 and int(event_of(new[0])["sequence"]) == 0
    assert str(event_of(new[0])["uid"]) == f"interview-{interview.id}-{extra.id}@127.0.0.1"

    # Saving the same details again is no change: no message.
    mailbox.messages.clear()
    scheduling.reschedule_interview(
        interview, later, [team.iv1, extra], team.hr, 60, "4F Room B", interview.video_link
    )
    db.session.commit()
    assert _send().sent == 0

    scheduling.cancel_interview(interview, team.hr)
    db.session.commit()
    assert _send().sent == 2
    cancel = mails(mailbox, team.iv1.email)[0]
    assert cancel.subject.startswith("Interview cancelled")
    assert int(event_of(cancel)["sequence"]) == 2 and cancel.method_param == "CANCEL"


def test_a_switched_off_notice_is_not_sent(app, db, make_user, mailbox):
    team = make_team(make_user)
    notices.set_switches(team.iv2, {NoticeKind.PANEL: False})
    db.session.commit()
    interview = book(team, [team.iv1, team.iv2])
    assert _send().sent == 1
    assert [m.to for m in mails(mailbox)] == [team.iv1.email]
    # Switched off after it was queued: the notice is skipped, not sent.
    scheduling.cancel_interview(interview, team.hr)
    db.session.commit()
    notices.set_switches(team.iv1, {NoticeKind.CANCELLED: False})
    db.session.commit()
    report = _send()
    assert (report.sent, report.skipped) == (1, 1)  # iv2 still wants cancellations
    assert [m.to for m in mails(mailbox)][1:] == [team.iv2.email]


def test_debrief_ready_goes_to_the_hiring_manager_once(app, db, make_user, mailbox):
    team = make_team(make_user)
    team.manager.locale = "zh_CN"
    db.session.commit()
    interview = book(team, [team.iv1, team.iv2], hours_ahead=2)
    _send()
    mailbox.messages.clear()
    first, second = interview.scorecards
    fill_and_submit(first, note="MARKERCOLLEAGUE note")
    assert _send().sent == 0  # one scorecard is still a draft
    fill_and_submit(second)
    assert _send().sent == 1
    (debrief,) = mails(mailbox)
    assert debrief.to == team.manager.email
    assert debrief.subject.startswith("所有评分表已提交")
    link = (
        f"http://127.0.0.1:5000/applications/{interview.application_id}/rounds/{interview.round_id}"
    )
    assert link in debrief.text
    assert "MARKERCOLLEAGUE" not in debrief.text  # no ratings, notes or scores in e-mail
    # An edit afterwards does not announce the debrief again.
    card_service.edit_submitted(
        second, second.lock_version, {"overall": 4}, "second thoughts", second.interviewer
    )
    db.session.commit()
    assert _send().sent == 0


def test_no_colleague_rating_reaches_a_panelist_with_a_draft(app, db, make_user, mailbox):
    """R2 for e-mail: every message a drafting panelist gets is free of a colleague's work."""
    team = make_team(make_user)
    interview = book(team, [team.iv1, team.iv2], hours_ahead=2)
    peer = next(c for c in interview.scorecards if c.interviewer_id == team.iv2.id)
    fill_and_submit(peer, note="MARKERPEERNOTE")
    scheduling.reschedule_interview(
        interview,
        interview.starts_at,
        [team.iv1, team.iv2],
        team.hr,
        50,
        "moved room",
        "",
    )
    db.session.commit()
    _send()
    to_drafter = mails(mailbox, team.iv1.email)
    assert len(to_drafter) == 2  # the invitation and the change
    for mail in to_drafter:
        assert b"MARKERPEERNOTE" not in mail.raw
        assert b"overall" not in mail.raw.lower()


def test_a_failed_send_is_retried_with_back_off(app, db, make_user, mailbox, monkeypatch):
    from tests.web.test_setup_reminders import _free_port

    team = make_team(make_user)
    book(team, [team.iv1])
    good_port = app.config["SMTP_PORT"]
    monkeypatch.setitem(app.config, "SMTP_PORT", _free_port())  # nobody listens there
    report = _send()
    assert (report.sent, report.failed) == (0, 1)
    notice = db.session.scalar(sa.select(Notice))
    db.session.refresh(notice)
    assert notice.status == NoticeStatus.PENDING and notice.attempts == 1 and notice.error
    assert notice.next_attempt_at > utcnow() + timedelta(seconds=30)  # waits before retrying
    assert _send().failed == 0  # not due yet
    monkeypatch.setitem(app.config, "SMTP_PORT", good_port)
    assert notices.send_due(now=utcnow() + timedelta(hours=1)).sent == 1
    db.session.refresh(notice)
    assert notice.status == NoticeStatus.SENT and notice.attempts == 2 and notice.error == ""
    assert len(mailbox.messages) == 1
