"""Filling, submitting and editing one's own scorecard through the API: the kit's rules."""

import pytest
import sqlalchemy as sa

from scorecard.extensions import db as _db
from scorecard.models import AuditEvent, Rating, Scorecard, ScorecardSubmission
from tests.conftest import count_rows
from tests.web.api_support import assert_error, make_api


@pytest.fixture
def api(client):
    return make_api(client)


ME = "interviewer_panel"


def _card(api):
    return api.world.scopes["own"].draft_card


def _state(api) -> dict:
    return api.ok(ME, f"/scorecards/{_card(api).id}")


def _crit_ids(api) -> list[int]:
    return [c.id for c in _card(api).version.criteria]


def test_autosave_then_conflict_on_a_stale_version(api):
    card = _card(api)
    first = _crit_ids(api)[0]
    before = _state(api)
    lock = before["lock_version"]
    saved = api.call(
        ME,
        "PATCH",
        f"/scorecards/{card.id}",
        json={"lock_version": lock, "changes": {f"rating.{first}.value": 2, "takeaways": "ok"}},
    )
    assert saved.status_code == 200, saved.get_json()
    assert saved.get_json()["lock_version"] == lock + 1
    after = _state(api)
    assert after["fields"][f"rating.{first}.value"] == 2 and after["takeaways"] == "ok"
    rating = next(r for r in after["ratings"] if r["criterion_id"] == first)
    assert rating["value"] == 2
    # The same (now stale) version again: a 409 with the current state, nothing written.
    stale = api.call(
        ME,
        "PATCH",
        f"/scorecards/{card.id}",
        json={"lock_version": lock, "changes": {f"rating.{first}.value": 4}},
    )
    error = assert_error(stale, 409, "conflict")
    assert error["state"]["lock_version"] == lock + 1
    assert error["state"]["fields"][f"rating.{first}.value"] == 2
    assert _state(api)["fields"][f"rating.{first}.value"] == 2


def test_submit_once_with_a_key_then_locked(api):
    card = _card(api)
    lock = _state(api)["lock_version"]
    body = {"submission_key": "api-key-0001", "lock_version": lock}
    first = api.call(ME, "POST", f"/scorecards/{card.id}/submit", json=body)
    assert first.status_code == 200, first.get_json()
    answer = first.get_json()
    assert answer["submission"]["submission_key"] == "api-key-0001"
    assert answer["scorecard"]["status"] == "submitted"
    # A retry (same key, even a stale version) answers the same submission.
    again = api.call(ME, "POST", f"/scorecards/{card.id}/submit", json=body)
    assert again.status_code == 200
    assert again.get_json()["submission"]["id"] == answer["submission"]["id"]
    assert count_rows(ScorecardSubmission) == 3  # two from the world, one here
    # Autosave is over; an edit needs a reason.
    locked = api.call(
        ME,
        "PATCH",
        f"/scorecards/{card.id}",
        json={"lock_version": answer["scorecard"]["lock_version"], "changes": {"overall": 2}},
    )
    assert_error(locked, 409, "submitted")


def test_incomplete_submission_lists_every_problem(api):
    card = _card(api)
    crits = _card(api).version.criteria
    must = next(c for c in crits if c.must_have)
    lock = _state(api)["lock_version"]
    cleared = api.call(
        ME,
        "PATCH",
        f"/scorecards/{card.id}",
        json={
            "lock_version": lock,
            "changes": {f"rating.{must.id}.value": None, "overall": None},
        },
    )
    assert cleared.status_code == 200
    response = api.call(
        ME, "POST", f"/scorecards/{card.id}/submit", json={"submission_key": "api-key-0002"}
    )
    error = assert_error(response, 422, "incomplete")
    fields = {p["field"] for p in error["problems"]}
    assert {f"rating.{must.id}.value", "overall"} <= fields
    assert _state(api)["status"] == "draft"


def test_edit_after_submitting_needs_a_reason_and_is_audited(api):
    own = api.world.scopes["own"]
    peer = own.submitted_card
    actor = "interviewer_submitted"
    state = api.ok(actor, f"/scorecards/{peer.id}")
    crit = peer.version.criteria[1]
    url = f"/scorecards/{peer.id}/edit"
    change = {f"rating.{crit.id}.value": 3}
    no_reason = api.call(
        actor, "POST", url, json={"lock_version": state["lock_version"], "changes": change}
    )
    assert_error(no_reason, 422, "invalid", "reason")
    blank = api.call(
        actor,
        "POST",
        url,
        json={"lock_version": state["lock_version"], "changes": change, "reason": "  "},
    )
    assert_error(blank, 422, field="reason")
    done = api.call(
        actor,
        "POST",
        url,
        json={"lock_version": state["lock_version"], "changes": change, "reason": "Misclicked"},
    )
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["changed"] == [f"rating.{crit.id}.value"]
    assert done.get_json()["scorecard"]["edited_at"] is not None
    event = _db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "scorecard.edit"))
    assert event.before == {"fields": {f"rating.{crit.id}.value": 4}}
    assert event.after["reason"] == "Misclicked"
    # A draft cannot be "edited": it autosaves.
    draft = _card(api)
    lock = _state(api)["lock_version"]
    response = api.call(
        ME,
        "POST",
        f"/scorecards/{draft.id}/edit",
        json={"lock_version": lock, "changes": {"overall": 2}, "reason": "x"},
    )
    assert_error(response, 409, "draft")


def test_invalid_changes_store_nothing(api):
    card = _card(api)
    other = api.world.scopes["other"]
    foreign = other.draft_card.version.criteria[0].id
    own_crit = _crit_ids(api)[0]
    lock = _state(api)["lock_version"]
    before = _db.session.execute(
        sa.select(Rating.criterion_id, Rating.value, Rating.note).where(
            Rating.scorecard_id == card.id
        )
    ).all()
    cases = [
        ({f"rating.{own_crit}.value": 5}, f"rating.{own_crit}.value", "invalid"),
        ({f"rating.{own_crit}.value": "3"}, f"rating.{own_crit}.value", "invalid"),
        ({f"rating.{own_crit}.note": "x" * 5001}, f"rating.{own_crit}.note", "invalid"),
        ({f"rating.{own_crit}.note": "bad\x00byte"}, f"rating.{own_crit}.note", "invalid"),
        # A criterion of another job's scorecard: not part of this one.
        ({f"rating.{foreign}.value": 3}, f"rating.{foreign}.value", "invalid"),
        (
            {"rating.99999999999999999999.value": 3},
            "changes.rating.99999999999999999999.value",
            None,
        ),
        ({"flag.1": "yes"}, None, None),
    ]
    for changes, field, code in cases:
        ok_change = {f"rating.{own_crit}.value": 1, **changes}
        response = api.call(
            ME,
            "PATCH",
            f"/scorecards/{card.id}",
            json={"lock_version": lock, "changes": ok_change},
        )
        error = assert_error(response, 422, code)
        if field is not None:
            assert error["field"] == field, error
    after = _db.session.execute(
        sa.select(Rating.criterion_id, Rating.value, Rating.note).where(
            Rating.scorecard_id == card.id
        )
    ).all()
    assert sorted(after) == sorted(before)
    _db.session.expire_all()
    assert _db.session.get(Scorecard, card.id).lock_version == lock


def test_nobody_writes_another_interviewers_scorecard(api):
    peer = api.world.scopes["own"].submitted_card
    for actor in ("interviewer_panel", "admin", "manager", "hr"):
        response = api.call(
            actor,
            "PATCH",
            f"/scorecards/{peer.id}",
            json={"lock_version": 1, "changes": {"overall": 1}},
        )
        assert_error(response, 404, "not_found")
    _db.session.expire_all()
    assert _db.session.get(Scorecard, peer.id).overall == 4
