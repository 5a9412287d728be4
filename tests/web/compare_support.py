"""Helpers shared by the compare / summary / decision / export tests: the demo and lookups."""

import re
import uuid
from datetime import timedelta
from html import unescape

import pytest
import sqlalchemy as sa

from scorecard.extensions import db as _db
from scorecard.models import (
    Application,
    ApplicationStatus,
    AuditEvent,
    Candidate,
    HireDecision,
    Job,
    JobRole,
    Round,
    RoundDecision,
    User,
    utcnow,
)
from scorecard.seed.demo import DEMO_PASSWORD, seed_demo
from scorecard.services import scheduling
from scorecard.services import scorecards as card_service
from scorecard.services.setup.team import add_member

ROW_RE = re.compile(r'<tr data-application="(\d+)"')
ALERT_RE = re.compile(r'role="alert"[^>]*>([^<]+)<')


@pytest.fixture
def demo(app, db):
    """The demo data; returns users by the part of their e-mail before the @."""
    with app.test_request_context():
        seed_demo(lambda _m: None)
    db.session.commit()
    return {u.email.split("@")[0]: u for u in db.session.scalars(sa.select(User))}


def medical_job() -> Job:
    return _db.session.scalar(sa.select(Job).where(Job.title_en.like("Medical%")))


def ops_job() -> Job:
    return _db.session.scalar(sa.select(Job).where(Job.title_en.like("Hospital%")))


def app_of(name: str) -> Application:
    return _db.session.scalar(sa.select(Application).join(Candidate).where(Candidate.name == name))


def without_decisions(*names: str) -> None:
    """As if the hiring manager had not decided on these candidates yet (all of the medical
    job's, without names): the demo's round and hire decisions and their audit rows go, and
    the applications are open again on the round they reached. For tests of the decision
    rules, which start from scored rounds nobody has decided."""
    apps = [app_of(n) for n in names] or list(medical_job_applications())
    ids = [a.id for a in apps]
    for model, kind in ((RoundDecision, "round_decision"), (HireDecision, "hire_decision")):
        rows = list(_db.session.scalars(sa.select(model.id).where(model.application_id.in_(ids))))
        _db.session.execute(
            sa.delete(AuditEvent).where(
                AuditEvent.object_type == kind, AuditEvent.object_id.in_(rows)
            )
        )
        _db.session.execute(sa.delete(model).where(model.id.in_(rows)))
    for a in apps:
        a.status, a.closed_at = ApplicationStatus.ACTIVE, None
    _db.session.commit()


def medical_job_applications() -> list[Application]:
    return list(
        _db.session.scalars(sa.select(Application).where(Application.job_id == medical_job().id))
    )


def round_of(job: Job, key: str) -> Round:
    return next(r for r in job.rounds if r.key == key)


def sign_in(client, user: User, password: str = DEMO_PASSWORD):
    """Sign `client` in through the real form (after signing out whoever was signed in)."""
    from tests.conftest import csrf_from

    page = client.get("/login")
    if page.status_code == 302:
        html = client.get("/jobs").get_data(as_text=True)
        client.post("/logout", data={"csrf_token": csrf_from(html)})
        page = client.get("/login")
    token = csrf_from(page.get_data(as_text=True))
    response = client.post(
        "/login", data={"email": user.email, "password": password, "csrf_token": token}
    )
    assert response.status_code == 302, f"{user.email} could not sign in"
    return client


def page_token(client, path: str = "/jobs") -> str:
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'<meta name="csrf-token" content="([^"]+)"', html)
    assert match, "no csrf meta"
    return match.group(1)


def row_ids(html: str) -> list[int]:
    """Application ids of the matrix rows, in page order."""
    return [int(x) for x in ROW_RE.findall(html)]


def alerts(html: str) -> list[str]:
    """The texts of the page's alerts (flash messages, field errors), unescaped."""
    return [unescape(m.strip()) for m in ALERT_RE.findall(html)]


def put_on_panel(job: Job, user: User, application: Application, round_key: str):
    """Book `user` (a hiring-team member) on a new interview of the application's round,
    leaving their scorecard a draft: the blind rule then hides colleagues' ratings."""
    rnd = round_of(job, round_key)
    member = any(m.user_id == user.id for m in job.members)
    if not member:
        add_member(job, user, JobRole.INTERVIEWER, None)
    iv = scheduling.schedule_interview(
        application, rnd, utcnow() - timedelta(hours=1), [user], None
    )
    _db.session.commit()
    return iv


def submit_card(card, values: dict[str, int | None] | None = None, overall: int = 3) -> None:
    """Rate every criterion of a draft (3 unless given) and submit it."""
    values = values or {}
    for crit in card.version.criteria:
        value = values.get(crit.key, 3)
        card_service.set_rating(card, crit.id, value, "evidence" if value in (1, 4) else "")
    card.overall = overall
    _db.session.flush()
    _db.session.refresh(card)
    card_service.submit(card, uuid.uuid4().hex, card.interviewer)
    _db.session.commit()
