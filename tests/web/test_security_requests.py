"""R10: no forged requests (CSRF on every state-changing route), no open redirects."""

import re
from urllib.parse import urljoin, urlsplit

import sqlalchemy as sa

from scorecard import access
from scorecard.extensions import db as _db
from tests.conftest import TEST_PASSWORD, csrf_from
from tests.web.test_auth import HOSTILE_NEXT
from tests.web.trust_figures import report
from tests.web.trust_world import build_world, route_urls, sign_in

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def _fingerprint() -> dict[str, int]:
    """Row counts of every table: a forged request must change none of them."""
    return {
        table.name: _db.session.scalar(sa.select(sa.func.count()).select_from(table))
        for table in _db.metadata.sorted_tables
    }


def test_every_state_changing_route_refuses_a_missing_or_forged_token(app, client, db, request):
    world = build_world(decisions=True)
    admin = sign_in(app, world.users["admin"])
    hr = sign_in(app, world.users["hr"])
    panel = sign_in(app, world.users["interviewer_panel"])
    foreign_token = csrf_from(app.test_client().get("/login").get_data(as_text=True))
    writes = []
    for method in WRITE_METHODS:
        writes += [(method, e, u) for e, u in route_urls(app, world, "own", methods=(method,))]
    assert writes, "no state-changing routes found"
    before = _fingerprint()
    refused, attempts, failures = 0, 0, []
    for method, endpoint, url in writes:
        for who, c in (("admin", admin), ("hr", hr), ("panel", panel), ("anonymous", client)):
            for variant, data, headers in (
                ("no token", {}, {}),
                ("token of another session", {"csrf_token": foreign_token}, {}),
                ("garbage token", {"csrf_token": "x" * 40}, {"X-CSRFToken": "y" * 40}),
                ("JSON without header", None, {"Content-Type": "application/json"}),
            ):
                attempts += 1
                kwargs = {"data": "{}"} if data is None else {"data": data}
                response = c.open(url, method=method, headers=headers, **kwargs)
                # The bearer-token API ignores cookies (and so needs no CSRF token): a
                # cookie-only request is refused there as unauthenticated.
                rule = access.rule_for(endpoint, method)
                wanted = 401 if rule is not None and rule.bearer else 400
                if response.status_code == wanted:
                    refused += 1
                else:
                    failures.append(
                        f"{method} {url} ({endpoint}) as {who}, {variant}: "
                        f"HTTP {response.status_code}, expected {wanted}"
                    )
    _db.session.expire_all()
    assert _fingerprint() == before, "a forged request changed the database"
    report(
        request.config,
        "R10a",
        f"R10: {len(writes)} state-changing routes × 4 users × 4 forgeries: "
        f"{refused} of {attempts} refused (400; 401 on the bearer-token API)",
    )
    assert not failures, "\n".join(failures)


def test_only_the_bearer_token_api_is_exempt_from_csrf(app):
    """A CSRF-exempt route must not accept the session cookie: only the bearer API is."""
    from scorecard.extensions import csrf

    exempt_blueprints = set(csrf._exempt_blueprints)
    exempt_views = set(csrf._exempt_views)
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        blueprint = rule.endpoint.rpartition(".")[0]
        location = f"{view.__module__}.{view.__name__}"
        if blueprint in exempt_blueprints or location in exempt_views:
            access_rule = access.rule_for(rule.endpoint)
            assert access_rule is not None and (access_rule.bearer or access_rule.public), (
                f"{rule.endpoint} is CSRF-exempt but not a bearer-token or public route"
            )


def lands_off_site(location: str, host: str = "localhost") -> bool:
    """Would a browser following this Location leave our site (or run a script)?"""
    # Browsers drop tabs and newlines, trim spaces and controls, read '\' as '/'.
    cleaned = re.sub(r"[\t\n\r]", "", location).strip(" \x00").replace("\\", "/")
    target = urlsplit(urljoin(f"http://{host}/jobs", cleaned))
    return target.scheme not in ("http", "https") or target.hostname != host


def test_the_off_site_check_can_fail():
    assert lands_off_site("//evil.example")
    assert lands_off_site("/\\evil.example")
    assert lands_off_site("/\t/evil.example")
    assert lands_off_site("javascript:alert(1)")
    assert not lands_off_site("/jobs/3?x=1")


def test_hostile_next_values_never_redirect_off_site(app, client, make_user, request):
    assert len(HOSTILE_NEXT) >= 30
    user = make_user("hr")
    off_site = []
    checked = 0
    for target in HOSTILE_NEXT:
        # At sign-in, from the query string and from the form.
        page = client.get("/login", query_string={"next": target})
        assert page.status_code == 200
        response = client.post(
            "/login",
            data={
                "email": user.email,
                "password": TEST_PASSWORD,
                "next": target,
                "csrf_token": csrf_from(page.get_data(as_text=True)),
            },
        )
        checked += 1
        assert response.status_code == 302
        if lands_off_site(response.headers["Location"]):
            off_site.append(("login", target, response.headers["Location"]))
        # The language switch takes next= too.
        token = csrf_from(client.get("/settings").get_data(as_text=True))
        switch = client.post("/language", data={"lang": "en", "next": target, "csrf_token": token})
        checked += 1
        assert switch.status_code == 302
        if lands_off_site(switch.headers["Location"]):
            off_site.append(("language", target, switch.headers["Location"]))
        client.post("/logout", data={"csrf_token": token})
    report(
        request.config,
        "R10b",
        f"R10: {len(HOSTILE_NEXT)} hostile next= values × 2 forms: "
        f"{len(off_site)} off-site redirects of {checked}",
    )
    assert not off_site
