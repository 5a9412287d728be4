"""R12: every accountable change writes one audit row; the log is readable, filterable, final."""

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa

from scorecard.extensions import db as _db
from scorecard.models import AuditEvent, Role, User, utcnow
from tests.conftest import TEST_PASSWORD, csrf_from
from tests.web.trust_figures import report
from tests.web.trust_world import build_world, sign_in

NEW_PASSWORD = "a completely new passphrase"  # noqa: S105
SECRET_KEY_NAMES = {"password", "password_hash", "session_token", "token", "secret", "csrf_token"}


def _rows(action: str) -> list[AuditEvent]:
    return list(_db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def _count() -> int:
    return _db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))


def _post(client, url: str, data: dict, token_page: str = "/settings"):
    token = csrf_from(client.get(token_page).get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token})


@pytest.fixture
def world(db):
    return build_world(decisions=True)


# --- one row per accountable change, with who/what/when/before/after ----------------------


def test_each_accountable_change_writes_exactly_one_row(app, client, db, world, request):
    admin = sign_in(app, world.users["admin"])
    checked = []

    # Role change.
    n = _count()
    _post(admin, f"/admin/users/{world.target.id}/role", {"role": "hr"})
    assert _count() == n + 1
    (row,) = _rows("user.role_change")
    assert row.actor_id == world.users["admin"].id and row.object_id == world.target.id
    assert row.before == {"email": world.target.email, "role": "interviewer"}
    assert row.after == {"email": world.target.email, "role": "hr"}
    checked.append("role change")

    # Deactivation.
    n = _count()
    _post(admin, f"/admin/users/{world.target.id}/active", {"active": "0"})
    assert _count() == n + 1 and len(_rows("user.deactivate")) == 1
    checked.append("deactivation")

    # Login failure: one row, naming the address tried, never the password.
    n = _count()
    anon = app.test_client()
    anon.post(
        "/login",
        data={
            "email": "hr@trust.test",
            "password": "a wrong password here",
            "csrf_token": csrf_from(anon.get("/login").get_data(as_text=True)),
        },
    )
    assert _count() == n + 1
    (row,) = _rows("login.failure")
    assert row.after == {"email": "hr@trust.test"} and row.ip == "127.0.0.1"
    checked.append("login failure")

    # Submitted-scorecard edit (by its author, with a reason).
    from scorecard.services import scorecards as card_service

    card = world.scopes["own"].submitted_card
    crit = card.version.criteria[0]
    n = _count()
    card_service.edit_submitted(
        card,
        card.lock_version,
        {f"rating.{crit.id}.note": "Revised after the debrief", f"rating.{crit.id}.value": 3},
        "typo in my note",
        card.interviewer,
    )
    db.session.commit()
    assert _count() == n + 1
    (row,) = _rows("scorecard.edit")
    assert row.actor_id == card.interviewer_id and row.job_id == world.scopes["own"].job.id
    assert row.before["fields"][f"rating.{crit.id}.value"] == 4
    assert row.after["fields"][f"rating.{crit.id}.value"] == 3
    assert row.after["reason"] == "typo in my note"
    checked.append("submitted-scorecard edit")

    # Erasure.
    n = _count()
    cand = world.scopes["other"].candidate
    _post(
        admin,
        f"/admin/candidates/{cand.id}/erase",
        {"reason": "request by e-mail", "confirm": "y"},
    )
    assert _count() == n + 1
    (row,) = _rows("candidate.erase")
    assert row.actor_id == world.users["admin"].id and row.object_id == cand.id
    assert row.after["reason"] == "request by e-mail"
    checked.append("erasure")

    # Round and hire decisions, by the job's hiring manager through the summary pages.
    own = world.scopes["own"]
    manager = sign_in(app, world.users["manager"])
    for action, url, data in (
        (
            "decision.round",
            f"/applications/{own.application.id}/rounds/{own.interview.round_id}",
            {"decision": "advance", "rationale": "Strong technical round"},
        ),
        (
            "decision.hire",
            f"/applications/{own.application.id}/decision",
            {"decision": "hire", "rationale": "Best of the panel"},
        ),
    ):
        n = _count()
        response = _post(manager, url, data)
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
        assert _count() == n + 1
        (row,) = [
            r
            for r in _db.session.scalars(sa.select(AuditEvent))
            if r.action in (action, f"{action}.revise")
        ]
        assert row.actor_id == world.users["manager"].id and row.job_id == own.job.id
        assert row.after["decision"] == data["decision"] and row.before is not None
        checked.append(action.replace(".", " "))

    for row in _db.session.scalars(sa.select(AuditEvent)):
        assert row.at is not None and row.action and row.object_type
    report(
        request.config,
        "R12a",
        f"R12: {len(checked)} kinds of change ({', '.join(checked)}): one audit row each",
    )


def test_a_recruiter_cannot_decide_and_nothing_is_written(app, client, db, world):
    own = world.scopes["own"]
    hr = sign_in(app, world.users["hr"])
    n = _count()
    url = f"/applications/{own.application.id}/rounds/{own.interview.round_id}"
    response = _post(hr, url, {"decision": "reject", "rationale": "Not convinced"})
    assert response.status_code == 400
    assert "hiring manager or an admin records decisions" in response.get_data(as_text=True)
    assert _count() == n


def test_no_audit_row_holds_a_secret(app, client, db, make_user, request):
    """Passwords, password hashes and session tokens never reach the audit log."""
    admin_user = make_user(Role.ADMIN)
    secrets_seen: set[str] = {TEST_PASSWORD, NEW_PASSWORD, "a wrong password here"}
    admin = sign_in(app, admin_user)
    # A user created through the admin page, with a password.
    _post(
        admin,
        "/admin/users/new",
        {"email": "fresh@example.test", "name": "Fresh", "role": "hr", "password": NEW_PASSWORD},
    )
    fresh = _db.session.scalar(sa.select(User).where(User.email == "fresh@example.test"))
    secrets_seen |= {fresh.password_hash, fresh.session_token}
    # Failure, success, own password change, admin reset, logout.
    anon = app.test_client()
    anon.post(
        "/login",
        data={
            "email": fresh.email,
            "password": "a wrong password here",
            "csrf_token": csrf_from(anon.get("/login").get_data(as_text=True)),
        },
    )
    c = app.test_client()
    c.post(
        "/login",
        data={
            "email": fresh.email,
            "password": NEW_PASSWORD,
            "csrf_token": csrf_from(c.get("/login").get_data(as_text=True)),
        },
    )
    changed = "yet another passphrase 77"
    secrets_seen.add(changed)
    _post(
        c,
        "/settings",
        {"current_password": NEW_PASSWORD, "new_password": changed, "confirm": changed},
    )
    _db.session.refresh(fresh)
    secrets_seen |= {fresh.password_hash, fresh.session_token}
    reset = "reset by the admin 2024"
    secrets_seen.add(reset)
    _post(
        admin,
        f"/admin/users/{fresh.id}/password",
        {"new_password": reset, "confirm": reset},
        token_page="/admin/users",
    )
    _db.session.refresh(fresh)
    secrets_seen |= {fresh.password_hash, fresh.session_token, admin_user.password_hash}
    # A personal API token: neither it nor its hash reaches the log.
    try:
        from scorecard.services import api_tokens
    except ImportError:  # pragma: no cover - the API is optional here
        api_tokens = None
    if api_tokens is not None:
        with app.test_request_context():
            token, raw = api_tokens.create_token(fresh, "ci laptop")
            _db.session.commit()
            secrets_seen |= {raw, token.token_hash}
    # The CLI path too.
    app.test_cli_runner().invoke(
        args=["create-user", "cli@example.test", "--role", "manager"], input="cli made password\n"
    )
    secrets_seen.add("cli made password")

    rows = list(_db.session.scalars(sa.select(AuditEvent)))
    assert len(rows) >= 7
    leaking = []
    for row in rows:
        text = json.dumps(
            [row.action, row.object_type, row.before, row.after, row.ip], ensure_ascii=False
        )
        if any(s in text for s in secrets_seen) or _secret_keys(row.before) | _secret_keys(
            row.after
        ):
            leaking.append(row.id)
    report(
        request.config,
        "R12b",
        f"R12: {len(rows)} audit rows after sign-ins and password changes, "
        f"{len(leaking)} with a secret",
    )
    assert not leaking


def _secret_keys(value) -> set[str]:
    if isinstance(value, dict):
        return {k for k in value if k in SECRET_KEY_NAMES} | {
            k for v in value.values() for k in _secret_keys(v)
        }
    if isinstance(value, list):
        return {k for v in value for k in _secret_keys(v)}
    return set()


def test_audit_record_drops_secret_keys(app, db):
    from scorecard.services import audit

    with app.test_request_context():
        event = audit.record(
            "x.test", "user", 1, before={"password": "p", "role": "hr"}, after={"token": "t"}
        )
    assert event.before == {"role": "hr"} and event.after == {}


# --- the admin page -------------------------------------------------------------------------


def _events_on_page(html: str) -> int:
    return html.count('<tr>\n    <td class="nowrap">')


def test_audit_page_filters_by_action_actor_job_and_dates(app, client, db, world):
    admin_user = world.users["admin"]
    admin = sign_in(app, admin_user)
    _post(admin, f"/admin/users/{world.target.id}/role", {"role": "hr"})
    old = AuditEvent(
        action="job.update",
        object_type="job",
        object_id=world.scopes["other"].job.id,
        job_id=world.scopes["other"].job.id,
        at=utcnow() - timedelta(days=40),
        after={"title_en": "Old title"},
    )
    _db.session.add(old)
    _db.session.commit()
    everything = admin.get("/admin/audit")
    assert everything.status_code == 200
    html = everything.get_data(as_text=True)
    assert "user.role_change" in html and "job.create" in html

    by_action = admin.get("/admin/audit?action=user.role_change").get_data(as_text=True)
    assert "user.role_change" in by_action and "job.create</code>" not in by_action
    assert _events_on_page(by_action) == 1

    by_actor = admin.get(f"/admin/audit?actor={admin_user.id}").get_data(as_text=True)
    assert "user.role_change" in by_actor and "job.member_add</code>" not in by_actor

    system = admin.get("/admin/audit?actor=system").get_data(as_text=True)
    assert "job.member_add" in system and "user.role_change</code>" not in system

    other_job = world.scopes["other"].job.id
    by_job = admin.get(f"/admin/audit?job={other_job}").get_data(as_text=True)
    assert "Old title" in by_job and "user.role_change</code>" not in by_job

    today = utcnow().date()
    recent = admin.get(
        f"/admin/audit?job={other_job}&start={(today - timedelta(days=2)).isoformat()}"
    ).get_data(as_text=True)
    assert "Old title" not in recent and "job.create" in recent
    window = (today - timedelta(days=41)).isoformat(), (today - timedelta(days=39)).isoformat()
    past = admin.get(f"/admin/audit?start={window[0]}&end={window[1]}").get_data(as_text=True)
    assert "Old title" in past and _events_on_page(past) == 1

    # Bad filter input: a clear page, not a 500.
    bad = admin.get("/admin/audit?start=yesterday&actor=abc&job=x&page=-3")
    assert bad.status_code == 200 and "Not a valid date value" in bad.get_data(as_text=True)


def test_audit_page_paginates(app, client, db, make_user):
    admin_user = make_user(Role.ADMIN)
    for i in range(120):
        _db.session.add(AuditEvent(action="bulk.test", object_type="x", object_id=i))
    _db.session.commit()
    admin = sign_in(app, admin_user)
    first = admin.get("/admin/audit?action=bulk.test").get_data(as_text=True)
    assert _events_on_page(first) == 50 and "Page 1 of 3" in first
    third = admin.get("/admin/audit?action=bulk.test&page=3").get_data(as_text=True)
    assert _events_on_page(third) == 20 and "action=bulk.test" in third
    beyond = admin.get("/admin/audit?action=bulk.test&page=99")
    assert beyond.status_code == 200


def test_the_audit_log_cannot_be_changed_through_any_route(app):
    """No route edits or deletes an audit event: only GET reaches /admin/audit."""
    for rule in app.url_map.iter_rules():
        if "audit" in rule.rule or "audit" in rule.endpoint:
            assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, rule


def test_audit_page_is_admin_only(app, client, db, world):
    for actor in ("hr", "manager", "interviewer_panel"):
        assert sign_in(app, world.users[actor]).get("/admin/audit").status_code == 404
    assert client.get("/admin/audit").status_code == 302


def test_audit_page_escapes_values(app, client, db, make_user):
    admin_user = make_user(Role.ADMIN)
    _db.session.add(
        AuditEvent(action="x.test", object_type="x", after={"note": "<script>alert(1)</script>"})
    )
    _db.session.commit()
    html = sign_in(app, admin_user).get("/admin/audit").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "\\u003cscript\\u003e" in html or "&lt;script&gt;" in html
