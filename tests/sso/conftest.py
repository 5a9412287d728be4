"""Fixtures of the company sign-in tests: a real slapd, a real OpenID provider, app settings.

Both servers start once per test session (skipped with the reason when their software is
missing; `.ci/run` installs it, so CI skips nothing). Each test adds its own directory people
(unique user names), so a test that disables someone never affects another.
"""

from __future__ import annotations

import itertools
import re
import shutil
from collections.abc import Iterator
from urllib.parse import urljoin, urlsplit

import pytest
import requests

from scorecard.models import IdentitySource, Role
from scorecard.sso import provisioning
from tests.sso.servers import (
    READER_DN,
    READER_PW,
    SUFFIX,
    OpenIdProvider,
    Slapd,
    group_ldif,
    person_ldif,
)

PEOPLE = f"ou=people,{SUFFIX}"
GROUPS = f"ou=groups,{SUFFIX}"
DIR_PASSWORD = "directory-pass-2026"  # noqa: S105
OP_PASSWORD = "provider-pass-2026"  # noqa: S105
ACTIVE_FILTER = "(!(employeeType=disabled))"
_seq = itertools.count(1)


@pytest.fixture(scope="session")
def slapd() -> Iterator[Slapd]:
    if not shutil.which("slapd") and not shutil.which("/usr/sbin/slapd"):
        pytest.skip("needs OpenLDAP's slapd (apt-get install slapd ldap-utils)")
    if not shutil.which("ldapadd"):
        pytest.skip("needs ldapadd (apt-get install ldap-utils)")
    server = Slapd().start()
    for group in ("interviewers", "hr-team", "managers", "admins", "contractors"):
        server.ldapadd(group_ldif(group, []))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def op() -> Iterator[OpenIdProvider]:
    pytest.importorskip(
        "oidc_provider", reason="needs django-oidc-provider (pip install -e .[dev])"
    )
    server = OpenIdProvider().start()
    server.configure(
        {
            "clients": [
                {
                    "client_id": OpenIdProvider.CLIENT_ID,
                    "client_secret": OpenIdProvider.CLIENT_SECRET,
                    "redirect_uris": ["http://localhost/login/sso/callback"],
                    "post_logout_redirect_uris": ["http://localhost/login"],
                }
            ]
        }
    )
    yield server
    server.stop()


# --- directory people -----------------------------------------------------------------------


def unique(prefix: str) -> str:
    return f"{prefix}{next(_seq)}"


def add_person(
    slapd: Slapd,
    groups: list[str],
    prefix: str = "p",
    mail: str | None = None,
    name: str | None = None,
    disabled: bool = False,
) -> str:
    """A new directory person in `groups` (with the shared password); returns the uid."""
    uid = unique(prefix)
    slapd.ldapadd(
        person_ldif(
            uid, name or f"Person {uid.title()}", mail or f"{uid}@corp.test", DIR_PASSWORD, disabled
        )
    )
    for group in groups:
        set_membership(slapd, uid, group, True)
    return uid


def set_membership(slapd: Slapd, uid: str, group: str, member: bool) -> None:
    from ldap3 import MODIFY_ADD, MODIFY_DELETE

    conn = slapd.admin()
    op_ = MODIFY_ADD if member else MODIFY_DELETE
    assert conn.modify(f"cn={group},{GROUPS}", {"member": [(op_, [f"uid={uid},{PEOPLE}"])]}), (
        conn.result
    )
    conn.unbind()


def set_disabled(slapd: Slapd, uid: str, disabled: bool = True) -> None:
    from ldap3 import MODIFY_DELETE, MODIFY_REPLACE

    conn = slapd.admin()
    change = (MODIFY_REPLACE, ["disabled"]) if disabled else (MODIFY_DELETE, [])
    assert conn.modify(f"uid={uid},{PEOPLE}", {"employeeType": [change]}), conn.result
    conn.unbind()


def delete_person(slapd: Slapd, uid: str) -> None:
    conn = slapd.admin()
    assert conn.delete(f"uid={uid},{PEOPLE}"), conn.result
    conn.unbind()


# --- app settings -----------------------------------------------------------------------------


def ldap_settings(slapd: Slapd, mode: str = "search") -> dict:
    """App configuration for the test directory: search, template, ldaps, starttls, groups."""
    cfg = {
        "LDAP_URL": slapd.url,
        "LDAP_STARTTLS": False,
        "LDAP_CA_FILE": str(slapd.ca),
        "LDAP_BIND_DN": READER_DN,
        "LDAP_BIND_PASSWORD": READER_PW,
        "LDAP_USER_BASE": PEOPLE,
        "LDAP_USER_FILTER": "(&(objectClass=inetOrgPerson)(|(uid={username})(mail={username})))",
        "LDAP_USER_DN_TEMPLATE": "",
        "LDAP_ACTIVE_FILTER": ACTIVE_FILTER,
        "LDAP_GROUP_BASE": "",
        "LDAP_GROUP_FILTER": "(member={dn})",
        "LDAP_ID_ATTR": "entryUUID",
        "LDAP_NAME_ATTR": "displayName",
        "LDAP_MAIL_ATTR": "mail",
        "LDAP_TIMEOUT_S": 5,
        "LDAP_LABEL": "Corp directory",
    }
    if mode == "template":
        cfg["LDAP_USER_DN_TEMPLATE"] = f"uid={{username}},{PEOPLE}"
    elif mode == "ldaps":
        cfg["LDAP_URL"] = slapd.ldaps_url
    elif mode == "starttls":
        cfg["LDAP_STARTTLS"] = True
    elif mode == "group-search":
        cfg["LDAP_GROUP_BASE"] = GROUPS
    return cfg


def oidc_settings(op: OpenIdProvider) -> dict:
    return {
        "OIDC_ISSUER": op.issuer,
        "OIDC_CLIENT_ID": OpenIdProvider.CLIENT_ID,
        "OIDC_CLIENT_SECRET": OpenIdProvider.CLIENT_SECRET,
        "OIDC_SCOPES": "openid email profile",
        "OIDC_GROUPS_CLAIM": "groups",
        "OIDC_ALLOWED_DOMAINS": [],
        "OIDC_LABEL": "Test IdP",
    }


@pytest.fixture
def configure(app, monkeypatch):
    """Set app configuration for one test (restored afterwards)."""

    def apply(values: dict) -> None:
        for key, value in values.items():
            monkeypatch.setitem(app.config, key, value)

    return apply


@pytest.fixture
def mappings(db):
    """The standard group → role mappings (both sources)."""
    from scorecard.models import GroupRoleMapping

    rows = {
        "interviewers": Role.INTERVIEWER,
        "hr-team": Role.HR,
        "managers": Role.MANAGER,
        "admins": Role.ADMIN,
    }
    for source in IdentitySource:
        for group, role in rows.items():
            name = f"cn={group},{GROUPS}" if source == IdentitySource.LDAP else group
            db.session.add(
                GroupRoleMapping(
                    source=source,
                    group_name=name,
                    group_key=provisioning.group_key(source, name),
                    role=role,
                )
            )
    db.session.commit()


@pytest.fixture
def with_ldap(slapd, configure, mappings):
    configure(ldap_settings(slapd))
    return slapd


@pytest.fixture
def with_oidc(op, configure, mappings):
    configure(oidc_settings(op))
    op.tamper()
    yield op
    op.tamper()


# --- driving sign-ins -------------------------------------------------------------------------

CSRF_DJANGO = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def op_user(op: OpenIdProvider, groups: list[str], prefix: str = "o", **fields) -> dict:
    """A new person at the provider; returns their spec (username, password, email, …)."""
    username = unique(prefix)
    spec = {
        "username": username,
        "password": OP_PASSWORD,
        "email": f"{username}@corp.test",
        "first_name": username.title(),
        "last_name": "Tester",
        "groups": groups,
        **fields,
    }
    op.configure({"users": [spec]})
    return spec


def provider_login(authorize_url: str, username: str, password: str, callback_prefix: str) -> str:
    """Play the browser at the provider: log in on its page, return the callback URL it sends."""
    browser = requests.Session()
    url = authorize_url
    resp = browser.get(url, allow_redirects=False, timeout=15)
    for _ in range(10):
        if resp.status_code in (301, 302, 303):
            location = urljoin(resp.url, resp.headers["Location"])
            if location.startswith(callback_prefix):
                return location
            resp = browser.get(location, allow_redirects=False, timeout=15)
            continue
        match = CSRF_DJANGO.search(resp.text)
        assert resp.status_code == 200 and match, f"unexpected provider page {resp.status_code}"
        resp = browser.post(
            resp.url,
            data={"username": username, "password": password, "csrfmiddlewaretoken": match[1]},
            allow_redirects=False,
            timeout=15,
        )
    raise AssertionError("the provider never redirected back")


def oidc_sign_in(client, user: dict, authorize=None, callback=None):
    """Start at Scorecard, log in at the provider, come back; returns the callback response.

    `authorize` / `callback` may rewrite the URLs on the way (tampering).
    """
    start = client.get("/login/sso")
    assert start.status_code == 302, start.get_data(as_text=True)[:300]
    url = start.headers["Location"]
    if authorize:
        url = authorize(url)
    back = provider_login(url, user["username"], user["password"], "http://localhost/login/sso")
    if callback:
        back = callback(back)
    parts = urlsplit(back)
    return client.get(f"{parts.path}?{parts.query}")


def directory_sign_in(client, username: str, password: str = DIR_PASSWORD):
    from tests.conftest import csrf_from

    page = client.get("/login")
    token = csrf_from(page.get_data(as_text=True))
    return client.post(
        "/login/directory", data={"username": username, "password": password, "csrf_token": token}
    )


def signed_in(client) -> bool:
    return client.get("/settings").status_code == 200
