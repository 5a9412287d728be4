"""Editing a scored round creates a new version; scorecards keep the version they were scored on."""

import uuid
from datetime import timedelta

import sqlalchemy as sa

from scorecard.models import (
    Application,
    AuditEvent,
    Candidate,
    Criterion,
    RedFlag,
    Scorecard,
    ScorecardVersion,
    utcnow,
)
from scorecard.services import scheduling
from scorecard.services import scorecards as card_service
from tests.web.setup_support import criterion_data, make_team, post


def _world(db, make_user):
    team = make_team(make_user)
    job = team.job
    rnd = job.rounds[1]  # technical
    apps = []
    for name in ("甲", "乙"):
        cand = Candidate(name=name, email=f"{uuid.uuid4().hex[:8]}@example.com")
        apps.append(Application(candidate=cand, job=job))
        db.session.add_all([cand, apps[-1]])
    db.session.flush()
    past = utcnow() - timedelta(days=1)
    iv_a = scheduling.schedule_interview(apps[0], rnd, past, [team.iv1, team.iv2], team.hr)
    iv_b = scheduling.schedule_interview(apps[1], rnd, past, [team.iv1], team.hr)
    submitted = next(c for c in iv_a.scorecards if c.interviewer_id == team.iv1.id)
    untouched = next(c for c in iv_a.scorecards if c.interviewer_id == team.iv2.id)
    started = iv_b.scorecards[0]
    for crit in submitted.version.criteria:
        card_service.set_rating(submitted, crit.id, 3, "")
    submitted.overall = 3
    submitted.red_flags = [job.red_flags[0]]
    db.session.flush()
    db.session.refresh(submitted)
    card_service.submit(submitted, uuid.uuid4().hex, team.iv1)
    card_service.set_rating(started, started.version.criteria[0].id, 2, "")
    db.session.commit()
    return team, rnd, submitted, untouched, started, iv_a


def test_editing_a_scored_round_creates_a_new_version(client, db, make_user, login_as):
    team, rnd, submitted, untouched, started, iv_a = _world(db, make_user)
    v1 = rnd.current_version
    crit = next(c for c in v1.criteria if c.key == "database")
    old_weight, old_anchor = crit.weight, crit.anchor4_en
    login_as(team.hr)
    page = client.get(f"/setup/rounds/{rnd.id}").get_data(as_text=True)
    assert "Your next change creates version 2" in page
    data = criterion_data(
        dimension="technical",
        key="database",
        name_zh=crit.name_zh,
        name_en=crit.name_en,
        weight="4",
        anchor4_en="Designed and drilled a backup policy across three hospitals",
    )
    assert post(client, f"/setup/criteria/{crit.id}", data).status_code == 302

    db.session.expire_all()
    versions = db.session.scalars(
        sa.select(ScorecardVersion)
        .where(ScorecardVersion.round_id == rnd.id)
        .order_by(ScorecardVersion.number)
    ).all()
    assert [v.number for v in versions] == [1, 2]
    v1, v2 = versions
    old = next(c for c in v1.criteria if c.key == "database")
    new = next(c for c in v2.criteria if c.key == "database")
    assert (old.weight, old.anchor4_en) == (old_weight, old_anchor)
    assert (new.weight, new.anchor4_en) == (4.0, data["anchor4_en"])
    assert [c.key for c in v1.criteria] == [c.key for c in v2.criteria]
    assert {c.id for c in v1.criteria}.isdisjoint({c.id for c in v2.criteria})
    # Questions were copied, pointing at the new version's criteria.
    for q in v2.questions:
        assert q.criterion is None or q.criterion.version_id == v2.id
    # Started and submitted scorecards keep version 1; the untouched one moved on.
    assert db.session.get(Scorecard, submitted.id).version_id == v1.id
    assert db.session.get(Scorecard, started.id).version_id == v1.id
    assert db.session.get(Scorecard, untouched.id).version_id == v2.id
    # The old scorecards still show the old criteria.
    old_page = client.get(f"/setup/versions/{v1.id}").get_data(as_text=True)
    assert old_anchor in old_page and data["anchor4_en"] not in old_page
    assert "An earlier version" in old_page
    new_page = client.get(f"/setup/versions/{v2.id}").get_data(as_text=True)
    assert data["anchor4_en"] in new_page
    listing = client.get(f"/setup/jobs/{team.job.id}/interviews").get_data(as_text=True)
    assert f'href="/setup/versions/{v1.id}">version 1<' in listing
    assert f'href="/setup/versions/{v2.id}">version 2<' in listing
    # The team (a manager, read-only) can open the old version.
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "round.version_create")
    )
    assert event.after["moved_to_new_version"] == [untouched.id]
    assert sorted(event.after["kept_on_old_version"]) == sorted([submitted.id, started.id])

    # Version 2 has no rating yet: a second edit changes it in place.
    assert post(client, f"/setup/criteria/{new.id}", {**data, "weight": "3"}).status_code == 302
    db.session.expire_all()
    assert (
        db.session.scalar(
            sa.select(sa.func.count(ScorecardVersion.id)).where(ScorecardVersion.round_id == rnd.id)
        )
        == 2
    )
    # The old version's criterion can no longer be edited: its page shows the version.
    response = client.get(f"/setup/criteria/{old.id}")
    assert response.status_code == 302 and f"/setup/versions/{v1.id}" in response.location


def test_deleting_a_scored_criterion_keeps_it_for_old_scorecards(client, db, make_user, login_as):
    team, rnd, submitted, _untouched, _started, _iv = _world(db, make_user)
    crit = rnd.current_version.criteria[-1]
    key = crit.key
    login_as(team.hr)
    post(client, f"/setup/criteria/{crit.id}/delete", {"confirm": key})
    db.session.expire_all()
    v1, v2 = rnd.versions
    assert key in [c.key for c in v1.criteria]
    assert key not in [c.key for c in v2.criteria]
    # Every rating of the submitted scorecard still points at an existing criterion.
    card = db.session.get(Scorecard, submitted.id)
    assert {r.criterion_id for r in card.ratings} <= {c.id for c in v1.criteria}
    assert db.session.get(Criterion, crit.id) is not None


def test_nothing_a_submitted_scorecard_refers_to_can_be_deleted(client, db, make_user, login_as):
    team, rnd, _submitted, _u, _s, _iv = _world(db, make_user)
    flag = team.job.red_flags[0]
    login_as(team.hr)
    response = post(
        client, f"/setup/red-flags/{flag.id}/delete", {"confirm": flag.key}, follow_redirects=True
    )
    assert "Scorecards have ticked this red flag" in response.get_data(as_text=True)
    response = post(
        client, f"/setup/rounds/{rnd.id}/delete", {"confirm": rnd.key}, follow_redirects=True
    )
    assert "This round has interviews" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(RedFlag, flag.id) is not None
    assert rnd.key in [r.key for r in team.job.rounds]
