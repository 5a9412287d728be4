"""Admin journeys in the browser: users and roles, the audit log, own password change."""

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from scorecard.extensions import db as _db
from scorecard.models import AuditEvent, Role, User

pytestmark = pytest.mark.browser

NEW_PASSWORD = "sunrise over the hospital 9"  # noqa: S105


def test_admin_creates_a_user_changes_role_resets_and_deactivates(
    page, demo_data, sign_in, live_server, browser
):
    sign_in("admin@demo.test")
    page.get_by_role("link", name="New user").click()
    page.get_by_label("E-mail").fill("wu.fang@demo.test")
    page.get_by_label("Name").fill("吴芳 Wu Fang")
    page.get_by_label("Role").select_option("interviewer")
    page.get_by_label("Initial password").fill("password1234")
    page.get_by_role("button", name="Create user").click()
    expect(page.get_by_role("alert").first).to_contain_text("too common")
    page.get_by_label("Initial password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Create user").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("吴芳 Wu Fang")
    expect(page.get_by_role("alert")).to_contain_text("User wu.fang@demo.test created.")

    # The new user signs in elsewhere.
    other = browser.new_context(base_url=live_server)
    theirs = other.new_page()
    theirs.goto("/login")
    theirs.get_by_label("E-mail").fill("wu.fang@demo.test")
    theirs.get_by_label("Password").fill(NEW_PASSWORD)
    theirs.get_by_role("button", name="Sign in").click()
    expect(theirs).to_have_url(f"{live_server}/my/interviews")

    # Role change, recorded with before and after.
    page.get_by_label("Role").select_option("hr")
    page.get_by_role("button", name="Change role").click()
    expect(page.get_by_role("alert")).to_have_text("Role saved.")
    expect(page.locator("#audit-events")).to_contain_text("user.role_change")
    theirs.goto("/candidates")
    expect(theirs.get_by_role("heading", level=1)).not_to_have_text("Not found")

    # Password reset signs them out.
    page.get_by_label("New password", exact=True).fill("another long phrase 2")
    page.get_by_label("Repeat the new password").fill("another long phrase 2")
    page.get_by_role("button", name="Reset password").click()
    expect(page.get_by_role("alert")).to_contain_text("signed out everywhere")
    theirs.goto("/jobs")
    expect(theirs).to_have_url(f"{live_server}/login?next=%2Fjobs")

    # Deactivation: cannot sign in any more; reactivation restores it.
    page.get_by_role("button", name="Deactivate").click()
    expect(page.get_by_role("alert")).to_contain_text("deactivated and signed out")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Deactivated")
    theirs.get_by_label("E-mail").fill("wu.fang@demo.test")
    theirs.get_by_label("Password").fill("another long phrase 2")
    theirs.get_by_role("button", name="Sign in").click()
    expect(theirs.get_by_role("alert")).to_have_text("Wrong e-mail or password.")
    page.get_by_role("button", name="Reactivate").click()
    expect(page.get_by_role("alert")).to_contain_text("can sign in again")
    other.close()

    page.get_by_role("link", name="Users", exact=True).first.click()
    expect(page.locator("#users")).to_contain_text("wu.fang@demo.test")
    user = _db.session.scalar(sa.select(User).where(User.email == "wu.fang@demo.test"))
    assert user.role == Role.HR and user.active


def test_the_last_admin_cannot_demote_themselves(page, demo_data, sign_in):
    sign_in("admin@demo.test")
    page.get_by_role("link", name="管理员 Admin").click()
    page.get_by_label("Role").select_option("manager")
    page.get_by_role("button", name="Change role").click()
    expect(page.get_by_role("alert").first).to_contain_text(
        "At least one active admin must remain."
    )
    page.get_by_role("button", name="Deactivate").click()
    expect(page.get_by_role("alert").first).to_contain_text(
        "At least one active admin must remain."
    )
    admin = _db.session.scalar(sa.select(User).where(User.email == "admin@demo.test"))
    assert admin.role == Role.ADMIN and admin.active


def test_admin_filters_the_audit_log(page, demo_data, sign_in, live_server):
    sign_in("hr@demo.test", "a wrong password!!")
    sign_in("admin@demo.test")
    page.get_by_role("link", name="Audit log").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Audit log")
    page.get_by_label("Action").select_option("login.failure")
    page.get_by_role("button", name="Filter").click()
    rows = page.locator("#audit-events tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("hr@demo.test")
    page.get_by_label("Action").select_option("")
    page.get_by_label("Who").select_option(label="System / not signed in")
    page.get_by_label("Job").select_option(index=1)
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#audit-events")).to_contain_text("job.member_add")
    page.get_by_role("link", name="Clear").click()
    expect(page).to_have_url(f"{live_server}/admin/audit")
    assert _db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) > 50
    expect(page.get_by_role("link", name="Older →")).to_be_visible()


def test_user_changes_own_password_and_other_browser_is_signed_out(
    page, demo_data, sign_in, live_server, browser
):
    other = browser.new_context(base_url=live_server)
    elsewhere = other.new_page()
    elsewhere.goto("/login")
    elsewhere.get_by_label("E-mail").fill("interviewer2@demo.test")
    elsewhere.get_by_label("Password").fill("scorecard-demo")
    elsewhere.get_by_role("button", name="Sign in").click()
    expect(elsewhere).to_have_url(f"{live_server}/my/interviews")

    sign_in("interviewer2@demo.test")
    page.get_by_role("link", name="Settings").click()
    page.get_by_label("Current password").fill("wrong")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Repeat the new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text("The current password is not correct.")).to_be_visible()
    page.get_by_label("Current password").fill("scorecard-demo")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Repeat the new password").press("End")
    page.get_by_label("Repeat the new password").fill(NEW_PASSWORD)
    page.get_by_label("Repeat the new password").press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Other sessions were signed out.")
    page.get_by_role("link", name="My interviews").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My interviews")
    elsewhere.reload()
    expect(elsewhere).to_have_url(f"{live_server}/login?next=%2Fmy%2Finterviews")
    other.close()
