"""R9: every page is safe by default — headers on every GET route, cookies, hosts, sizes."""

import re

import pytest

from config import TestConfig
from scorecard import create_app
from tests.web.trust_figures import report
from tests.web.trust_world import build_world, route_urls, sign_in

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
TAG = re.compile(r"<[a-zA-Z][^>]*>")
EVENT_ATTR = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
JS_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)


def header_problems(response, signed_in: bool) -> list[str]:
    """Every way this response falls short of R9 (an empty list when it is safe)."""
    problems = []
    csp = response.headers.get("Content-Security-Policy", "")
    if "script-src 'self'" not in csp or "unsafe-inline" in csp or "unsafe-eval" in csp:
        problems.append(f"CSP allows inline script or is missing: {csp!r}")
    if "frame-ancestors 'none'" not in csp:
        problems.append("no frame-ancestors 'none'")
    if response.headers.get("X-Content-Type-Options") != "nosniff":
        problems.append("no nosniff")
    if not response.headers.get("Referrer-Policy"):
        problems.append("no Referrer-Policy")
    if signed_in and "no-store" not in response.headers.get("Cache-Control", ""):
        problems.append("personal page without Cache-Control: no-store")
    if response.mimetype == "text/html":
        html = response.get_data(as_text=True)
        if INLINE_SCRIPT.search(html):
            problems.append("inline <script>")
        if any(EVENT_ATTR.search(tag) for tag in TAG.findall(html)):
            problems.append("inline event handler attribute")
        if JS_URL.search(html):
            problems.append("javascript: URL")
    return problems


def test_every_get_route_sends_the_safe_headers(app, client, db, request):
    world = build_world(decisions=True)
    clients = {"anonymous": app.test_client()}
    for actor in ("admin", "hr", "manager", "interviewer_panel"):
        clients[actor] = sign_in(app, world.users[actor])
    urls = route_urls(app, world, "own") + route_urls(app, world, "other")
    checked, failures = 0, []
    for endpoint, url in sorted(set(urls)):
        for actor, c in clients.items():
            response = c.get(url)
            checked += 1
            assert response.status_code < 500, f"{url} as {actor}: HTTP {response.status_code}"
            for problem in header_problems(response, signed_in=actor != "anonymous"):
                failures.append(f"GET {url} ({endpoint}) as {actor}: {problem}")
    report(request.config, "R9", f"R9: {checked} responses checked, {len(failures)} unsafe")
    assert not failures, "\n".join(failures)


def test_the_header_check_can_fail(app):
    from flask import Response

    bare = Response("<p onclick=alert(1)>x</p><script>alert(1)</script>", mimetype="text/html")
    problems = header_problems(bare, signed_in=True)
    assert len(problems) >= 6


def test_static_files_and_error_pages_carry_the_headers(client, db):
    for path in ("/static/css/app.css", "/no/such/page", "/login"):
        response = client.get(path)
        assert not header_problems(response, signed_in=False), path


class ProductionTestConfig(TestConfig):
    """Production settings on the test database."""

    ENV_NAME = "production"
    TESTING = False
    SECRET_KEY = "p" * 48
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True


def test_production_cookies_are_secure_httponly_and_lax(app, db, make_user):
    from config import ProductionConfig

    assert ProductionConfig.SESSION_COOKIE_SECURE and ProductionConfig.REMEMBER_COOKIE_SECURE
    prod = create_app(ProductionTestConfig)
    user = make_user("hr")
    c = prod.test_client()
    from tests.conftest import TEST_PASSWORD, csrf_from

    # Secure cookies travel over https only: the test client speaks https here.
    page = c.get("/login", base_url="https://localhost")
    response = c.post(
        "/login",
        base_url="https://localhost",
        headers={"Referer": "https://localhost/login"},  # HTTPS forms check the referrer
        data={
            "email": user.email,
            "password": TEST_PASSWORD,
            "csrf_token": csrf_from(page.get_data(as_text=True)),
        },
    )
    assert response.status_code == 302
    cookies = response.headers.getlist("Set-Cookie")
    assert cookies
    for cookie in cookies:
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_production_refuses_the_development_secret(app):
    class Weak(ProductionTestConfig):
        SECRET_KEY = "short"

    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(Weak)


# --- request size and host ------------------------------------------------------------------


def test_too_large_a_request_gets_a_clean_413_page(client, db, app):
    limit = app.config["MAX_CONTENT_LENGTH"]
    assert limit and limit <= 10 * 1024 * 1024
    response = client.post(
        "/login",
        data={"email": "x@example.test", "password": "p" * (limit + 1024)},
    )
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "Too large" in html and "<html" in html
    assert not header_problems(response, signed_in=False)
    zh = client.post(
        "/login",
        data={"email": "x@example.test", "password": "p" * (limit + 1024)},
        headers={"Accept-Language": "zh-CN"},
    )
    assert zh.status_code == 413 and '<html lang="zh-CN">' in zh.get_data(as_text=True)


@pytest.mark.parametrize(
    "host",
    [
        "evil.example",
        "evil.example:5000",
        "127.0.0.1.evil.example",
        "localhost.evil.example",
        "a b",
    ],
)
def test_an_untrusted_host_gets_a_clean_400(client, db, make_user, login_as, host):
    user = make_user("hr")
    login_as(user)
    for method in ("GET", "POST"):
        response = client.open("/jobs", method=method, headers={"Host": host})
        assert response.status_code == 400, (method, host)
        html = response.get_data(as_text=True)
        assert "does not answer for that host name" in html
        assert "evil" not in html  # the hostile name is not echoed
        assert not header_problems(response, signed_in=True)
    assert client.get("/jobs").status_code == 200  # the real host still works


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "127.0.0.1:5000", "localhost:8000"])
def test_trusted_hosts_are_served(client, db, host):
    assert client.get("/login", headers={"Host": host}).status_code == 200


def test_trusted_hosts_come_from_the_environment(monkeypatch):
    import config

    monkeypatch.setenv("TRUSTED_HOSTS", "scorecard.example.org, .example.net")
    assert config._trusted_hosts() == ["scorecard.example.org", ".example.net"]
    monkeypatch.setenv("TRUSTED_HOSTS", "*")
    assert config._trusted_hosts() is None
    monkeypatch.delenv("TRUSTED_HOSTS")
    monkeypatch.setenv("PUBLIC_URL", "https://hr.example.com")
    assert config._trusted_hosts() == ["127.0.0.1", "hr.example.com", "localhost"]
