"""Two-factor sign-in (issue 20): enrolment, codes accepted once, lock-out, policy, reset."""

import time

import pyotp
import pytest
import sqlalchemy as sa

from config import TestConfig
from scorecard import create_app
from scorecard.extensions import db as _db
from scorecard.models import AuditEvent, RecoveryCode, Role, User, utcnow
from scorecard.services import site_settings, two_factor
from tests.conftest import TEST_PASSWORD, IsolatedClient, csrf_from
from tests.web.trust_figures import report

WRONG = "That code is not valid (or was already used). Try the current one."


def code_at(secret: str, offset_steps: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + offset_steps * two_factor.STEP_S)


def enrolled(user: User) -> str:
    """Turn two-factor on for `user` directly; returns the secret."""
    user.totp_secret = pyotp.random_base32()
    user.totp_enabled_at = utcnow()
    _db.session.commit()
    return user.totp_secret


def post_password(client, user: User, password: str = TEST_PASSWORD):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    return client.post(
        "/login", data={"email": user.email, "password": password, "csrf_token": token}
    )


def post_code(client, code: str):
    page = client.get("/login/code")
    if page.status_code != 200:
        return page
    token = csrf_from(page.get_data(as_text=True))
    return client.post("/login/code", data={"code": code, "csrf_token": token})


def sign_out(client) -> None:
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/settings").get_data(True))})


def signed_in(client) -> bool:
    return client.get("/settings").status_code == 200


@pytest.fixture
def second_instance(app, db):
    other = create_app(TestConfig)
    other.test_client_class = IsolatedClient
    return other


def test_enrol_in_settings_then_sign_in_asks_for_the_code(client, make_user, login_as):
    user = make_user(Role.HR)
    login_as(user)
    page = client.get("/settings/two-factor")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'src="data:image/svg+xml' in html
    secret = _db.session.scalar(sa.select(User.totp_secret).where(User.id == user.id))
    assert secret and secret in html
    # A reload keeps the same secret (the app may already have scanned it).
    client.get("/settings/two-factor")
    assert _db.session.scalar(sa.select(User.totp_secret).where(User.id == user.id)) == secret
    token = csrf_from(html)
    wrong = client.post("/settings/two-factor", data={"code": "000000", "csrf_token": token})
    assert wrong.status_code == 400 and "That code is not right" in wrong.get_data(True)
    assert _db.session.get(User, user.id).totp_enabled_at is None
    done = client.post("/settings/two-factor", data={"code": code_at(secret), "csrf_token": token})
    assert done.status_code == 200
    body = done.get_data(as_text=True)
    assert body.count("<li><code>") == 10
    assert done.headers["Cache-Control"] == "no-store"
    _db.session.expire_all()
    assert _db.session.get(User, user.id).has_two_factor
    codes = _db.session.scalars(sa.select(RecoveryCode.code_hash)).all()
    assert len(codes) == 10 and all(len(h) == 64 for h in codes)  # only hashes stored
    sign_out(client)

    # Password alone: not signed in, sent to the code step.
    response = post_password(client, user)
    assert response.status_code == 302 and response.headers["Location"].endswith("/login/code")
    assert not signed_in(client)
    assert post_code(client, code_at(secret, 1)).status_code == 302
    assert signed_in(client)
    actions = _db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert "login.password_ok" in actions and actions.count("user.two_factor_enable") == 1


def test_no_sign_in_with_a_wrong_reused_or_expired_code(
    app, client, second_instance, make_user, request
):
    users = [make_user(Role.INTERVIEWER) for _ in range(3)]
    attempts = signins = 0
    for user in users:
        secret = enrolled(user)
        # A right code signs in once ...
        assert post_password(client, user).status_code == 302
        good = code_at(secret)
        assert post_code(client, good).status_code == 302
        client.post(
            "/logout", data={"csrf_token": csrf_from(client.get("/settings").get_data(True))}
        )
        # ... and never again: on this instance or another, while still inside its window.
        for worker in (client, second_instance.test_client()):
            assert post_password(worker, user).status_code == 302
            response = post_code(worker, good)
            attempts += 1
            assert response.status_code == 401 and WRONG in response.get_data(True)
            signins += signed_in(worker)
        # Expired: codes from 2 to 4 steps (60–120 s) ago; wrong: off by one digit.
        for bad in (code_at(secret, -2), code_at(secret, -4), f"{(int(good) + 1) % 10**6:06d}"):
            if bad == good:
                continue
            _db.session.execute(sa.delete(AuditEvent))  # keep the lock-out out of the way
            _db.session.execute(sa.text("DELETE FROM login_failures"))
            _db.session.commit()
            assert post_password(client, user).status_code == 302
            response = post_code(client, bad)
            attempts += 1
            assert response.status_code == 401
            signins += signed_in(client)
    assert signins == 0
    report(
        request.config,
        "2FA-codes",
        f"2FA: {signins} sign-ins out of {attempts} attempts with a wrong, reused or expired "
        "code (reuse tried on 2 app instances)",
    )


def test_five_wrong_codes_lock_the_account_on_every_instance(
    app, client, second_instance, make_user, request
):
    user = make_user(Role.HR)
    secret = enrolled(user)
    workers = [client, second_instance.test_client()]
    for attempt in range(5):  # each instance sees only some of the guesses
        worker = workers[attempt % 2]
        assert post_password(worker, user).status_code == 302
        assert post_code(worker, f"{attempt:06d}" if attempt else "999999").status_code == 401
    locked = 0
    for worker in workers:
        # The right password and the right code: refused while locked.
        response = post_password(worker, user)
        locked += response.status_code == 429
        assert not signed_in(worker)
    assert locked == 2
    # Even a code step already under way is refused, with the right code.
    other = second_instance.test_client()
    _db.session.execute(sa.text("DELETE FROM login_failures"))
    _db.session.commit()
    assert post_password(other, user).status_code == 302
    for n in range(5):
        post_code(other, f"{n + 100000:06d}")
    response = post_code(other, code_at(secret))
    assert response.status_code in (302, 429)
    assert not signed_in(other)
    report(
        request.config,
        "2FA-lockout",
        f"2FA: locked after 5 wrong codes on {locked} of 2 app instances",
    )


def test_a_recovery_code_works_once(client, make_user, login_as):
    user = make_user(Role.MANAGER)
    secret = enrolled(user)
    codes = two_factor._new_recovery_codes(user)
    _db.session.commit()
    assert post_password(client, user).status_code == 302
    response = post_code(client, codes[3].upper().replace("-", " "))  # typed loosely
    assert response.status_code == 302 and signed_in(client)
    assert "Unused recovery codes left: 9." in client.get("/settings").get_data(True)
    sign_out(client)
    assert post_password(client, user).status_code == 302
    assert post_code(client, codes[3]).status_code == 401
    assert not signed_in(client)
    assert two_factor.recovery_codes_left(user) == 9
    assert secret


def test_regenerating_recovery_codes_replaces_the_old_ones(client, make_user, login_as):
    user = make_user(Role.HR)
    secret = enrolled(user)
    old = two_factor._new_recovery_codes(user)
    _db.session.commit()
    assert post_password(client, user).status_code == 302
    post_code(client, code_at(secret))
    token = csrf_from(client.get("/settings").get_data(as_text=True))
    refused = client.post(
        "/settings/two-factor/recovery-codes", data={"code": "123", "csrf_token": token}
    )
    assert refused.status_code == 400 and "That code is not right" in refused.get_data(True)
    fresh = client.post(
        "/settings/two-factor/recovery-codes",
        data={"code": code_at(secret, 1), "csrf_token": token},
    )
    assert fresh.status_code == 200 and fresh.get_data(True).count("<li><code>") == 10
    assert not two_factor.use_recovery_code(user, old[0])


def test_an_admin_required_to_use_it_can_do_nothing_before_enrolling(
    client, make_user, login_as, db
):
    admin = make_user(Role.ADMIN)
    hr = make_user(Role.HR)
    site_settings.set_value(site_settings.TWO_FACTOR_POLICY, "admins", admin)
    db.session.commit()
    response = login_as(admin)
    assert response.headers["Location"].endswith("/settings/two-factor")
    for path in ("/admin/users", "/jobs", "/settings", "/api-tokens", "/admin/security"):
        blocked = client.get(path)
        assert blocked.status_code == 302, path
        assert blocked.headers["Location"].endswith("/settings/two-factor"), path
    assert client.get("/settings/two-factor").status_code == 200
    # HR is not an admin: not required.
    other = client.application.test_client()
    token = csrf_from(other.get("/login").get_data(as_text=True))
    other.post("/login", data={"email": hr.email, "password": TEST_PASSWORD, "csrf_token": token})
    assert other.get("/jobs").status_code == 200
    secret = db.session.scalar(sa.select(User.totp_secret).where(User.id == admin.id))
    token = csrf_from(client.get("/settings/two-factor").get_data(as_text=True))
    client.post("/settings/two-factor", data={"code": code_at(secret), "csrf_token": token})
    assert client.get("/admin/users").status_code == 200


def test_admin_resets_a_users_second_factor_audited(client, make_user, login_as, db):
    admin = make_user(Role.ADMIN)
    user = make_user(Role.INTERVIEWER)
    secret = enrolled(user)
    two_factor._new_recovery_codes(user)
    db.session.commit()
    victim = client.application.test_client()
    assert post_password(victim, user).status_code == 302
    post_code(victim, code_at(secret))
    assert signed_in(victim)
    login_as(admin)
    page = client.get(f"/admin/users/{user.id}")
    token = csrf_from(page.get_data(as_text=True))
    unticked = client.post(f"/admin/users/{user.id}/two-factor/reset", data={"csrf_token": token})
    assert unticked.status_code == 400
    db.session.expire_all()
    assert db.session.get(User, user.id).has_two_factor
    done = client.post(
        f"/admin/users/{user.id}/two-factor/reset", data={"csrf_token": token, "confirm": "y"}
    )
    assert done.status_code == 302
    db.session.expire_all()
    fresh = db.session.get(User, user.id)
    assert not fresh.has_two_factor and fresh.totp_secret is None
    assert two_factor.recovery_codes_left(fresh) == 0
    assert not signed_in(victim)  # signed out everywhere
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "user.two_factor_reset")
    )
    assert event.actor_id == admin.id and event.object_id == user.id
    # Signing in now needs only the password again.
    assert post_password(victim, user).headers["Location"].endswith("/interviews")


def test_no_secret_or_code_in_the_audit_trail(client, make_user, login_as):
    user = make_user(Role.HR)
    login_as(user)
    client.get("/settings/two-factor")
    secret = _db.session.scalar(sa.select(User.totp_secret).where(User.id == user.id))
    token = csrf_from(client.get("/settings/two-factor").get_data(as_text=True))
    body = client.post("/settings/two-factor", data={"code": code_at(secret), "csrf_token": token})
    codes = [c for c in body.get_data(True).split("<li><code>")[1:]]
    codes = [c.split("</code>")[0] for c in codes]
    rows = _db.session.execute(sa.select(AuditEvent.before, AuditEvent.after)).all()
    dump = repr(rows)
    assert secret not in dump and not any(c in dump for c in codes)


def test_the_code_step_needs_a_password_step_first(client):
    response = client.get("/login/code")
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
