"""The admin opens Administration → Scheduled jobs and reads each job's last and next run."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from scorecard.models import utcnow
from scorecard.services import scheduled

pytestmark = pytest.mark.browser


def test_admin_reads_the_scheduled_jobs(page, demo_data, sign_in, db):
    scheduled.run_job(scheduled.JOBS["reminders"], now=utcnow() - timedelta(hours=1))
    scheduled.run_job(scheduled.JOBS["retention"])  # today's period
    db.session.commit()
    sign_in("admin@demo.test")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Audit log").click()
    admin_nav = page.get_by_role("navigation", name="Administration")
    admin_nav.get_by_role("link", name="Scheduled jobs").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Scheduled jobs")
    reminders = page.locator('#jobs tr[data-job="reminders"]')
    expect(reminders).to_contain_text("Overdue-feedback reminders")
    expect(reminders).to_contain_text("every hour")
    # The demo has overdue scorecards and no mail server here: the run is shown failed.
    expect(reminders).to_contain_text("failed")
    expect(reminders).to_contain_text(" 2 failed")
    retention = page.locator('#jobs tr[data-job="retention"]')
    expect(retention).to_contain_text("succeeded 0 candidate(s) erased")
    # Last hour's reminders ran; this hour's have not: due now. Retention's day is done.
    expect(reminders.locator(".next-run")).to_have_text("due now")
    expect(retention.locator(".next-run")).not_to_have_text("due now")
    expect(page.locator('#jobs tr[data-job="backup"]')).to_contain_text("off (set BACKUP_DIR")
    expect(page.locator("#runs tbody tr")).to_have_count(2)
    # The worker runs the current hour (retention is done for today); a reload shows it.
    scheduled.run_due()
    db.session.commit()
    page.reload()
    expect(page.locator('#runs tr[data-job="reminders"]')).to_have_count(2)
    expect(page.locator('#runs tr[data-job="retention"]')).to_have_count(1)
    expect(reminders.locator(".next-run")).not_to_have_text("due now")
