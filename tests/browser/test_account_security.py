"""Account security journeys in Chromium (issue 20): two-factor sign-in, recovery codes, the
admin policy, password reset through the e-mailed link, a candidate's data export."""

import io
import json
import re
import time
import zipfile

import pyotp
import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from scorecard.extensions import db as _db
from scorecard.models import AuditEvent, Role, User, utcnow
from scorecard.services import audit, two_factor
from tests.conftest import TEST_PASSWORD
from tests.web.test_setup_reminders import Inbox, _free_port
from tests.web.trust_world import build_world, marker

pytestmark = pytest.mark.browser

NEW = "a brand new passphrase 77"  # noqa: S105


def code(secret: str, steps_ahead: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + steps_ahead * two_factor.STEP_S)


def password_step(page, email: str, password: str = TEST_PASSWORD) -> None:
    page.goto("/login")
    page.locator("#local-form").get_by_label("E-mail").fill(email)
    page.locator("#local-form").get_by_label("Password").fill(password)
    page.locator("#local-form").get_by_role("button", name="Sign in").click()


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("alert")).to_contain_text("You are signed out.")


def test_enrol_two_factor_then_sign_in_with_a_code(page, browser, live_server, make_user):
    user = make_user(Role.HR, name="Hui Two-Factor")
    password_step(page, user.email)
    page.get_by_role("link", name="Settings").click()
    expect(page.get_by_test_id("two-factor-status")).to_contain_text("Off.")
    page.get_by_role("link", name="Set up two-factor sign-in").click()
    qr = page.get_by_role("img", name="QR code for your authenticator app")
    expect(qr).to_be_visible()
    # The QR code is drawn by the server and allowed by the page's CSP (it really renders).
    assert qr.evaluate("img => img.naturalWidth") > 0
    secret = page.get_by_test_id("totp-secret").inner_text().strip()
    page.get_by_label("Code from the app").fill("123456" if code(secret) != "123456" else "654321")
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_text("That code is not right.")).to_be_visible()
    page.get_by_label("Code from the app").fill(code(secret))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_role("alert")).to_contain_text("Two-factor sign-in is on.")
    expect(page.get_by_test_id("recovery-codes").locator("li")).to_have_count(10)
    page.get_by_role("link", name="I have saved them: continue").click()
    sign_out(page)

    password_step(page, user.email)
    expect(page).to_have_url(re.compile(r"/login/code$"))
    expect(page.get_by_role("heading", name="Two-factor sign-in")).to_be_visible()
    used = code(secret, 1)
    page.get_by_label("Code").fill(used)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_test_id("who")).to_contain_text("Hui Two-Factor")
    # The same code again, in a fresh browser: refused.
    other = browser.new_context(base_url=live_server)
    again = other.new_page()
    password_step(again, user.email)
    again.get_by_label("Code").fill(used)
    again.get_by_role("button", name="Continue").click()
    expect(again.get_by_text("That code is not valid (or was already used).")).to_be_visible()
    expect(again.get_by_test_id("who")).to_have_count(0)
    other.close()


def test_a_recovery_code_works_once(page, make_user):
    user = make_user(Role.MANAGER, name="Mei Recovery")
    user.totp_secret = pyotp.random_base32()
    user.totp_enabled_at = utcnow()
    codes = two_factor._new_recovery_codes(user)
    _db.session.commit()
    password_step(page, user.email)
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("alert")).to_contain_text("You signed in with a recovery code; 9 left")
    expect(page.get_by_test_id("who")).to_contain_text("Mei Recovery")
    sign_out(page)
    password_step(page, user.email)
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("That code is not valid (or was already used).")).to_be_visible()
    expect(page.get_by_test_id("who")).to_have_count(0)


def test_an_admin_who_requires_two_factor_is_sent_to_enrolment(page, make_user):
    admin = make_user(Role.ADMIN, name="Ada Policy")
    password_step(page, admin.email)
    page.get_by_role("link", name="Security").click()
    page.get_by_label("Two-factor sign-in is required for").select_option("admins")
    page.get_by_role("button", name="Save").click()
    # From now on the admin, without a second factor, can do nothing before enrolling.
    expect(page).to_have_url(re.compile(r"/settings/two-factor$"))
    expect(page.get_by_role("alert").filter(has_text="Security settings saved.")).to_be_visible()
    expect(page.get_by_role("alert").last).to_contain_text("Your role needs two-factor sign-in")
    page.get_by_role("link", name="Users").first.click()
    expect(page).to_have_url(re.compile(r"/settings/two-factor$"))
    sign_out(page)
    password_step(page, admin.email)
    expect(page).to_have_url(re.compile(r"/settings/two-factor$"))
    secret = page.get_by_test_id("totp-secret").inner_text().strip()
    page.get_by_label("Code from the app").fill(code(secret))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    page.get_by_role("link", name="I have saved them: continue").click()
    page.get_by_role("link", name="Users").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Users")
    _db.session.rollback()
    actions = _db.session.scalars(sa.select(AuditEvent.action)).all()
    assert "settings.change" in actions and "user.two_factor_enable" in actions


@pytest.fixture
def inbox(app, live_server, monkeypatch):
    from aiosmtpd.controller import Controller

    box = Inbox()
    port = _free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "SMTP_PORT", port)
    monkeypatch.setitem(app.config, "PUBLIC_URL", live_server)
    yield box
    controller.stop()


def test_password_reset_through_the_mailed_link(page, browser, live_server, make_user, inbox):
    user = make_user(Role.INTERVIEWER, name="Ivy Forgetful")
    old = browser.new_context(base_url=live_server)
    old_page = old.new_page()
    password_step(old_page, user.email)
    expect(old_page.get_by_test_id("who")).to_contain_text("Ivy Forgetful")

    page.goto("/login")
    page.get_by_role("link", name="Forgot password?").click()
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_role("button", name="Send me a link").click()
    expect(page.get_by_role("alert")).to_contain_text("If an account uses that address")
    deadline = time.monotonic() + 5
    while not inbox.messages and time.monotonic() < deadline:
        time.sleep(0.05)
    assert inbox.messages, "no e-mail arrived"
    body = inbox.messages[0].get_payload(decode=True).decode()
    link = re.search(r"(http://\S+/password/reset/\S+)", body).group(1)
    page.goto(link)
    page.get_by_label("New password", exact=True).fill(NEW)
    page.get_by_label("Repeat the new password").fill(NEW)
    page.get_by_role("button", name="Set the new password").click()
    expect(page.get_by_role("alert")).to_contain_text("every session was signed out")
    # The old session is dead, and the link too.
    old_page.reload()
    expect(old_page).to_have_url(re.compile(r"/login"))
    expect(old_page.get_by_test_id("who")).to_have_count(0)
    old.close()
    page.goto(link)
    expect(page.get_by_role("alert")).to_contain_text("This link is not valid any more")
    password_step(page, user.email, NEW)
    expect(page.get_by_test_id("who")).to_contain_text("Ivy Forgetful")


def test_admin_exports_a_candidates_data(page, app, db):
    world = build_world(decisions=True)
    own = world.scopes["own"]
    with app.test_request_context():
        audit.record(
            "candidate.update",
            "candidate",
            own.candidate.id,
            job_id=own.job.id,
            after={"name": own.candidate.name, "note": own.candidate.note},
        )
    db.session.commit()
    password_step(page, world.users["admin"].email)
    page.goto(f"/admin/candidates/{own.candidate.id}")
    page.get_by_label("Language of the export").select_option("en")
    with page.expect_download() as info:
        page.get_by_role("button", name="Download the candidate's data (ZIP)").click()
    download = info.value
    assert re.fullmatch(r"candidate-\d+-data-\d{8}\.zip", download.suggested_filename)
    archive = zipfile.ZipFile(io.BytesIO(open(download.path(), "rb").read()))
    files = {n: archive.read(n).decode() for n in archive.namelist()}
    expected = {
        "candidate.json": ("name", "email", "source", "resume"),
        "applications.json": (),
        "interviews.json": (),
        "scorecards.json": ("note", "takeaway", "situation", "task", "action", "result"),
        "decisions.json": ("rationale",),
        "audit.json": ("name", "resume"),
        "summary.html": ("name", "note", "rationale"),
    }
    for name, kinds in expected.items():
        assert name in files, name
        for kind in kinds:
            text = marker(kind, "own")
            assert text in files[name] or text.lower() in files[name], f"{kind} not in {name}"
    assert json.loads(files["applications.json"])[0]["id"] == own.application.id
    assert json.loads(files["interviews.json"])[0]["id"] == own.interview.id
    assert not any(marker("name", "other") in t for t in files.values())
    _db.session.rollback()
    assert (
        _db.session.scalar(
            sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == "candidate.export")
        )
        == 1
    )
    assert _db.session.get(User, world.users["admin"].id).role == Role.ADMIN
