"""R12 on PostgreSQL: docs/postgresql-roles.sql makes audit_events append-only for the app.

Applied to a scratch role: UPDATE, DELETE and TRUNCATE on audit_events are refused, while the
application, connected as that role, still signs in (INSERT), reads the log (SELECT) and
erases a candidate (through the scrubbing function).
"""

import os
import secrets
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from config import TestConfig
from scorecard import create_app
from scorecard.extensions import db as _db
from scorecard.models import AuditEvent, Candidate
from scorecard.services import audit
from tests.conftest import IsolatedClient, csrf_from
from tests.web.trust_world import build_world, marker, sign_in

ROLES_SQL = Path(__file__).resolve().parents[2] / "docs" / "postgresql-roles.sql"
FUNCTIONS = (
    "scorecard_erase_audit_values(integer[], text[])",
    "scorecard_scrub_json(jsonb, text[])",
    "scorecard_scrub_text(text, text[])",
)

needs_postgresql = pytest.mark.skipif(
    not (os.environ.get("DATABASE_URL") or "").startswith("postgresql"),
    reason="needs DATABASE_URL on PostgreSQL",
)


def test_readme_points_to_the_roles_script():
    readme = (ROLES_SQL.parents[1] / "README.md").read_text(encoding="utf-8")
    assert "docs/postgresql-roles.sql" in readme


@pytest.fixture
def app_role(app, db):
    """A scratch login role set up by the documented script; dropped afterwards."""
    name = f"sc_trust_app_{secrets.token_hex(4)}"
    script = ROLES_SQL.read_text(encoding="utf-8").replace("scorecard_app", name)
    raw = _db.engine.raw_connection()
    try:
        raw.driver_connection.execute(script)
        raw.driver_connection.commit()
    finally:
        raw.close()
    url = make_url(os.environ["DATABASE_URL"]).set(username=name, password=None)
    yield name, url
    _db.session.remove()
    with _db.engine.begin() as conn:
        for fn in FUNCTIONS:
            conn.exec_driver_sql(f"DROP FUNCTION IF EXISTS {fn}")
        conn.exec_driver_sql(f'DROP OWNED BY "{name}"')
        conn.exec_driver_sql(f'DROP ROLE "{name}"')


@needs_postgresql
def test_app_role_cannot_update_delete_or_truncate_the_audit_log(app, db, app_role):
    name, url = app_role
    world = build_world()
    n = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))
    assert n > 0
    engine = sa.create_engine(url)
    try:
        refused = 0
        for statement in (
            "UPDATE audit_events SET action = 'forged'",
            "UPDATE audit_events SET after = NULL WHERE id = (SELECT min(id) FROM audit_events)",
            "DELETE FROM audit_events",
            "TRUNCATE audit_events",
            "ALTER TABLE audit_events DISABLE TRIGGER ALL",
            "DROP TABLE audit_events",
        ):
            with engine.connect() as conn:
                with pytest.raises(
                    sa.exc.ProgrammingError, match="permission denied|must be owner"
                ):
                    conn.exec_driver_sql(statement)
                refused += 1
        with engine.begin() as conn:
            # INSERT and SELECT work, and so does the rest of the application's data.
            conn.exec_driver_sql(
                "INSERT INTO audit_events (at, action, object_type) "
                "VALUES (now(), 'role.test', 'x')"
            )
            assert conn.exec_driver_sql("SELECT count(*) FROM audit_events").scalar() == n + 1
            conn.exec_driver_sql(
                f"UPDATE users SET locale = 'en' WHERE id = {world.users['hr'].id}"  # noqa: S608
            )
        assert refused == 6
    finally:
        engine.dispose()
    actions = set(db.session.scalars(sa.select(AuditEvent.action)))
    assert "forged" not in actions and "role.test" in actions


@needs_postgresql
def test_the_app_works_as_the_restricted_role(app, db, app_role):
    name, url = app_role
    world = build_world(decisions=True)
    own = world.scopes["own"]
    with app.test_request_context():
        audit.record(
            "candidate.create",
            "candidate",
            own.candidate.id,
            job_id=own.job.id,
            after={"name": own.candidate.name, "email": own.candidate.email, "rows": [1, 2]},
        )
    db.session.commit()

    class RoleConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = url.render_as_string(hide_password=False)

    restricted = create_app(RoleConfig)
    restricted.test_client_class = IsolatedClient
    try:
        admin = sign_in(restricted, world.users["admin"])  # INSERTs login.success
        assert admin.get("/admin/audit").status_code == 200  # SELECT
        hr = sign_in(restricted, world.users["hr"])
        assert hr.get("/jobs").status_code == 200
        page = admin.get(f"/admin/candidates/{own.candidate.id}")
        response = admin.post(
            f"/admin/candidates/{own.candidate.id}/erase",
            data={
                "reason": "request by e-mail",
                "confirm": "y",
                "csrf_token": csrf_from(page.get_data(as_text=True)),
            },
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
    finally:
        with restricted.app_context():
            _db.engine.dispose()
    db.session.expire_all()
    assert db.session.get(Candidate, own.candidate.id).erased_at is not None
    text = " ".join(str([e.before, e.after]) for e in db.session.scalars(sa.select(AuditEvent)))
    assert marker("name", "own") not in text and marker("email", "own").lower() not in text
    created = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "candidate.create")
    ).one()
    assert created.after == {"name": "[erased]", "email": "[erased]", "rows": [1, 2]}
    who = db.session.scalar(
        sa.select(AuditEvent.actor_id).where(AuditEvent.action == "candidate.erase")
    )
    assert who == world.users["admin"].id
