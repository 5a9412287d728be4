"""Every API endpoint × every role × {own job, other job}: who gets an answer, what it holds.

The expectations are written out here, independently of scorecard/access.py (which the
permission matrix checks): a role either gets 200 with only what it may see, or a 404.
"""

import pytest

from tests.web.api_support import assert_error, make_api


@pytest.fixture
def api(client):
    return make_api(client)


ACTORS = (
    "admin",
    "hr",
    "manager",
    "interviewer_panel",
    "interviewer_off_panel",
    "interviewer_submitted",
)
EVERYONE = set(ACTORS)
TEAM = EVERYONE
PANEL_OR_STAFF = EVERYONE - {"interviewer_off_panel"}
REVIEWERS = {"admin", "hr", "manager"}
OWNER = {"interviewer_panel"}
# The submitted card of the other panel member: its author, and the job's leads (not on the
# panel); the panel member with a draft is blind, the team interviewer off the panel too.
PEER_CARD = {"admin", "hr", "manager", "interviewer_submitted"}

GETS = [
    ("/me", EVERYONE, EVERYONE),
    ("/jobs", EVERYONE, EVERYONE),
    ("/scorecards", EVERYONE, EVERYONE),
    ("/jobs/{job}", TEAM, {"admin"}),
    ("/jobs/{job}/applications", TEAM, {"admin"}),
    ("/jobs/{job}/interviews", TEAM, {"admin"}),
    ("/applications/{app}", PANEL_OR_STAFF, {"admin"}),
    ("/candidates/{cand}", PANEL_OR_STAFF, {"admin"}),
    ("/interviews/{iv}", PANEL_OR_STAFF, {"admin"}),
    ("/interviews/{iv}/scorecards", PANEL_OR_STAFF, {"admin"}),
    ("/applications/{app}/scorecards", PANEL_OR_STAFF, {"admin"}),
    ("/applications/{app}/scorecards?format=harvest", PANEL_OR_STAFF, {"admin"}),
    ("/scorecards/{draft}", OWNER, set()),
    ("/scorecards/{peer}", PEER_CARD, {"admin"}),
    ("/applications/{app}/recommendation", REVIEWERS, {"admin"}),
    ("/applications/{app}/rounds/{round}/recommendation", REVIEWERS, {"admin"}),
    ("/jobs/{job}/recommendations", REVIEWERS, {"admin"}),
    ("/applications/{app}/decisions", REVIEWERS, {"admin"}),
    ("/jobs/{job}/decisions", REVIEWERS, {"admin"}),
    ("/jobs/{job}/calibration", REVIEWERS, {"admin"}),
]


def _path(template: str, world, scope: str) -> str:
    s = world.scopes[scope]
    return template.format(
        job=s.job.id,
        app=s.application.id,
        cand=s.candidate.id,
        iv=s.interview.id,
        round=s.interview.round_id,
        draft=s.draft_card.id,
        peer=s.submitted_card.id,
    )


@pytest.mark.parametrize(("template", "own", "other"), GETS, ids=[g[0] for g in GETS])
def test_get_endpoint_by_role(api, template, own, other):
    for scope, allowed in (("own", own), ("other", other)):
        path = _path(template, api.world, scope)
        for actor in ACTORS:
            response = api.get(actor, path)
            if actor in allowed:
                assert response.status_code == 200, (actor, path, response.get_json())
            else:
                assert_error(response, 404, "not_found")
        assert_error(api.get(None, path), 401, "unauthorized")


def test_lists_hold_only_what_each_role_may_see(api):
    own, other = api.world.scopes["own"], api.world.scopes["other"]
    assert api.ok("admin", "/jobs")["total"] == 2
    for actor in ACTORS[1:]:
        jobs = api.ok(actor, "/jobs")
        assert [j["id"] for j in jobs["items"]] == [own.job.id]
    # Applications and interviews: an interviewer sees only the candidates they interview.
    path = f"/jobs/{own.job.id}/applications"
    assert api.ok("interviewer_off_panel", path)["total"] == 0
    assert api.ok("interviewer_panel", path)["total"] == 1
    assert api.ok("hr", path)["total"] == 1
    assert api.ok("interviewer_off_panel", f"/jobs/{own.job.id}/interviews")["total"] == 0
    assert api.ok("interviewer_panel", f"/jobs/{own.job.id}/interviews")["total"] == 1
    # Scorecards: one's own, and submitted ones only where the blind rule allows.
    ids = {a: {c["id"] for c in api.ok(a, "/scorecards")["items"]} for a in ACTORS}
    assert ids["interviewer_panel"] == {own.draft_card.id}
    assert ids["interviewer_submitted"] == {own.submitted_card.id}
    assert ids["interviewer_off_panel"] == set()
    assert ids["hr"] == ids["manager"] == {own.submitted_card.id}
    assert ids["admin"] == {own.submitted_card.id, other.submitted_card.id}
    mine = api.ok("interviewer_submitted", "/scorecards?mine=true")["items"]
    assert [c["id"] for c in mine] == [own.submitted_card.id]


def test_interviewers_see_no_contact_details(api):
    own = api.world.scopes["own"]
    for actor in ("interviewer_panel", "interviewer_submitted"):
        cand = api.ok(actor, f"/applications/{own.application.id}")["candidate"]
        assert cand["email"] is None and cand["phone"] is None and cand["source"] is None
        assert cand["name"] == own.candidate.name and cand["note"] == own.candidate.note
        assert own.candidate.email not in api.get(actor, f"/candidates/{own.candidate.id}").text
    staff = api.ok("hr", f"/applications/{own.application.id}")["candidate"]
    assert staff["email"] == own.candidate.email and staff["phone"] == own.candidate.phone


def test_only_the_owner_sees_lock_version_and_fields(api):
    own = api.world.scopes["own"]
    mine = api.ok("interviewer_submitted", f"/scorecards/{own.submitted_card.id}")
    assert mine["lock_version"] >= 1 and mine["fields"]["overall"] == 4
    theirs = api.ok("hr", f"/scorecards/{own.submitted_card.id}")
    assert theirs["lock_version"] is None and theirs["fields"] is None
    assert theirs["overall"] == 4 and theirs["takeaways"] == mine["takeaways"]


WRITES = [
    ("PATCH", "/scorecards/{draft}", OWNER),
    ("POST", "/scorecards/{draft}/submit", OWNER),
    ("POST", "/scorecards/{draft}/edit", OWNER),
    ("POST", "/applications/{app}/rounds/{round}/decision", REVIEWERS),
    ("POST", "/applications/{app}/hire-decision", REVIEWERS),
]


@pytest.mark.parametrize(("method", "template", "allowed"), WRITES, ids=[w[1] for w in WRITES])
def test_write_endpoint_by_role(api, method, template, allowed):
    """With an empty body: the caller who may write gets the body refused (422), others 404."""
    for scope in ("own", "other"):
        path = _path(template, api.world, scope)
        for actor in ACTORS:
            response = api.call(actor, method, path, json={})
            if scope == "own" and actor in allowed or (scope == "other" and actor == "admin"):
                if template.startswith("/scorecards") and actor == "admin":
                    assert_error(response, 404, "not_found")  # not the admin's own scorecard
                else:
                    assert_error(response, 422, "invalid")
            else:
                assert_error(response, 404, "not_found")
        assert_error(api.call(None, method, path, json={}), 401, "unauthorized")


def test_decisions_are_recorded_only_for_the_hiring_manager(api):
    own = api.world.scopes["own"]
    path = f"/applications/{own.application.id}/hire-decision"
    body = {"decision": "hire", "rationale": "Strong on every round."}
    refused = assert_error(api.call("hr", "POST", path, json=body), 422, field="decision")
    assert "hiring manager" in refused["message"]
    assert api.ok("hr", f"/applications/{own.application.id}/decisions")["total"] == 1
    created = api.call("manager", "POST", path, json=body)
    assert created.status_code == 201, created.get_json()
    row = created.get_json()
    assert row["kind"] == "hire" and row["decision"] == "hire"
    assert row["decided_by"]["id"] == api.world.users["manager"].id
    listed = api.ok("hr", f"/applications/{own.application.id}/decisions")
    assert [d["kind"] for d in listed["items"]] == ["round", "hire"]
    assert api.ok("hr", f"/applications/{own.application.id}")["status"] == "hired"
