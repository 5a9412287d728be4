"""A user creates a personal API token in the browser, a script uses it, then it is revoked."""

import json
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def _api(live_server: str, path: str, token: str) -> tuple[int, dict]:
    request = urllib.request.Request(
        f"{live_server}/api/v1{path}", headers={"Authorization": f"Bearer {token}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - local
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_create_use_and_revoke_a_token(page, demo_data, sign_in, live_server):
    sign_in("hr@demo.test")
    page.get_by_role("link", name="API tokens").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("API tokens")
    expect(page.locator("#tokens")).to_contain_text("No tokens yet.")

    # An empty name is refused with a message, nothing is created.
    page.get_by_role("button", name="Create token").click()
    expect(page.locator(".field.has-error")).to_be_visible()
    expect(page.locator("#tokens")).to_contain_text("No tokens yet.")

    page.get_by_label("Token name").fill("Weekly report script")
    page.get_by_label("Token name").press("Enter")
    token_box = page.get_by_test_id("new-token")
    expect(token_box).to_be_visible()
    expect(page.locator("#new-token")).to_contain_text("shown only once")
    token = token_box.input_value()
    assert token.startswith("sc_") and len(token) > 40
    row = page.locator("#tokens tbody tr", has_text="Weekly report script")
    expect(row).to_contain_text(token[:7])
    expect(row).to_contain_text("never")

    # A script uses it: the API answers as this user, and records the use.
    status, me = _api(live_server, "/me", token)
    assert status == 200 and me["email"] == "hr@demo.test" and me["role"] == "hr"
    status, jobs = _api(live_server, "/jobs", token)
    assert status == 200 and jobs["total"] >= 1

    # Reloading (the browser sends the form again) creates nothing and shows no token.
    page.reload()
    expect(page.get_by_role("alert")).to_contain_text("already sent")
    expect(page.get_by_test_id("new-token")).to_have_count(0)
    assert token not in page.content()
    # Opening the page again: the token is listed with its last use, never shown.
    page.get_by_role("link", name="API tokens").click()
    assert token not in page.content()
    row = page.locator("#tokens tbody tr", has_text="Weekly report script")
    expect(row).to_have_count(1)
    expect(row).not_to_contain_text("never")

    row.get_by_role("button", name="Revoke").click()
    expect(page.get_by_role("alert")).to_contain_text("revoked")
    expect(page.locator("#tokens tbody tr", has_text="Weekly report script")).to_contain_text(
        "Revoked"
    )
    status, error = _api(live_server, "/me", token)
    assert status == 401 and error["error"]["code"] == "invalid_token"


def test_api_documentation_page(page, demo_data, sign_in):
    sign_in("interviewer1@demo.test")
    page.get_by_role("link", name="API tokens").click()
    page.get_by_role("link", name="API documentation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Scorecard API")
    page.get_by_role("link", name="GET /api/v1/applications/{application_id}/scorecards").click()
    expect(page.locator("#op-application_scorecards")).to_contain_text("format")
    expect(page.locator("#harvest-scale")).to_contain_text("strong_yes")
