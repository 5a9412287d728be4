"""R1: every route × every actor × {own job, other job} against the table in scorecard.access.

A route without an entry in ACCESS fails here, naming the endpoint. Each case requests the
route as a signed-in actor, with real ids of the scope's objects substituted, and classifies
the answer: ALLOW (anything but 401/403/404/405/5xx or a redirect to sign-in), HIDE (404)
or LOGIN (a redirect to sign-in, or 401 for JSON).
"""

from urllib.parse import urlsplit

import pytest
from flask import url_for

from config import TestConfig
from scorecard import access, create_app
from scorecard.extensions import db as _db
from tests.conftest import IsolatedClient, csrf_from
from tests.web.trust_figures import report
from tests.web.trust_world import (
    ACTORS,
    SCOPES,
    build_people,
    build_world,
    sign_in,
    url_values,
)

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def _routes() -> list[tuple[str, str, tuple[str, ...]]]:
    """(endpoint, rule, methods) of every route but static files, read from a fresh app."""
    app = create_app(TestConfig)
    out = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        methods = tuple(sorted(m for m in rule.methods if m not in ("HEAD", "OPTIONS")))
        out.append((rule.endpoint, rule.rule, methods))
    return sorted(out)


ROUTES = _routes()
TOTALS = {"cases": 0, "mismatches": 0}


@pytest.fixture(scope="module", autouse=True)
def _report(request):
    yield
    report(request.config, "R1", f"R1: {TOTALS['cases']} cases, {TOTALS['mismatches']} mismatches")


def test_every_route_has_a_rule():
    """The table covers every endpoint, and names no endpoint that does not exist."""
    endpoints = {e for e, _r, _m in ROUTES}
    missing = sorted(e for e in endpoints if access.rule_for(e) is None)
    assert not missing, "endpoints without an entry in scorecard/access.py ACCESS: " + ", ".join(
        missing
    )
    stale = sorted(k for k in access.ACCESS if k.split(":")[0] not in endpoints | {"static"})
    assert not stale, "ACCESS names endpoints that no longer exist: " + ", ".join(stale)


def _classify(response, json: bool) -> str:
    status = response.status_code
    if status in (301, 302, 303, 307, 308):
        # Flask-Login's "please sign in" carries next=; a plain redirect to /login (after
        # signing out) is the page doing its job.
        location = urlsplit(response.headers.get("Location", ""))
        if location.path == "/login" and "next=" in location.query:
            return access.LOGIN
        return access.ALLOW
    if status == 401:
        return access.LOGIN
    if status == 404:
        return access.HIDE
    if status in (403, 405) or status >= 500:
        return f"status {status}"
    return access.ALLOW


class Matrix:
    """Module-wide state: the users (kept across tests), the world, signed-in clients.

    Users stay so their sessions can be reused; the jobs and everything on them are rebuilt
    after any test that sent a write, so each test starts from the same world.
    """

    def __init__(self, app):
        self.app = app
        wipe_all()
        self.people = build_people()
        _db.session.commit()
        self.world = build_world(decisions=True, people=self.people)
        self.dirty = False
        self.clients: dict[str, tuple[object, str]] = {}
        self.tokens: dict[str, str] = {}

    def fresh_world(self):
        if self.dirty:
            wipe_all(keep=("users",))
            self.world = build_world(decisions=True, people=self.people)
            self.dirty = False
            self.tokens = {}  # wiped with the world
        return self.world

    def bearer(self, actor: str) -> dict[str, str]:
        """The Authorization header of an actor's personal API token (none: anonymous)."""
        if actor == "anonymous":
            return {}
        if actor not in self.tokens:
            from scorecard.services import api_tokens

            _token, raw = api_tokens.create_token(self.people.users[actor], "matrix")
            _db.session.commit()
            self.tokens[actor] = raw
        return {"Authorization": f"Bearer {self.tokens[actor]}"}

    def client(self, actor: str):
        """(client, CSRF token) for an actor, signed in once and reused while it lasts."""
        if actor == "anonymous":
            c = self.app.test_client()
            return c, csrf_from(c.get("/login").get_data(as_text=True))
        if actor not in self.clients:
            c = sign_in(self.app, self.people.users[actor])
            self.clients[actor] = (c, _meta_token(c.get("/settings").get_data(as_text=True)))
        return self.clients[actor]

    def check_still_signed_in(self, actor: str) -> None:
        """A write may sign its actor out (logout): forget that client then."""
        if actor in self.clients and self.clients[actor][0].get("/settings").status_code != 200:
            del self.clients[actor]


def wipe_all(keep: tuple[str, ...] = ()) -> None:
    _db.session.rollback()
    with _db.engine.begin() as conn:
        for table in reversed(_db.metadata.sorted_tables):
            if table.name not in keep:
                conn.execute(table.delete())
    # Deleted rows' ids come back in the new world: forget them, keep (and reload) the rest.
    for obj in list(_db.session.identity_map.values()):
        if obj.__table__.name in keep:
            _db.session.expire(obj)
        else:
            _db.session.expunge(obj)


def _meta_token(html: str) -> str:
    marker = 'name="csrf-token" content="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


@pytest.fixture(scope="module")
def matrix(app):
    app.test_client_class = IsolatedClient
    with app.app_context():
        state = Matrix(app)
        yield state
        wipe_all()


@pytest.mark.parametrize(
    ("endpoint", "path", "methods"), ROUTES, ids=[f"{e}[{'/'.join(m)}]" for e, _p, m in ROUTES]
)
def test_route_obeys_the_table(app, matrix, endpoint, path, methods):
    rules = {m: access.rule_for(endpoint, m) for m in methods}
    if any(r is None for r in rules.values()):
        pytest.fail(f"{endpoint} ({path}) has no entry in scorecard/access.py ACCESS")
    world = matrix.fresh_world()
    rule_obj = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    mismatches: list[str] = []
    for method in methods:
        rule = rules[method]
        for scope in SCOPES:
            values = url_values(world, scope)
            missing = [a for a in rule_obj.arguments if a not in values]
            if missing:
                pytest.fail(
                    f"{endpoint}: no id for URL argument(s) {missing}: add them to "
                    "tests/web/trust_world.py url_values()"
                )
            with app.test_request_context():
                url = url_for(endpoint, **{a: values[a] for a in rule_obj.arguments})
            for actor in ACTORS:
                want = access.expected(rule, world.facts(actor, scope))
                c, token = matrix.client(actor)
                kwargs = {}
                if rule.bearer:
                    kwargs["headers"] = matrix.bearer(actor)
                if method in WRITE_METHODS:
                    kwargs["data"] = {"csrf_token": token}
                    matrix.dirty = True
                response = c.open(url, method=method, **kwargs)
                if method in WRITE_METHODS:
                    matrix.check_still_signed_in(actor)
                got = _classify(response, rule.json)
                if rule.public and got == access.LOGIN:
                    got = access.ALLOW  # a public page may send visitors on to sign in
                TOTALS["cases"] += 1
                if got != want:
                    TOTALS["mismatches"] += 1
                    mismatches.append(
                        f"{method} {url} as {actor} ({scope} job): expected {want}, got {got} "
                        f"(HTTP {response.status_code})"
                    )
    assert not mismatches, "\n".join(mismatches)
