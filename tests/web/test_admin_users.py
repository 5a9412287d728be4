"""Admin manages users and roles: create, change role, deactivate/reactivate, reset password."""

import pytest
import sqlalchemy as sa

from scorecard.models import AuditEvent, Role, User
from tests.conftest import TEST_PASSWORD

NEW_PASSWORD = "a fresh and long passphrase"  # noqa: S105


@pytest.fixture
def admin(make_user, login_as):
    user = make_user(Role.ADMIN, email="boss@example.test")
    login_as(user)
    return user


def _events(db, action: str) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def test_admin_creates_a_user_who_can_sign_in(app, client, db, admin, csrf):
    page = client.get("/admin/users/new")
    assert page.status_code == 200
    response = client.post(
        "/admin/users/new",
        data={
            "email": " New.Person@Example.test ",
            "name": "New Person",
            "role": "manager",
            "password": NEW_PASSWORD,
            "csrf_token": csrf("/admin/users/new"),
        },
    )
    assert response.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "new.person@example.test"))
    assert user.role == Role.MANAGER and user.name == "New Person"
    assert response.headers["Location"] == f"/admin/users/{user.id}"
    (event,) = _events(db, "user.create")
    assert event.actor_id == admin.id and event.after["role"] == "manager"
    other = app.test_client()
    from tests.conftest import csrf_from

    login = other.post(
        "/login",
        data={
            "email": "new.person@example.test",
            "password": NEW_PASSWORD,
            "csrf_token": csrf_from(other.get("/login").get_data(as_text=True)),
        },
    )
    assert login.status_code == 302 and login.headers["Location"] == "/jobs"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"email": "not-an-address"}, "valid e-mail"),
        ({"email": "boss@example.test"}, "already exists"),
        ({"password": "short"}, "12 to 128"),
        ({"password": "password1234"}, "too common"),
        ({"password": "x" * 129}, "128"),
        ({"role": "overlord"}, "Not a valid choice"),
        ({"name": "n" * 121}, "120"),
    ],
)
def test_bad_new_user_changes_nothing(client, db, admin, csrf, fields, message):
    data = {"email": "ok@example.test", "name": "", "role": "hr", "password": NEW_PASSWORD}
    data.update(fields)
    before = db.session.scalar(sa.select(sa.func.count(User.id)))
    response = client.post("/admin/users/new", data={**data, "csrf_token": csrf("/admin/users")})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == before


def test_role_change_is_audited_with_before_and_after(client, db, admin, make_user, csrf):
    user = make_user(Role.INTERVIEWER)
    response = client.post(
        f"/admin/users/{user.id}/role", data={"role": "hr", "csrf_token": csrf("/admin/users")}
    )
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.role == Role.HR
    (event,) = _events(db, "user.role_change")
    assert event.actor_id == admin.id and event.object_id == user.id
    assert event.before["role"] == "interviewer" and event.after["role"] == "hr"
    # Saving the same role again records nothing.
    client.post(
        f"/admin/users/{user.id}/role", data={"role": "hr", "csrf_token": csrf("/admin/users")}
    )
    assert len(_events(db, "user.role_change")) == 1


def test_deactivation_signs_the_user_out_and_blocks_sign_in(
    app, client, db, admin, make_user, csrf
):
    from tests.conftest import csrf_from

    user = make_user(Role.HR)
    victim = app.test_client()
    victim.post(
        "/login",
        data={
            "email": user.email,
            "password": TEST_PASSWORD,
            "csrf_token": csrf_from(victim.get("/login").get_data(as_text=True)),
        },
    )
    assert victim.get("/jobs").status_code == 200
    response = client.post(
        f"/admin/users/{user.id}/active", data={"active": "0", "csrf_token": csrf("/admin/users")}
    )
    assert response.status_code == 302
    assert victim.get("/jobs").status_code == 302  # the open session died
    db.session.refresh(user)
    assert not user.active
    again = victim.post(
        "/login",
        data={
            "email": user.email,
            "password": TEST_PASSWORD,
            "csrf_token": csrf_from(victim.get("/login").get_data(as_text=True)),
        },
    )
    assert again.status_code == 401
    assert "Wrong e-mail or password." in again.get_data(as_text=True)
    (event,) = _events(db, "user.deactivate")
    assert event.before["active"] is True and event.after["active"] is False
    client.post(
        f"/admin/users/{user.id}/active", data={"active": "1", "csrf_token": csrf("/admin/users")}
    )
    db.session.refresh(user)
    assert user.active and len(_events(db, "user.reactivate")) == 1


def test_the_last_active_admin_cannot_be_demoted_or_deactivated(client, db, admin, csrf):
    demote = client.post(
        f"/admin/users/{admin.id}/role", data={"role": "hr", "csrf_token": csrf("/admin/users")}
    )
    assert demote.status_code == 400
    assert "At least one active admin must remain." in demote.get_data(as_text=True)
    deactivate = client.post(
        f"/admin/users/{admin.id}/active", data={"active": "0", "csrf_token": csrf("/admin/users")}
    )
    assert deactivate.status_code == 400
    assert "At least one active admin must remain." in deactivate.get_data(as_text=True)
    db.session.refresh(admin)
    assert admin.role == Role.ADMIN and admin.active
    assert not _events(db, "user.role_change") and not _events(db, "user.deactivate")


def test_an_admin_may_step_down_when_another_admin_remains(client, db, admin, make_user, csrf):
    make_user(Role.ADMIN)
    response = client.post(
        f"/admin/users/{admin.id}/role", data={"role": "hr", "csrf_token": csrf("/admin/users")}
    )
    assert response.status_code == 302
    db.session.refresh(admin)
    assert admin.role == Role.HR
    assert client.get("/admin/users").status_code == 404  # no longer an admin page for them


def test_an_inactive_admin_does_not_count_as_remaining(client, db, admin, make_user, csrf):
    other = make_user(Role.ADMIN)
    other.active = False
    db.session.commit()
    response = client.post(
        f"/admin/users/{admin.id}/role", data={"role": "hr", "csrf_token": csrf("/admin/users")}
    )
    assert response.status_code == 400


def test_password_reset_kills_sessions_and_sets_the_new_password(
    app, client, db, admin, make_user, csrf
):
    from tests.conftest import csrf_from

    user = make_user(Role.INTERVIEWER)
    victim = app.test_client()
    victim.post(
        "/login",
        data={
            "email": user.email,
            "password": TEST_PASSWORD,
            "csrf_token": csrf_from(victim.get("/login").get_data(as_text=True)),
        },
    )
    assert victim.get("/my/interviews").status_code == 200
    weak = client.post(
        f"/admin/users/{user.id}/password",
        data={
            "new_password": "qwertyuiop123",
            "confirm": "qwertyuiop123",
            "csrf_token": csrf("/admin/users"),
        },
    )
    assert weak.status_code == 400 and "too common" in weak.get_data(as_text=True)
    mismatch = client.post(
        f"/admin/users/{user.id}/password",
        data={
            "new_password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD + "x",
            "csrf_token": csrf("/admin/users"),
        },
    )
    assert mismatch.status_code == 400 and "differ" in mismatch.get_data(as_text=True)
    assert victim.get("/my/interviews").status_code == 200  # failed attempts changed nothing
    ok = client.post(
        f"/admin/users/{user.id}/password",
        data={
            "new_password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
            "csrf_token": csrf("/admin/users"),
        },
    )
    assert ok.status_code == 302
    assert victim.get("/my/interviews").status_code == 302
    db.session.refresh(user)
    assert user.check_password(NEW_PASSWORD) and not user.check_password(TEST_PASSWORD)
    (event,) = _events(db, "user.password_reset")
    assert event.actor_id == admin.id and event.before is None and event.after is None


def test_user_pages_render_and_unknown_user_is_404(client, db, admin, make_user):
    user = make_user(Role.MANAGER, name="Mia <b>Manager</b>")
    listing = client.get("/admin/users").get_data(as_text=True)
    assert f"/admin/users/{user.id}" in listing
    assert "Mia &lt;b&gt;Manager&lt;/b&gt;" in listing
    detail = client.get(f"/admin/users/{user.id}")
    assert detail.status_code == 200 and user.email in detail.get_data(as_text=True)
    assert client.get("/admin/users/999999").status_code == 404
    assert client.post("/admin/users/999999/role", data={}).status_code in (400, 404)


def test_admin_pages_in_chinese(client, db, admin):
    html = client.get("/admin/users/new", headers={"Accept-Language": "zh-CN"}).get_data(
        as_text=True
    )
    assert '<html lang="zh-CN">' in html
