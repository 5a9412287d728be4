"""A hiring manager debriefs a round in the browser: opens the round summary from the candidate,
sees the disagreement highlighted, records "advance" with a rationale and the stage changes;
the summary prints on A4; the job summary draws its charts."""

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from scorecard.models import Application, Candidate, Round
from tests.web.compare_support import without_decisions

pytestmark = pytest.mark.browser


@pytest.fixture
def feng(demo_data, db) -> dict:
    """冯超, put back at the technical stage, undecided: the executive interview is booked, but
    the technical round is still to be decided (the demo has decided it; that is undone)."""
    without_decisions("冯超")
    app_row = db.session.scalar(
        sa.select(Application).join(Candidate).where(Candidate.name == "冯超")
    )
    tech = db.session.scalar(
        sa.select(Round).where(Round.job_id == app_row.job_id, Round.key == "technical")
    )
    app_row.current_round_id = tech.id
    ids = {"application": app_row.id, "round": tech.id, "job": app_row.job_id}
    db.session.commit()
    return ids


def test_manager_debriefs_and_advances(page, live_server, sign_in, feng):
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    sign_in("manager@demo.test")
    page.goto(f"/applications/{feng['application']}")
    expect(page.locator("h1 .stage")).to_have_text("Technical interview")
    page.locator("#decisions").get_by_role("link", name="Technical interview").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("冯超 · Technical interview")

    # The disagreement is highlighted on its criterion row.
    disputed = page.locator("table.summary-grid tr.disagree")
    expect(disputed.first).to_be_visible()
    expect(disputed.first).to_contain_text("disagreement: talk it through")
    expect(page.locator('tr[data-key="technical:integration"]')).to_have_class(
        re.compile("disagree")
    )
    # The engine's round recommendation with its reasons; each interviewer's overall.
    expect(page.locator("#engine .reasons")).to_contain_text("Score 2.92")
    expect(page.locator("tr.overall-row td")).to_have_count(4)

    # Decide: advance, with a rationale.
    page.get_by_label("Advance").check()
    page.get_by_label("Rationale", exact=True).fill(
        "The split is on HL7 depth only; the rest is solid."
    )
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_role("alert").first).to_have_text("Decision recorded.")
    expect(page.locator("#stage")).to_have_text("Executive interview")
    expect(page.locator("#decision-history li")).to_have_count(1)
    expect(page.locator("#decision-history")).to_contain_text("HL7 depth")

    # Back on the candidate, the decision shows against the round.
    page.get_by_role("link", name="冯超").first.click()
    expect(page.locator("h1 .stage")).to_have_text("Executive interview")
    expect(page.locator('#decisions [data-decision="advance"]')).to_have_count(1)
    assert not problems, problems


def test_round_summary_prints_on_a4(page, live_server, sign_in, feng):
    sign_in("manager@demo.test")
    page.goto(f"/applications/{feng['application']}/rounds/{feng['round']}")
    expect(page.locator("#print-button")).to_be_visible()  # shown by the page's script
    page.emulate_media(media="print")
    # Navigation, buttons and the decision form are not printed; the grid is.
    expect(page.locator(".decision-form")).to_be_hidden()
    expect(page.locator(".toolbar")).to_be_hidden()
    expect(page.locator("table.summary-grid")).to_be_visible()
    pdf = page.pdf(format="A4", print_background=True)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    print(f"round summary: {pages} A4 page(s), {len(pdf)} bytes")
    assert pdf.startswith(b"%PDF")
    assert 1 <= pages <= 3


def test_job_summary_draws_its_charts(page, live_server, sign_in, feng):
    sign_in("hr@demo.test")
    page.goto(f"/jobs/{feng['job']}/summary")
    expect(page.locator("#funnel-chart")).to_have_attribute("data-rendered", "4")
    expect(page.locator("#dimension-chart")).to_have_attribute("data-rendered", "4")
    expect(page.locator('#funnel tr[data-round="hr_screen"] td[data-col="overdue"]')).to_have_text(
        "2"
    )
    assert page.evaluate("() => typeof window.Chart") == "function"
    assert page.locator("#funnel tbody tr").count() == 3
