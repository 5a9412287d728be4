"""Personal API tokens: only a bearer token signs in, stored hashed, shown once, revocable."""

import hashlib
import re

import sqlalchemy as sa

from scorecard.extensions import db as _db
from scorecard.models import ApiToken, AuditEvent, Role
from scorecard.services import api_tokens
from tests.conftest import count_rows, csrf_from
from tests.web.api_support import assert_error


def _form(client) -> dict[str, str]:
    page = client.get("/settings/tokens")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    key = re.search(r'name="creation_key" type="hidden" value="([^"]+)"', html)
    assert key, "no creation key in the form"
    return {"csrf_token": csrf_from(html), "creation_key": key.group(1)}


def _create_on_page(client, name: str = "ATS sync"):
    return client.post("/settings/tokens", data={"name": name, **_form(client)})


def _raw_from(html: str) -> str:
    found = re.search(r'value="(sc_[A-Za-z0-9_-]{43})"', html)
    assert found, "the new token is not on the page"
    return found.group(1)


def test_token_is_shown_once_and_stored_only_as_its_hash(client, make_user, login_as):
    user = make_user(Role.HR)
    login_as(user)
    response = _create_on_page(client)
    assert response.status_code == 201
    html = response.get_data(as_text=True)
    raw = _raw_from(html)
    assert "shown only once" in html
    row = _db.session.scalar(sa.select(ApiToken))
    assert row.user_id == user.id and row.name == "ATS sync"
    assert row.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert row.prefix == raw[:7] and row.last_used_at is None
    # Never again: not on the list page, not in any stored column or audit row.
    listing = client.get("/settings/tokens").get_data(as_text=True)
    assert raw not in listing and f"{row.prefix}…" in listing
    dump = repr([tuple(r) for r in _db.session.execute(sa.select(ApiToken.__table__))])
    dump += repr([(e.before, e.after) for e in _db.session.scalars(sa.select(AuditEvent))])
    assert raw not in dump and raw[7:] not in dump
    event = _db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "api_token.create"))
    assert event.actor_id == user.id and event.after == {"name": "ATS sync", "prefix": row.prefix}
    # The token works and records when it was used.
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert me.status_code == 200 and me.get_json()["id"] == user.id
    assert me.headers["Cache-Control"] == "no-store"
    fresh = client.application.test_client()  # no cookies at all: the API sets none either
    answer = fresh.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert answer.status_code == 200 and "Set-Cookie" not in answer.headers
    _db.session.expire_all()
    assert _db.session.get(ApiToken, row.id).last_used_at is not None


def test_sending_the_form_again_creates_nothing(client, make_user, login_as):
    login_as(make_user(Role.HR))
    form = {"name": "CI", **_form(client)}
    first = client.post("/settings/tokens", data=form)
    assert first.status_code == 201
    raw = _raw_from(first.get_data(as_text=True))
    again = client.post("/settings/tokens", data=form)
    assert again.status_code == 409
    html = again.get_data(as_text=True)
    assert "already sent" in html and raw not in html
    assert count_rows(ApiToken) == 1
    assert client.post("/settings/tokens", data={**form, "creation_key": "bad key!"}).status_code
    assert count_rows(ApiToken) == 1


def test_revoked_token_is_refused(client, make_user, login_as):
    user = make_user(Role.MANAGER)
    login_as(user)
    raw = _raw_from(_create_on_page(client).get_data(as_text=True))
    auth = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/v1/jobs", headers=auth).status_code == 200
    row = _db.session.scalar(sa.select(ApiToken))
    page = client.get("/settings/tokens").get_data(as_text=True)
    revoked = client.post(
        "/settings/tokens/revoke",
        data={"token_id": str(row.id), "csrf_token": csrf_from(page)},
        follow_redirects=True,
    )
    assert "revoked" in revoked.get_data(as_text=True)
    assert_error(client.get("/api/v1/jobs", headers=auth), 401, "invalid_token")
    _db.session.expire_all()
    assert _db.session.get(ApiToken, row.id).revoked_at is not None
    actions = _db.session.scalars(
        sa.select(AuditEvent.action)
        .where(AuditEvent.action.like("api_token.%"))
        .order_by(AuditEvent.id)
    ).all()
    assert actions == ["api_token.create", "api_token.revoke"]


def test_session_cookies_are_not_accepted(client, make_user, login_as):
    """A signed-in browser gets nothing from the API without a token (no cookie auth)."""
    login_as(make_user(Role.ADMIN))
    assert client.get("/settings").status_code == 200  # the cookie session works for pages
    response = client.get("/api/v1/me")
    assert_error(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.headers["Cache-Control"] == "no-store"
    write = client.post("/api/v1/applications/1/hire-decision", json={"decision": "hire"})
    assert_error(write, 401, "unauthorized")


def test_bad_credentials_are_refused(client, make_user):
    user = make_user(Role.HR)
    _row, raw = api_tokens.create_token(user, "script")
    _db.session.commit()
    for header in (
        "",
        f"Basic {raw}",
        "Bearer",
        "Bearer sc_" + "x" * 43,
        f"Bearer {raw}x",
        "Bearer " + "sc_" * 100,
    ):
        response = client.get("/api/v1/me", headers={"Authorization": header} if header else {})
        assert response.status_code == 401, header
        assert_error(response, 401)
    user.active = False
    _db.session.commit()
    assert_error(client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}), 401)


def test_token_acts_with_the_users_current_permissions(client, make_user):
    user = make_user(Role.ADMIN)
    _row, raw = api_tokens.create_token(user, "script")
    _db.session.commit()
    auth = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/v1/me", headers=auth).get_json()["role"] == "admin"
    user.role = Role.INTERVIEWER
    _db.session.commit()
    assert client.get("/api/v1/me", headers=auth).get_json()["role"] == "interviewer"


def test_last_used_is_written_at_most_once_a_minute(client, make_user):
    user = make_user(Role.HR)
    row, raw = api_tokens.create_token(user, "script")
    _db.session.commit()
    auth = {"Authorization": f"Bearer {raw}"}
    client.get("/api/v1/me", headers=auth)
    _db.session.expire_all()
    first = _db.session.get(ApiToken, row.id).last_used_at
    client.get("/api/v1/me", headers=auth)
    _db.session.expire_all()
    assert _db.session.get(ApiToken, row.id).last_used_at == first


def test_names_are_checked_and_nothing_stored_on_bad_input(client, make_user, login_as):
    login_as(make_user(Role.INTERVIEWER))
    for name in ("", "   ", "x" * 101, "tab\there"):
        response = _create_on_page(client, name)
        assert response.status_code == 400, name
        assert 'class="error"' in response.get_data(as_text=True)
    assert count_rows(ApiToken) == 0
    page = client.get("/settings/tokens")
    no_csrf = client.post("/settings/tokens", data={"name": "x"})
    assert no_csrf.status_code == 400 and page.status_code == 200
    assert count_rows(ApiToken) == 0


def test_at_most_twenty_active_tokens(client, make_user, login_as):
    user = make_user(Role.HR)
    for i in range(api_tokens.ACTIVE_MAX):
        api_tokens.create_token(user, f"t{i}")
    _db.session.commit()
    login_as(user)
    response = _create_on_page(client, "one more")
    assert response.status_code == 400 and "revoke one" in response.get_data(as_text=True)
    assert count_rows(ApiToken) == api_tokens.ACTIVE_MAX


def test_nobody_revokes_another_users_token(client, make_user, login_as):
    owner = make_user(Role.HR)
    row, raw = api_tokens.create_token(owner, "owner's")
    _db.session.commit()
    login_as(make_user(Role.ADMIN))
    page = client.get("/settings/tokens").get_data(as_text=True)
    assert "owner&#39;s" not in page and "owner's" not in page
    for token_id in (str(row.id), "abc", "", "99999999999999999999"):
        response = client.post(
            "/settings/tokens/revoke",
            data={"token_id": token_id, "csrf_token": csrf_from(page)},
            follow_redirects=True,
        )
        assert "does not exist or is not yours" in response.get_data(as_text=True)
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 200


def test_api_needs_no_csrf_token_but_settings_page_does(client, make_user):
    user = make_user(Role.INTERVIEWER)
    _row, raw = api_tokens.create_token(user, "script")
    _db.session.commit()
    # A JSON write without any CSRF token reaches the API (here: a 404 for an unknown card).
    response = client.patch(
        "/api/v1/scorecards/12345",
        json={"lock_version": 1, "changes": {"overall": 3}},
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert_error(response, 404, "not_found")
