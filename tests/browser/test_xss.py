"""R11: hostile strings in every free-text field never execute, in any view, in Chromium.

Every free-text column of every model (found from the metadata, so new fields are covered)
gets a hostile string through the ORM; every GET route is visited with real ids as each kind of
user. A page fails when a dialog opens, the Content-Security-Policy has to block something,
an injected element or handler reaches the DOM, or a template expression is evaluated.
"""

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import Error as PlaywrightError

from scorecard.extensions import db as _db
from scorecard.models import AuditEvent
from tests.conftest import TEST_PASSWORD
from tests.web.trust_figures import report
from tests.web.trust_world import build_world, route_urls, sign_in

pytestmark = pytest.mark.browser

PAYLOADS = (
    '<script>alert("{t}")</script>',
    '"><img src=x onerror=alert("{t}") class=xss-probe>',
    "'><svg onload=alert('{t}') class=xss-probe>",
    '</textarea></title><b class=xss-probe onclick=alert("{t}")>{t}</b>',
    '</script><script>alert("{t}")</script>',
    'javascript:alert("{t}")',
    "SSTI{{{{7*7}}}} {t} ${{7*7}}",
    "<a href=\"javascript:alert('{t}')\" class=xss-probe>{t}</a>",
    '<iframe srcdoc="<script>parent.alert(1)</script>" class=xss-probe></iframe>{t}',
)
# Not free text: identifiers, enums, secrets, addresses and machine-written values.
SKIP_COLUMNS = {
    "key",
    "email",
    "phone",
    "password_hash",
    "session_token",
    "ip",
    "action",
    "object_type",
    "submission_key",
    "recommendation",
    "locale",
    "error",
}

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


def free_text_columns() -> list[tuple[type, str, int | None]]:
    """(model, column, max length) of every free-text column of every mapped model."""
    out = []
    for mapper in _db.Model.registry.mappers:
        model = mapper.class_
        for column in mapper.columns:
            if column.name in SKIP_COLUMNS or column.primary_key or column.foreign_keys:
                continue
            if isinstance(column.type, sa.Enum) or not isinstance(column.type, sa.String):
                continue
            length = getattr(column.type, "length", None)
            if length is not None and length < 60:
                continue
            out.append((model, column.key, length))
    return out


def poison(columns) -> dict[str, str]:
    """Put a hostile string in every row of every free-text column; tag → field."""
    fields: dict[str, str] = {}
    n = 0
    for model, attr, length in columns:
        for row in _db.session.scalars(sa.select(model)):
            n += 1
            tag = f"X{n}"
            text = PAYLOADS[n % len(PAYLOADS)].format(t=tag)
            if length is not None and len(text) > length:
                continue
            setattr(row, attr, text)
            fields[tag] = f"{model.__tablename__}.{attr}"
    _db.session.add(
        AuditEvent(
            action="xss.test", object_type="x", after={"note": PAYLOADS[1].format(t="AUDIT")}
        )
    )
    fields["AUDIT"] = "audit_events.after"
    _db.session.commit()
    return fields


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


def test_hostile_text_never_executes_in_any_view(app, client, db, browser, live_server, request):
    with app.test_request_context():
        world = build_world(decisions=True)
        fields = poison(free_text_columns())
    assert len(set(fields.values())) >= 25, sorted(set(fields.values()))
    urls = sorted({url for _e, url in route_urls(app, world, "own")})
    emails = {actor: world.users[actor].email for actor in world.users}
    visits, failures = 0, []
    for actor in ("admin", "hr", "manager", "interviewer_panel", "interviewer_submitted"):
        context = browser.new_context(base_url=live_server, locale="en-US")
        context.set_default_timeout(10_000)
        page = context.new_page()
        incidents = detector(page)
        page.goto("/login")
        page.get_by_label("E-mail").fill(emails[actor])
        page.get_by_label("Password").fill(TEST_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        # Pages this user may not open answer 404 without rendering any text: not visited.
        probe = sign_in(app, world.users[actor])
        visible = [u for u in urls if probe.get(u).status_code == 200]
        assert visible, f"{actor} can open no page"
        for url in visible:
            incidents.clear()
            try:
                page.goto(url, wait_until="load")
            except PlaywrightError as exc:
                if "Download is starting" in str(exc):
                    continue  # an export (CSV/XLSX): not rendered by the browser
                raise
            page.wait_for_timeout(30)  # let the page's own scripts render
            visits += 1
            problems = incidents + inspect(page)
            if problems:
                failures.append(f"{url} as {actor}: {problems}")
        context.close()
    report(
        request.config,
        "R11",
        f"R11: {len(fields)} hostile strings in {len(set(fields.values()))} free-text fields, "
        f"{visits} page views by 5 roles: {len(failures)} with a script execution or injection",
    )
    assert not failures, "\n".join(failures[:30]) + f"\nfields: {fields}"
