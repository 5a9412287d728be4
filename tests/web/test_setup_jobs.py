"""Job setup by HR: create (template, copy, blank), team, rounds, criteria, questions, red flags."""

import pytest
import sqlalchemy as sa

from scorecard.models import (
    AuditEvent,
    Criterion,
    Job,
    JobMember,
    JobRole,
    Role,
    Round,
    ScorecardVersion,
)
from scorecard.services.policy import POLICY_FIELDS
from tests.web.setup_support import audit_actions, criterion_data, make_team, post


@pytest.fixture
def team(db, make_user):
    return make_team(make_user)


def _jobs(db):
    return db.session.scalars(sa.select(Job).order_by(Job.id)).all()


def test_hr_creates_a_job_from_the_default_template(client, db, make_user, login_as):
    hr = make_user(Role.HR)
    login_as(hr)
    response = post(client, "/setup/jobs/new/template")
    assert response.status_code == 302
    (job,) = _jobs(db)
    assert job.title_en == "Medical Software Implementation Engineer"
    assert [r.key for r in job.rounds] == ["hr_screen", "technical", "executive"]
    assert len(job.red_flags) == 5
    assert [(m.user_id, m.job_role) for m in job.members] == [(hr.id, JobRole.RECRUITER)]
    assert response.headers["Location"].endswith(f"/setup/jobs/{job.id}")
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "job.create"))
    assert event.actor_id == hr.id and event.after["from"] == "template"
    assert "Medical Software" in client.get(f"/setup/jobs/{job.id}").get_data(as_text=True)


def test_copy_a_job_with_or_without_its_team(client, db, team, login_as):
    login_as(team.hr)
    source = team.job
    response = post(
        client,
        "/setup/jobs/new/copy",
        {"copy-source_id": source.id, "copy-title_en": "Copy A", "copy-with_team": "y"},
    )
    assert response.status_code == 302
    copy = _jobs(db)[-1]
    assert copy.title_en == "Copy A" and copy.id != source.id
    assert [r.key for r in copy.rounds] == [r.key for r in source.rounds]
    old = source.rounds[1].current_version
    new = copy.rounds[1].current_version
    assert [(c.key, c.weight, c.anchor4_en) for c in new.criteria] == [
        (c.key, c.weight, c.anchor4_en) for c in old.criteria
    ]
    assert [q.criterion.key if q.criterion else None for q in new.questions] == [
        q.criterion.key if q.criterion else None for q in old.questions
    ]
    assert {c.id for c in new.criteria}.isdisjoint({c.id for c in old.criteria})
    assert {(m.user_id, m.job_role) for m in copy.members} == {
        (m.user_id, m.job_role) for m in source.members
    }
    post(client, "/setup/jobs/new/copy", {"copy-source_id": source.id})
    bare = _jobs(db)[-1]
    assert bare.title_en == source.title_en + " (copy)"
    assert [m.user_id for m in bare.members] == [team.hr.id]


def test_a_copy_keeps_the_whole_recommendation_policy(client, db, team, login_as):
    source = team.job
    policy = {
        "band_strong_hire": 3.75,
        "band_hire": 3.0,
        "band_lean_no": 2.5,
        "coverage_min": 0.9,
        "hurdle_min": 2.75,
        "r1": 0.6,
        "hide_until_debrief": True,
        "use_calibrated": True,
    }
    assert set(policy) == set(POLICY_FIELDS)
    for name, value in policy.items():
        assert getattr(source, name) != value  # not the default already
        setattr(source, name, value)
    db.session.commit()
    login_as(team.hr)
    post(client, "/setup/jobs/new/copy", {"copy-source_id": source.id})
    copy = _jobs(db)[-1]
    assert copy.id != source.id
    assert {name: getattr(copy, name) for name in POLICY_FIELDS} == policy


def test_deleting_a_question_or_criterion_renumbers_the_rest_and_is_audited(
    client, db, team, login_as
):
    login_as(team.hr)
    rnd = team.job.rounds[1]
    version = rnd.current_version
    crit = next(
        c for c in version.criteria if any(q.criterion_id == c.id for q in version.questions)
    )
    linked = [q.key for q in version.questions if q.criterion_id == crit.id]
    crit_id, crit_key = crit.id, crit.key
    post(client, f"/setup/criteria/{crit.id}/delete", {"confirm": crit.key})
    db.session.expire_all()
    version = rnd.current_version
    assert crit_key not in [c.key for c in version.criteria]
    assert [c.position for c in version.criteria] == list(range(len(version.criteria)))
    assert all(q.criterion is None for q in version.questions if q.key in linked)
    q = version.questions[0]
    q_id, q_key, q_text = q.id, q.key, q.text_en
    post(client, f"/setup/questions/{q.id}/delete", {"confirm": q.key})
    db.session.expire_all()
    version = rnd.current_version
    assert len(rnd.versions) == 1  # nothing was scored: no new version
    assert q_key not in [x.key for x in version.questions]
    assert [x.position for x in version.questions] == list(range(len(version.questions)))
    events = {
        e.action: e
        for e in db.session.scalars(sa.select(AuditEvent).where(AuditEvent.job_id == team.job.id))
    }
    assert events["criterion.delete"].object_type == "criterion"
    assert events["criterion.delete"].object_id == crit_id
    assert events["criterion.delete"].before["key"] == crit_key
    assert events["question.delete"].object_type == "question"
    assert events["question.delete"].object_id == q_id
    assert events["question.delete"].before["text_en"] == q_text
    assert events["question.delete"].after == {"version": version.number}


def test_copy_refuses_a_job_the_user_cannot_see(client, db, team, make_user, login_as):
    other_hr = make_user(Role.HR)
    login_as(other_hr)
    response = post(client, "/setup/jobs/new/copy", {"copy-source_id": team.job.id})
    assert response.status_code == 422
    assert "Choose a job to copy." in response.get_data(as_text=True)
    assert len(_jobs(db)) == 1


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_blank_job_needs_a_title(client, db, make_user, login_as, lang):
    login_as(make_user(Role.HR))
    response = post(
        client,
        "/setup/jobs/new/blank",
        {"blank-title_zh": "  ", "blank-title_en": ""},
        headers={"Accept-Language": lang},
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'class="error"' in body
    assert _jobs(db) == []
    ok = post(client, "/setup/jobs/new/blank", {"blank-title_en": "Nurse informatics"})
    assert ok.status_code == 302
    (job,) = _jobs(db)
    assert job.rounds == [] and job.title_en == "Nurse informatics"


def test_job_settings_and_overdue_hours(client, db, team, login_as):
    login_as(team.hr)
    url = f"/setup/jobs/{team.job.id}"
    base = {"job-title_zh": "实施", "job-title_en": "Impl", "job-status": "open"}
    for bad in ("0", "-3", "abc", "", "1.5", "100000"):
        response = post(client, url, {**base, "job-overdue_hours": bad})
        assert response.status_code == 422, bad
        assert "Enter a whole number of hours from 1 to 720." in response.get_data(as_text=True)
    db.session.refresh(team.job)
    assert team.job.overdue_hours == 24 and team.job.title_en == "Implementation Engineer"
    assert post(client, url, {**base, "job-overdue_hours": "48"}).status_code == 302
    db.session.refresh(team.job)
    assert team.job.overdue_hours == 48 and team.job.title_en == "Impl"
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "job.update"))
    assert event.before["overdue_hours"] == 24 and event.after["overdue_hours"] == 48


def test_team_add_and_remove(client, db, team, make_user, login_as):
    newcomer = make_user(Role.INTERVIEWER)
    login_as(team.hr)
    url = f"/setup/jobs/{team.job.id}/members"
    bad = post(client, url, {"member-user_id": newcomer.id, "member-job_role": "recruiter"})
    assert bad.status_code == 422
    assert "does not allow that job role" in bad.get_data(as_text=True)
    dup = post(client, url, {"member-user_id": team.iv1.id, "member-job_role": "interviewer"})
    assert dup.status_code == 422
    ok = post(client, url, {"member-user_id": newcomer.id, "member-job_role": "interviewer"})
    assert ok.status_code == 302
    member = db.session.scalar(sa.select(JobMember).where(JobMember.user_id == newcomer.id))
    assert member.job_role == JobRole.INTERVIEWER
    member_id, job_id = member.id, team.job.id
    stale = post(client, f"/setup/members/{member_id}/remove", {"confirm": "999"})
    assert stale.status_code == 302
    assert db.session.get(JobMember, member_id) is not None
    post(client, f"/setup/members/{member_id}/remove", {"confirm": str(newcomer.id)})
    db.session.expunge_all()
    assert db.session.get(JobMember, member_id) is None
    assert audit_actions(job_id)[-2:] == ["job.member_add", "job.member_remove"]


def test_readers_get_404_on_setup_pages_but_see_the_job(client, db, team, login_as):
    rnd = team.job.rounds[0]
    for user in (team.manager, team.iv1):
        login_as(user)
        assert client.get(f"/jobs/{team.job.id}").status_code == 200
        for path in (
            f"/setup/jobs/{team.job.id}",
            f"/setup/rounds/{rnd.id}",
            f"/setup/jobs/{team.job.id}/interviews",
            "/setup/jobs/new",
            "/candidates/import",
        ):
            assert client.get(path).status_code == 404, (user.role, path)
        assert (
            post(client, f"/setup/rounds/{rnd.id}/move", {"direction": "down"}).status_code == 404
        )
        post(client, "/logout")


def test_round_add_edit_move_delete(client, db, team, login_as):
    login_as(team.hr)
    job = team.job
    url = f"/setup/jobs/{job.id}/rounds"
    for weight in ("0", "-1", "abc", "", "nan", "inf"):
        response = post(client, url, {"round-name_en": "Case study", "round-weight": weight})
        assert response.status_code == 422, weight
        assert "Enter a number greater than 0." in response.get_data(as_text=True)
    response = post(client, url, {"round-name_en": " ", "round-weight": "1"})
    assert "Enter a name in Chinese or English." in response.get_data(as_text=True)
    assert len(db.session.scalars(sa.select(Round).where(Round.job_id == job.id)).all()) == 3
    assert (
        post(client, url, {"round-name_en": "Case study", "round-weight": "0.5"}).status_code == 302
    )
    db.session.expire_all()
    assert [r.key for r in job.rounds] == ["hr_screen", "technical", "executive", "case_study"]
    case = job.rounds[3]
    assert case.current_version.number == 1 and case.weight == 0.5
    post(client, f"/setup/rounds/{case.id}/move", {"direction": "up"})
    post(client, f"/setup/rounds/{job.rounds[0].id}/move", {"direction": "up"})  # at the top
    db.session.expire_all()
    assert [r.key for r in job.rounds] == ["hr_screen", "technical", "case_study", "executive"]
    edit = post(
        client,
        f"/setup/rounds/{case.id}",
        {"name_zh": "案例", "name_en": "Case", "weight": "2", "focus_en": "Cases"},
    )
    assert edit.status_code == 302
    db.session.refresh(case)
    assert (case.name_zh, case.name_en, case.weight, case.focus_en) == (
        "案例",
        "Case",
        2.0,
        "Cases",
    )
    post(client, f"/setup/rounds/{case.id}/delete", {"confirm": case.key})
    db.session.expire_all()
    assert [r.key for r in job.rounds] == ["hr_screen", "technical", "executive"]
    assert [r.position for r in job.rounds] == [0, 1, 2]
    actions = audit_actions(job.id)
    for action in ("round.create", "round.move", "round.update", "round.delete"):
        assert action in actions


def test_criterion_validation_changes_nothing(client, db, team, login_as):
    login_as(team.hr)
    rnd = team.job.rounds[0]
    version = rnd.current_version
    existing = version.criteria[0]
    url = f"/setup/rounds/{rnd.id}/criteria/new"
    cases = [
        ({"weight": "0"}, "Enter a number greater than 0."),
        ({"weight": "-2"}, "Enter a number greater than 0."),
        ({"weight": "heavy"}, "Enter a number greater than 0."),
        ({"name_zh": "", "name_en": ""}, "Enter a name in Chinese or English."),
        ({"name_en": existing.name_en.upper()}, "already has this name"),
        ({"name_zh": existing.name_zh}, "already has this name"),
        ({"key": existing.key}, "already has this key"),
        ({"key": "Bad Key!"}, "A key uses lower-case letters"),
        ({"dimension": "charisma"}, "Choose a dimension."),
    ]
    before = db.session.scalar(sa.select(sa.func.count(Criterion.id)))
    for overrides, message in cases:
        response = post(client, url, criterion_data(**overrides))
        assert response.status_code == 422, overrides
        assert message in response.get_data(as_text=True), overrides
    assert db.session.scalar(sa.select(sa.func.count(Criterion.id))) == before
    assert post(client, url, criterion_data()).status_code == 302
    db.session.expire_all()
    added = rnd.current_version.criteria[-1]
    assert (added.key, added.weight, added.anchor4_en) == ("interface_debugging", 1.5, "Expert")
    assert rnd.current_version.number == 1  # nothing was scored: no new version


def test_edit_criterion_weight_anchor_flags_and_order(client, db, team, login_as):
    login_as(team.hr)
    rnd = team.job.rounds[1]
    crit = rnd.current_version.criteria[0]
    data = criterion_data(
        dimension=crit.dimension.value,
        name_zh=crit.name_zh,
        name_en=crit.name_en,
        key=crit.key,
        weight="3.25",
        anchor2_en="Needs help with backups",
        veto_eligible="y",
    )
    assert post(client, f"/setup/criteria/{crit.id}", data).status_code == 302
    db.session.refresh(crit)
    assert (crit.weight, crit.anchor2_en, crit.veto_eligible, crit.must_have) == (
        3.25,
        "Needs help with backups",
        True,
        False,
    )
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "criterion.update"))
    assert event.before["weight"] == 2.0 and event.after["weight"] == 3.25
    second = rnd.current_version.criteria[1]
    post(client, f"/setup/criteria/{second.id}/move", {"direction": "up"})
    db.session.expire_all()
    assert rnd.current_version.criteria[0].id == second.id
    assert db.session.scalar(sa.select(sa.func.count(ScorecardVersion.id))) == 3


def test_questions_and_red_flags(client, db, team, login_as):
    login_as(team.hr)
    rnd = team.job.rounds[0]
    url = f"/setup/rounds/{rnd.id}/questions/new"
    empty = post(client, url, {"text_zh": "", "text_en": " "})
    assert "Enter the question in Chinese or English." in empty.get_data(as_text=True)
    wrong = post(client, url, {"text_en": "Why us?", "criterion_key": "nope"})
    assert "Choose a criterion of this round." in wrong.get_data(as_text=True)
    ok = post(
        client,
        url,
        {
            "text_en": "Why us?",
            "guidance_en": "Knows our products",
            "criterion_key": "motivation",
            "star": "y",
        },
    )
    assert ok.status_code == 302
    db.session.expire_all()
    q = rnd.current_version.questions[-1]
    assert (q.text_en, q.criterion.key, q.star) == ("Why us?", "motivation", True)
    post(client, f"/setup/questions/{q.id}", {"text_zh": "为什么选我们？", "text_en": "Why us?"})
    db.session.refresh(q)
    assert q.text_zh == "为什么选我们？" and q.criterion is None and q.star is False

    job = team.job
    flag_url = f"/setup/jobs/{job.id}/red-flags"
    dup = post(client, flag_url, {"flag-label_en": job.red_flags[0].label_en})
    assert dup.status_code == 422
    assert post(client, flag_url, {"flag-label_en": "Late twice"}).status_code == 302
    db.session.expire_all()
    flag = job.red_flags[-1]
    assert flag.key == "late_twice"
    post(client, f"/setup/red-flags/{flag.id}", {"label_en": "Late", "label_zh": "迟到"})
    db.session.refresh(flag)
    assert (flag.label_en, flag.label_zh) == ("Late", "迟到")
    flag_key = flag.key
    post(client, f"/setup/red-flags/{flag.id}/delete", {"confirm": flag_key})
    db.session.expire_all()
    assert flag_key not in [f.key for f in job.red_flags]
    for action in ("question.create", "question.update", "red_flag.create", "red_flag.delete"):
        assert action in audit_actions(job.id)
