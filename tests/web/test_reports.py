"""Recommendations in the app: the engine on database rows, pages with reasons, policy."""

import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from scorecard.models import (
    Application,
    AuditEvent,
    Candidate,
    Job,
    JobRole,
    Role,
    User,
    utcnow,
)
from scorecard.seed.demo import DEMO_PASSWORD, seed_demo
from scorecard.services import results, scheduling
from scorecard.services import scorecards as card_service
from scorecard.services.recommendations import JobScoring
from scorecard.services.setup.job_template import create_job_from_template
from scorecard.services.setup.team import add_member
from tests.conftest import csrf_from

CASE_TEMPLATE = {
    "job": {"title": {"zh": "案例", "en": "Case"}},
    "rounds": [
        {
            "key": "tech",
            "name": {"zh": "技术", "en": "Tech"},
            "criteria": [
                {
                    "key": "coding",
                    "dimension": "technical",
                    "weight": 2,
                    "must_have": True,
                    "name": {"zh": "编码", "en": "Coding"},
                    "anchors": {},
                },
                {
                    "key": "design",
                    "dimension": "technical",
                    "weight": 1,
                    "name": {"zh": "设计", "en": "Design"},
                    "anchors": {},
                },
            ],
        },
        {
            "key": "values",
            "name": {"zh": "价值观", "en": "Values"},
            "criteria": [
                {
                    "key": "collaboration",
                    "dimension": "attitude",
                    "must_have": True,
                    "name": {"zh": "协作", "en": "Collaboration"},
                    "anchors": {},
                },
                {
                    "key": "integrity",
                    "dimension": "attitude",
                    "veto": True,
                    "name": {"zh": "诚信", "en": "Integrity"},
                    "anchors": {},
                },
            ],
        },
    ],
    "red_flags": [],
}
for _rnd in CASE_TEMPLATE["rounds"]:
    for _crit in _rnd["criteria"]:
        _crit["anchors"] = {str(i): {"zh": f"锚点{i}", "en": f"anchor {i}"} for i in range(1, 5)}


def build_case(db, make_user, ratings: dict[str, list[int | None]], notes=None):
    """Scoring.md's worked-case layout in the database: two rounds, two interviewers each."""
    notes = notes or {}
    hr = make_user(Role.HR)
    panel = [make_user(Role.INTERVIEWER) for _ in range(4)]
    job = create_job_from_template(CASE_TEMPLATE, hr)
    add_member(job, hr, JobRole.RECRUITER, hr)
    for person in panel:
        add_member(job, person, JobRole.INTERVIEWER, hr)
    cand = Candidate(name="Case Candidate", email="case@example.test")
    app = Application(candidate=cand, job=job)
    db.session.add_all([cand, app])
    db.session.flush()
    start = utcnow() - timedelta(days=1)
    for rnd, people in zip(job.rounds, (panel[:2], panel[2:]), strict=True):
        iv = scheduling.schedule_interview(app, rnd, start, people, hr)
        for index, card in enumerate(iv.scorecards):
            for crit in card.version.criteria:
                value = ratings[crit.key][index]
                note = notes.get((crit.key, index), "evidence" if value in (1, 4) else "")
                card_service.set_rating(card, crit.id, value, note)
            card.overall = 3
            db.session.flush()
            db.session.refresh(card)
            card_service.submit(card, uuid.uuid4().hex, card.interviewer)
    db.session.commit()
    return job, app


CASE_A = {"coding": [4, 3], "design": [3, 3], "collaboration": [3, 4], "integrity": [3, 3]}


@pytest.mark.parametrize(
    ("change", "recommendation", "score", "confidence"),
    [
        ({}, "hire", 3.2917, "high"),
        ({"design": [3, 1]}, "hire", 3.125, "medium"),
        ({"integrity": [3, 1]}, "no_hire", None, None),
        ({"coding": [2, 2]}, "no_hire", 2.7917, None),
        ({"design": [None, None]}, "hire", 3.375, None),
    ],
    ids=["A", "B", "C", "E", "F"],
)
def test_worked_cases_from_database_rows(db, make_user, change, recommendation, score, confidence):
    job, app = build_case(db, make_user, {**CASE_A, **change})
    result = results.job_scores(app.job, [app.id])[app.id].result
    assert result.recommendation == recommendation
    if score is not None:
        assert round(result.score, 4) == score
    if confidence is not None:
        assert result.confidence == confidence


def test_first_submission_counts_not_later_edits(db, make_user):
    job, app = build_case(db, make_user, CASE_A)
    scoring = JobScoring(job)
    before = scoring.score_applications()[app.id].result.score
    from scorecard.models import Rating

    for rating in db.session.scalars(sa.select(Rating)):
        rating.value = 1  # an edit after submitting does not touch the frozen snapshot
    db.session.commit()
    assert JobScoring(job).score_applications()[app.id].result.score == before


@pytest.fixture
def demo(app, db):
    with app.test_request_context():
        seed_demo(lambda _m: None)
    db.session.commit()
    return {u.email.split("@")[0]: u for u in db.session.scalars(sa.select(User))}


def _app_of(db, name):
    return db.session.scalar(sa.select(Application).join(Candidate).where(Candidate.name == name))


def test_demo_veto_and_disagreement_are_explained(client, demo, login_as, db):
    login_as(demo["manager"], password=DEMO_PASSWORD)
    veto = _app_of(db, "何静")
    page = client.get(f"/applications/{veto.id}", headers={"Accept-Language": "en"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'data-rec="no_hire"' in html
    assert "was rated 1 with a note (veto)" in html
    split = _app_of(db, "冯超")
    html = client.get(f"/applications/{split.id}", headers={"Accept-Language": "zh-CN"}).get_data(
        as_text=True
    )
    assert "评分分歧" in html or "意见分歧" in html
    assert "必备" in html


def test_job_list_shows_every_application(client, demo, login_as, db):
    login_as(demo["hr"], password=DEMO_PASSWORD)
    job = db.session.scalar(sa.select(Job).where(Job.title_en.like("Medical%")))
    html = client.get(f"/jobs/{job.id}/recommendations").get_data(as_text=True)
    for name in ("梁宇", "何静", "周婷"):
        assert name in html
    assert html.count("data-application=") == db.session.scalar(
        sa.select(sa.func.count(Application.id)).where(Application.job_id == job.id)
    )


def test_interviewers_and_outsiders_get_404(client, demo, login_as, db):
    job = db.session.scalar(sa.select(Job).where(Job.title_en.like("Medical%")))
    app_row = _app_of(db, "梁宇")
    login_as(demo["interviewer1"], password=DEMO_PASSWORD)
    for path in (
        f"/applications/{app_row.id}",
        f"/jobs/{job.id}/recommendations",
        f"/jobs/{job.id}/calibration",
        f"/jobs/{job.id}/policy",
    ):
        assert client.get(path).status_code == 404, path


def test_calibration_page_says_insufficient_data(client, demo, login_as, db):
    login_as(demo["manager"], password=DEMO_PASSWORD)
    job = db.session.scalar(sa.select(Job).where(Job.title_en.like("Medical%")))
    html = client.get(f"/jobs/{job.id}/calibration").get_data(as_text=True)
    assert 'id="insufficient"' in html
    assert "data-interviewer=" in html


def test_policy_form_validates_and_audits(client, demo, login_as, db):
    job = db.session.scalar(sa.select(Job).where(Job.title_en.like("Medical%")))
    login_as(demo["manager"], password=DEMO_PASSWORD)
    assert client.get(f"/jobs/{job.id}/policy").status_code == 404  # managers read, HR edits
    client.post(
        "/logout", data={"csrf_token": csrf_from(client.get("/jobs").get_data(as_text=True))}
    )
    login_as(demo["hr"], password=DEMO_PASSWORD)
    page = client.get(f"/jobs/{job.id}/policy")
    token = csrf_from(page.get_data(as_text=True))
    good = {
        "band_strong_hire": "3.6",
        "band_hire": "2.8",
        "band_lean_no": "2.2",
        "coverage_min": "0.7",
        "hurdle_min": "2.5",
        "r1": "0.44",
        "csrf_token": token,
    }
    for bad, message in (
        ({"band_hire": "3.9"}, "Thresholds must rise"),
        ({"coverage_min": "1.5"}, "between 0 and 1"),
        ({"r1": "abc"}, "Not a valid decimal value"),
        ({"band_lean_no": ""}, "This field is required"),
    ):
        response = client.post(f"/jobs/{job.id}/policy", data={**good, **bad})
        assert response.status_code == 200
        assert message in response.get_data(as_text=True)
        db.session.refresh(job)
        assert job.band_hire == 2.75
    saved = client.post(f"/jobs/{job.id}/policy", data={**good, "use_calibrated": "y"})
    assert saved.status_code == 302
    db.session.refresh(job)
    assert (job.band_hire, job.use_calibrated) == (2.8, True)
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "job.policy"))
    assert event.before["band_hire"] == 2.75 and event.after["band_hire"] == 2.8
    # Calibrated scoring still renders.
    assert client.get(f"/applications/{_app_of(db, '梁宇').id}").status_code == 200
