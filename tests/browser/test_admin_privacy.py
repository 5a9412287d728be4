"""Admin privacy journeys in the browser: erase a candidate on request, set data retention."""

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from scorecard.extensions import db as _db
from scorecard.models import Candidate, Job, Rating, Scorecard

pytestmark = pytest.mark.browser


def test_admin_erases_a_candidate_on_request(page, demo_data, sign_in):
    cand = _db.session.scalars(
        sa.select(Candidate).join(Candidate.applications).order_by(Candidate.id)
    ).first()
    name = cand.name
    ratings_before = _db.session.scalar(sa.select(sa.func.count(Rating.id)))
    sign_in("admin@demo.test")
    page.get_by_role("link", name="Privacy").click()
    page.get_by_label("Name, e-mail or phone").fill(name)
    page.get_by_label("Name, e-mail or phone").press("Enter")
    page.locator("#candidates").get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)

    page.get_by_label("Reason").fill("Candidate asked by e-mail to delete their data")
    page.get_by_role("button", name="Erase personal data").click()
    expect(page.get_by_text("Tick the box to confirm.")).to_be_visible()
    page.get_by_label("I understand that this cannot be undone.").check()
    page.get_by_role("button", name="Erase personal data").click()
    expect(page.get_by_role("alert")).to_contain_text("ratings kept as anonymous statistics")
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Erased candidate #{cand.id}")
    expect(page.get_by_role("button", name="Erase personal data")).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text(name)

    _db.session.rollback()  # end the read snapshot: see what the server wrote
    assert _db.session.get(Candidate, cand.id).erased_at is not None
    assert _db.session.scalar(sa.select(sa.func.count(Rating.id))) == ratings_before
    takeaways = _db.session.scalars(
        sa.select(Scorecard.takeaways)
        .join(Scorecard.interview)
        .where(Scorecard.interview.has(application_id=cand.applications[0].id))
    ).all()
    assert all(t == "" for t in takeaways)

    page.get_by_role("link", name="Audit log").first.click()
    page.get_by_label("Action").select_option("candidate.erase")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#audit-events tbody tr")).to_have_count(1)
    expect(page.locator("main")).not_to_contain_text(name)


def test_admin_sets_data_retention_for_a_job(page, demo_data, sign_in):
    job = _db.session.scalars(sa.select(Job).order_by(Job.id)).first()
    sign_in("admin@demo.test")
    page.get_by_role("link", name="Privacy").click()
    page.get_by_role("link", name="Data retention").click()
    row = page.locator("#retention tbody tr").first
    field = row.get_by_role("spinbutton")
    field.fill("0")
    row.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Number must be between 1 and 36500.")).to_be_visible()
    page.locator("#retention tbody tr").first.get_by_role("spinbutton").fill("180")
    page.locator("#retention tbody tr").first.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_have_text("Retention saved.")
    expect(page.locator("#retention tbody tr").first.get_by_role("spinbutton")).to_have_value("180")
    _db.session.rollback()  # end the read snapshot: see what the server wrote
    assert _db.session.get(Job, job.id).retention_days == 180
