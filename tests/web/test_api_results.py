"""Recommendations with reasons, decisions, calibration: the same engine and words as the pages."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from scorecard.extensions import db as _db
from scorecard.models import HireDecision, RoundDecision, utcnow
from scorecard.services.recommendations import JobScoring
from tests.web.api_support import make_api


@pytest.fixture
def api(client):
    return make_api(client)


def test_application_recommendation_matches_the_engine(api):
    own = api.world.scopes["own"]
    got = api.ok("manager", f"/applications/{own.application.id}/recommendation")
    score = JobScoring(own.job).score_applications([own.application.id])[own.application.id]
    result = score.result
    assert got["state"] == "scored"
    assert got["recommendation"] == result.recommendation
    assert got["score"] == (round(result.score, 4) if result.score is not None else None)
    assert got["coverage"] == round(result.coverage, 4)
    assert got["confidence"] == result.confidence and got["raters"] == result.raters
    # Both the machine strings and the plain words, for every reason.
    assert [r["text"] for r in got["reasons"]] == [r.text for r in result.reasons]
    assert [r["code"] for r in got["reasons"]] == [r.code for r in result.reasons]
    assert all(r["message"] and r["message"] != r["code"] for r in got["reasons"])
    assert got["recommendation_label"]
    assert {r["round_key"] for r in got["rounds"]} == set(result.rounds)
    crit = next(c for c in got["criteria"] if c["score"] is not None)
    assert crit["criterion_id"] and crit["name"] and ":" in crit["key"]


def test_round_recommendation_and_flags(api):
    own = api.world.scopes["own"]
    rnd = own.interview.round
    got = api.ok("hr", f"/applications/{own.application.id}/rounds/{rnd.id}/recommendation")
    assert got["state"] == "scored" and got["round_id"] == rnd.id and got["rounds"] == []
    assert {c["round_key"] for c in got["criteria"]} == {rnd.key}
    for flag in got["flags"]:
        assert flag["message"] and flag["round_key"] == rnd.key
    # A round nobody has scored yet.
    other_round = next(r for r in own.job.rounds if r.id != rnd.id)
    path = f"/applications/{own.application.id}/rounds/{other_round.id}/recommendation"
    empty = api.ok("hr", path)
    assert empty["state"] == "unscored" and empty["recommendation"] is None


def test_job_recommendations_page(api):
    own = api.world.scopes["own"]
    page = api.ok("admin", f"/jobs/{own.job.id}/recommendations?per_page=1")
    assert page["total"] == 1 and page["items"][0]["application_id"] == own.application.id


def test_decisions_flow_and_updated_since(api):
    own = api.world.scopes["own"]
    app_id, rnd = own.application.id, own.interview.round
    # The world's decision (and application) date from an hour ago; `since` is now.
    hour_ago = utcnow() - timedelta(hours=1)
    own.round_decision.decided_at = hour_ago
    own.application.created_at = hour_ago
    _db.session.commit()
    since = utcnow().isoformat()
    listed = api.ok("manager", f"/applications/{app_id}/decisions")
    assert listed["total"] == 1 and listed["items"][0]["decision"] == "advance"
    assert listed["items"][0]["rationale"] == own.round_decision.rationale
    # A revision of the round decision needs a new rationale and is a new entry.
    path = f"/applications/{app_id}/rounds/{rnd.id}/decision"
    held = api.call("manager", "POST", path, json={"decision": "hold", "rationale": "Wait."})
    assert held.status_code == 201, held.get_json()
    assert held.get_json()["decision"] == "hold" and held.get_json()["round_id"] == rnd.id
    assert api.ok("manager", f"/applications/{app_id}")["status"] == "on_hold"
    history = api.ok("hr", f"/jobs/{own.job.id}/decisions")["items"]
    assert [d["decision"] for d in history] == ["advance", "hold"]
    recent = api.ok("hr", f"/jobs/{own.job.id}/decisions?updated_since={since}")
    assert [d["decision"] for d in recent["items"]] == ["hold"]
    changed = api.ok("hr", f"/jobs/{own.job.id}/applications?updated_since={since}")
    assert [a["id"] for a in changed["items"]] == [app_id]


def test_scorecards_updated_since(api):
    own = api.world.scopes["own"]
    card = own.draft_card
    later = utcnow() + timedelta(hours=1)
    assert (
        api.ok("interviewer_panel", f"/scorecards?updated_since={later.isoformat()}Z")["total"] == 0
    )
    card.updated_at = later + timedelta(minutes=1)
    _db.session.commit()
    found = api.ok("interviewer_panel", f"/scorecards?updated_since={later.isoformat()}%2B00:00")
    assert [c["id"] for c in found["items"]] == [card.id]


def test_calibration_follows_the_page_rules(api):
    own = api.world.scopes["own"]
    got = api.ok("manager", f"/jobs/{own.job.id}/calibration")
    assert got["job_id"] == own.job.id and got["use_calibrated"] is False
    overall = got["overall"]
    # Two interviewers on one candidate: far below 20, so no ICC or alpha is shown.
    assert overall["sufficient"] is False and overall["candidates"] <= 1
    assert overall["icc1"] is None and overall["icck"] is None
    assert all(a["alpha"] is None for a in overall["alpha"])
    # Fewer than 15 candidates rated: no adjustment shown yet.
    assert all(entry["adjustment"] is None for entry in overall["leniency"])
    assert {r["round_key"] for r in got["rounds"]} == {r.key for r in own.job.rounds}


def test_decision_pages_follow_one_order_across_both_kinds(api):
    """Paged in SQL: round and hire decisions in one order (time, round before hire, id)."""
    own = api.world.scopes["own"]
    app_row, rnd, manager = own.application, own.interview.round, api.world.users["manager"]
    moment = utcnow() - timedelta(days=1)
    for minutes, kind in ((2, "hire"), (0, "round"), (2, "round"), (1, "hire"), (2, "hire")):
        common = {
            "application_id": app_row.id,
            "rationale": f"{kind} {minutes}",
            "decided_by_id": manager.id,
            "decided_at": moment + timedelta(minutes=minutes),
        }
        if kind == "round":
            _db.session.add(RoundDecision(round_id=rnd.id, decision="advance", **common))
        else:
            _db.session.add(HireDecision(decision="hire", **common))
    _db.session.commit()
    rows = list(_db.session.scalars(sa.select(RoundDecision))) + list(
        _db.session.scalars(sa.select(HireDecision))
    )
    rows = [r for r in rows if r.application_id == app_row.id]
    rows.sort(key=lambda r: (r.decided_at, isinstance(r, HireDecision), r.id))
    expected = [("hire" if isinstance(r, HireDecision) else "round", r.id) for r in rows]
    path = f"/applications/{app_row.id}/decisions"
    whole = api.ok("manager", path)
    assert [(d["kind"], d["id"]) for d in whole["items"]] == expected
    for per_page in (1, 2, 4):
        seen = []
        for page in range(1, len(expected) // per_page + 3):
            got = api.ok("manager", f"{path}?per_page={per_page}&page={page}")
            assert got["total"] == len(expected)
            seen += [(d["kind"], d["id"]) for d in got["items"]]
        assert seen == expected, per_page
