"""Each demo role signs in through the browser and lands on its home page."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

CASES = [
    ("admin@demo.test", "/admin/users", "Users"),
    ("hr@demo.test", "/jobs", "Jobs"),
    ("manager@demo.test", "/jobs", "Jobs to review"),
    ("interviewer1@demo.test", "/my/interviews", "My interviews"),
]


@pytest.mark.parametrize(("email", "path", "heading"), CASES)
def test_demo_role_lands_on_home(page, demo_data, sign_in, live_server, email, path, heading):
    sign_in(email)
    expect(page).to_have_url(f"{live_server}{path}")
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    if email.startswith("interviewer1"):
        today = page.locator("#section-today")
        expect(today.get_by_role("link", name="郑洁")).to_be_visible()
    if email.startswith("hr"):
        expect(
            page.get_by_role("link", name="Medical Software Implementation Engineer")
        ).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{live_server}/login")


def test_wrong_password_shows_a_clear_error(page, demo_data, sign_in, live_server):
    sign_in("hr@demo.test", "not-the-password")
    expect(page.get_by_role("alert")).to_have_text("Wrong e-mail or password.")
    expect(page).to_have_url(f"{live_server}/login")
    sign_in("nobody@demo.test", "not-the-password")
    expect(page.get_by_role("alert")).to_have_text("Wrong e-mail or password.")


def test_language_switch_to_chinese(page, demo_data, sign_in):
    sign_in("hr@demo.test")
    page.get_by_role("button", name="中文").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("职位")
    expect(page.get_by_role("link", name="医疗软件实施工程师")).to_be_visible()
