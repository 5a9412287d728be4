"""R11: hostile strings in every free-text field never execute, in any view, in Chromium.

Every free-text column of every model (found from the metadata, so new fields are covered)
gets every hostile string through the ORM, over as many rounds as its length needs (the plan:
tests/browser/xss_plan.py, in a fixed order, the same under every hash seed). In the first
round every GET route is visited with real ids as each kind of user; a later round opens
again each page that showed (by its tags) a field whose strings changed. A page fails when a
dialog opens, the Content-Security-Policy has to block something, an injected element or
handler reaches the DOM, or a template expression is evaluated.
"""

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from scorecard.extensions import db as _db
from scorecard.models import (
    AnalyticsSetting,
    AuditEvent,
    ExternalIdentity,
    GroupRoleMapping,
    HireDecision,
    HireDecisionKind,
    IdentitySource,
    JobRun,
    JobRunStatus,
    Notice,
    NoticeKind,
    NoticeStatus,
    Outcome,
    PasswordResetRequest,
    Role,
    SelfIdentification,
    SiteSetting,
)
from scorecard.models.base import utcnow
from scorecard.services import api_tokens, outcomes
from tests.browser.xss_plan import PAYLOADS, describe, free_text_columns, hostile, plan
from tests.conftest import TEST_PASSWORD
from tests.web.trust_figures import report
from tests.web.trust_world import build_world, route_urls, sign_in

pytestmark = pytest.mark.browser

RENDERED = {"text/html", "application/json", "text/plain"}
ACTORS = ("admin", "hr", "manager", "interviewer_panel", "interviewer_submitted")
TAG = re.compile(r"X(\d{4})")
AUDIT_ROW = 9999  # the tag number of the audit event's hostile strings
PAYLOAD_TRACE = re.compile(r"X\d+|SSTI|xss|alert|onerror|onload|srcdoc", re.IGNORECASE)

PROBE = """() => {
  const all = [...document.querySelectorAll('*')];
  return {
    probes: document.querySelectorAll('.xss-probe').length,
    handlers: all.filter(e => [...e.attributes].some(a => a.name.startsWith('on'))).length,
    inline: [...document.querySelectorAll('script')].filter(s => !s.src).length,
    jsurls: document.querySelectorAll(
      'a[href^="javascript:" i], [src^="javascript:" i], form[action^="javascript:" i]').length,
    frames: document.querySelectorAll('iframe').length,
    ssti: document.body ? document.body.innerText.includes('SSTI49') : false,
  };
}"""


# The page's markup and form values without the nav's own user name (on every page).
SHOWN = """() => {
  const doc = document.documentElement.cloneNode(true);
  const nav = doc.querySelectorAll('[data-testid=who]');
  nav.forEach(e => e.remove());
  const values = [...document.querySelectorAll('input, textarea')].map(e => e.value);
  return {text: doc.outerHTML + values.join(' '), nav: nav.length > 0};
}"""


def poisoned_rows(fields):
    """(row number, field, row) for every row of every field, in a fixed order."""
    row_no = 0
    for field in fields:
        key = sa.inspect(field.model).primary_key
        for row in _db.session.scalars(sa.select(field.model).order_by(*key)):
            row_no += 1
            yield row_no, field, row


def poison(fields, payloads: dict[str, tuple[int, ...]]) -> set[tuple[str, int]]:
    """Give every row of every field its round's hostile string; (field, payload) placed."""
    for attempt in range(1, 6):
        try:
            placed = set()
            for row_no, field, row in list(poisoned_rows(fields)):
                text = hostile(row_no, payloads[field.name])
                assert field.length is None or len(text) <= field.length, (field.name, text)
                setattr(row, field.attr, text)
                placed.update((field.name, k) for k in payloads[field.name])
            _db.session.commit()
            return placed
        except sa.exc.OperationalError:
            # SQLite: a page just left (the kit saves when it closes) wrote after this
            # transaction's first read; start again on a fresh snapshot.
            _db.session.rollback()
            if attempt == 5:
                raise
            time.sleep(0.2)
    raise AssertionError("not reached")


def name_tags(problems: list[str], row_field: dict[int, str], payloads: dict) -> str:
    """The field behind each tag in `problems`, with the payload numbers it held."""
    out = []
    for n in sorted({int(n) for n in TAG.findall(" ".join(problems))}):
        name = "audit_events.after" if n == AUDIT_ROW else row_field.get(n, "?")
        out.append(f"X{n:04d} = {name} {payloads.get(name, tuple(range(len(PAYLOADS))))}")
    return ", ".join(out)


def detector(page):
    """Attach listeners; returns the list the page's incidents are appended to."""
    incidents: list[str] = []

    def on_dialog(dialog):
        incidents.append(f"dialog: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on(
        "console",
        lambda msg: (
            incidents.append(f"CSP blocked: {msg.text[:160]}")
            # Scripts, handlers, frames: what an injection needs (an inline style is not one).
            if "Content Security Policy" in msg.text and "style-src" not in msg.text
            else None
        ),
    )
    # A script error counts when a payload caused it; an aborted fetch when the test moves to
    # the next page (the kit's autosave) is not an injection.
    page.on(
        "pageerror",
        lambda exc: (
            incidents.append(f"page error: {exc}") if PAYLOAD_TRACE.search(str(exc)) else None
        ),
    )
    return incidents


def inspect(page) -> list[str]:
    found = page.evaluate(PROBE)
    return [f"{k}={v}" for k, v in found.items() if v]


def test_the_detector_can_fail(page):
    incidents = detector(page)
    page.set_content('<b class=xss-probe onclick="x()">x</b><a href="javascript:1">y</a>')
    assert len(inspect(page)) >= 3
    page.evaluate("() => alert('probe')")
    assert any(i.startswith("dialog") for i in incidents)


def test_every_payload_reaches_every_field_in_the_same_order_under_any_hash_seed(app):
    with app.app_context():
        fields = free_text_columns()
        here = describe()
    rounds = plan(fields)
    pairs = {(f.name, k) for f in fields for k in range(len(PAYLOADS))}
    assert {(name, k) for r in rounds for name, ks in r.items() for k in ks} == pairs
    # A column whose name happens to be an identifier elsewhere is still free text.
    assert "star_evidence.action" in {f.name for f in fields}
    root = Path(__file__).resolve().parents[2]
    for seed in ("0", "1"):
        out = subprocess.run(
            [sys.executable, "-m", "tests.browser.xss_plan"],
            cwd=root,
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert json.loads(out) == json.loads(json.dumps(here)), f"PYTHONHASHSEED={seed}"


def add_missing_rows(world) -> None:
    """Rows for the free-text tables the world leaves empty (API tokens, a hire decision,
    outcomes, self-identification, sign-in identities, notices, job runs...)."""
    for actor in ACTORS:
        api_tokens.create_token(world.users[actor], f"{actor} token")
    # An application a round decision reopened after a no-hire keeps the hire decision in
    # its history while it is active again (decisions.decide_round): every view still open.
    own = world.scopes["own"]
    decision = HireDecision(
        application_id=own.application.id,
        decision=HireDecisionKind.NO_HIRE,
        rationale="x",
        decided_by_id=world.users["manager"].id,
    )
    _db.session.add(decision)
    # The tables of outcomes, the opt-in adverse-impact report, company sign-in, notices,
    # scheduled jobs and password resets: one row each, so their columns get every payload.
    (checkpoint, *_rest) = outcomes.ensure_checkpoints(own.job)
    admin = world.users["admin"]
    _db.session.add_all(
        [
            Outcome(application_id=own.application.id, checkpoint=checkpoint, rating=3),
            AnalyticsSetting(job_id=None, adverse_impact=True, purpose="x"),
            SelfIdentification(
                candidate_id=own.candidate.id, category="sex", value="x", consent=True
            ),
            ExternalIdentity(
                user_id=admin.id, source=IdentitySource.OIDC, subject="x", email="x", dn="x"
            ),
            GroupRoleMapping(
                source=IdentitySource.LDAP, group_name="x", group_key="x", role=Role.HR
            ),
            Notice(
                kind=NoticeKind.OVERDUE,
                user_id=world.users["interviewer_panel"].id,
                application_id=own.application.id,
                status=NoticeStatus.FAILED,
                once_key="x",
                error="x",
            ),
            JobRun(
                job="reminders",
                period_start=utcnow(),
                status=JobRunStatus.FAILED,
                finished_at=utcnow(),
                lease_until=utcnow(),
                instance="x",
                message="x",
            ),
            PasswordResetRequest(email="x", ip="127.0.0.1"),
            SiteSetting(key="xss.test", value="x"),  # a key the application never reads
        ]
    )
    _db.session.add(
        AuditEvent(
            action="xss.test",
            object_type="x",
            after={f"note{k}": hostile(AUDIT_ROW, (k,)) for k in range(len(PAYLOADS))},
        )
    )
    _db.session.commit()


def rendered(response) -> bool:
    """A page the browser shows (not a 404, a redirect or a file it downloads)."""
    attachment = response.headers.get("Content-Disposition", "").startswith("attachment")
    return response.status_code == 200 and response.mimetype in RENDERED and not attachment


def open_page(browser, live_server, user) -> tuple[object, list[str]]:
    """A page of a browser context signed in as `user`, with its incident list."""
    context = browser.new_context(base_url=live_server, locale="en-US")
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.goto("/login")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    return page, detector(page)


def view(page, incidents: list[str], urls: list[str]):
    """Open `urls` one after the other; yields (url, problems, what it shows)."""
    for url in urls:
        incidents.clear()
        page.goto(url, wait_until="load")
        page.wait_for_timeout(30)  # let the page's own scripts render
        yield url, incidents + inspect(page), page.evaluate(SHOWN)
    page.goto("about:blank")  # no request still running while the next round poisons


def test_hostile_text_never_executes_in_any_view(app, client, db, browser, live_server, request):
    with app.test_request_context():
        world = build_world(decisions=True)
        add_missing_rows(world)
    fields = free_text_columns()
    rounds = plan(fields)
    row_field = {row_no: f.name for row_no, f, _row in poisoned_rows(fields)}
    # A table the world leaves empty has nothing to show: named in the figure, not counted.
    empty = sorted({f.name for f in fields} - set(row_field.values()))
    urls = sorted({url for _e, url in route_urls(app, world, "own")})
    pages, visible = {}, {}
    for actor in ACTORS:
        # Pages this user may not open answer 404 without rendering any text: not visited.
        probe = sign_in(app, world.users[actor])
        visible[actor] = [u for u in urls if rendered(probe.get(u))]
        assert visible[actor], f"{actor} can open no page"
        pages[actor] = open_page(browser, live_server, world.users[actor])
    placed: set[tuple[str, int]] = set()
    shows: dict[tuple[str, str], set[str]] = {}  # (actor, url) → fields seen on that page
    nav_page: dict[str, str] = {}  # a page showing the user's own name in the nav
    visits, failures = 0, []
    for round_no, payloads in enumerate(rounds):
        placed |= poison(fields, payloads)
        # After the first round a page is opened again only when it showed a field that now
        # holds payloads it has not had yet. The nav's user name is on every page: each
        # user's first page shows it again.
        new = {n for n, ks in payloads.items() if all(r[n] != ks for r in rounds[:round_no])}
        for actor in ACTORS:
            todo = [
                url
                for url in visible[actor]
                if not round_no or url == nav_page.get(actor) or shows[(actor, url)] & new
            ]
            for url, problems, shown in view(*pages[actor], todo):
                visits += 1
                if shown["nav"]:
                    nav_page.setdefault(actor, url)
                rows = {int(n) for n in TAG.findall(shown["text"])}
                shows.setdefault((actor, url), set()).update(
                    row_field[n] for n in rows if n in row_field
                )
                if problems:
                    failures.append(
                        f"round {round_no + 1}: {url} as {actor}: {problems} "
                        f"({name_tags(problems, row_field, payloads)})"
                    )
    for page, _incidents in pages.values():
        page.context.close()
    names = set(row_field.values())
    assert placed == {(n, k) for n in names for k in range(len(PAYLOADS))}
    shown = set().union(*shows.values())
    report(
        request.config,
        "R11",
        f"R11: {len(PAYLOADS)} hostile strings × {len(names)} free-text fields = {len(placed)} "
        f"pairs over {len(rounds)} rounds ({len(shown)} fields shown on some page, + the audit "
        f"log), {visits} page views by 5 roles: {len(failures)} with a script execution or "
        f"injection" + (f"; no row in the test world: {', '.join(empty)}" if empty else ""),
    )
    assert not empty, f"free-text columns without a row in the test world: {empty}"
    assert not failures, "\n".join(failures[:30])
