"""Helpers shared by the interview-kit tests: demo data, the demo draft, JSON calls."""

import re
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from scorecard.extensions import db as _db
from scorecard.models import (
    Application,
    Candidate,
    Interview,
    Scorecard,
    ScorecardStatus,
    User,
)
from scorecard.seed.demo import DEMO_PASSWORD, seed_demo

META_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


@dataclass
class Kit:
    """A signed-in client with its CSRF token, speaking to one scorecard's endpoints."""

    client: FlaskClient
    token: str
    card_id: int

    def post(self, action: str, body: object, card_id: int | None = None):
        return self.client.post(
            f"/kit/{card_id or self.card_id}/{action}",
            json=body,
            headers={"X-CSRFToken": self.token, "Accept": "application/json"},
        )

    def save(self, changes: dict, lock: int | None = None, card_id: int | None = None):
        if lock is None:
            lock = card(card_id or self.card_id).lock_version
        return self.post("save", {"lock_version": lock, "changes": changes}, card_id)

    def submit(self, key: str = "key-0000000001", lock: int | None = None):
        body: dict = {"submission_key": key}
        if lock is not None:
            body["lock_version"] = lock
        return self.post("submit", body)

    def state(self, card_id: int | None = None) -> dict:
        response = self.client.get(
            f"/kit/{card_id or self.card_id}/state", headers={"Accept": "application/json"}
        )
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()["state"]


def card(card_id: int) -> Scorecard:
    """The scorecard as the database has it now."""
    _db.session.expire_all()
    return _db.session.get(Scorecard, card_id)


def user(name: str) -> User:
    return _db.session.scalar(sa.select(User).where(User.email == f"{name}@demo.test"))


def card_of(name: str, candidate: str, round_key: str | None = None) -> Scorecard:
    """The demo scorecard of interviewer `name` for `candidate` (optionally in one round)."""
    from scorecard.models import Round

    stmt = (
        sa.select(Scorecard)
        .join(Interview, Scorecard.interview_id == Interview.id)
        .join(Application, Interview.application_id == Application.id)
        .join(Candidate, Application.candidate_id == Candidate.id)
        .join(Round, Interview.round_id == Round.id)
        .where(Candidate.name == candidate, Scorecard.interviewer_id == user(name).id)
        .order_by(Interview.starts_at.desc())
    )
    if round_key:
        stmt = stmt.where(Round.key == round_key)
    return _db.session.scalars(stmt).first()


def zheng_draft() -> Scorecard:
    """interviewer1's draft for 郑洁's technical round (interviewer2 has submitted)."""
    found = card_of("interviewer1", "郑洁", "technical")
    assert found.status == ScorecardStatus.DRAFT
    return found


def sign_in(client: FlaskClient, email: str, password: str = DEMO_PASSWORD) -> str:
    """Sign in through the form; return the page's CSRF token."""
    from tests.conftest import csrf_from

    page = client.get("/login")
    response = client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": csrf_from(page.text)},
    )
    assert response.status_code == 302, response.text[:300]
    home = client.get("/my/interviews")
    return META_CSRF.search(home.text).group(1)


@pytest.fixture
def demo(app, db):
    with app.test_request_context():
        seed_demo(lambda _m: None)
    db.session.commit()


@pytest.fixture
def kit1(client, demo) -> Kit:
    """interviewer1, signed in, on the 郑洁 draft."""
    token = sign_in(client, "interviewer1@demo.test")
    return Kit(client, token, zheng_draft().id)


def complete(kit: Kit, draft: Scorecard) -> None:
    """Fill every criterion with a 3 and an overall, so the draft can be submitted."""
    changes: dict = {f"rating.{c.id}.value": 3 for c in draft.version.criteria}
    changes["overall"] = 3
    response = kit.save(changes)
    assert response.status_code == 200, response.get_json()
