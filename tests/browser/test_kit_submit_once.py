"""A real double click on "Submit scorecard" sends one submit request, not one per click.

The server keeps a single submission whatever it receives (R4); this is about the client:
between the server's answer and the page reload, the old page is still on screen, and a second
click there used to send another request with a fresh submission key.
"""

import json

import pytest
from playwright.sync_api import expect

from scorecard.models import ScorecardStatus
from tests.browser.kit_pages import card_for, open_kit, pick, submissions, wait_saved

pytestmark = pytest.mark.browser


def test_a_double_click_sends_exactly_one_submit_request(page, demo_data, sign_in):
    card = open_kit(page, sign_in)
    for crit in card.version.criteria:
        pick(page, crit.id, 3)
    page.locator("#overall label.anchor-2").click()
    wait_saved(page)

    sent: list[dict] = []
    page.on(
        "request",
        lambda r: (
            sent.append(json.loads(r.post_data or "{}"))
            if r.method == "POST" and r.url.endswith(f"/kit/{card.id}/submit")
            else None
        ),
    )
    # Hold the reload the submission triggers, so the old page stays on screen long enough
    # for the second click of the double click to land on it (as on a slow network).
    kit_url = page.url
    held = []
    page.route(kit_url, lambda route: held.append(route))

    box = page.locator("#kit-submit").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    with page.expect_response(lambda r: r.url.endswith(f"/kit/{card.id}/submit")) as first:
        page.mouse.down()
        page.mouse.up()
    assert first.value.status == 200
    # The second click of the same double click (detail 2), after the answer, before reload.
    page.mouse.down(click_count=2)
    page.mouse.up(click_count=2)
    page.wait_for_timeout(500)  # time for a second request to leave, if the page sent one
    assert len(sent) == 1, f"{len(sent)} submit requests: {sent}"
    assert sent[0]["submission_key"]

    assert held, "the reload after the submission did not start"
    for route in held:
        route.continue_()
    page.unroute(kit_url)
    expect(page.locator("#kit-submitted")).to_be_visible(timeout=10000)
    assert len(sent) == 1
    assert submissions(card.id) == 1
    assert card_for("interviewer1@demo.test").status == ScorecardStatus.SUBMITTED
