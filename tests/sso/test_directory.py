"""LDAP sign-in against a real slapd: search-then-bind, DN template, LDAPS, StartTLS, groups,
just-in-time accounts, role sync, leavers, lock-out, outages."""

import time

import pytest
import sqlalchemy as sa

from scorecard.models import AuditEvent, ExternalIdentity, Role, User
from tests.conftest import csrf_from
from tests.sso.conftest import (
    add_person,
    delete_person,
    directory_sign_in,
    ldap_settings,
    set_disabled,
    set_membership,
    signed_in,
)


def _user(db, email: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(User).where(User.email == email))


def _actions(db, user_id: int) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(AuditEvent.action)
            .where(AuditEvent.object_id == user_id)
            .order_by(AuditEvent.id)
        )
    )


@pytest.mark.parametrize("mode", ["search", "template", "ldaps", "starttls", "group-search"])
def test_first_sign_in_creates_the_account_with_the_mapped_role(
    client, db, with_ldap, configure, mode
):
    configure(ldap_settings(with_ldap, mode))
    uid = add_person(with_ldap, ["hr-team"], name="Hana Wu")
    response = directory_sign_in(client, uid)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert response.headers["Location"].endswith("/jobs")
    user = _user(db, f"{uid}@corp.test")
    assert user is not None and user.role == Role.HR and user.name == "Hana Wu"
    assert user.password_hash == ""  # no local password: it cannot sign in locally
    identity = db.session.scalar(
        sa.select(ExternalIdentity).where(ExternalIdentity.user_id == user.id)
    )
    assert identity.dn == f"uid={uid},ou=people,dc=scorecard,dc=test"
    assert len(identity.subject) == 36  # entryUUID
    assert "user.create" in _actions(db, user.id) and signed_in(client)


def test_sign_in_by_mail_attribute_and_the_role_follows_the_groups(client, db, with_ldap):
    uid = add_person(with_ldap, ["interviewers"])
    assert directory_sign_in(client, f"{uid}@corp.test").status_code == 302
    user = _user(db, f"{uid}@corp.test")
    assert user.role == Role.INTERVIEWER
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/settings").get_data(True))})
    # Promoted in the directory: the next sign-in brings the role up to date, audited.
    set_membership(with_ldap, uid, "managers", True)
    assert directory_sign_in(client, uid).status_code == 302
    user = _user(db, f"{uid}@corp.test")
    assert user.role == Role.MANAGER
    change = db.session.scalar(
        sa.select(AuditEvent).where(
            AuditEvent.action == "user.role_change", AuditEvent.object_id == user.id
        )
    )
    assert change.before["role"] == "interviewer" and change.after["role"] == "manager"
    assert change.actor_id is None  # the directory changed it, not a person
    # Same person, same account: no second user for one directory entry.
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 1


@pytest.mark.parametrize(
    "case", ["wrong_password", "disabled", "no_group", "unknown", "empty_password", "deleted"]
)
def test_refused_directory_sign_ins(client, db, with_ldap, case):
    uid = add_person(with_ldap, [] if case == "no_group" else ["interviewers"])
    password = None
    if case == "wrong_password":
        password = "not-the-password"
    elif case == "disabled":
        set_disabled(with_ldap, uid)
    elif case == "unknown":
        uid = "nobody-here"
    elif case == "empty_password":
        password = ""
    elif case == "deleted":
        delete_person(with_ldap, uid)
    response = (
        directory_sign_in(client, uid, password)
        if password is not None
        else directory_sign_in(client, uid)
    )
    assert response.status_code in (400, 401, 403)
    assert not signed_in(client)
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0
    body = response.get_data(as_text=True)
    if case == "no_group":
        assert "no Scorecard role" in body
    elif case != "empty_password":
        assert "Wrong user name or password." in body


def test_a_filter_injection_finds_nobody(client, db, with_ldap):
    add_person(with_ldap, ["admins"])
    response = directory_sign_in(client, "*)(uid=*", "x")
    assert response.status_code == 401 and not signed_in(client)


def test_lock_out_applies_to_directory_passwords(client, db, with_ldap):
    uid = add_person(with_ldap, ["interviewers"])
    for _ in range(5):
        assert directory_sign_in(client, uid, "wrong-guess").status_code == 401
    locked = directory_sign_in(client, uid)  # even the right password, while locked
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.get_data(as_text=True)
    assert not signed_in(client)


def test_a_disabled_directory_user_is_signed_out_at_the_re_check(
    client, app, db, with_ldap, configure
):
    configure({"DIRECTORY_RECHECK_S": 1})
    uid = add_person(with_ldap, ["interviewers"])
    assert directory_sign_in(client, uid).status_code == 302
    other = app.test_client()  # a second session of the same person
    assert directory_sign_in(other, uid).status_code == 302
    assert signed_in(client) and signed_in(other)
    set_disabled(with_ldap, uid)
    time.sleep(1.1)
    response = client.get("/my/interviews")
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert not signed_in(client) and not signed_in(other)  # every session ended
    user = _user(db, f"{uid}@corp.test")
    assert "session.ended_by_directory" in _actions(db, user.id)
    # … and cannot sign in again.
    assert directory_sign_in(client, uid).status_code == 401


def test_removed_from_every_mapped_group_ends_the_session(client, db, with_ldap, configure):
    configure({"DIRECTORY_RECHECK_S": 1})
    uid = add_person(with_ldap, ["interviewers"])
    assert directory_sign_in(client, uid).status_code == 302
    set_membership(with_ldap, uid, "interviewers", False)
    set_membership(with_ldap, uid, "contractors", True)  # a group nobody mapped
    time.sleep(1.1)
    assert client.get("/my/interviews").status_code == 302
    assert not signed_in(client)
    assert directory_sign_in(client, uid).status_code == 403


def test_re_check_within_the_interval_does_not_ask(client, db, with_ldap, configure):
    uid = add_person(with_ldap, ["interviewers"])  # default interval: 15 minutes
    assert directory_sign_in(client, uid).status_code == 302
    set_disabled(with_ldap, uid)
    assert signed_in(client)  # still in until the re-check is due


def test_an_unreachable_directory_is_unavailable_not_an_error(
    client, db, with_ldap, configure, make_user, login_as
):
    from tests.sso.servers import free_port

    configure({"LDAP_URL": f"ldap://127.0.0.1:{free_port()}", "LDAP_TIMEOUT_S": 1})
    response = directory_sign_in(client, "anyone")
    assert response.status_code == 503
    assert "Sign-in with Corp directory is unavailable right now." in response.get_data(
        as_text=True
    )
    # Local sign-in keeps working.
    admin = make_user(Role.ADMIN)
    assert login_as(admin).status_code == 302


def test_a_certificate_the_app_does_not_trust_is_unavailable(
    client, db, with_ldap, configure, tmp_path
):
    from tests.sso.servers import make_ca_and_cert

    other_ca, _c, _k = make_ca_and_cert(tmp_path)
    configure({**ldap_settings(with_ldap, "ldaps"), "LDAP_CA_FILE": str(other_ca)})
    uid = add_person(with_ldap, ["interviewers"])
    response = directory_sign_in(client, uid)
    assert response.status_code == 503 and not signed_in(client)


def test_a_wrong_service_password_is_unavailable(client, db, with_ldap, configure):
    configure({"LDAP_BIND_PASSWORD": "wrong"})
    uid = add_person(with_ldap, ["interviewers"])
    response = directory_sign_in(client, uid)
    assert response.status_code == 503 and not signed_in(client)


def test_a_verified_directory_mail_links_an_existing_account_after_its_password(
    client, db, with_ldap, make_user
):
    local = make_user(Role.INTERVIEWER, email="lin@corp.test")
    uid = add_person(with_ldap, ["hr-team"], mail="lin@corp.test")
    response = directory_sign_in(client, uid)
    assert response.status_code == 302 and response.headers["Location"].endswith("/login/link")
    assert not signed_in(client)
    page = client.get("/login/link")
    token = csrf_from(page.get_data(as_text=True))
    wrong = client.post("/login/link", data={"password": "not-it", "csrf_token": token})
    assert wrong.status_code == 401 and not signed_in(client)
    from tests.conftest import TEST_PASSWORD

    ok = client.post("/login/link", data={"password": TEST_PASSWORD, "csrf_token": token})
    assert ok.status_code == 302 and signed_in(client)
    user = _user(db, "lin@corp.test")
    assert user.id == local.id and user.role == Role.HR  # linked, role from the directory
    assert "identity.link" in _actions(db, user.id)
    # From now on the directory alone signs them in.
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/settings").get_data(True))})
    assert directory_sign_in(client, uid).headers["Location"].endswith("/jobs")
