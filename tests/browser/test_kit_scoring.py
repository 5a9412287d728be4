"""Scoring a round in the interview kit: keyboard only, tablet touch, submit, blind, edit."""

import re

import pytest
from playwright.sync_api import expect

from scorecard.extensions import db
from scorecard.models import ScorecardStatus
from tests.browser.kit_pages import (
    card_for,
    kit_ready,
    note,
    open_kit,
    pick,
    radio,
    rating_of,
    submissions,
    wait_saved,
)

pytestmark = pytest.mark.browser

PEER_MARK = "PEER-MARKER-b81d"


def test_a_whole_round_scored_with_the_keyboard_only(page, demo_data, sign_in):
    card = open_kit(page, sign_in)
    criteria = card.version.criteria
    plan = [(c.id, [2, 3, 4, 3, 1, 3, 2][i % 7]) for i, c in enumerate(criteria)]
    page.keyboard.press("?")
    expect(page.locator("#kit-help")).to_be_visible()
    expect(page.locator("#kit-help")).to_contain_text("Next / previous criterion")
    page.keyboard.press("Escape")
    expect(page.locator("#kit-help")).to_be_hidden()
    for crit_id, value in plan:
        page.keyboard.press("j")
        expect(page.locator(f"#criterion-{crit_id}")).to_have_class(re.compile(r"\bcurrent\b"))
        page.keyboard.press(str(value))
        expect(radio(page, crit_id, value)).to_be_checked()
        if value in (1, 4):
            page.keyboard.press("n")
            expect(note(page, crit_id)).to_be_focused()
            page.keyboard.press("Control+A")
            page.keyboard.type(f"Evidence for {value}: concrete project detail.")
            page.keyboard.press("Escape")
            expect(page.locator(f"#criterion-{crit_id}")).to_be_focused()
            # Digits typed into a note stayed text: the rating did not change.
    # k goes back; 0 marks not assessed; then the rating is set again.
    page.keyboard.press("k")
    page.keyboard.press("0")
    expect(radio(page, plan[-2][0], "na")).to_be_checked()
    page.keyboard.press(str(plan[-2][1]))
    page.keyboard.press("j")
    page.keyboard.press("j")  # the overall recommendation comes after the last criterion
    expect(page.locator("#overall")).to_be_focused()
    page.keyboard.press("3")
    expect(page.locator('#overall input[value="3"]')).to_be_checked()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.locator("#kit-submit")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#kit-submitted")).to_be_visible(timeout=10000)
    stored = card_for("interviewer1@demo.test")
    assert stored.status == ScorecardStatus.SUBMITTED
    assert stored.overall == 3
    for crit_id, value in plan:
        got = rating_of(stored.id, crit_id)
        assert got[0] == value, (crit_id, got)
        if value in (1, 4):
            assert got[1].startswith(f"Evidence for {value}")
    assert submissions(stored.id) == 1


def test_submit_points_at_each_missing_item(page, demo_data, sign_in):
    card = open_kit(page, sign_in)
    must = next(c for c in card.version.criteria if c.must_have)
    plain = next(c for c in card.version.criteria if not c.must_have)
    pick(page, must.id, "na")
    pick(page, plain.id, 1)
    note(page, plain.id).fill("")
    wait_saved(page)
    page.get_by_role("button", name="Submit scorecard").click()
    problems = page.locator("#kit-problems")
    expect(problems).to_be_visible()
    expect(problems).to_contain_text("Before submitting, fix these:")
    must_problem = page.locator(f'[data-problem-for="rating.{must.id}.value"]')
    expect(must_problem).to_have_text("Must-have criterion: choose a rating from 1 to 4.")
    expect(page.locator(f'[data-problem-for="rating.{plain.id}.note"]')).to_have_text(
        "A rating of 1 or 4 needs a note."
    )
    expect(page.locator(f"#criterion-{must.id}")).to_have_class(re.compile(r"\bhas-problem\b"))
    assert card_for("interviewer1@demo.test").status == ScorecardStatus.DRAFT
    # Fixing one clears its message at once.
    pick(page, must.id, 3)
    expect(must_problem).to_be_hidden()


def _complete_by_mouse(page, card) -> None:
    for crit in card.version.criteria:
        pick(page, crit.id, 3)
    page.locator("#overall label.anchor-2").click()
    wait_saved(page)


def test_double_click_on_submit_makes_one_submission(page, demo_data, sign_in):
    card = open_kit(page, sign_in)
    _complete_by_mouse(page, card)
    page.get_by_role("button", name="Submit scorecard").dblclick()
    expect(page.locator("#kit-submitted")).to_be_visible(timeout=10000)
    assert submissions(card.id) == 1
    assert card_for("interviewer1@demo.test").status == ScorecardStatus.SUBMITTED


def test_a_colleagues_scorecard_shows_only_after_submitting(page, demo_data, sign_in):
    peer = card_for("interviewer2@demo.test")
    peer.takeaways = PEER_MARK
    db.session.commit()
    card = open_kit(page, sign_in)
    expect(page.locator("body")).not_to_contain_text(PEER_MARK)
    expect(page.locator("body")).not_to_contain_text("刘洋")
    expect(page.locator("#kit-panel")).to_have_count(0)
    _complete_by_mouse(page, card)
    page.get_by_role("button", name="Submit scorecard").click()
    panel = page.locator("#kit-panel")
    expect(panel).to_be_visible(timeout=10000)
    expect(panel).to_contain_text("刘洋")
    expect(panel).to_contain_text(PEER_MARK)


def test_edit_after_submit_needs_a_reason_and_shows_it_was_edited(page, demo_data, sign_in):
    card = open_kit(page, sign_in)
    _complete_by_mouse(page, card)
    page.get_by_role("button", name="Submit scorecard").click()
    expect(page.locator("#kit-submitted")).to_be_visible(timeout=10000)
    kit_ready(page)  # the reloaded page's script: the edit button is its handler
    expect(radio(page, card.version.criteria[0].id, 3)).to_be_disabled()
    page.get_by_role("button", name="Edit my scorecard").click()
    page.locator("#overall label.anchor-3").click()
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator('[data-problem-for="reason"]')).to_have_text(
        "Give a reason for changing a submitted scorecard."
    )
    assert card_for("interviewer1@demo.test").overall == 2
    page.get_by_label("Reason for the change").fill("Discussed the database answer again.")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("#kit-edited")).to_be_visible(timeout=10000)
    stored = card_for("interviewer1@demo.test")
    assert stored.overall == 3 and stored.edited_at is not None
    assert stored.submission.snapshot["overall"] == 2


def test_tablet_touch_scoring(browser, live_server, demo_data):
    context = browser.new_context(
        base_url=live_server,
        locale="en-US",
        viewport={"width": 768, "height": 1024},
        has_touch=True,
        is_mobile=True,
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto("/login")
        page.get_by_label("E-mail").fill("interviewer1@demo.test")
        page.get_by_label("Password").fill("scorecard-demo")
        page.get_by_role("button", name="Sign in").tap()
        page.locator("#section-today").get_by_role("link", name="郑洁").tap()
        card = card_for("interviewer1@demo.test")
        crit = card.version.criteria[4]
        target = page.locator(f"#criterion-{crit.id} label.anchor-4")
        target.scroll_into_view_if_needed()
        box = target.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 150  # a finger-sized card
        target.tap()
        expect(radio(page, crit.id, 4)).to_be_checked()
        wait_saved(page)
        assert rating_of(card.id, crit.id)[0] == 4
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 768, f"the page scrolls sideways on a tablet ({width}px)"
    finally:
        context.close()
