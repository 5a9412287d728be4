"""The permission table guards requests at run time, not only in the R1 test."""

import pytest
from flask_login import login_required

from config import TestConfig
from scorecard import access, create_app
from scorecard.extensions import db as _db
from tests.web.trust_world import build_world, sign_in


@pytest.fixture
def guarded_app(app, db):
    """A fresh app (same database) with two extra routes: one the table does not name, and
    one it names for admins only."""
    fresh = create_app(TestConfig)

    @fresh.route("/_unlisted")
    @login_required
    def unlisted():
        return "reachable"

    @fresh.route("/_admins")
    @login_required
    def admins():
        return "reachable"

    access.ACCESS["admins"] = access.ADMIN_ONLY
    yield fresh
    access.ACCESS.pop("admins", None)


def test_a_route_missing_from_the_table_is_refused_when_it_runs(guarded_app):
    world = build_world()
    _db.session.commit()
    for actor in ("admin", "hr", "manager", "interviewer_panel"):
        client = sign_in(guarded_app, world.users[actor])
        response = client.get("/_unlisted")
        assert response.status_code == 404, actor
        assert b"reachable" not in response.data
    # The anonymous visitor is not told either: no rule, no page.
    anonymous = guarded_app.test_client(use_cookies=True)
    assert anonymous.get("/_unlisted").status_code == 404


def test_the_table_decides_roles_before_the_view_runs(guarded_app):
    world = build_world()
    _db.session.commit()
    assert sign_in(guarded_app, world.users["admin"]).get("/_admins").data == b"reachable"
    for actor in ("hr", "manager", "interviewer_panel"):
        response = sign_in(guarded_app, world.users[actor]).get("/_admins")
        assert response.status_code == 404, actor
