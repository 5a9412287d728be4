"""The logs hold no personal data and no secrets after hostile input and a load run.

One app instance with the production logging set-up (deploy/gunicorn.conf.py, LOG_FORMAT=json,
its stderr written to a file) serves the trust suite's world (tests/web/trust_world.py,
whose candidates, notes and evidence carry MRK…Q7Z marker strings). Over real HTTP it gets:
every state-changing form route with the form fuzzing's awkward values (test_form_fuzz.py)
mixed with marker e-mails, names and notes; every page with a marker-laden query string;
wrong passwords, a password-reset request and a bearer token that are markers too; real API
calls with a personal token; a two-factor enrolment. Then scripts/load_autosave.py runs a
short load (its own gunicorn, JSON lines, captured). In all of that log text: 0 marker
strings, user e-mails, names or phone numbers, and 0 passwords, session cookies, session
tokens, CSRF tokens, API tokens, TOTP secrets or the secret key. Prints the counts.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

import pyotp
import pytest
import sqlalchemy as sa

from scorecard.models import User
from scorecard.services import api_tokens
from scripts.serve import PASSWORD, Client, csrf_tokens, form_csrf, free_port, meta_csrf
from tests.conftest import TEST_PASSWORD
from tests.web.test_form_fuzz import AWKWARD, SKIP, _form_fields
from tests.web.trust_figures import report
from tests.web.trust_world import build_world, marker, route_urls

ROOT = Path(__file__).resolve().parents[2]
HOSTILE_PASSWORD = "MRKPASSWORDQ7Z-hunter2"  # noqa: S105 - a marker, sent as a wrong password
MARKED = [
    marker("hostile", "note"),
    f"{marker('hostile', 'email').lower()}@example.com",
    f"Zhang Wei {marker('hostile', 'name')} +86 138 0013 8000",
    f"<script>alert('{marker('hostile', 'xss')}')</script>",
]
HOSTILE = [*AWKWARD, *MARKED, *(f"{v} {MARKED[0]}" for v in AWKWARD[:6])]
PERSONAL = re.compile(r"MRK[A-Z]+Q7Z", re.IGNORECASE)

pytestmark = pytest.mark.load


def _start_app(url: str, port: int, secret: str, log: Path) -> subprocess.Popen:
    env = dict(
        os.environ,
        DATABASE_URL=url,
        SECRET_KEY=secret,
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS="1",
        PROMETHEUS_MULTIPROC_DIR=str(log.parent / "metrics"),
        LOG_FORMAT="json",
        REQUEST_LOG="1",
    )
    env.pop("SCORECARD_ENV", None)
    with log.open("w") as out:
        proc = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + 120  # a busy machine starts workers slowly
    while True:
        try:
            _plain(port, "GET", "/healthz")
            return proc
        except OSError:
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text()[-2000:]
            time.sleep(0.2)


def _plain(port: int, method: str, path: str, headers: dict | None = None, body=None) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


GIVEN: dict[str, set[str]] = {"cookies": set(), "csrf": set()}


class Recording(Client):
    """A cookie-keeping client that remembers every cookie and CSRF token it was given."""

    def request(self, *args, **kwargs):  # noqa: ANN002, ANN003
        answer = super().request(*args, **kwargs)
        GIVEN["cookies"].update(self.cookies.values())
        GIVEN["csrf"].update(csrf_tokens(answer[1]))
        return answer


def _signed_in(port: int, email: str) -> tuple[Client, str]:
    """A cookie-keeping client signed in through the form; with the page's CSRF token."""
    client = Recording(port)
    _status, page, _t = client.request("GET", "/login")
    token = form_csrf(page)
    status, _b, _t = client.request(
        "POST", "/login", form={"email": email, "password": TEST_PASSWORD, "csrf_token": token}
    )
    assert status == 302, f"{email}: {status}"
    _status, page, _t = client.request("GET", "/jobs")
    client.token = meta_csrf(page)
    return client, client.token


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


def _hostile_traffic(app, world, port: int, seen: dict[str, set[str]]) -> tuple[Counter, Counter]:
    """Every kind of hostile request the trust suite makes, over HTTP: (statuses, kinds)."""
    from scorecard.extensions import db

    statuses: Counter = Counter()
    kinds: Counter = Counter()
    for given in GIVEN.values():
        given.clear()
    fields = _form_fields()
    # Every URL first: the hostile posts delete and change some of the objects they name.
    gets = route_urls(app, world, "own", methods=("GET",))
    panel_id = world.users["interviewer_panel"].id
    who = {
        "admin": world.users["admin"].email,
        "panel": world.users["interviewer_panel"].email,
        "manager": world.users["manager"].email,
    }
    clients = {name: _signed_in(port, email) for name, email in who.items()}
    routes = [
        (endpoint, url)
        for endpoint, url in route_urls(app, world, "own", methods=("POST",))
        if endpoint not in SKIP and not endpoint.startswith("api.")
    ]
    assert len(routes) > 30
    db.session.commit()  # hold no SQLite snapshot while the app writes
    for endpoint, url in routes:
        actor = "admin"
        if endpoint.startswith("interviews."):
            actor = "panel"
        elif endpoint.startswith("summaries."):
            actor = "manager"
        client, token = clients[actor]
        for shift in range(3):
            data = {f: HOSTILE[(i + shift * 7) % len(HOSTILE)] for i, f in enumerate(fields)}
            if endpoint.startswith("interviews."):
                body = {"lock_version": 1, "changes": data}
                status, _b, _t = client.request("POST", url, body=body)
            else:
                status, _b, _t = client.request("POST", url, form={**data, "csrf_token": token})
            statuses[status] += 1
            kinds["form posts"] += 1
    # The hostile posts left every actor signed in: the pages below are read as the admin.
    for name, (client, _token) in clients.items():
        assert client.request("GET", "/settings")[0] == 200, f"{name} was signed out"
    query = "?" + urlencode({"q": MARKED[1], "search": MARKED[2], "next": MARKED[3], "page": "-1"})
    admin, _token = clients["admin"]
    for endpoint, url in gets:
        if endpoint.startswith("api.") or endpoint == "ops.metrics":
            continue
        status, _b, _t = admin.request("GET", url + query)
        statuses[status] += 1
        kinds["pages with marker queries"] += 1
    # Sign-in attacks and secrets in the places secrets travel.
    login_token = form_csrf(Recording(port).request("GET", "/login")[1])
    for email in (MARKED[1], who["admin"]):
        stranger = Recording(port)
        page = stranger.request("GET", "/login")[1]
        form = {"email": email, "password": HOSTILE_PASSWORD, "csrf_token": form_csrf(page)}
        statuses[stranger.request("POST", "/login", form=form)[0]] += 1
        seen["csrf"].add(form["csrf_token"])
    forgot = Recording(port)
    form_token = form_csrf(forgot.request("GET", "/password/forgot")[1])
    form = {"email": MARKED[1], "csrf_token": form_token}
    statuses[forgot.request("POST", "/password/forgot", form=form)[0]] += 1
    seen["csrf"].update({login_token, form_token})
    raw = world.extra["api_token"]
    seen["api"].add(raw)
    bogus = f"sc_{marker('token', 'bogus')}"
    seen["api"].add(bogus)
    for endpoint, url in gets:
        if not endpoint.startswith("api."):
            continue
        for bearer in (raw, bogus):
            headers = {"Authorization": f"Bearer {bearer}", "X-Request-ID": MARKED[1]}
            statuses[_plain(port, "GET", url + query, headers)] += 1
            kinds["API reads"] += 1
    # Two-factor enrolment: the secret is on the page, a code from it turns it on.
    panel, token = clients["panel"]
    statuses[panel.request("GET", "/settings/two-factor")[0]] += 1
    db.session.commit()  # a fresh snapshot: the page has just stored the secret
    user = db.session.get(User, panel_id)
    assert user.totp_secret
    code = pyotp.TOTP(user.totp_secret).now()
    status = panel.request("POST", "/settings/two-factor", form={"code": code, "csrf_token": token})
    assert status[0] == 200, status[0]
    statuses[status[0]] += 1
    seen["totp"].add(user.totp_secret)
    for _client, token in clients.values():
        seen["csrf"].add(token)
    seen["cookies"].update(GIVEN["cookies"])
    seen["csrf"].update(GIVEN["csrf"])
    kinds["sign-in, reset and two-factor requests"] = sum(statuses.values()) - sum(kinds.values())
    return statuses, kinds


def _load_run(url: str, figures: Path) -> tuple[str, str]:
    """scripts/load_autosave.py, short, JSON request lines on: (all it printed, its run tag)."""
    result = subprocess.run(  # noqa: S603
        [
            sys.executable, "scripts/load_autosave.py", "--database-url", url,
            "--duration", "4", "--clients", "4", "--cards-per-client", "1",
            "--workers", "1", "--r4", "3", "--r5", "3", "--json", str(figures),
        ],
        cwd=ROOT, env={**os.environ, "LOG_FORMAT": "json", "REQUEST_LOG": "1"},
        capture_output=True, text=True, timeout=150,
    )  # fmt: skip
    out = result.stdout + result.stderr
    assert result.returncode == 0, out[-3000:]
    run = json.loads(figures.read_text())
    assert run["passed"], (run["verdicts"], out[-3000:])
    return out, run["run"]


def _count(text: str, needles: set[str]) -> int:
    return sum(text.count(n) for n in needles if n)


def test_logs_hold_no_personal_data_or_secrets(app, db, tmp_path, request):
    url = os.environ["DATABASE_URL"]
    world = build_world(decisions=True)
    world.extra["api_token"] = api_tokens.create_token(world.users["manager"], "log hygiene")[1]
    db.session.commit()
    secret = secrets.token_hex(32)
    log = tmp_path / "app.log"
    seen: dict[str, set[str]] = {"csrf": set(), "cookies": set(), "api": set(), "totp": set()}
    port = free_port()
    proc = _start_app(url, port, secret, log)
    try:
        statuses, kinds = _hostile_traffic(app, world, port, seen)
    finally:
        _stop(proc)
    load_out, tag = _load_run(url, tmp_path / "load.json")
    text = log.read_text() + load_out

    records = [json.loads(line) for line in text.splitlines() if '"scorecard.request"' in line]
    sent = sum(statuses.values())
    db.session.commit()  # a fresh snapshot: with the load's users
    users = db.session.scalars(sa.select(User)).all()
    tokens = {u.session_token for u in users}
    totp = {u.totp_secret for u in users if u.totp_secret}
    looked_for = {
        "user e-mails and names": {u.email for u in users}
        | {u.name for u in users}
        | {"@load.test", "138 0000 1111", "138 0013 8000"},
        "passwords": {TEST_PASSWORD, HOSTILE_PASSWORD, PASSWORD},
        "session cookies": seen["cookies"],
        "session tokens": tokens,
        "CSRF tokens": seen["csrf"],
        "API tokens": seen["api"],
        "TOTP secrets": seen["totp"] | totp,
        "secret key": {secret},
    }
    counts = {
        "personal-data markers": len(PERSONAL.findall(text)),
        "candidate names of the load": len(re.findall(rf"Load {tag} \d", text)),
        **{what: _count(text, needles) for what, needles in looked_for.items()},
    }
    line = (
        f"logs: {sent} hostile requests ({', '.join(f'{n} {k}' for k, n in kinds.items())}; "
        f"statuses {dict(sorted(statuses.items()))}) + a load run, "
        f"{len(records)} JSON request lines, {len(text)} characters: "
        + ", ".join(
            f"{n} {what}" + (f" (of {len(looked_for[what])})" if what in looked_for else "")
            for what, n in counts.items()
        )
    )
    print(line)
    report(request.config, "logs", line)
    assert len(seen["cookies"]) >= 20 and len(seen["csrf"]) >= 5 and seen["totp"]
    # Every hostile request was logged (one line each), and the load's requests too.
    assert len([r for r in records if r.get("status")]) > sent, (len(records), sent)
    assert statuses[500] == 0 and "Traceback" not in text, text[-3000:]
    assert counts == dict.fromkeys(counts, 0), counts
