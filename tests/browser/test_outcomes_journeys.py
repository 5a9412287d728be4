"""Issue 14 in the browser: a manager records an outcome, HR imports outcomes with a preview,
HR reads the validity and interviewer reports, an interviewer sees only their own row and
report (another's is refused), and an admin turns adverse impact on, HR enters
self-identification, the admin reads the report while the hiring manager finds no link to it
and is refused at its address."""

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from scorecard.extensions import db as _db
from scorecard.models import (
    Application,
    ApplicationStatus,
    Candidate,
    Outcome,
    Scorecard,
    ScorecardStatus,
    SelfIdentification,
    User,
)

pytestmark = pytest.mark.browser


def _hire() -> Application:
    return _db.session.scalars(
        sa.select(Application).where(Application.status == ApplicationStatus.HIRED)
    ).first()


def test_manager_records_an_outcome(page, demo_data, sign_in):
    hire = _hire()
    sign_in("manager@demo.test")
    page.goto(f"/jobs/{hire.job_id}/recommendations")
    page.get_by_role("link", name="Job summary").first.click()
    page.get_by_role("link", name="Outcomes after hiring").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Outcomes after hiring")
    cell = page.locator(f'tr[data-application="{hire.id}"] td[data-checkpoint="probation"]')
    cell.get_by_label("Result").select_option("")  # nothing chosen: a clear message
    cell.get_by_role("button", name="Save").click()
    expect(cell.get_by_role("alert")).to_contain_text("passed, not_passed or left_early")
    cell = page.locator(f'tr[data-application="{hire.id}"] td[data-checkpoint="probation"]')
    cell.get_by_label("Result").select_option("left_early")
    cell.get_by_label("Note").fill("Moved to another city")
    cell.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Outcome saved.")).to_be_visible()
    rating = page.locator(f'tr[data-application="{hire.id}"] td[data-checkpoint="performance_6m"]')
    rating.get_by_label("Result").select_option("2")
    rating.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Outcome saved.")).to_be_visible()
    _db.session.rollback()
    rows = _db.session.scalars(sa.select(Outcome).where(Outcome.application_id == hire.id)).all()
    assert {(o.probation.value if o.probation else o.rating) for o in rows} == {"left_early", 2}


def test_hr_imports_outcomes_with_preview(page, demo_data, sign_in, tmp_path):
    hire = _hire()
    email = _db.session.get(Candidate, hire.candidate_id).email
    csv = tmp_path / "outcomes.csv"
    csv.write_text(
        "email,checkpoint,result,note\n"
        f"{email},probation,passed,smooth start\n"
        f"{email},performance_6m,3,\n"
        "nobody@example.com,probation,passed,\n"
        f"{email},probation,maybe,\n"
        f"{email},unknown_point,3,\n",
        encoding="utf-8",
    )
    before = _db.session.scalar(sa.select(sa.func.count(Outcome.id)))  # the demo's own
    sign_in("hr@demo.test")
    page.goto(f"/jobs/{hire.job_id}/outcomes")
    page.get_by_role("link", name="Import outcomes from CSV").click()
    page.get_by_label("CSV file").set_input_files(str(csv))
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator("#preview-summary")).to_have_text(
        "Rows: 5. Ready to import: 2. With problems: 3."
    )
    expect(page.locator("#bad-rows tbody tr")).to_have_count(3)
    expect(page.locator("#bad-rows")).to_contain_text("No hired candidate with this e-mail")
    expect(page.locator("#bad-rows")).to_contain_text("Unknown checkpoint: unknown_point.")
    _db.session.rollback()
    assert _db.session.scalar(sa.select(sa.func.count(Outcome.id))) == before  # preview only
    page.get_by_role("button", name="Import the rows without problems (2)").click()
    expect(page.get_by_text("Outcomes imported: 2 (changed: 2). Rows skipped: 3.")).to_be_visible()
    _db.session.rollback()
    rows = _db.session.scalars(sa.select(Outcome).where(Outcome.application_id == hire.id)).all()
    assert {(o.probation.value if o.probation else o.rating) for o in rows} == {"passed", 3}
    assert {o.note for o in rows} >= {"smooth start"}


def test_hr_opens_validity_and_interviewer_reports_interviewer_sees_own(page, demo_data, sign_in):
    hire = _hire()
    sign_in("hr@demo.test")
    page.goto(f"/jobs/{hire.job_id}/recommendations")
    page.get_by_role("link", name="Job summary").first.click()
    page.get_by_role("link", name="Validity report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Validity report")
    expect(page.locator("#validity")).to_contain_text("insufficient data")
    expect(page.locator("#validity-caveats")).to_contain_text("Only hires have outcomes.")
    page.get_by_role("link", name="Interviewer report").click()
    rows = page.locator("#interviewer-report tbody tr")
    assert rows.count() >= 2
    page.get_by_role("button", name="Sign out").click()
    sign_in("interviewer1@demo.test")
    page.get_by_role("link", name="Interviewer report").click()
    expect(page.locator("#interviewer-report tbody tr")).to_have_count(1)
    me = _db.session.scalars(sa.select(User).where(User.email == "interviewer1@demo.test")).one()
    expect(page.locator("#interviewer-report tbody tr")).to_have_attribute("data-user", str(me.id))


def test_admin_turns_adverse_impact_on_hr_enters_admin_reads_manager_cannot(
    page, demo_data, sign_in
):
    hire = _hire()
    sign_in("admin@demo.test")
    page.get_by_role("link", name="Adverse impact").click()
    page.get_by_label("Adverse-impact report on").check()
    page.get_by_role("button", name="Save").first.click()
    expect(page.get_by_text("Say why the data is collected")).to_be_visible()
    page.get_by_label("Adverse-impact report on").check()
    page.get_by_label("Purpose (shown to HR where self-identification is entered)").fill(
        "Annual bias audit of the hiring recommendation"
    )
    page.get_by_role("button", name="Save").first.click()
    expect(page.get_by_text("Adverse-impact settings saved.")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    sign_in("hr@demo.test")
    page.goto(f"/candidates/{hire.candidate_id}/self-identification")
    expect(page.locator("#purpose")).to_contain_text("Annual bias audit")
    page.get_by_label("Sex").select_option("female")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Record the candidate's consent")).to_be_visible()
    page.get_by_label("Sex").select_option("female")
    page.get_by_label("The candidate agreed to give this information voluntarily").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved: only the adverse-impact report counts it.")).to_be_visible()
    expect(page.get_by_text("An answer is on file")).to_be_visible()
    expect(page.get_by_label("Sex")).to_have_value("")  # the answer is never shown back
    _db.session.rollback()
    assert _db.session.scalar(sa.select(sa.func.count(SelfIdentification.id))) == 1
    page.get_by_role("button", name="Sign out").click()

    sign_in("admin@demo.test")
    page.goto("/adverse-impact")
    expect(page.get_by_role("heading", level=1)).to_have_text("Adverse-impact report")
    page.get_by_label("Job").select_option(str(hire.job_id))
    page.get_by_role("button", name="Show").click()
    expect(page.locator('[data-stage="hire"]')).to_contain_text("too few to report")
    page.get_by_role("button", name="Sign out").click()

    sign_in("manager@demo.test")
    response = page.goto("/adverse-impact")
    assert response is not None and response.status == 404


def test_interviewer_sees_only_their_own_interviewer_report(page, demo_data, sign_in):
    me = _db.session.scalars(sa.select(User).where(User.email == "interviewer2@demo.test")).one()
    other = _db.session.scalars(sa.select(User).where(User.email == "interviewer1@demo.test")).one()
    written = _db.session.scalar(
        sa.select(sa.func.count(Scorecard.id)).where(
            Scorecard.interviewer_id == me.id, Scorecard.status == ScorecardStatus.SUBMITTED
        )
    )
    assert written >= 1
    sign_in(me.email)
    page.get_by_role("link", name="Interviewer report").click()
    rows = page.locator("#interviewer-report tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_have_attribute("data-user", str(me.id))
    rows.get_by_role("link", name=me.name).click()
    expect(page.locator("#report-of")).to_have_text(f"Figures of {me.name}.")
    expect(rows).to_have_count(1)
    expect(rows.locator("td").nth(1)).to_have_text(str(written))  # their scorecards written
    links = page.locator('a[href*="interviewer="]').evaluate_all(
        "els => els.map(e => e.getAttribute('href'))"
    )
    assert links == [f"/interviewer-report?interviewer={me.id}"]  # nobody else's
    response = page.goto(f"/interviewer-report?interviewer={other.id}")
    assert response is not None and response.status == 404
    expect(page.get_by_text(other.name)).to_have_count(0)
    expect(page.locator("#interviewer-report")).to_have_count(0)


def test_hiring_manager_cannot_see_the_adverse_impact_report(page, demo_data, sign_in):
    hire = _hire()
    sign_in("admin@demo.test")
    page.get_by_role("link", name="Adverse impact").click()
    page.get_by_label("Adverse-impact report on").check()
    page.get_by_label("Purpose (shown to HR where self-identification is entered)").fill(
        "Bias audit of the recommendation"
    )
    page.get_by_role("button", name="Save").first.click()
    expect(page.get_by_text("Adverse-impact settings saved.")).to_be_visible()
    expect(page.get_by_role("link", name="Open the adverse-impact report")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    sign_in("hr@demo.test")
    page.goto(f"/applications/{hire.id}")
    page.get_by_role("link", name="Voluntary self-identification").click()
    page.get_by_label("Sex").select_option("male")
    page.get_by_label("The candidate agreed to give this information voluntarily").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved: only the adverse-impact report counts it.")).to_be_visible()
    _db.session.rollback()
    assert _db.session.scalar(sa.select(sa.func.count(SelfIdentification.id))) == 1
    page.get_by_role("button", name="Sign out").click()

    sign_in("manager@demo.test")
    expect(page.get_by_role("link", name="Interviewer report")).to_be_visible()
    expect(page.get_by_role("link", name="Adverse impact")).to_have_count(0)
    report_links = page.locator('a[href^="/adverse-impact"], a[href^="/admin/adverse-impact"]')
    expect(report_links).to_have_count(0)
    page.get_by_role("link", name="Jobs").click()
    page.goto(f"/applications/{hire.id}")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(report_links).to_have_count(0)
    expect(page.get_by_role("link", name="Voluntary self-identification")).to_have_count(0)
    page.get_by_role("link", name="Hire decision").click()
    expect(report_links).to_have_count(0)
    for url in ("/adverse-impact", f"/adverse-impact?job={hire.job_id}&category=sex"):
        response = page.goto(url)
        assert response is not None and response.status == 404, url
        expect(page.locator('[data-stage="hire"]')).to_have_count(0)
