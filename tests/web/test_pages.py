"""Each role's pages render with the demo data; other jobs are 404."""

import pytest
import sqlalchemy as sa

from scorecard.models import Interview, Job, Role, User
from scorecard.seed.demo import DEMO_PASSWORD, seed_demo


@pytest.fixture
def demo(app, db):
    with app.test_request_context():
        seed_demo(lambda _m: None)
    db.session.commit()
    return {u.email.split("@")[0]: u for u in db.session.scalars(sa.select(User))}


@pytest.mark.parametrize("who", ["admin", "hr", "manager", "interviewer1", "interviewer4"])
@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_every_nav_page_renders(client, demo, login_as, who, lang):
    login_as(demo[who], password=DEMO_PASSWORD)
    pages = ["/my/interviews", "/jobs"]
    if who in ("admin", "hr", "manager"):
        pages.append("/candidates")
    if who == "admin":
        pages.append("/admin/users")
    for path in pages:
        response = client.get(path, headers={"Accept-Language": lang})
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-store"
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_job_setup_is_visible_to_members_only(client, demo, login_as, db):
    job2 = db.session.scalar(
        sa.select(Job).where(Job.title_en == "Hospital IT Operations Engineer")
    )
    job1 = db.session.scalar(sa.select(Job).where(Job.id != job2.id))
    login_as(demo["interviewer4"], password=DEMO_PASSWORD)
    page = client.get(f"/jobs/{job1.id}").get_data(as_text=True)
    assert "医疗软件实施工程师" in page or "Medical Software Implementation Engineer" in page
    assert client.get(f"/jobs/{job2.id}").status_code == 404
    assert client.get("/jobs/999999").status_code == 404
    assert "Hospital IT Operations Engineer" not in client.get("/jobs").get_data(as_text=True)


def test_interviewer_cannot_open_candidates_or_admin(client, demo, login_as):
    login_as(demo["interviewer1"], password=DEMO_PASSWORD)
    assert client.get("/candidates").status_code == 404
    assert client.get("/admin/users").status_code == 404


def test_interview_page_only_for_panel_and_team(client, demo, login_as, db):
    iv = db.session.scalars(sa.select(Interview)).first()
    panel = {c.interviewer.email.split("@")[0] for c in iv.scorecards}
    outsider = next(
        n
        for n in ("interviewer1", "interviewer2", "interviewer3", "interviewer4")
        if n not in panel
    )
    login_as(demo[outsider], password=DEMO_PASSWORD)
    assert client.get(f"/interviews/{iv.id}").status_code == 404
    client.get("/login")
    member = sorted(panel)[0]
    client2 = client.application.test_client()
    from tests.conftest import csrf_from

    page = client2.get("/login")
    client2.post(
        "/login",
        data={
            "email": demo[member].email,
            "password": DEMO_PASSWORD,
            "csrf_token": csrf_from(page.get_data(as_text=True)),
        },
    )
    body = client2.get(f"/interviews/{iv.id}").get_data(as_text=True)
    assert iv.application.candidate.name in body
    assert iv.application.candidate.phone not in body
    assert iv.application.candidate.email not in body


def test_missing_translation_falls_back_visibly(client, demo, login_as, db):
    job = db.session.scalars(sa.select(Job)).first()
    job.title_en = ""
    db.session.commit()
    login_as(demo["hr"], password=DEMO_PASSWORD)
    html = client.get("/jobs", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'class="fallback" lang="zh"' in html


def test_roles_enum_matches_landing():
    from scorecard.services.accounts import LANDING

    assert set(LANDING) == set(Role)
