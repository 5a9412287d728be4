"""Autosave that never loses a change: offline, reload, a stale second tab, expired session."""

import json
import re

import pytest
from playwright.sync_api import expect

from tests.browser.kit_pages import (
    SAVED,
    card_for,
    kit_ready,
    note,
    open_kit,
    pick,
    radio,
    rating_of,
    wait_saved,
)

pytestmark = pytest.mark.browser

OFFLINE = "Offline — kept on this device"


def _ledger(page, card_id: int) -> dict:
    keys = page.evaluate("Object.keys(localStorage)")
    key = next(k for k in keys if k.endswith(f":{card_id}"))
    return json.loads(page.evaluate(f"localStorage.getItem({json.dumps(key)})"))["pending"]


def test_offline_changes_are_kept_and_sent_when_back(page, demo_data, sign_in):
    card = open_kit(page, sign_in)
    a, b, c = card.version.criteria[3], card.version.criteria[4], card.version.criteria[5]
    page.context.set_offline(True)
    pick(page, a.id, 2)
    pick(page, b.id, 4)
    note(page, c.id).fill("Wrote this while the Wi-Fi was down.")
    expect(page.locator("#kit-status")).to_have_text(OFFLINE)
    pending = _ledger(page, card.id)
    assert {f"rating.{a.id}.value", f"rating.{b.id}.value", f"rating.{c.id}.note"} <= set(pending)
    assert rating_of(card.id, a.id)[0] != 2  # nothing reached the server
    page.context.set_offline(False)
    wait_saved(page)
    assert rating_of(card.id, a.id)[0] == 2
    assert rating_of(card.id, b.id)[0] == 4
    assert rating_of(card.id, c.id)[1] == "Wrote this while the Wi-Fi was down."
    page.reload()
    expect(radio(page, a.id, 2)).to_be_checked()
    expect(radio(page, b.id, 4)).to_be_checked()
    expect(note(page, c.id)).to_have_value("Wrote this while the Wi-Fi was down.")


def test_a_reload_before_the_save_arrives_shows_the_newest_text(page, demo_data, sign_in):
    card = open_kit(page, sign_in)
    crit = card.version.criteria[2]
    wait_saved_or_idle = page.locator("#kit-status")
    expect(wait_saved_or_idle).to_have_text("All changes saved")
    # The server is unreachable for saves (a dead proxy, a captive portal…).
    page.route("**/kit/*/save", lambda route: route.abort())
    note(page, crit.id).fill("First draft of the note")
    note(page, crit.id).fill("The newest version of the note")
    pick(page, crit.id, 4)
    expect(page.locator("#kit-status")).to_have_text(OFFLINE)
    page.reload()
    expect(note(page, crit.id)).to_have_value("The newest version of the note")
    expect(radio(page, crit.id, 4)).to_be_checked()
    page.unroute("**/kit/*/save")
    page.evaluate("window.dispatchEvent(new Event('online'))")
    wait_saved(page)
    assert rating_of(card.id, crit.id) == (4, "The newest version of the note")


def test_a_stale_second_tab_gets_a_conflict_and_chooses(page, demo_data, sign_in):
    card = open_kit(page, sign_in)
    crit = card.version.criteria[6]
    other = card.version.criteria[5]
    stale = page.context.new_page()
    stale.goto(page.url)
    expect(stale.locator("#kit")).to_be_visible()
    kit_ready(stale)  # its script has read this device's ledger before the first tab saves
    # The first tab saves a rating; the second tab still shows the old page. The user
    # switches tabs to click in each (as a person must).
    page.bring_to_front()
    pick(page, crit.id, 4)
    expect(radio(page, crit.id, 4)).to_be_checked()
    wait_saved(page)
    stale.bring_to_front()
    pick(stale, crit.id, 2)
    conflict = stale.locator("#kit-conflict")
    expect(conflict).to_be_visible()
    expect(stale.locator("#kit-status")).to_have_text("Conflict — choose which version to keep")
    item = conflict.locator(".kit-conflict-item")
    expect(item).to_have_count(1)
    expect(item.locator("strong")).to_have_text(f"{crit.name_en} · rating")
    expect(item.locator(".kit-conflict-mine")).to_have_text(re.compile(r"^Yours: 2 No"))
    expect(item.locator(".kit-conflict-server")).to_have_text(
        re.compile(r"^On the server: 4 Strong yes")
    )
    assert rating_of(card.id, crit.id)[0] == 4  # nothing overwritten while undecided
    item.get_by_role("button", name="Keep mine").click()
    expect(conflict).to_be_hidden()
    expect(stale.locator("#kit-status")).to_have_text(SAVED)
    assert rating_of(card.id, crit.id)[0] == 2
    # Now the first tab is the stale one: a change to another field merges without a
    # question, and the first tab follows the rating chosen in the second.
    note(page, other.id).fill("Different field, no conflict")
    wait_saved(page)
    expect(radio(page, crit.id, 2)).to_be_checked()
    expect(page.locator("#kit-conflict")).to_be_hidden()
    assert rating_of(card.id, other.id)[1] == "Different field, no conflict"
    # Choosing the server's value drops this tab's change.
    pick(stale, other.id, 1)
    wait_saved(stale)
    pick(page, other.id, 3)
    expect(page.locator("#kit-conflict")).to_be_visible()
    page.get_by_role("button", name="Use the server’s").click()
    expect(radio(page, other.id, 1)).to_be_checked()
    assert rating_of(card.id, other.id)[0] == 1
    stale.close()


def test_an_expired_session_keeps_changes_until_signed_in_again(page, demo_data, sign_in):
    card = open_kit(page, sign_in)
    crit = card.version.criteria[1]
    kit_url = page.url
    page.context.clear_cookies()  # the session ended (idle limit, signed out elsewhere)
    note(page, crit.id).fill("Typed after the session ended")
    status = page.locator("#kit-status")
    expect(status).to_contain_text("Signed out — kept on this device")
    expect(status.get_by_role("link", name="Sign in again")).to_be_visible()
    assert f"rating.{crit.id}.note" in _ledger(page, card.id)
    assert rating_of(card.id, crit.id)[1] != "Typed after the session ended"
    # Sign in again in another tab; the kit resumes saving by itself.
    other = page.context.new_page()
    other.goto("/login")
    other.get_by_label("E-mail").fill("interviewer1@demo.test")
    other.get_by_label("Password").fill("scorecard-demo")
    other.get_by_role("button", name="Sign in").click()
    expect(other.get_by_role("heading", level=1)).to_have_text("My interviews")
    other.close()
    expect(status).to_have_text(SAVED, timeout=15000)
    assert rating_of(card.id, crit.id)[1] == "Typed after the session ended"
    assert page.url == kit_url
    assert card_for("interviewer1@demo.test").status.value == "draft"
