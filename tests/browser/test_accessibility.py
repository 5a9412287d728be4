"""Every page each of the four roles reaches is axe-clean (WCAG 2.1 A/AA and best practices).

The demo is signed in as admin, HR, hiring manager and interviewer; from each landing page the
test follows the app's own links (one page per URL shape over all roles — e.g. one candidate
report, not all; the first role to reach a shape checks it — plus every role's own landing
page and My interviews), runs axe-core (vendored: tests/browser/vendor/axe-core) on each page
and fails on any violation. It also fails on any response of 400 or more met on the way (a
missing icon, style or script), and prints the figure: pages checked, violations.
"""

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
ROLES = ("admin@demo.test", "hr@demo.test", "manager@demo.test", "interviewer1@demo.test")
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
# Links that are not pages to check: files, the API, signing out, language switching.
SKIP = re.compile(r"(\.csv|\.xlsx|\.json|\.ics)$|^/api/|^/logout|^/static/|/export")
MAX_PAGES = 80


def _shape(path: str) -> str:
    """One page per URL shape: ids become N, so /jobs/3/matrix and /jobs/4/matrix are one."""
    return re.sub(r"/\d+", "/N", path)


def _links(page, origin: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    out = []
    for href in hrefs:
        parts = urlsplit(href)
        if f"{parts.scheme}://{parts.netloc}" != origin or SKIP.search(parts.path):
            continue
        out.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return out


def _axe(page) -> list[dict]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated through the debugging protocol, not a <script>: the app's CSP stays on.
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "tags => axe.run(document, "
        "{runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        TAGS,
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "targets": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
    ]


def test_every_page_of_every_role_is_axe_clean(page, live_server, demo_data, sign_in):
    failures: list[str] = []
    bad_responses: list[str] = []
    checked = 0
    page.on(
        "response",
        lambda r: (
            bad_responses.append(f"{r.status} {r.url}")
            if r.status >= 400 and r.url.startswith(live_server)
            else None
        ),
    )
    # Signed out: the sign-in page itself.
    page.goto("/login")
    for v in _axe(page):
        failures.append(f"anonymous /login: {v}")
    checked += 1
    seen: set[str] = set()
    for email in ROLES:
        sign_in(email)
        page.wait_for_load_state()
        start = urlsplit(page.url).path
        queue = [start, "/my/interviews"]
        seen.update(_shape(p) for p in queue)
        while queue and checked < MAX_PAGES:
            path = queue.pop(0)
            response = page.goto(path)
            if response is None or response.status != 200:
                continue
            checked += 1
            for v in _axe(page):
                failures.append(f"{email} {path}: {v}")
            for link in _links(page, live_server):
                shape = _shape(urlsplit(link).path)
                if shape not in seen:
                    seen.add(shape)
                    queue.append(link)
        page.context.clear_cookies()
    print(
        f"\naxe-core: {checked} pages checked for 4 roles and signed out, "
        f"{len(failures)} violations, {len(bad_responses)} responses >= 400"
    )
    assert not failures, "\n".join(failures)
    assert not bad_responses, "\n".join(bad_responses)
