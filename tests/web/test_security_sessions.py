"""R7 and R8: lock-out across workers, password rules and change, copied cookies, time limits."""

from types import SimpleNamespace

import pytest
import sqlalchemy as sa

import scorecard.auth.session as session_module
from config import TestConfig
from scorecard import create_app
from scorecard.models import AuditEvent, LoginFailure, Role, User
from scorecard.services import accounts
from tests.conftest import TEST_PASSWORD, IsolatedClient, csrf_from, without_csrf_tokens
from tests.web.trust_figures import report

NEW_PASSWORD = "another long passphrase 42"  # noqa: S105


@pytest.fixture
def second_worker(app, db):
    """A second application instance on the same database: another worker or host."""
    other = create_app(TestConfig)
    other.test_client_class = IsolatedClient
    return other


def _post_login(client, email: str, password: str):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


def _body(response) -> str:
    """The page without its per-session tokens, to compare two answers."""
    return without_csrf_tokens(response.get_data(as_text=True))


def test_after_5_failures_locked_on_every_worker(app, client, second_worker, make_user, request):
    user = make_user(Role.HR)
    workers = [client, second_worker.test_client()]
    for attempt in range(5):  # alternate: each worker sees only some of the failures
        response = _post_login(workers[attempt % 2], user.email, "wrong password number x")
        assert response.status_code == 401
    tries = 0
    logins = 0
    for worker in workers * 3:
        response = _post_login(worker, user.email, TEST_PASSWORD)
        tries += 1
        assert response.status_code == 429
        assert "Too many failed sign-ins. Try again in 15 minutes." in response.get_data(True)
        logins += worker.get("/jobs").status_code == 200
    assert logins == 0
    report(
        request.config,
        "R7",
        f"R7: after 5 failures: locked on 2 of 2 workers; {logins} of {tries} logins while locked",
    )


def test_lockout_message_does_not_reveal_whether_the_account_exists(
    app, client, second_worker, make_user
):
    user = make_user(Role.HR)
    known, unknown = client, second_worker.test_client()
    for _ in range(5):
        _post_login(known, user.email, "wrong password number x")
    locked_known = _post_login(known, user.email, TEST_PASSWORD)
    locked_unknown = _post_login(unknown, "nobody-at-all@example.test", "anything at all 123")
    assert locked_known.status_code == locked_unknown.status_code == 429
    # Identical but for the address the visitor typed, echoed back into the form.
    known_body = _body(locked_known).replace(user.email, "EMAIL")
    unknown_body = _body(locked_unknown).replace("nobody-at-all@example.test", "EMAIL")
    assert known_body == unknown_body


def test_lockout_by_address_covers_many_accounts(app, client, make_user):
    users = [make_user(Role.INTERVIEWER) for _ in range(5)]
    for user in users:  # one failure each: a spray across accounts from one address
        assert _post_login(client, user.email, "wrong password number x").status_code == 401
    fresh = make_user(Role.HR)
    assert _post_login(client, fresh.email, TEST_PASSWORD).status_code == 429


def test_lockout_expires_after_15_minutes(app, client, db, make_user):
    user = make_user(Role.HR)
    for _ in range(5):
        _post_login(client, user.email, "wrong password number x")
    assert _post_login(client, user.email, TEST_PASSWORD).status_code == 429
    from datetime import timedelta

    for failure in db.session.scalars(sa.select(LoginFailure)):
        failure.at -= timedelta(minutes=16)
    db.session.commit()
    assert _post_login(client, user.email, TEST_PASSWORD).status_code == 302


# --- password rules -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    [
        "short",
        "elevenchars",
        "x" * 129,
        "password1234",
        "qwertyuiop123",
        "1234567890ab",
        "PASSWORD1234",
        "aaaaaaaaaaaaaaaa",
        "abababababababab",
        "someone@example.test",
    ],
)
def test_password_rules_refuse(app, password):
    with app.test_request_context():
        assert accounts.password_problem(password, "someone@example.test") is not None


@pytest.mark.parametrize(
    "password", ["a long enough password", "x" * 11 + "yzw", "密码必须足够长才可以使用的"]
)
def test_password_rules_accept(app, password):
    with app.test_request_context():
        assert accounts.password_problem(password, "someone@example.test") is None


def test_common_password_list_is_shipped_and_substantial():
    common = accounts.common_passwords()
    assert len(common) >= 300
    assert {"password1234", "qwertyuiop123", "1234567890ab"} <= common
    assert sum(len(p) >= 12 for p in common) >= 100


# --- changing one's own password ------------------------------------------------------------


def _settings_post(client, **fields):
    token = csrf_from(client.get("/settings").get_data(as_text=True))
    return client.post("/settings", data={**fields, "csrf_token": token})


def test_settings_page_changes_the_password_and_kills_other_cookies(
    app, client, db, make_user, login_as
):
    user = make_user(Role.INTERVIEWER)
    login_as(user)
    copy = app.test_client()
    copy.set_cookie("session", client.get_cookie("session").value)
    assert copy.get("/my/interviews").status_code == 200
    page = client.get("/settings")
    assert page.status_code == 200 and "Change password" in page.get_data(as_text=True)

    wrong = _settings_post(
        client, current_password="not my password", new_password=NEW_PASSWORD, confirm=NEW_PASSWORD
    )
    assert wrong.status_code == 400
    assert "The current password is not correct." in wrong.get_data(as_text=True)
    weak = _settings_post(
        client, current_password=TEST_PASSWORD, new_password="password1234", confirm="password1234"
    )
    assert weak.status_code == 400 and "too common" in weak.get_data(as_text=True)
    same = _settings_post(
        client, current_password=TEST_PASSWORD, new_password=TEST_PASSWORD, confirm=TEST_PASSWORD
    )
    assert same.status_code == 400 and "must differ" in same.get_data(as_text=True)
    mismatch = _settings_post(
        client, current_password=TEST_PASSWORD, new_password=NEW_PASSWORD, confirm="something else"
    )
    assert mismatch.status_code == 400 and "differ" in mismatch.get_data(as_text=True)
    db.session.refresh(user)
    assert user.check_password(TEST_PASSWORD)
    assert copy.get("/my/interviews").status_code == 200  # refused changes killed nothing

    ok = _settings_post(
        client, current_password=TEST_PASSWORD, new_password=NEW_PASSWORD, confirm=NEW_PASSWORD
    )
    assert ok.status_code == 302
    assert client.get("/my/interviews").status_code == 200  # this browser stays signed in
    assert copy.get("/my/interviews").status_code == 302  # every other copy died
    db.session.refresh(user)
    assert user.check_password(NEW_PASSWORD)
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "user.password_change")
    ).all()
    assert len(events) == 1 and events[0].actor_id == user.id
    assert events[0].before is None and events[0].after is None


def test_settings_needs_a_session(client, db):
    response = client.get("/settings")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_settings_in_chinese(client, make_user, login_as):
    user = make_user(Role.HR)
    login_as(user)
    html = client.get("/settings", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert 'lang="zh-CN"' in html


# --- R8: a copied cookie dies ---------------------------------------------------------------


def _copy_of(app, client):
    copy = app.test_client()
    copy.set_cookie("session", client.get_cookie("session").value)
    assert copy.get("/jobs").status_code == 200
    return copy


def _kill_by_logout(app, client, user, admin_client):
    token = csrf_from(client.get("/settings").get_data(as_text=True))
    client.post("/logout", data={"csrf_token": token})


def _kill_by_password_change(app, client, user, admin_client):
    _settings_post(
        client, current_password=TEST_PASSWORD, new_password=NEW_PASSWORD, confirm=NEW_PASSWORD
    )


def _kill_by_deactivation(app, client, user, admin_client):
    token = csrf_from(admin_client.get("/admin/users").get_data(as_text=True))
    admin_client.post(f"/admin/users/{user.id}/active", data={"active": "0", "csrf_token": token})


def _kill_by_reset(app, client, user, admin_client):
    token = csrf_from(admin_client.get("/admin/users").get_data(as_text=True))
    admin_client.post(
        f"/admin/users/{user.id}/password",
        data={"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "csrf_token": token},
    )


KILLERS = {
    "logout": _kill_by_logout,
    "password change": _kill_by_password_change,
    "deactivation": _kill_by_deactivation,
    "admin password reset": _kill_by_reset,
}


def test_a_copied_cookie_dies_every_time(app, client, db, make_user, request):
    admin = make_user(Role.ADMIN)
    admin_client = app.test_client()
    _post_login(admin_client, admin.email, TEST_PASSWORD)
    rejected = 0
    copies = 0
    for how, kill in KILLERS.items():
        user = make_user(Role.HR)
        own = app.test_client()
        _post_login(own, user.email, TEST_PASSWORD)
        stolen = [_copy_of(app, own) for _ in range(3)]
        kill(app, own, user, admin_client)
        for copy in stolen:
            copies += 1
            for path in ("/jobs", "/settings", "/my/interviews"):
                assert copy.get(path).status_code == 302, f"{how}: {path} still served"
            rejected += 1
    assert rejected == copies == 3 * len(KILLERS)
    report(
        request.config,
        "R8",
        f"R8: {rejected} of {copies} copied cookies rejected "
        f"(logout, password change, deactivation, admin reset: {rejected / copies:.0%})",
    )


def test_role_change_applies_to_the_open_session(app, client, db, make_user, login_as):
    admin = make_user(Role.ADMIN)
    user = make_user(Role.HR)
    login_as(user)
    assert client.get("/candidates").status_code == 200
    admin_client = app.test_client()
    _post_login(admin_client, admin.email, TEST_PASSWORD)
    token = csrf_from(admin_client.get("/admin/users").get_data(as_text=True))
    admin_client.post(
        f"/admin/users/{user.id}/role", data={"role": "interviewer", "csrf_token": token}
    )
    assert client.get("/candidates").status_code == 404


# --- idle and absolute limits ---------------------------------------------------------------


@pytest.fixture
def clock(monkeypatch):
    now = {"t": 1_800_000_000.0}
    monkeypatch.setattr(session_module, "time", SimpleNamespace(time=lambda: now["t"]))
    return now


def test_idle_session_ends_after_30_minutes(client, make_user, login_as, clock):
    user = make_user(Role.HR)
    login_as(user)
    clock["t"] += 29 * 60
    assert client.get("/jobs").status_code == 200  # activity renews the idle timer
    clock["t"] += 29 * 60
    assert client.get("/jobs").status_code == 200
    clock["t"] += 30 * 60 + 5
    response = client.get("/jobs")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert client.get("/jobs").status_code == 302  # and it stays ended


def test_absolute_limit_of_12_hours_despite_activity(client, make_user, login_as, clock):
    user = make_user(Role.HR)
    login_as(user)
    for _ in range(12 * 60 // 20):  # a request every 20 minutes for 12 hours
        assert client.get("/jobs").status_code == 200
        clock["t"] += 20 * 60
    clock["t"] += 60
    assert client.get("/jobs").status_code == 302


def test_password_change_keeps_the_absolute_limit(client, db, make_user, login_as, clock):
    user = make_user(Role.HR)
    login_as(user)
    for _ in range(11 * 3):  # 11 hours of activity, a request every 20 minutes
        clock["t"] += 20 * 60
        assert client.get("/jobs").status_code == 200
    ok = _settings_post(
        client, current_password=TEST_PASSWORD, new_password=NEW_PASSWORD, confirm=NEW_PASSWORD
    )
    assert ok.status_code == 302
    for _ in range(2):  # 11 h 25 min, 11 h 50 min since signing in
        clock["t"] += 25 * 60
        assert client.get("/jobs").status_code == 200
    clock["t"] += 25 * 60  # 12 h 15 min: the new password did not restart the clock
    assert client.get("/jobs").status_code == 302


def test_deactivated_user_count_is_visible(db, make_user):
    user = make_user(Role.HR)
    user.active = False
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(User.id)).where(User.active.is_(False))) == 1
