"""Invitations delivered into a real CalDAV server (Debian's radicale on 127.0.0.1), applied
the way a calendar client applies iTIP (RFC 5546); and the personal calendar feed."""

import shutil
import socket
import subprocess
import time
from datetime import UTC, timedelta
from urllib.parse import quote

import icalendar
import pytest
import requests
import sqlalchemy as sa

from scorecard.models import CalendarFeed, utcnow
from scorecard.services import calendar, notices, scheduling
from tests.web import notify_support
from tests.web.notify_support import (
    CANDIDATE_EMAIL,
    book,
    mails,
)
from tests.web.setup_support import make_team, post

mailbox = notify_support.mailbox  # the fixture


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def radicale(tmp_path):
    """radicale with its own config and storage, no authentication, on a free local port."""
    binary = shutil.which("radicale")
    if binary is None:
        pytest.skip("the CalDAV tests need Debian's radicale (apt-get install radicale)")
    port = _free_port()
    config = tmp_path / "radicale.conf"
    config.write_text(
        f"[server]\nhosts = 127.0.0.1:{port}\n"
        "[auth]\ntype = none\n"
        "[rights]\ntype = owner_only\n"
        f"[storage]\nfilesystem_folder = {tmp_path / 'collections'}\n"
        "[logging]\nlevel = warning\n"
    )
    proc = subprocess.Popen(
        [binary, "--config", str(config)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            requests.get(base + "/", timeout=1)
            break
        except requests.ConnectionError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail("radicale did not start: " + proc.stdout.read().decode()[-2000:])
            time.sleep(0.1)
    yield base
    proc.terminate()
    proc.wait(timeout=10)


class CalendarClient:
    """One person's calendar on the CalDAV server, fed with the invitations they receive."""

    def __init__(self, base: str, user: str) -> None:
        self.auth = (user, "x")
        self.url = f"{base}/{user}/interviews/"
        answer = requests.request("MKCALENDAR", self.url, auth=self.auth, timeout=5)
        assert answer.status_code == 201, answer.text

    def _href(self, uid: str) -> str:
        return self.url + quote(uid, safe="") + ".ics"

    def stored(self, uid: str) -> icalendar.Event | None:
        answer = requests.get(self._href(uid), auth=self.auth, timeout=5)
        if answer.status_code == 404:
            return None
        assert answer.status_code == 200, answer.text
        return icalendar.Calendar.from_ical(answer.content).walk("VEVENT")[0]

    def apply(self, itip: icalendar.Calendar) -> None:
        """REQUEST adds or replaces (if its SEQUENCE is not older); CANCEL removes."""
        method = str(itip["method"])
        event = itip.walk("VEVENT")[0]
        uid, sequence = str(event["uid"]), int(event.get("sequence", 0))
        current = self.stored(uid)
        if current is not None and int(current.get("sequence", 0)) > sequence:
            return  # an older message arriving late changes nothing
        if method == "CANCEL":
            if current is not None:
                answer = requests.delete(self._href(uid), auth=self.auth, timeout=5)
                assert answer.status_code in (200, 204), answer.text
            return
        assert method == "REQUEST"
        stored = icalendar.Calendar()
        for key, value in itip.items():
            if key != "METHOD":
                stored.add(key, value)
        for component in itip.subcomponents:
            stored.add_component(component)
        answer = requests.put(
            self._href(uid),
            data=stored.to_ical(),
            headers={"Content-Type": "text/calendar; charset=utf-8"},
            auth=self.auth,
            timeout=5,
        )
        assert answer.status_code in (201, 204), answer.text

    def event_count(self) -> int:
        answer = requests.request(
            "PROPFIND", self.url, headers={"Depth": "1"}, auth=self.auth, timeout=5
        )
        assert answer.status_code == 207, answer.text
        return answer.text.count(".ics</")


def _deliver_to(client: CalendarClient, inbox, to: str) -> int:
    sent = [m for m in mails(inbox, to)]
    for mail in sent:
        client.apply(mail.calendar)
    inbox.messages[:] = [m for m in inbox.messages if m["To"] != to]
    return len(sent)


def _send():
    return notices.send_due(now=utcnow() + timedelta(seconds=1))


def test_invitations_land_in_a_caldav_calendar(app, db, make_user, mailbox, radicale):
    team = make_team(make_user)
    interview = book(team, [team.iv1, team.iv2])
    uid = calendar.event_uid(interview.id, team.iv1.id)
    cal = CalendarClient(radicale, "iv1")
    _send()
    assert _deliver_to(cal, mailbox, team.iv1.email) == 1
    event = cal.stored(uid)
    assert event is not None and int(event["sequence"]) == 0
    start = event.decoded("dtstart")
    assert start.astimezone(UTC).replace(tzinfo=None) == interview.starts_at
    assert str(event["location"]) == "3F 会议室A"
    assert CANDIDATE_EMAIL not in event.to_ical().decode()

    later = interview.starts_at + timedelta(hours=26)
    scheduling.reschedule_interview(
        interview, later, [team.iv1, team.iv2], team.hr, 45, "3F 会议室A", interview.video_link
    )
    db.session.commit()
    _send()
    assert _deliver_to(cal, mailbox, team.iv1.email) == 1
    moved = cal.stored(uid)
    assert moved.decoded("dtstart").astimezone(UTC).replace(tzinfo=None) == later
    assert int(moved["sequence"]) == 1 and cal.event_count() == 1

    scheduling.cancel_interview(interview, team.hr)
    db.session.commit()
    _send()
    assert _deliver_to(cal, mailbox, team.iv1.email) == 1
    assert cal.stored(uid) is None and cal.event_count() == 0


def test_the_feed_lists_exactly_ones_upcoming_interviews(app, client, db, make_user, login_as):
    team = make_team(make_user)
    mine = book(team, [team.iv1, team.iv2], hours_ahead=30)
    also_mine = book(team, [team.iv1], hours_ahead=80, name="王磊 Wang Lei")
    book(team, [team.iv2], hours_ahead=40, name="Someone Else")
    gone = book(team, [team.iv1], hours_ahead=50, name="Cancelled One")
    scheduling.cancel_interview(gone, team.hr)
    held = book(team, [team.iv1], hours_ahead=60, name="Already Held")
    held.starts_at = utcnow() - timedelta(hours=3)  # it took place: over, not upcoming
    db.session.commit()
    login_as(team.iv1)
    page = post(client, "/settings/calendar-feed", page="/settings/notifications")
    assert page.status_code == 201
    html = page.get_data(as_text=True)
    import re

    webcal = re.search(r'value="(webcal://[^"]+)"', html).group(1)
    https = re.search(r'value="(http://127\.0\.0\.1:5000/calendar/[^"]+\.ics)"', html).group(1)
    assert webcal.split("://", 1)[1] == https.split("://", 1)[1]
    token = https.rsplit("/", 1)[1][: -len(".ics")]
    again = client.get("/settings/notifications").get_data(as_text=True)
    assert token not in again  # shown once
    assert db.session.scalar(sa.select(CalendarFeed.token_hash)) != token  # stored hashed

    client.post("/logout", data={"csrf_token": ""})
    anonymous = app.test_client()
    feed = anonymous.get(f"/calendar/{token}.ics")
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    cal = icalendar.Calendar.from_ical(feed.data)
    uids = sorted(str(e["uid"]) for e in cal.walk("VEVENT"))
    assert uids == sorted(calendar.event_uid(iv.id, team.iv1.id) for iv in (mine, also_mine))
    assert "METHOD" not in cal and CANDIDATE_EMAIL.encode() not in feed.data
    assert int(cal.walk("VEVENT")[0]["sequence"]) == 0

    calendar.revoke_feed(team.iv1)
    db.session.commit()
    assert anonymous.get(f"/calendar/{token}.ics").status_code == 410
    assert anonymous.get("/calendar/not-a-token.ics").status_code == 410
