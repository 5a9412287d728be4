"""R6: bad input to every form changes nothing invalid and never answers 5xx.

Every state-changing page route (the bearer API has its own schemathesis fuzzing in
test_api_fuzz.py) receives 100 generated submissions with a valid CSRF token, from a user
allowed to use it: field names drawn from every form of the app plus strangers, values from
hostile text, numbers, dates and sizes. Afterwards no stored text exceeds its column and every
row still passes the database's constraints (checked on SQLite too, which does not enforce
VARCHAR lengths).
"""

import sqlalchemy as sa
from flask_wtf import FlaskForm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scorecard.extensions import db as _db
from tests.conftest import csrf_from
from tests.web.trust_figures import report
from tests.web.trust_world import build_world, route_urls, sign_in

EXAMPLES = 100
# Routes that would end the fuzzing session itself rather than exercise input handling.
SKIP = {"auth.logout", "auth.login"}
AWKWARD = [
    "",
    " ",
    "0",
    "-1",
    "1e309",
    "NaN",
    "3.5",
    "４",
    "2026-13-45T25:61",
    "2020-01-01T09:00",
    "y",
    "on",
    "zh_CN",
    "<script>alert(1)</script>",
    "'; DROP TABLE users; --",
    "x" * 6000,
    "长" * 3000,
    "\x00",
    "../../etc/passwd",
]


def _form_fields() -> list[str]:
    names: set[str] = set()
    stack = list(FlaskForm.__subclasses__())
    while stack:
        form = stack.pop()
        stack.extend(form.__subclasses__())
        for name, _field in getattr(form, "_unbound_fields", None) or []:
            names.add(name)
    return sorted(names - {"csrf_token"})


def _values():
    return st.one_of(
        st.sampled_from(AWKWARD),
        st.text(max_size=60),
        st.integers(min_value=-(10**12), max_value=10**12).map(str),
    )


def _too_long_or_invalid() -> list[str]:
    """Stored strings longer than their column (the only constraint SQLite skips)."""
    problems = []
    for table in _db.metadata.sorted_tables:
        for column in table.columns:
            length = getattr(column.type, "length", None)
            if not isinstance(column.type, sa.String) or not length:
                continue
            longest = _db.session.scalar(sa.select(sa.func.max(sa.func.length(column))))
            if longest is not None and longest > length:
                problems.append(f"{table.name}.{column.name}: {longest} > {length}")
    return problems


def test_every_form_survives_generated_input(app, client, db, request):
    world = build_world(decisions=True)
    clients = {
        "admin": sign_in(app, world.users["admin"]),
        "panel": sign_in(app, world.users["interviewer_panel"]),
        "manager": sign_in(app, world.users["manager"]),
    }
    tokens = {who: csrf_from(c.get("/jobs").get_data(as_text=True)) for who, c in clients.items()}
    fields = _form_fields()
    routes = [
        (endpoint, url)
        for endpoint, url in route_urls(app, world, "own", methods=("POST",))
        if endpoint not in SKIP and not endpoint.startswith("api.")
    ]
    assert len(routes) > 30
    requests = 0
    fivexx: list[str] = []

    def fuzz_route(endpoint: str, url: str, who: str) -> None:
        client, token = clients[who], tokens[who]

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(data=st.dictionaries(st.sampled_from(fields) | st.text(max_size=12), _values()))
        def fuzz(data):
            nonlocal requests
            requests += 1
            if endpoint.startswith("interviews."):
                body = {"lock_version": data.pop("lock_version", 1), "changes": data}
                response = client.post(url, json=body, headers={"X-CSRFToken": token})
            else:
                response = client.post(url, data={**data, "csrf_token": token})
            if response.status_code >= 500:
                fivexx.append(f"{endpoint} {response.status_code} with {data!r:.200}")

        fuzz()

    for endpoint, url in routes:
        if endpoint.startswith("interviews."):
            fuzz_route(endpoint, url, "panel")
        elif endpoint.startswith("summaries."):
            fuzz_route(endpoint, url, "manager")
        else:
            fuzz_route(endpoint, url, "admin")

    _db.session.expire_all()
    invalid = _too_long_or_invalid()
    report(
        request.config,
        "R6 forms",
        f"R6: {len(routes)} form routes × {EXAMPLES} generated inputs = {requests} requests: "
        f"{len(fivexx)} 5xx, {len(invalid)} invalid values stored",
    )
    assert fivexx == [], fivexx[:10]
    assert invalid == [], invalid
