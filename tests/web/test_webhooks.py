"""Outgoing webhooks against a real receiver on 127.0.0.1: signed, at least once, retried with
back-off, timeouts, the SSRF guard, disabled endpoints, leases, re-send, and the admin pages."""

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa

from scorecard.extensions import db
from scorecard.models import (
    DeliveryStatus,
    Role,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
    utcnow,
)
from scorecard.services import outbox, privacy, scheduling, webhooks
from scorecard.services.errors import DomainError
from tests.web.notify_support import CANDIDATE_EMAIL, book, fill_and_submit
from tests.web.receiver import Receiver
from tests.web.setup_support import make_team, post


@pytest.fixture
def allow_local(app, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_PRIVATE", True)
    monkeypatch.setitem(app.config, "WEBHOOK_TIMEOUT_S", 1.0)


def _endpoint(receiver: Receiver, admin, events=webhooks.EVENT_TYPES) -> WebhookEndpoint:
    endpoint = webhooks.create_endpoint(receiver.url, "test receiver", list(events), admin)
    db.session.commit()
    receiver.secret = endpoint.secret
    return endpoint


def _pass(minutes: int = 0) -> webhooks.DeliveryReport:
    return webhooks.deliver_due(now=utcnow() + timedelta(minutes=minutes, seconds=1))


def test_events_are_signed_and_carry_only_what_a_reviewer_may_see(app, db, make_user, allow_local):
    admin = make_user(Role.ADMIN)
    team = make_team(make_user)
    with Receiver() as receiver:
        _endpoint(receiver, admin)
        interview = book(team, [team.iv1, team.iv2])
        first, second = interview.scorecards
        fill_and_submit(first, note="MARKERNOTE first")
        assert db.session.scalar(sa.select(sa.func.count(WebhookEvent.id))) == 2
        assert receiver.attempts == 0  # written in the transaction, sent by the worker only
        report = _pass()
        assert (report.delivered, report.failed) == (2, 0)
        scheduled, submitted = receiver.got
        assert all(r.signature_ok for r in receiver.got)
        assert scheduled.event_type == "interview.scheduled"
        data = scheduled.body["data"]["interview"]
        assert data["id"] == interview.id and data["panel"] == sorted([team.iv1.id, team.iv2.id])
        assert submitted.event_type == "scorecard.submitted"
        card = submitted.body["data"]["scorecard"]
        assert card["id"] == first.id and card["interviewer_id"] == first.interviewer_id
        assert {r["value"] for r in card["ratings"]} == {3} and card["overall"] == 3
        raw = json.dumps([r.body for r in receiver.got], ensure_ascii=False)
        # No free text, no candidate name or contact data, no colleague's scorecard.
        for needle in ("MARKERNOTE", "陈静", "Chen Jing", CANDIDATE_EMAIL):
            assert needle not in raw
        assert all(r.body["data"].get("scorecard", {}).get("id") != second.id for r in receiver.got)
        assert submitted.body["id"] == submitted.event_id  # the id receivers deduplicate by
        assert _pass().delivered == 0  # delivered once


def test_a_failing_or_slow_receiver_is_retried_with_back_off(app, db, make_user, allow_local):
    admin = make_user(Role.ADMIN)
    team = make_team(make_user)
    with Receiver(plan=["500", "slow", "ok"], slow_s=2.5) as receiver:
        _endpoint(receiver, admin, ["interview.scheduled"])
        book(team, [team.iv1])
        assert _pass().failed == 1
        delivery = db.session.scalar(sa.select(WebhookDelivery))
        db.session.refresh(delivery)
        assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 1
        assert delivery.last_status == 500 and "HTTP 500" in delivery.last_error
        first_wait = delivery.next_attempt_at - delivery.last_attempt_at
        assert timedelta(seconds=20) < first_wait < timedelta(seconds=40)
        assert _pass().failed == 0 and receiver.attempts == 1  # not due yet: nothing sent
        assert _pass(minutes=1).failed == 1  # the slow answer times out (1 s)
        db.session.refresh(delivery)
        assert "did not answer within" in delivery.last_error and delivery.attempts == 2
        assert delivery.next_attempt_at - delivery.last_attempt_at > first_wait * 1.3
        assert _pass(minutes=5).delivered == 1
        db.session.refresh(delivery)
        assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 3
        assert len(receiver.got) == 1 and receiver.got[0].signature_ok


def test_a_disabled_endpoint_receives_nothing(app, db, make_user, allow_local):
    admin = make_user(Role.ADMIN)
    team = make_team(make_user)
    with Receiver() as receiver:
        endpoint = _endpoint(receiver, admin)
        interview = book(team, [team.iv1])  # queued while active
        webhooks.update_endpoint(endpoint, endpoint.url, "", list(endpoint.events), False, admin)
        db.session.commit()
        scheduling.cancel_interview(interview, team.hr)  # while disabled: not even queued
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count(WebhookDelivery.id))) == 1
        assert _pass().delivered == 0 and receiver.attempts == 0
        webhooks.update_endpoint(endpoint, endpoint.url, "", list(endpoint.events), True, admin)
        db.session.commit()
        assert _pass().delivered == 1  # the one queued before it was disabled


def test_a_leased_delivery_is_not_taken_by_a_second_worker(app, db, make_user, allow_local):
    admin = make_user(Role.ADMIN)
    team = make_team(make_user)
    with Receiver() as receiver:
        _endpoint(receiver, admin)
        book(team, [team.iv1])
        now = utcnow() + timedelta(seconds=1)
        first = outbox.claim(WebhookDelivery, DeliveryStatus.PENDING, now, 10)
        assert len(first) == 1
        assert outbox.claim(WebhookDelivery, DeliveryStatus.PENDING, now, 10) == []
        # A worker that died: once its lease is over, another one takes the delivery over,
        # and the dead one can no longer record an outcome.
        later = now + outbox.LEASE + timedelta(seconds=1)
        second = outbox.claim(WebhookDelivery, DeliveryStatus.PENDING, later, 10)
        assert [i for i, _t in second] == [i for i, _t in first]
        assert not outbox.finish(WebhookDelivery, first[0][0], first[0][1], last_error="late")
        assert outbox.finish(WebhookDelivery, second[0][0], second[0][1], last_error="")


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/hook",
        "javascript:alert(1)",
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.5/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://0.0.0.0/hook",
        "https://user:pw@example.com/hook",
        "https://",
        "",
        "https://exa mple.com/x",
    ],
)
def test_the_ssrf_guard_refuses(app, db, url):
    with app.test_request_context(), pytest.raises(DomainError) as caught:
        webhooks.check_url(url)
    assert caught.value.field == "url" and caught.value.message


def test_private_addresses_only_with_the_setting(app, db, monkeypatch):
    with app.test_request_context():
        assert webhooks.check_url("https://93.184.216.34/hook") == "https://93.184.216.34/hook"
        monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_PRIVATE", True)
        assert webhooks.check_url("http://127.0.0.1:9/hook") == "http://127.0.0.1:9/hook"


def test_an_erasure_is_announced_with_ids_only(app, db, make_user, allow_local):
    admin = make_user(Role.ADMIN)
    team = make_team(make_user)
    with Receiver() as receiver:
        _endpoint(receiver, admin, ["candidate.erased", "scorecard.submitted"])
        interview = book(team, [team.iv1])
        fill_and_submit(interview.scorecards[0], note="MARKERERASE")
        candidate = interview.application.candidate
        privacy.erase_candidate(candidate, "request", admin)
        db.session.commit()
        assert _pass().delivered == 2
        erased = next(r for r in receiver.got if r.event_type == "candidate.erased")
        assert erased.body["data"]["candidate"]["id"] == candidate.id
        assert erased.body["data"]["application_ids"] == [interview.application_id]
        stored = json.dumps(
            [e.payload for e in db.session.scalars(sa.select(WebhookEvent))], ensure_ascii=False
        )
        for needle in ("陈静", CANDIDATE_EMAIL, "MARKERERASE"):
            assert needle not in stored


def test_admin_creates_an_endpoint_and_resends_a_delivery(
    app, client, db, make_user, login_as, allow_local
):
    admin = make_user(Role.ADMIN)
    team = make_team(make_user)
    login_as(admin)
    bad = post(
        client,
        "/admin/webhooks",
        {"url": "ftp://x", "events": ["scorecard.submitted"]},
        page="/admin/webhooks",
    )
    assert bad.status_code == 400 and "starts with https://" in bad.get_data(as_text=True)
    none = post(
        client, "/admin/webhooks", {"url": "https://93.184.216.34/h"}, page="/admin/webhooks"
    )
    assert none.status_code == 400 and "Choose at least one event" in none.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(WebhookEndpoint.id))) == 0
    with Receiver(plan=["500"]) as receiver:
        made = post(
            client,
            "/admin/webhooks",
            {"url": receiver.url, "description": "ATS", "events": ["interview.scheduled"]},
            page="/admin/webhooks",
        )
        assert made.status_code == 201
        endpoint = db.session.scalar(sa.select(WebhookEndpoint))
        assert endpoint.secret in made.get_data(as_text=True)  # shown once, here
        assert endpoint.secret not in client.get(f"/admin/webhooks/{endpoint.id}").get_data(
            as_text=True
        )
        receiver.secret = endpoint.secret
        book(team, [team.iv1])
        assert _pass().failed == 1
        delivery = db.session.scalar(sa.select(WebhookDelivery))
        page = client.get(f"/admin/webhooks/{endpoint.id}").get_data(as_text=True)
        assert "HTTP 500" in page and delivery.event.uuid in page
        resent = post(
            client,
            f"/admin/webhooks/deliveries/{delivery.id}/resend",
            page=f"/admin/webhooks/{endpoint.id}",
            follow_redirects=True,
        )
        assert "queued to be sent again" in resent.get_data(as_text=True)
        assert _pass().delivered == 1  # due at once after the re-send
        db.session.refresh(delivery)
        assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 2
