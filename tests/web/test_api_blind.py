"""R2 through the API: blind until submitted, in every answer, list, export and error.

The submitted colleague's texts carry marker strings (tests/web/trust_world.py); a panel
member with a draft must not meet a single one, nor the colleague's scorecard at all.
"""

import json

import pytest

from scorecard.extensions import db as _db
from scorecard.models import Scorecard
from tests.web.api_support import assert_error, make_api
from tests.web.trust_world import marker


@pytest.fixture
def api(client):
    return make_api(client)


CONTENT_MARKERS = ("note", "takeaway", "situation", "task", "action", "result")
BLIND_ACTOR = "interviewer_panel"


def _every_get(world, scope: str = "own") -> list[str]:
    s = world.scopes[scope]
    app_id, iv, rnd = s.application.id, s.interview.id, s.interview.round_id
    return [
        "/me",
        "/jobs",
        f"/jobs/{s.job.id}",
        f"/jobs/{s.job.id}/applications",
        f"/jobs/{s.job.id}/interviews",
        f"/applications/{app_id}",
        f"/candidates/{s.candidate.id}",
        f"/interviews/{iv}",
        f"/interviews/{iv}/scorecards",
        "/scorecards",
        f"/scorecards?job_id={s.job.id}&status=submitted",
        f"/scorecards/{s.draft_card.id}",
        f"/scorecards/{s.submitted_card.id}",
        f"/applications/{app_id}/scorecards",
        f"/applications/{app_id}/scorecards?format=harvest",
        f"/applications/{app_id}/recommendation",
        f"/applications/{app_id}/rounds/{rnd}/recommendation",
        f"/jobs/{s.job.id}/recommendations",
        f"/applications/{app_id}/decisions",
        f"/jobs/{s.job.id}/decisions",
        f"/jobs/{s.job.id}/calibration",
    ]


def _leaks(api, actor: str, scope: str = "own") -> list[str]:
    """Every (path, marker) where another interviewer's content shows up for `actor`."""
    peer_id = api.world.scopes[scope].submitted_card.interviewer_id
    found = []
    for path in _every_get(api.world, scope):
        text = api.get(actor, path).get_data(as_text=True)
        for kind in CONTENT_MARKERS:
            if marker(kind, scope) in text:
                found.append(f"{path}: {kind}")
        body = json.loads(text)
        cards = body if isinstance(body, list) else body.get("items", [body])
        for card in cards if isinstance(cards, list) else []:
            if not isinstance(card, dict):
                continue
            author = card.get("interviewer") or card.get("submitted_by") or {}
            if isinstance(author, dict) and author.get("id") == peer_id:
                found.append(f"{path}: the colleague's scorecard")
    return found


def test_blind_interviewer_sees_nothing_of_colleagues_until_submitting(api):
    own = api.world.scopes["own"]
    assert _leaks(api, BLIND_ACTOR) == []
    assert_error(api.get(BLIND_ACTOR, f"/scorecards/{own.submitted_card.id}"), 404, "not_found")
    harvest = api.ok(BLIND_ACTOR, f"/applications/{own.application.id}/scorecards?format=harvest")
    assert harvest == []
    # Submitting one's own opens the colleague's submitted scorecard, and only then.
    card = own.draft_card
    lock = api.ok(BLIND_ACTOR, f"/scorecards/{card.id}")["lock_version"]
    submitted = api.call(
        BLIND_ACTOR,
        "POST",
        f"/scorecards/{card.id}/submit",
        json={"submission_key": "blind-test-01", "lock_version": lock},
    )
    assert submitted.status_code == 200, submitted.get_json()
    leaks = _leaks(api, BLIND_ACTOR)
    assert any("takeaway" in leak for leak in leaks)
    shown = api.ok(BLIND_ACTOR, f"/interviews/{own.interview.id}/scorecards")["items"]
    assert {c["interviewer"]["id"] for c in shown} == {
        api.world.users[BLIND_ACTOR].id,
        own.submitted_card.interviewer_id,
    }
    export = api.ok(BLIND_ACTOR, f"/applications/{own.application.id}/scorecards?format=harvest")
    assert len(export) == 2


def test_interviewer_off_the_panel_and_other_jobs_see_nothing(api):
    assert _leaks(api, "interviewer_off_panel") == []
    for actor in ("hr", "manager", "interviewer_panel", "interviewer_submitted"):
        assert _leaks(api, actor, "other") == []


def test_hidden_until_the_debrief(client, db):
    """A job that hides scorecards until the round's decision: submitted panel members too."""
    api = make_api(client, decisions=False)
    own = api.world.scopes["own"]
    own.job.hide_until_debrief = True
    db.session.commit()
    card = own.draft_card
    lock = api.ok(BLIND_ACTOR, f"/scorecards/{card.id}")["lock_version"]
    body = {"submission_key": "debrief-test-1", "lock_version": lock}
    assert (
        api.call(BLIND_ACTOR, "POST", f"/scorecards/{card.id}/submit", json=body).status_code == 200
    )
    assert _leaks(api, BLIND_ACTOR) == []
    # The hiring manager sees everything (and records the debrief's decision).
    assert any("takeaway" in leak for leak in _leaks(api, "manager"))
    decided = api.call(
        "manager",
        "POST",
        f"/applications/{own.application.id}/rounds/{own.interview.round_id}/decision",
        json={"decision": "advance", "rationale": "Debrief held."},
    )
    assert decided.status_code == 201, decided.get_json()
    assert any("takeaway" in leak for leak in _leaks(api, BLIND_ACTOR))


def test_reviewer_on_the_panel_is_blind_to_aggregates_until_submitting(api):
    """HR on the job's team who also interviews this candidate: no score, no flags, no
    colleague's scorecard, and decisions without the engine's recommendation."""
    own = api.world.scopes["own"]
    hr = api.world.users["hr"]
    _db.session.add(
        Scorecard(interview=own.interview, interviewer=hr, version=own.draft_card.version)
    )
    _db.session.commit()
    app_id = own.application.id
    assert api.ok("hr", f"/applications/{app_id}/recommendation")["state"] == "blind"
    path = f"/applications/{app_id}/rounds/{own.interview.round_id}/recommendation"
    blind = api.ok("hr", path)
    assert blind["state"] == "blind" and blind["score"] is None and blind["reasons"] == []
    listed = api.ok("hr", f"/jobs/{own.job.id}/recommendations")["items"]
    assert [r["state"] for r in listed] == ["blind"]
    assert all(
        d["recommendation"] is None for d in api.ok("hr", f"/jobs/{own.job.id}/decisions")["items"]
    )
    assert _leaks(api, "hr") == []
    # The manager, not on the panel, sees the scored recommendation.
    assert api.ok("manager", f"/applications/{app_id}/recommendation")["state"] == "scored"
