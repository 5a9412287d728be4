"""OpenID Connect sign-in against a real provider (django-oidc-provider on gunicorn)."""

from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import sqlalchemy as sa

from scorecard.models import AuditEvent, ExternalIdentity, Role, User
from tests.conftest import TEST_PASSWORD, csrf_from
from tests.sso.conftest import oidc_settings, oidc_sign_in, op_user, signed_in


def _user(db, email: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(User).where(User.email == email))


def _with_query(url: str, **changes) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    for key, value in changes.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = value
    return urlunsplit(parts._replace(query=urlencode(query)))


def test_authorize_request_uses_pkce_state_and_nonce(client, db, with_oidc):
    start = client.get("/login/sso")
    query = parse_qs(urlsplit(start.headers["Location"]).query)
    assert query["response_type"] == ["code"]
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) >= 43
    assert len(query["state"][0]) >= 20 and len(query["nonce"][0]) >= 20
    assert query["scope"] == ["openid email profile"]


def test_first_sign_in_creates_the_user_and_later_sign_ins_follow_the_provider(
    client, db, with_oidc
):
    person = op_user(with_oidc, ["interviewers"], first_name="Olivia", last_name="Chen")
    response = oidc_sign_in(client, person)
    assert response.status_code == 302, response.get_data(as_text=True)[:400]
    assert response.headers["Location"].endswith("/my/interviews")
    user = _user(db, person["email"])
    assert user.role == Role.INTERVIEWER and user.name == "Olivia Chen"
    identity = db.session.scalar(
        sa.select(ExternalIdentity).where(ExternalIdentity.user_id == user.id)
    )
    assert identity.subject.startswith(with_oidc.issuer + " ")
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/settings").get_data(True))})
    # The provider now puts them in hr-team and changes their e-mail: same account, new role.
    person = {**person, "groups": ["hr-team"], "email": "olivia.chen@corp.test"}
    with_oidc.configure({"users": [person]})
    assert oidc_sign_in(client, person).headers["Location"].endswith("/jobs")
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 1
    user = db.session.get(User, user.id)
    assert user.role == Role.HR
    assert db.session.scalar(
        sa.select(AuditEvent.id).where(
            AuditEvent.action == "user.role_change", AuditEvent.object_id == user.id
        )
    )


def test_sign_out_offers_the_providers_end_session(client, db, with_oidc):
    person = op_user(with_oidc, ["interviewers"])
    assert oidc_sign_in(client, person).status_code == 302
    token = csrf_from(client.get("/settings").get_data(True))
    client.post("/logout", data={"csrf_token": token})
    page = client.get("/login").get_data(as_text=True)
    assert f"{with_oidc.issuer}/end-session" in page and "id_token_hint=" in page
    assert not signed_in(client)


def test_a_verified_email_links_a_local_account_after_its_password(
    client, db, with_oidc, make_user
):
    local = make_user(Role.MANAGER, email="max@corp.test")
    person = op_user(with_oidc, ["managers"], email="max@corp.test")
    response = oidc_sign_in(client, person)
    assert response.headers["Location"].endswith("/login/link") and not signed_in(client)
    token = csrf_from(client.get("/login/link").get_data(True))
    assert (
        client.post(
            "/login/link", data={"password": TEST_PASSWORD, "csrf_token": token}
        ).status_code
        == 302
    )
    assert signed_in(client)
    assert db.session.scalar(sa.select(ExternalIdentity.user_id)) == local.id


def test_domains_outside_the_allowed_list_are_refused(client, db, with_oidc, configure):
    configure({"OIDC_ALLOWED_DOMAINS": ["hospital.test"]})
    person = op_user(with_oidc, ["interviewers"])
    response = oidc_sign_in(client, person)
    assert response.status_code == 403 and not signed_in(client)
    assert "e-mail domain" in response.get_data(as_text=True)


def test_a_wrong_issuer_setting_is_unavailable_and_local_sign_in_still_works(
    client, db, with_oidc, configure, make_user, login_as
):
    configure({"OIDC_ISSUER": with_oidc.site + "/nothing-here"})
    response = client.get("/login/sso", follow_redirects=True)
    assert response.status_code == 200
    assert "Sign-in with Test IdP is unavailable right now." in response.get_data(as_text=True)
    assert login_as(make_user(Role.ADMIN)).status_code == 302


def test_a_wrong_client_secret_is_unavailable(client, db, with_oidc, configure):
    configure({"OIDC_CLIENT_SECRET": "not-the-secret"})
    person = op_user(with_oidc, ["interviewers"])
    response = oidc_sign_in(client, person)
    assert response.status_code == 503 and not signed_in(client)
    assert "unavailable right now" in response.get_data(as_text=True)


def test_admin_check_names_the_problem(client, db, with_oidc, configure, make_user, login_as):
    login_as(make_user(Role.ADMIN))
    token = csrf_from(client.get("/admin/sign-in").get_data(True))
    ok = client.post("/admin/sign-in/check", data={"provider": "oidc", "csrf_token": token})
    assert "answers correctly" in ok.get_data(as_text=True)
    configure({"OIDC_CLIENT_SECRET": "not-the-secret"})
    bad = client.post("/admin/sign-in/check", data={"provider": "oidc", "csrf_token": token})
    assert "refused the client id or secret" in bad.get_data(as_text=True)
    configure({**oidc_settings(with_oidc), "OIDC_ISSUER": "http://127.0.0.1:9/openid"})
    down = client.post("/admin/sign-in/check", data={"provider": "oidc", "csrf_token": token})
    assert down.status_code == 200 and "cannot be reached" in down.get_data(as_text=True)


def test_refusals_are_translated(client, db, with_oidc):
    client.post(
        "/language",
        data={"lang": "zh_CN", "csrf_token": csrf_from(client.get("/login").get_data(True))},
    )
    person = op_user(with_oidc, ["contractors"])  # no mapped group
    body = oidc_sign_in(client, person).get_data(as_text=True)
    assert "Your company account has no Scorecard role" not in body
    assert "管理员" in body
    assert not signed_in(client)
