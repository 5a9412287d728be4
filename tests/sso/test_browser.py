"""Company sign-in in Chromium: through the real provider's login page, with the directory
form, an admin mapping a group to a role, a leaver's session ending, break-glass sign-in."""

import time

import pytest
from playwright.sync_api import expect

from scorecard.models import Role
from tests.conftest import TEST_PASSWORD
from tests.sso.conftest import DIR_PASSWORD, OP_PASSWORD, add_person, op_user, set_disabled
from tests.sso.servers import OpenIdProvider

pytestmark = pytest.mark.browser


@pytest.fixture
def browser_oidc(with_oidc, live_server):
    with_oidc.configure(
        {
            "clients": [
                {
                    "client_id": OpenIdProvider.CLIENT_ID,
                    "client_secret": OpenIdProvider.CLIENT_SECRET,
                    "redirect_uris": [f"{live_server}/login/sso/callback"],
                    "post_logout_redirect_uris": [f"{live_server}/login"],
                }
            ]
        }
    )
    return with_oidc


def _directory_sign_in(page, uid: str, password: str = DIR_PASSWORD) -> None:
    page.goto("/login")
    page.get_by_label("Company user name").fill(uid)
    page.get_by_label("Company password").fill(password)
    page.get_by_role("button", name="Sign in with the company directory").click()


def test_sign_in_through_the_providers_login_page(page, live_server, browser_oidc):
    person = op_user(browser_oidc, ["interviewers"], first_name="Olga", last_name="Sun")
    page.goto("/login")
    page.get_by_role("link", name="Sign in with Test IdP").click()
    expect(page.get_by_role("heading", name="Test Identity Provider")).to_be_visible()
    page.get_by_label("Username").fill(person["username"])
    page.get_by_label("Password").fill(OP_PASSWORD)
    page.get_by_role("button", name="Log in at the provider").click()
    expect(page).to_have_url(f"{live_server}/my/interviews")
    expect(page.get_by_text("Olga Sun")).to_be_visible()
    # Signing out offers the provider's end-session endpoint.
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Also sign out of Test IdP")).to_be_visible()


def test_sign_in_with_the_directory(page, live_server, with_ldap):
    uid = add_person(with_ldap, ["hr-team"], name="Hui Zhang")
    _directory_sign_in(page, uid, "wrong")
    expect(
        page.get_by_role("alert").filter(has_text="Wrong user name or password.")
    ).to_be_visible()
    _directory_sign_in(page, uid)
    expect(page).to_have_url(f"{live_server}/jobs")
    expect(page.get_by_text("Hui Zhang")).to_be_visible()


def test_admin_maps_a_group_and_its_member_gets_the_role(page, live_server, with_ldap, make_user):
    uid = add_person(with_ldap, ["contractors"])
    _directory_sign_in(page, uid)
    expect(page.get_by_text("no Scorecard role")).to_be_visible()
    admin = make_user(Role.ADMIN, email="root@example.test")
    page.goto("/login")
    page.get_by_label("E-mail").fill(admin.email)
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(f"{live_server}/admin/users")
    page.get_by_role("link", name="Company sign-in").click()
    form = page.locator("#mapping-form")
    form.get_by_label("Where the group comes from").select_option("ldap")
    form.get_by_label("Group", exact=True).fill("contractors")
    form.get_by_label("Role in Scorecard").select_option("manager")
    form.get_by_role("button", name="Map group").click()
    expect(page.get_by_text("Group mapped.")).to_be_visible()
    expect(page.locator("#mappings tr", has_text="contractors")).to_contain_text("Hiring manager")
    page.get_by_role("button", name="Sign out").click()
    _directory_sign_in(page, uid)
    expect(page).to_have_url(f"{live_server}/jobs")


def test_a_disabled_directory_user_is_signed_out_at_the_re_check(
    page, live_server, with_ldap, configure
):
    configure({"DIRECTORY_RECHECK_S": 1})
    uid = add_person(with_ldap, ["interviewers"])
    _directory_sign_in(page, uid)
    expect(page).to_have_url(f"{live_server}/my/interviews")
    set_disabled(with_ldap, uid)
    time.sleep(1.1)
    page.reload()
    expect(page).to_have_url(f"{live_server}/login")
    expect(page.get_by_text("The company directory no longer lets you in")).to_be_visible()


def test_break_glass_admin_signs_in_with_local_passwords_off(
    page, live_server, with_ldap, configure, make_user
):
    admin = make_user(Role.ADMIN, email="glass@example.test")
    hr = make_user(Role.HR, email="hr-local@example.test")
    configure({"LOCAL_SIGN_IN": "off", "BREAK_GLASS_ADMINS": [admin.email]})
    page.goto("/login")
    page.get_by_text("Administrator sign-in with a local password (break-glass)").click()
    page.get_by_label("E-mail").fill(hr.email)
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_text("Password sign-in is turned off")).to_be_visible()
    page.get_by_text("Administrator sign-in with a local password (break-glass)").click()
    page.get_by_label("E-mail").fill(admin.email)
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(f"{live_server}/admin/users")


def test_a_group_change_at_the_provider_gives_a_new_role_at_the_next_sign_in(
    page, live_server, browser_oidc
):
    person = op_user(browser_oidc, ["interviewers"])
    page.goto("/login")
    page.get_by_role("link", name="Sign in with Test IdP").click()
    page.get_by_label("Username").fill(person["username"])
    page.get_by_label("Password").fill(OP_PASSWORD)
    page.get_by_role("button", name="Log in at the provider").click()
    expect(page).to_have_url(f"{live_server}/my/interviews")
    page.get_by_role("button", name="Sign out").click()
    browser_oidc.configure({"users": [{**person, "groups": ["managers"]}]})
    # Still signed in at the provider: its login page is skipped this time.
    page.get_by_role("link", name="Sign in with Test IdP").click()
    expect(page).to_have_url(f"{live_server}/jobs")
    expect(page.get_by_role("heading", level=1)).to_have_text("Jobs to review")
