"""Scheduling interviews: book, reschedule, cancel; bad input changes nothing."""

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from scorecard.models import (
    Application,
    AuditEvent,
    Candidate,
    Interview,
    InterviewStatus,
    Role,
    Scorecard,
)
from scorecard.services import scorecards as card_service
from scorecard.timeutil import to_local
from tests.web.setup_support import make_team, post


@pytest.fixture
def world(db, make_user):
    team = make_team(make_user)
    cand = Candidate(name="吴昊", email="wh@example.com", phone="13912345678")
    application = Application(candidate=cand, job=team.job)
    db.session.add_all([cand, application])
    db.session.commit()
    return team, application


def _local(delta: timedelta) -> str:
    return to_local(datetime.utcnow() + delta).strftime("%Y-%m-%dT%H:%M")  # noqa: DTZ003


def _form(team, application, **overrides) -> dict:
    data = {
        "application_id": application.id,
        "round_id": team.job.rounds[0].id,
        "starts_at": _local(timedelta(days=1)),
        "duration_minutes": "45",
        "location": "3F 会议室A",
        "video_link": "https://meet.example.com/abc",
        "panel": [team.iv1.id, team.iv2.id],
    }
    data.update(overrides)
    return data


def test_book_an_interview_for_two_panel_members(client, db, world, login_as):
    team, application = world
    login_as(team.hr)
    url = f"/setup/jobs/{team.job.id}/interviews/new"
    response = post(client, url, _form(team, application))
    assert response.status_code == 302
    iv = db.session.scalar(sa.select(Interview))
    assert iv.duration_minutes == 45 and iv.location == "3F 会议室A"
    assert (
        to_local(iv.starts_at).strftime("%Y-%m-%dT%H:%M") == _form(team, application)["starts_at"]
    )
    assert sorted(c.interviewer_id for c in iv.scorecards) == sorted([team.iv1.id, team.iv2.id])
    assert all(c.version_id == team.job.rounds[0].current_version.id for c in iv.scorecards)
    assert db.session.get(Application, application.id).current_round_id == iv.round_id
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "interview.schedule")
    )
    assert event.actor_id == team.hr.id
    post(client, "/logout")
    login_as(team.iv1)
    mine = client.get("/my/interviews").get_data(as_text=True)
    assert "吴昊" in mine


def test_bad_bookings_change_nothing(client, db, world, make_user, login_as):
    team, application = world
    stranger = make_user(Role.INTERVIEWER, name="Stranger Zhou")
    empty_round = team.job.rounds[2]
    for crit in list(empty_round.current_version.criteria):
        for q in empty_round.current_version.questions:
            q.criterion = None
        db.session.delete(crit)
    db.session.commit()
    login_as(team.hr)
    url = f"/setup/jobs/{team.job.id}/interviews/new"
    cases = [
        ({"starts_at": _local(-timedelta(hours=1))}, "Choose a time in the future."),
        ({"starts_at": "tomorrow-ish"}, "Enter a date and time like"),
        ({"starts_at": ""}, "Enter the date and time."),
        ({"panel": [stranger.id]}, "Stranger Zhou is not on this job"),
        ({"panel": []}, "Choose at least one interviewer."),
        ({"panel": [999999]}, "Choose interviewers from the list."),
        ({"round_id": empty_round.id}, "This round has no criteria yet"),
        ({"duration_minutes": "0"}, "Enter a duration from 5 to 600 minutes."),
        ({"duration_minutes": "an hour"}, "Enter a duration from 5 to 600 minutes."),
        ({"video_link": "javascript:alert(1)"}, "A video link starts with https://"),
        ({"application_id": 999999}, "Choose a candidate of this job."),
    ]
    for overrides, message in cases:
        response = post(client, url, _form(team, application, **overrides))
        assert response.status_code == 422, overrides
        assert message in response.get_data(as_text=True), overrides
    assert db.session.scalar(sa.select(sa.func.count(Interview.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(Scorecard.id))) == 0


def test_reschedule_and_cancel_keep_started_scorecards(client, db, world, make_user, login_as):
    team, application = world
    login_as(team.hr)
    post(client, f"/setup/jobs/{team.job.id}/interviews/new", _form(team, application))
    iv = db.session.scalar(sa.select(Interview))
    card1 = next(c for c in iv.scorecards if c.interviewer_id == team.iv1.id)
    card_service.set_rating(card1, card1.version.criteria[0].id, 3, "good")
    db.session.commit()
    url = f"/setup/interviews/{iv.id}/edit"
    assert "3F 会议室A" in client.get(url).get_data(as_text=True)
    refused = post(client, url, _form(team, application, panel=[team.iv2.id]))
    assert refused.status_code == 422
    assert "has started their scorecard" in refused.get_data(as_text=True)
    later = _local(timedelta(days=2))
    ok = post(
        client,
        url,
        _form(team, application, starts_at=later, panel=[team.iv1.id], location="Room 9"),
    )
    assert ok.status_code == 302
    db.session.expire_all()
    iv = db.session.get(Interview, iv.id)
    assert [c.interviewer_id for c in iv.scorecards] == [team.iv1.id]
    assert iv.location == "Room 9"
    assert to_local(iv.starts_at).strftime("%Y-%m-%dT%H:%M") == later
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "interview.reschedule")
    )
    assert event.before["location"] == "3F 会议室A" and event.after["location"] == "Room 9"
    assert post(client, f"/setup/interviews/{iv.id}/cancel").status_code == 302
    db.session.expire_all()
    iv = db.session.get(Interview, iv.id)
    assert iv.status == InterviewStatus.CANCELLED
    cancel = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "interview.cancel"))
    assert cancel.actor_id == team.hr.id and cancel.after == {"status": "cancelled"}
    assert len(iv.scorecards) == 1 and iv.scorecards[0].ratings[0].note == "good"
    again = post(client, url, _form(team, application), follow_redirects=True)
    assert "A cancelled interview cannot be changed." in again.get_data(as_text=True)


def test_closed_application_cannot_be_booked(client, db, world, login_as):
    from scorecard.models import ApplicationStatus

    team, application = world
    application.status = ApplicationStatus.REJECTED
    db.session.commit()
    login_as(team.hr)
    response = post(client, f"/setup/jobs/{team.job.id}/interviews/new", _form(team, application))
    assert response.status_code == 422
    assert "application is closed" in response.get_data(as_text=True)
