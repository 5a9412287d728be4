"""Notices, the calendar feed and webhooks in the browser: switching a notice off in
Settings, getting (and revoking) the feed address, an admin adding a webhook endpoint and
sending a failed delivery again."""

import re
import urllib.error
import urllib.request
from datetime import timedelta

import icalendar
import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from scorecard.extensions import db
from scorecard.models import (
    Application,
    Candidate,
    Job,
    JobMember,
    JobRole,
    NoticeKind,
    User,
    utcnow,
)
from scorecard.services import notices, scheduling, webhooks
from tests.web.receiver import Receiver

pytestmark = pytest.mark.browser


def _user(email: str) -> User:
    return db.session.scalar(sa.select(User).where(User.email == email))


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - local
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_switch_a_notice_off_in_settings(page, demo_data, sign_in):
    sign_in("interviewer1@demo.test")
    page.get_by_role("link", name="Notifications").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    moved = page.get_by_label("An interview of mine moves or its place changes")
    expect(moved).to_be_checked()
    moved.uncheck()
    page.get_by_role("button", name="Save notification settings").click()
    expect(page.get_by_role("status").or_(page.locator(".flash"))).to_contain_text(
        "Your notification settings are saved."
    )
    page.reload()
    expect(page.get_by_label("An interview of mine moves or its place changes")).not_to_be_checked()
    expect(
        page.get_by_label("I am put on an interview panel (with a calendar invitation)")
    ).to_be_checked()
    db.session.expire_all()
    assert notices.switches(_user("interviewer1@demo.test"))[NoticeKind.MOVED] is False


def test_get_and_revoke_the_calendar_feed(page, demo_data, sign_in, live_server):
    sign_in("interviewer1@demo.test")
    page.get_by_role("link", name="Notifications").click()
    expect(page.get_by_test_id("feed-state")).to_contain_text("You have no calendar feed address.")
    page.get_by_role("button", name="Make a calendar feed address").click()
    webcal = page.get_by_test_id("feed-webcal").input_value()
    https = page.get_by_test_id("feed-https").input_value()
    assert webcal.startswith("webcal://") and https.endswith(".ics")
    path = "/" + https.split("/", 3)[3]
    status, body = _get(live_server + path)
    assert status == 200
    feed = icalendar.Calendar.from_ical(body)
    user = _user("interviewer1@demo.test")
    upcoming = {str(e["uid"]) for e in feed.walk("VEVENT")}
    assert all(uid.endswith("@127.0.0.1") and f"-{user.id}@" in uid for uid in upcoming)

    page.get_by_role("link", name="Notifications").click()
    expect(page.get_by_test_id("feed-state")).to_contain_text("Active since")
    assert https not in page.content()  # shown once
    page.get_by_role("button", name="Revoke the feed address").click()
    expect(page.locator(".flash")).to_contain_text("The calendar feed address is revoked.")
    assert _get(live_server + path)[0] == 410


def test_admin_adds_a_webhook_and_sends_a_delivery_again(
    page, app, demo_data, sign_in, monkeypatch
):
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_PRIVATE", True)  # the receiver is local
    with Receiver(plan=["500"]) as receiver:
        sign_in("admin@demo.test")
        page.get_by_role("link", name="Users").first.click()
        page.locator("nav.subnav").get_by_role("link", name="Webhooks").click()
        expect(page.locator("#endpoints")).to_contain_text("No webhook endpoints yet.")
        # Bad input: refused with a message, nothing stored.
        page.get_by_label("Receiver URL").fill("ftp://files.example.com/x")
        page.get_by_label("interview.scheduled").check()
        page.get_by_role("button", name="Add endpoint").click()
        expect(page.locator(".field.has-error")).to_contain_text("starts with https://")
        page.get_by_label("Receiver URL").fill(receiver.url)
        page.get_by_label("Description").fill("ATS sync")
        page.get_by_role("button", name="Add endpoint").click()
        secret = page.get_by_test_id("webhook-secret").input_value()
        assert secret.startswith("whsec_")
        receiver.secret = secret

        job = db.session.scalar(sa.select(Job).order_by(Job.id))
        hr = db.session.scalar(
            sa.select(User)
            .join(JobMember, JobMember.user_id == User.id)
            .where(JobMember.job_id == job.id, JobMember.job_role == JobRole.RECRUITER)
        )
        panel = db.session.scalar(
            sa.select(User)
            .join(JobMember, JobMember.user_id == User.id)
            .where(JobMember.job_id == job.id, JobMember.job_role == JobRole.INTERVIEWER)
        )
        cand = Candidate(name="Webhook Candidate")
        application = Application(candidate=cand, job=job)
        db.session.add_all([cand, application])
        db.session.flush()
        rnd = sorted(job.rounds, key=lambda r: r.position)[0]
        scheduling.book_interview(application, rnd, utcnow() + timedelta(days=3), [panel], hr)
        db.session.commit()
        assert webhooks.deliver_due().failed == 1  # the receiver answers 500 once

        page.locator("nav.subnav").get_by_role("link", name="Webhooks").click()
        page.get_by_role("link", name=receiver.url).click()
        assert secret not in page.content()  # the secret was shown once
        row = page.locator("#deliveries tbody tr").first
        expect(row).to_contain_text("interview.scheduled")
        expect(row).to_contain_text("HTTP 500")
        row.get_by_role("button", name=re.compile(r"^Send .+ again$")).click()
        expect(page.locator(".flash")).to_contain_text("queued to be sent again")
        assert webhooks.deliver_due().delivered == 1
        page.reload()
        expect(page.locator("#deliveries tbody tr").first).to_contain_text("Delivered")
        assert len(receiver.got) == 1 and receiver.got[0].signature_ok
