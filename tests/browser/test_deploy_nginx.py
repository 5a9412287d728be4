"""The production layout, run: nginx (TLS) → two gunicorn instances → PostgreSQL (docs/deploy.md).

Starts a PostgreSQL of its own, migrates and seeds it, makes a self-signed certificate with
openssl, starts two app instances with deploy/gunicorn.conf.py in production mode and Debian's
nginx with deploy/nginx/scorecard.conf (ports, names and paths substituted), all on
127.0.0.1. Then: plain HTTP redirects to HTTPS; health through nginx; HSTS and the security
headers on HTTPS answers; cookies Secure + HttpOnly; an interviewer scores in Chromium over
HTTPS, one instance is stopped mid-journey, and every acknowledged change is in the database.
"""

import os
import re
import secrets
import shutil
import signal
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect
from prometheus_client.parser import text_string_to_metric_families

from tests.web.pg_cluster import free_port, throwaway_postgresql
from tests.web.test_backup import migrated

ROOT = Path(__file__).resolve().parents[2]
NGINX = Path(os.environ.get("NGINX", "/usr/sbin/nginx"))
SAVED = re.compile(r"^Saved at \d\d:\d\d:\d\d$")

pytestmark = pytest.mark.browser


def _wait_http(url: str, context: ssl.SSLContext | None = None, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=2, context=context).read()
            return
        except (OSError, urllib.error.URLError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _certificate(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def _nginx_conf(folder: Path, cert: Path, key: Path, http: int, https: int, apps: list[int]):
    """deploy/nginx/scorecard.conf with this run's ports and paths, inside a minimal nginx.conf."""
    site = (ROOT / "deploy" / "nginx" / "scorecard.conf").read_text()
    site = site.replace("listen 80;", f"listen 127.0.0.1:{http};")
    site = site.replace("listen 443 ssl", f"listen 127.0.0.1:{https} ssl")
    site = site.replace("server 127.0.0.1:8001", f"server 127.0.0.1:{apps[0]}")
    site = site.replace("server 127.0.0.1:8002", f"server 127.0.0.1:{apps[1]}")
    site = site.replace("scorecard.example.com;", "localhost;")
    site = site.replace("/etc/ssl/certs/scorecard.example.com.pem", str(cert))
    site = site.replace("/etc/ssl/private/scorecard.example.com.key", str(key))
    assert str(apps[1]) in site and str(cert) in site, "the sample config changed shape"
    (folder / "site.conf").write_text(site)
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (folder / sub).mkdir()
        (folder / sub).chmod(0o777)
    (folder / "nginx.conf").write_text(
        f"""
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
worker_processes 1;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {folder}/site.conf;
}}
"""
    )
    return folder / "nginx.conf"


def _gunicorn(url: str, port: int, secret: str, folder: Path, https: int) -> subprocess.Popen:
    env = dict(
        os.environ,
        SCORECARD_ENV="production",
        SECRET_KEY=secret,
        DATABASE_URL=url,
        PUBLIC_URL=f"https://localhost:{https}",
        TRUSTED_HOSTS="localhost,127.0.0.1",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS="1",
        PROMETHEUS_MULTIPROC_DIR=str(folder / f"metrics-{port}"),
        TWO_FACTOR_POLICY="off",
        LOG_FORMAT="json",
    )
    log = (folder / f"app-{port}.log").open("w")
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "wsgi:app"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def test_nginx_tls_two_instances_postgresql_lose_nothing(browser, tmp_path):
    if not NGINX.exists():
        pytest.skip(f"needs nginx at {NGINX} (apt-get install nginx)")
    if not shutil.which("openssl"):
        pytest.skip("needs openssl (apt-get install openssl)")
    tmp_path.chmod(0o755)
    with throwaway_postgresql() as pg:
        source = migrated(pg.url)  # the demo: users, jobs, today's interviews
        cert, key = _certificate(tmp_path)
        http, https, app1, app2 = free_port(), free_port(), free_port(), free_port()
        conf = _nginx_conf(tmp_path, cert, key, http, https, [app1, app2])
        secret = secrets.token_hex(32)
        apps = [_gunicorn(pg.url, p, secret, tmp_path, https) for p in (app1, app2)]
        nginx = subprocess.Popen(  # noqa: S603
            [str(NGINX), "-p", str(tmp_path), "-c", str(conf), "-g", "daemon off;"],
            stderr=subprocess.PIPE, start_new_session=True,
        )  # fmt: skip
        try:
            tls = ssl.create_default_context(cafile=str(cert))
            for port in (app1, app2):
                _wait_http(f"http://127.0.0.1:{port}/healthz")
            base = f"https://localhost:{https}"
            _wait_http(f"{base}/healthz", tls)
            _check_http_layer(base, http, tls)
            cookie = _journey(browser, base, source, apps[0])
            # The instance still up counted the journey, per endpoint, in all its workers.
            text = urllib.request.urlopen(f"http://127.0.0.1:{app2}/metrics", timeout=5).read()
            seen = {
                s.labels["endpoint"]
                for family in text_string_to_metric_families(text.decode())
                for s in family.samples
                if s.name == "scorecard_http_requests_total"
            }
            assert {"interviews.save", "interviews.kit"} <= seen, seen
            errors = (tmp_path / "error.log").read_text()
            assert "[emerg]" not in errors and "[crit]" not in errors, errors
        finally:
            for proc in apps:
                _stop(proc)
            if nginx.poll() is None:
                nginx.send_signal(signal.SIGQUIT)
                nginx.wait(timeout=20)
        logs = "".join((tmp_path / f"app-{p}.log").read_text() for p in (app1, app2))
        assert "Traceback" not in logs, logs[-3000:]
        lines = [line for line in logs.splitlines() if '"scorecard.request"' in line]
        assert len(lines) > 10
        # No personal data and no secrets in any line: e-mail, note text, password, keys.
        for marker in ("@demo.test", "HL7", "scorecard-demo", secret, cookie, "郑洁"):
            assert marker not in logs, marker


def _check_http_layer(base: str, http: int, tls: ssl.SSLContext) -> None:
    plain = urllib.request.Request(f"http://127.0.0.1:{http}/login", headers={"Host": "localhost"})

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003
            return None

    opener = urllib.request.build_opener(NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as moved:
        opener.open(plain, timeout=5)
    assert moved.value.code == 301
    assert moved.value.headers["Location"] == "https://localhost/login"

    ready = urllib.request.urlopen(f"{base}/readyz", context=tls, timeout=5)
    assert ready.status == 200 and b'"ready"' in ready.read()
    login = urllib.request.urlopen(f"{base}/login", context=tls, timeout=5)
    headers = login.headers
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert re.fullmatch(r"[0-9a-f]{32}", headers["X-Request-ID"])  # nginx's $request_id
    cookie = headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie, cookie
    # Through the proxy, /metrics needs the token even though nginx connects from 127.0.0.1.
    with pytest.raises(urllib.error.HTTPError) as hidden:
        urllib.request.urlopen(f"{base}/metrics", context=tls, timeout=5)
    assert hidden.value.code == 404


def _journey(browser, base: str, source, first_instance: subprocess.Popen) -> str:
    """Interviewer scores over HTTPS; one instance stops in the middle; nothing is lost."""
    context = browser.new_context(
        base_url=base,
        ignore_https_errors=True,
        locale="en-US",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        page.goto("/login")
        page.get_by_label("E-mail").fill("interviewer1@demo.test")
        page.get_by_label("Password").fill("scorecard-demo")
        page.get_by_role("button", name="Sign in").click()
        page.locator("#section-today").get_by_role("link", name="郑洁").click()
        expect(page.locator("#kit")).to_be_visible()
        card_id = int(re.search(r"/kit/(\d+)", page.url).group(1))
        session = [c for c in context.cookies() if c["name"] == "session"]
        assert session and session[0]["secure"] and session[0]["httpOnly"]
        cookie = session[0]["value"]
        criteria = page.locator("[id^='criterion-']").evaluate_all(
            "els => els.map(e => e.id).filter(x => /^criterion-[0-9]+$/.test(x))"
            ".map(x => x.split('-')[1])"
        )
        first, second, third = (int(c) for c in criteria[:3])
        page.locator(f"#criterion-{first} label.anchor-3").click()
        expect(page.locator("#kit-status")).to_have_text(SAVED, timeout=10_000)

        _stop(first_instance)  # one instance goes away mid-interview

        page.locator(f"#criterion-{second} label.anchor-4").click()
        expect(page.locator("#kit-status")).to_have_text(SAVED, timeout=15_000)
        page.locator(f'textarea[data-field="rating.{third}.note"]').fill("清楚地讲了 HL7 接口")
        expect(page.locator("#kit-status")).to_have_text(SAVED, timeout=15_000)
        page.reload()  # served by the instance still up
        expect(page.locator(f'#criterion-{second} input[value="4"]')).to_be_checked()
        expect(page.locator(f'#criterion-{first} input[value="3"]')).to_be_checked()
    finally:
        context.close()
    with source.app_context():
        from scorecard.extensions import db

        rows = dict(
            ((cid, (value, note)) for cid, value, note in db.session.execute(
                sa.text(
                    "SELECT criterion_id, value, note FROM ratings "
                    "WHERE scorecard_id = :card AND criterion_id IN (:a, :b, :c)"
                ),
                {"card": card_id, "a": first, "b": second, "c": third},
            ))
        )  # fmt: skip
        db.session.remove()
        db.engine.dispose()
    assert rows[first][0] == 3 and rows[second][0] == 4
    assert rows[third][1] == "清楚地讲了 HL7 接口"
    return cookie
