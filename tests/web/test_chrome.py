"""The page chrome (navigation, account links, stylesheets) is kept per role, language and
application root (scorecard/chrome.py): each viewer still sees exactly their own."""

import re

import pytest
from flask_babel import force_locale, gettext

from scorecard.models import Role

NAV = re.compile(r'<nav class="mainnav"[^>]*>(.*?)</nav>', re.S)
LINK = re.compile(r'<a href="([^"]+)">([^<]+)</a>')


def _nav(html: str) -> dict[str, str]:
    match = NAV.search(html)
    assert match, "no navigation"
    return {href: label.strip() for href, label in LINK.findall(match.group(1))}


@pytest.mark.parametrize("first", [Role.ADMIN, Role.INTERVIEWER])
def test_each_role_sees_its_own_navigation_whoever_came_first(
    app, client, make_user, login_as, first
):
    from flask import url_for

    with app.test_request_context():
        expected = {
            role: {url_for(e) for e in endpoints}
            for role, endpoints in {
                Role.INTERVIEWER: ["main.my_interviews", "main.jobs", "analytics.interviewers"],
                Role.MANAGER: [
                    "main.my_interviews",
                    "main.jobs",
                    "main.candidates",
                    "analytics.interviewers",
                ],
                Role.HR: [
                    "main.my_interviews",
                    "main.jobs",
                    "main.candidates",
                    "setup.overdue",
                    "analytics.interviewers",
                ],
                Role.ADMIN: [
                    "main.my_interviews",
                    "main.jobs",
                    "main.candidates",
                    "setup.overdue",
                    "analytics.interviewers",
                    "analytics.adverse_settings",
                    "admin.users",
                    "admin.audit",
                    "admin.candidates",
                ],
            }.items()
        }
    roles = (Role.ADMIN, Role.HR, Role.MANAGER, Role.INTERVIEWER)
    order = [first] + [r for r in roles if r != first]
    for role in order:
        user = make_user(role)
        login_as(user)
        html = client.get("/my-interviews", follow_redirects=True).get_data(as_text=True)
        assert set(_nav(html)) == expected[role], (role, _nav(html))
        assert user.name in html
        client.post(
            "/logout",
            data={"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)},
        )
    anonymous = client.get("/login").get_data(as_text=True)
    assert not NAV.search(anonymous)
    assert 'rel="stylesheet"' in anonymous


def test_the_navigation_follows_the_language(app, client, make_user, login_as, csrf):
    login_as(make_user(Role.INTERVIEWER))
    english = _nav(client.get("/my-interviews").get_data(as_text=True))
    client.post("/language", data={"lang": "zh_CN", "csrf_token": csrf("/my-interviews")})
    chinese = _nav(client.get("/my-interviews").get_data(as_text=True))
    with app.test_request_context(), force_locale("zh_CN"):
        jobs_zh = gettext("Jobs")
    assert set(english) == set(chinese)
    assert jobs_zh != "Jobs" and jobs_zh in chinese.values() and "Jobs" in english.values()


def test_an_unknown_chrome_part_is_refused(app):
    from scorecard.chrome import chrome

    with app.test_request_context(), pytest.raises(ValueError):
        chrome("footer")
