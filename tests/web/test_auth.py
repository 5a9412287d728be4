"""Sign-in, sign-out, landing pages, redirects, CSRF, language, lock-out."""

from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from scorecard.models import AuditEvent, LoginFailure, Role
from tests.conftest import csrf_from

LANDING = {
    Role.ADMIN: "/admin/users",
    Role.HR: "/jobs",
    Role.MANAGER: "/jobs",
    Role.INTERVIEWER: "/my/interviews",
}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_lands_on_its_home(client, make_user, login_as, role):
    user = make_user(role)
    response = login_as(user)
    assert response.status_code == 302
    assert response.headers["Location"] == LANDING[role]
    assert client.get(LANDING[role]).status_code == 200


def test_wrong_password_and_unknown_user_get_the_same_message(client, make_user, login_as, db):
    user = make_user(Role.HR)
    wrong = login_as(user, password="not the password at all")
    unknown_page = client.get("/login")
    unknown = client.post(
        "/login",
        data={
            "email": "nobody@example.test",
            "password": "whatever-password",
            "csrf_token": csrf_from(unknown_page.get_data(as_text=True)),
        },
    )
    assert wrong.status_code == unknown.status_code == 401
    assert "Wrong e-mail or password." in wrong.get_data(as_text=True)
    assert "Wrong e-mail or password." in unknown.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(LoginFailure.id))) == 2
    actions = db.session.scalars(sa.select(AuditEvent.action)).all()
    assert actions.count("login.failure") == 2


def test_message_is_translated_for_chinese_browsers(client, make_user):
    page = client.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    html = page.get_data(as_text=True)
    assert "登录" in html
    response = client.post(
        "/login",
        headers={"Accept-Language": "zh-CN"},
        data={
            "email": "x@example.test",
            "password": "wrong-password",
            "csrf_token": csrf_from(html),
        },
    )
    assert "邮箱或密码错误。" in response.get_data(as_text=True)


def test_lockout_after_five_failures_even_with_the_right_password(client, make_user, login_as):
    user = make_user(Role.INTERVIEWER)
    for _ in range(5):
        assert login_as(user, password="wrong password!!").status_code == 401
    locked = login_as(user)
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.get_data(as_text=True)
    assert client.get("/my/interviews").status_code == 302  # still signed out


HOSTILE_NEXT = [
    "//evil.example",
    "https://evil.example/",
    "http:evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "javascript:alert(1)",
    "///evil.example",
    " //evil.example",
    "/%0d%0aLocation:%20http://evil.example",
    "http://127.0.0.1.evil.example",
    "https:evil.example",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "ftp://evil.example/",
    "////evil.example",
    "/\t/evil.example",
    "\t//evil.example",
    "/\n/evil.example",
    "//\\evil.example",
    "/\\/evil.example",
    "//evil.example@127.0.0.1",
    "http://localhost@evil.example",
    "http://127.0.0.1:5000@evil.example/",
    "//evil.example:80/jobs",
    "%2F%2Fevil.example",
    "https://evil.example/redirect?to=/jobs",
    "\x00//evil.example",
    "//%09/evil.example",
    "evil.example",
]


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_next_accepts_only_local_paths(client, make_user, target):
    user = make_user(Role.HR)
    page = client.get("/login", query_string={"next": target})
    response = client.post(
        "/login",
        data={
            "email": user.email,
            "password": "correct horse battery staple",
            "next": target,
            "csrf_token": csrf_from(page.get_data(as_text=True)),
        },
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/") and not location.startswith("//")
    assert urlsplit(location).netloc == "" and "\\" not in location


def test_next_local_path_is_followed(client, make_user):
    user = make_user(Role.HR)
    page = client.get("/login?next=/candidates")
    response = client.post(
        "/login",
        data={
            "email": user.email,
            "password": "correct horse battery staple",
            "next": "/candidates",
            "csrf_token": csrf_from(page.get_data(as_text=True)),
        },
    )
    assert response.headers["Location"] == "/candidates"


def test_login_without_csrf_is_refused(client, make_user):
    user = make_user(Role.HR)
    response = client.post(
        "/login", data={"email": user.email, "password": "correct horse battery staple"}
    )
    assert response.status_code == 400
    assert client.get("/jobs").status_code == 302


def test_logout_kills_a_copied_cookie(app, client, make_user, login_as, csrf):
    user = make_user(Role.HR)
    login_as(user)
    cookie = client.get_cookie("session")
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie("session", cookie.value)
    assert thief.get("/jobs").status_code == 200
    client.post("/logout", data={"csrf_token": csrf("/jobs")})
    assert client.get("/jobs").status_code == 302
    assert thief.get("/jobs").status_code == 302  # the copy died with the logout


def test_cookies_are_httponly_and_samesite(client, make_user, login_as):
    user = make_user(Role.HR)
    response = login_as(user)
    header = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in header and "SameSite=Lax" in header


def test_language_switch_is_stored_on_the_user(client, make_user, login_as, csrf, db):
    user = make_user(Role.HR)
    login_as(user)
    response = client.post(
        "/language", data={"lang": "zh_CN", "next": "/jobs", "csrf_token": csrf("/jobs")}
    )
    assert response.headers["Location"] == "/jobs"
    db.session.refresh(user)
    assert user.locale == "zh_CN"
    assert "职位" in client.get("/jobs").get_data(as_text=True)
    bad = client.post(
        "/language", data={"lang": "xx", "csrf_token": csrf("/jobs")}, follow_redirects=True
    )
    assert "不支持的语言。" in bad.get_data(as_text=True)


def test_anonymous_is_sent_to_login(client, db):
    for path in ("/jobs", "/my/interviews", "/candidates", "/admin/users"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")
