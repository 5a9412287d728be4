"""HR sets up a hiring team in the browser: job from the template, criteria, round order,
CSV import with bad rows, an interview booked for two interviewers who then see it."""

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from scorecard.models import Candidate, Criterion, Interview, Job, Role
from scorecard.timeutil import to_local
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def people(db, make_user):
    """(name, e-mail) of each user, as plain strings: the test thread must not hold a read
    transaction (an SQLite snapshot) while the server writes."""
    users = {
        "hr": make_user(Role.HR, email="hr@setup.test", name="韩梅 Han Mei"),
        "iv1": make_user(Role.INTERVIEWER, email="iv1@setup.test", name="秦朗 Qin Lang"),
        "iv2": make_user(Role.INTERVIEWER, email="iv2@setup.test", name="许晴 Xu Qing"),
    }
    out = {key: (u.name, u.email) for key, u in users.items()}
    db.session.rollback()
    return out


def _sign_in(page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def _csv(tmp_path, job_title: str):
    lines = ["name,email,phone,source,note,job"]
    for i in range(1, 21):
        lines.append(f"候选人{i:02d},cand{i:02d}@example.com,1390000{i:04d},Boss直聘,,{job_title}")
    lines[5] = ",nobody@example.com,,,,"  # line 6: missing name
    lines[9] = "候选人09b,not-an-email,,,,"  # line 10: bad e-mail
    lines[15] = "候选人15b,cand03@example.com,,,,"  # line 16: duplicate of line 4
    path = tmp_path / "candidates.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode("gb18030"))
    return path


def test_hr_sets_up_a_job_and_books_an_interview(page, live_server, db, people, tmp_path):
    _sign_in(page, "hr@setup.test")
    page.get_by_role("link", name="New job").click()
    page.get_by_role("button", name="Create from the default template").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Medical Software Implementation Engineer"
    )
    expect(page.get_by_role("alert")).to_have_text("Job created from the default template.")

    # The hiring team: two interviewers.
    for key in ("iv1", "iv2"):
        name, email = people[key]
        page.get_by_label("Person").select_option(label=f"{name} <{email}>")
        page.get_by_label("Job role").select_option(label="Interviewer")
        page.get_by_role("button", name="Add", exact=True).click()
        expect(page.locator(f'tr[data-member="{email}"]')).to_be_visible()

    # Reorder: the technical interview first.
    page.get_by_role("button", name="Move HR screen down").click()
    expect(page.locator("#round-list tbody tr")).to_have_count(3)
    rounds = page.locator("#round-list tbody tr")
    expect(rounds.nth(0)).to_contain_text("Technical interview")
    expect(rounds.nth(1)).to_contain_text("HR screen")

    # A criterion's weight and one anchor.
    page.get_by_role("link", name="Edit Technical interview").click()
    page.get_by_role("link", name="Edit Database skills").click()
    page.get_by_label("Weight").fill("3.5")
    anchor = "Ran a point-in-time restore of an HIS database in under an hour."
    page.get_by_label("4 · Strong yes (English)").fill(anchor)
    page.get_by_role("button", name="Save criterion").click()
    database = page.locator('li.criterion[data-key="database"]')
    expect(database).to_contain_text(anchor)
    expect(database).to_contain_text("weight 3.5")

    # CSV import: 20 rows, 3 bad ones reported with their lines.
    page.get_by_role("link", name="Candidates", exact=True).click()
    page.get_by_role("link", name="Import CSV").click()
    page.get_by_label("CSV file").set_input_files(_csv(tmp_path, "医疗软件实施工程师"))
    page.get_by_label("Job for rows without one").select_option(
        label="Medical Software Implementation Engineer"
    )
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator("#preview-summary")).to_have_text(
        "Rows: 20. Ready to import: 17. With problems: 3."
    )
    expect(page).to_have_url(f"{live_server}/candidates/import")  # checked in place (XHR)
    bad = page.locator("#bad-rows tbody tr")
    expect(bad).to_have_count(3)
    expect(bad.nth(0)).to_contain_text("6")
    expect(bad.nth(0)).to_contain_text("Name is missing.")
    expect(bad.nth(1)).to_contain_text("Not a valid e-mail address: not-an-email.")
    expect(bad.nth(2)).to_contain_text("Duplicate of line 4 in this file.")
    page.get_by_role("button", name="Import the rows without problems (17)").click()
    expect(page.get_by_role("alert")).to_have_text("Candidates imported: 17. Rows skipped: 3.")
    expect(page.locator("#candidates tbody tr")).to_have_count(17)

    # Book an interview with both interviewers.
    page.locator("#candidates tr", has_text="候选人01").get_by_role(
        "link", name="Schedule an interview"
    ).click()
    page.get_by_label("Round").select_option(label="Technical interview")
    when = to_local(datetime.utcnow() + timedelta(days=2)).replace(hour=10, minute=0)  # noqa: DTZ003
    page.get_by_label("Date and time").fill(when.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Duration (minutes)").fill("45")
    page.get_by_label("Location").fill("3F 会议室A")
    page.get_by_label("秦朗 Qin Lang · Interviewer").check()
    page.get_by_label("许晴 Xu Qing · Interviewer").check()
    page.get_by_role("button", name="Schedule", exact=True).click()
    expect(page.get_by_role("alert")).to_have_text("Interview scheduled.")
    row = page.locator("#interview-list tbody tr", has_text="候选人01")
    expect(row).to_contain_text(when.strftime("%Y-%m-%d 10:00"))
    expect(row).to_contain_text("秦朗 Qin Lang")
    expect(row).to_contain_text("许晴 Xu Qing")
    page.get_by_role("button", name="Sign out").click()

    for email in ("iv1@setup.test", "iv2@setup.test"):
        _sign_in(page, email)
        upcoming = page.locator("#section-upcoming")
        expect(upcoming.get_by_role("link", name="候选人01")).to_be_visible()
        page.get_by_role("button", name="Sign out").click()

    db.session.rollback()  # end the test's read snapshot: see what the server wrote
    job = db.session.scalar(sa.select(Job))
    assert [r.key for r in job.rounds] == ["technical", "hr_screen", "executive"]
    crit = db.session.scalar(sa.select(Criterion).where(Criterion.key == "database"))
    assert (crit.weight, crit.anchor4_en) == (3.5, anchor)
    assert db.session.scalar(sa.select(sa.func.count(Candidate.id))) == 17
    assert db.session.scalar(sa.select(sa.func.count(Interview.id))) == 1


def test_bad_weight_shows_a_field_error_and_saves_nothing(page, db, people):
    _sign_in(page, "hr@setup.test")
    page.get_by_role("link", name="New job").click()
    page.get_by_role("button", name="Create from the default template").click()
    page.get_by_role("link", name="Edit HR screen").click()
    page.get_by_role("link", name="Edit Communication and listening").click()
    weight = page.get_by_label("Weight")
    weight.fill("-1")
    page.get_by_role("button", name="Save criterion").click()
    expect(page.locator(".has-error .error")).to_have_text("Enter a number greater than 0.")
    page.get_by_label("Name (English)").fill("")
    page.get_by_label("Name (Chinese)").fill("")
    page.get_by_label("Weight").fill("2")
    page.get_by_role("button", name="Save criterion").click()
    expect(page.locator(".has-error .error")).to_have_text("Enter a name in Chinese or English.")
    db.session.rollback()
    crit = db.session.scalar(sa.select(Criterion).where(Criterion.key == "communication"))
    assert crit.weight == 2.0 and crit.name_en == "Communication and listening"
