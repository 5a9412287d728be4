"""R1 and R2 with directory-signed-in users: the same permission table and the same blind rule
hold for people who signed in through LDAP (their accounts linked to directory entries)."""

import pytest

from scorecard import access
from scorecard.models import Role
from scorecard.sso import directory, provisioning
from tests.sso.conftest import add_person, directory_sign_in
from tests.web.test_permission_matrix import _classify
from tests.web.test_security_blind import _hits, _markers, _seed_urls, crawl
from tests.web.trust_world import SCOPES, build_world, url_values

GROUP_OF = {
    Role.ADMIN: "admins",
    Role.HR: "hr-team",
    Role.MANAGER: "managers",
    Role.INTERVIEWER: "interviewers",
}
ACTORS = ("admin", "hr", "manager", "interviewer_panel", "interviewer_off_panel")


@pytest.fixture
def external_world(app, db, client, with_ldap):
    """The trust world, its actors linked to directory people and signed in through LDAP."""
    world = build_world()
    db.session.commit()
    clients = {}
    for actor in ACTORS:
        user = world.users[actor]
        uid = add_person(with_ldap, [GROUP_OF[user.role]], mail=user.email)
        with app.test_request_context():
            profile = directory.Directory().find(uid)
            provisioning.link(user, profile, user.role, actor=world.users["admin"])
            db.session.commit()
        c = app.test_client()
        response = directory_sign_in(c, uid)
        assert response.status_code == 302, f"{actor} could not sign in through the directory"
        clients[actor] = c
    return world, clients


def test_permission_table_holds_for_directory_users(app, external_world):
    world, clients = external_world
    from flask import url_for

    cases, mismatches = 0, []
    rules = [r for r in app.url_map.iter_rules() if r.endpoint != "static" and "GET" in r.methods]
    for rule_obj in rules:
        rule = access.rule_for(rule_obj.endpoint, "GET")
        if rule is None or rule.bearer or rule_obj.endpoint in ("auth.logout",):
            continue
        for scope in SCOPES:
            values = url_values(world, scope)
            with app.test_request_context():
                url = url_for(rule_obj.endpoint, **{a: values[a] for a in rule_obj.arguments})
            for actor in ACTORS:
                want = access.expected(rule, world.facts(actor, scope))
                got = _classify(clients[actor].get(url), rule.json)
                if rule.public and got == access.LOGIN:
                    got = access.ALLOW
                cases += 1
                if got != want:
                    mismatches.append(f"GET {url} as {actor} ({scope}): want {want}, got {got}")
    assert cases > 200
    assert not mismatches, "\n".join(mismatches[:30])


def test_blind_rule_holds_for_a_directory_signed_in_panelist(app, external_world):
    world, clients = external_world
    seeds = [url for _e, url in _seed_urls(app, world)]
    pages = crawl(clients["interviewer_panel"], seeds)
    assert len(pages) > 50
    leaks = _hits(pages, _markers("own") + _markers("other"))
    assert not leaks, "\n".join(leaks[:20])
