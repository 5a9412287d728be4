"""The group-mapping page (admin only, bad input changes nothing) and local passwords off."""

import pytest
import sqlalchemy as sa

from scorecard.models import AuditEvent, ExternalIdentity, GroupRoleMapping, Role
from tests.conftest import csrf_from
from tests.sso.conftest import add_person, directory_sign_in, signed_in


def _token(client) -> str:
    return csrf_from(client.get("/admin/sign-in").get_data(as_text=True))


def _mappings(db) -> list[tuple[str, str, str]]:
    db.session.expire_all()
    return [
        (m.source.value, m.group_name, m.role.value)
        for m in db.session.scalars(sa.select(GroupRoleMapping).order_by(GroupRoleMapping.id))
    ]


def test_admin_maps_and_unmaps_a_group(client, db, make_user, login_as):
    admin = make_user(Role.ADMIN)
    login_as(admin)
    token = _token(client)
    response = client.post(
        "/admin/sign-in/mappings",
        data={
            "source": "ldap",
            "group": "CN=Nurses, OU=Groups,DC=x",
            "role": "hr",
            "csrf_token": token,
        },
    )
    assert response.status_code == 302
    assert _mappings(db) == [("ldap", "CN=Nurses, OU=Groups,DC=x", "hr")]
    mapping = db.session.scalar(sa.select(GroupRoleMapping))
    assert mapping.group_key == "cn=nurses,ou=groups,dc=x"
    # The same group written differently is the same group.
    again = client.post(
        "/admin/sign-in/mappings",
        data={
            "source": "ldap",
            "group": "cn=nurses,ou=groups,dc=x",
            "role": "admin",
            "csrf_token": token,
        },
    )
    assert again.status_code == 400 and "already mapped" in again.get_data(as_text=True)
    page = client.get("/admin/sign-in").get_data(as_text=True)
    assert "CN=Nurses, OU=Groups,DC=x" in page
    gone = client.post(
        "/admin/sign-in/mappings/delete", data={"item_id": str(mapping.id), "csrf_token": token}
    )
    assert gone.status_code == 302 and _mappings(db) == []
    actions = set(db.session.scalars(sa.select(AuditEvent.action)))
    assert {"group_mapping.create", "group_mapping.delete"} <= actions


@pytest.mark.parametrize(
    "data",
    [
        {"source": "ldap", "group": "", "role": "hr"},
        {"source": "ldap", "group": "   ", "role": "hr"},
        {"source": "ldap", "group": "x" * 513, "role": "hr"},
        {"source": "smtp", "group": "g", "role": "hr"},
        {"source": "oidc", "group": "g", "role": "owner"},
        {"source": "oidc", "group": "g"},
    ],
)
def test_bad_mappings_are_refused_and_change_nothing(client, db, make_user, login_as, data):
    login_as(make_user(Role.ADMIN))
    response = client.post("/admin/sign-in/mappings", data={**data, "csrf_token": _token(client)})
    assert response.status_code == 400
    assert 'class="error"' in response.get_data(as_text=True)
    assert _mappings(db) == []


@pytest.mark.parametrize("item", ["", "abc", "999999", "-1"])
def test_deleting_a_missing_mapping_is_a_clear_400(client, db, make_user, login_as, item):
    login_as(make_user(Role.ADMIN))
    response = client.post(
        "/admin/sign-in/mappings/delete", data={"item_id": item, "csrf_token": _token(client)}
    )
    assert response.status_code == 400 and "no longer exists" in response.get_data(as_text=True)


def test_only_admins_see_the_page(client, db, make_user, login_as):
    login_as(make_user(Role.HR))
    assert client.get("/admin/sign-in").status_code == 404


def test_admin_links_and_unlinks_a_directory_account(client, db, with_ldap, make_user, login_as):
    login_as(make_user(Role.ADMIN))
    person = make_user(Role.INTERVIEWER, email="ivy@corp.test")
    uid = add_person(with_ldap, ["managers"], mail="ivy@corp.test")
    token = _token(client)
    unknown = client.post(
        "/admin/sign-in/identities/link",
        data={"email": "ivy@corp.test", "username": "nobody", "csrf_token": token},
    )
    assert unknown.status_code == 400 and db.session.scalar(sa.select(ExternalIdentity)) is None
    response = client.post(
        "/admin/sign-in/identities/link",
        data={"email": "ivy@corp.test", "username": uid, "csrf_token": token},
    )
    assert response.status_code == 302
    identity = db.session.scalar(sa.select(ExternalIdentity))
    assert identity.user_id == person.id
    # The person signs in through the directory straight away, with the mapped role.
    other = client.application.test_client()
    assert directory_sign_in(other, uid).status_code == 302
    db.session.expire_all()
    assert person.role == Role.MANAGER
    unlink = client.post(
        "/admin/sign-in/identities/unlink", data={"item_id": str(identity.id), "csrf_token": token}
    )
    assert unlink.status_code == 302 and db.session.scalar(sa.select(ExternalIdentity)) is None


def test_directory_check_on_the_admin_page(client, db, with_ldap, configure, make_user, login_as):
    login_as(make_user(Role.ADMIN))
    token = _token(client)
    ok = client.post("/admin/sign-in/check", data={"provider": "ldap", "csrf_token": token})
    assert "answers correctly" in ok.get_data(as_text=True)
    configure({"LDAP_BIND_PASSWORD": "wrong"})
    bad = client.post("/admin/sign-in/check", data={"provider": "ldap", "csrf_token": token})
    assert "service account" in bad.get_data(as_text=True)


def test_local_passwords_off_except_break_glass(app, client, db, configure, make_user, login_as):
    admin = make_user(Role.ADMIN, email="glass@example.test")
    other_admin = make_user(Role.ADMIN)
    hr = make_user(Role.HR)
    # A session opened before the switch ends at its next request.
    from tests.web.trust_world import sign_in as local_sign_in

    early = local_sign_in(app, hr)
    configure({"LOCAL_SIGN_IN": "off", "BREAK_GLASS_ADMINS": [admin.email]})
    assert early.get("/jobs").status_code == 302 and not signed_in(early)
    refused = login_as(hr)
    assert refused.status_code == 403
    assert "Password sign-in is turned off" in refused.get_data(as_text=True)
    assert login_as(other_admin).status_code == 403  # an admin, but not break-glass
    failures = db.session.scalar(
        sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == "login.failure")
    )
    assert failures == 0  # their passwords were never even checked
    assert login_as(admin).status_code == 302 and signed_in(client)


@pytest.mark.parametrize("field", ["group", "nul"])
def test_control_characters_are_refused(client, db, make_user, login_as, field):
    login_as(make_user(Role.ADMIN))
    group = "bad\x00group" if field == "nul" else "bad\ngroup"
    response = client.post(
        "/admin/sign-in/mappings",
        data={"source": "oidc", "group": group, "role": "hr", "csrf_token": _token(client)},
    )
    assert response.status_code == 400 and _mappings(db) == []


def test_a_nul_in_the_directory_user_name_is_refused(client, db, with_ldap):
    response = directory_sign_in(client, "ali\x00ce")
    assert response.status_code == 400 and not signed_in(client)
