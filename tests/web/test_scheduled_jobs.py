"""Scheduled jobs: once per period whatever the number of workers, recorded, shown to admins."""

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from scorecard.models.operations import JobRun, JobRunStatus
from scorecard.services import scheduled

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 12, 1, 10, 0, 5)


def start_worker(env: dict, poll: float, **popen: object) -> subprocess.Popen:
    """A real `flask worker` process polling every `poll` seconds, its output captured."""
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "flask", "worker", "--poll", str(poll)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        **popen,
    )


def _runs(db) -> list[JobRun]:
    db.session.rollback()
    return list(db.session.scalars(sa.select(JobRun).order_by(JobRun.job, JobRun.period_start)))


def test_each_job_runs_once_per_period(db):
    ran = scheduled.run_due(now=T0)
    # Every enabled job (backup is off without BACKUP_DIR), each succeeding.
    assert sorted(r.job for r in ran) == sorted(j for j in scheduled.JOBS if j != "backup")
    assert all(r.status == JobRunStatus.SUCCEEDED for r in ran), [r.message for r in ran]
    messages = {r.job: r.message for r in ran}
    assert messages["reminders"] == "0 sent, 0 failed, 0 already sent today"
    assert messages["retention"] == "0 candidate(s) erased"
    # Later in the same periods: nothing; the next hour: the hourly ones again, not retention.
    assert scheduled.run_due(now=T0 + timedelta(seconds=50)) == []
    again = scheduled.run_due(now=T0 + timedelta(hours=1))
    assert "reminders" in {r.job for r in again} and "retention" not in {r.job for r in again}
    runs = [(r.job, r.period_start.hour) for r in _runs(db) if r.job in ("reminders", "retention")]
    assert runs == [("reminders", 10), ("reminders", 11), ("retention", 0)]


def test_a_failing_job_is_recorded_and_the_next_one_still_runs(db, monkeypatch):
    def broken():
        raise RuntimeError("SMTP server refused the connection")

    job = scheduled.JOBS["reminders"]
    monkeypatch.setitem(
        scheduled.JOBS, "reminders", scheduled.Job(job.name, job.label, 3600, 600, broken)
    )
    ran = {r.job: r for r in scheduled.run_due(now=T0)}
    assert ran["reminders"].status == JobRunStatus.FAILED
    assert ran["reminders"].message == "RuntimeError: SMTP server refused the connection"
    assert ran["reminders"].finished_at is not None
    assert ran["retention"].status == JobRunStatus.SUCCEEDED


def test_a_dead_workers_run_is_taken_over_after_its_lease(db):
    job = scheduled.JOBS["retention"]
    period = scheduled.period_start(86400, T0)
    db.session.add(
        JobRun(
            job="retention",
            period_start=period,
            status=JobRunStatus.RUNNING,
            started_at=T0,
            lease_until=T0 + timedelta(seconds=job.lease),
            instance="dead-host:1",
        )
    )
    db.session.commit()
    # The lease still holds: nobody else runs it.
    assert scheduled.run_job(job, now=T0 + timedelta(seconds=60)) is None
    # The lease ran out: one worker takes it over and finishes it.
    late = T0 + timedelta(seconds=job.lease + 1)
    run = scheduled.run_job(job, now=late)
    assert run is not None and run.status == JobRunStatus.SUCCEEDED and run.attempts == 2
    assert run.instance != "dead-host:1"
    assert scheduled.run_job(job, now=late) is None
    assert len(_runs(db)) == 1


def test_backups_run_as_a_job_and_keep_the_last_n(db, app, tmp_path, monkeypatch):
    if db.engine.url.get_backend_name() == "sqlite" and db.engine.url.database in (
        None,
        ":memory:",
    ):
        return
    monkeypatch.setitem(app.config, "BACKUP_DIR", str(tmp_path))
    monkeypatch.setitem(app.config, "BACKUP_KEEP", 2)
    monkeypatch.setitem(app.config, "JOB_INTERVALS", {"backup": 60})
    job = scheduled.JOBS["backup"]
    for minute in range(3):
        run = scheduled.run_job(job, now=T0 + timedelta(minutes=minute))
        assert run is not None and run.status == JobRunStatus.SUCCEEDED, run and run.message
    assert len(list(tmp_path.glob("scorecard-*.backup.tar.gz"))) == 2
    assert "1 old backup(s) deleted" in run.message


def test_two_workers_run_each_job_exactly_once_per_period(db):
    """Two `flask worker` processes for ~6 s with 1 s and 2 s periods: one run per period."""
    db.session.commit()
    env = dict(
        os.environ,
        FLASK_APP="scorecard:create_app",
        SCORECARD_JOB_INTERVALS="reminders=1,retention=2",
    )
    workers = [start_worker(env, 0.1) for _ in range(2)]
    for proc in workers:  # both are up (their signal handlers set) before the clock starts
        assert "worker: looking at the schedule" in proc.stdout.readline()
    time.sleep(6)
    outputs = []
    for proc in workers:
        proc.send_signal(signal.SIGTERM)
    for proc in workers:
        proc.wait(timeout=90)  # finishes the pass in hand first
        out = proc.stdout.read()  # the same buffered reader readline used: no line lost
        outputs.append(out)
        assert proc.returncode == 0, out
        assert "worker: stopped" in out
    runs = [r for r in _runs(db) if r.job in ("reminders", "retention")]
    per_period = Counter((r.job, r.period_start) for r in runs)
    by_job = Counter(r.job for r in runs)
    by_worker = Counter(r.instance for r in runs)
    print(
        f"two workers, 6 s: {dict(by_job)} runs over "
        f"{len(per_period)} (job, period) pairs; most runs of one period: "
        f"{max(per_period.values())}; runs per worker: {sorted(by_worker.values())}"
    )
    assert max(per_period.values()) == 1
    assert by_job["reminders"] >= 4 and by_job["retention"] >= 2
    assert all(r.status == JobRunStatus.SUCCEEDED for r in runs)
    # Periods are aligned to their interval, and (almost) none was left out while both
    # workers were up. A period nobody looked at during (every worker busy for longer than
    # the period, possible with 1 s periods on a loaded machine) is not run afterwards:
    # the next period's sweep does its work.
    for job, every in (("reminders", 1), ("retention", 2)):
        starts = sorted(r.period_start for r in runs if r.job == job)
        assert all(s.timestamp() % every == 0 for s in starts), (job, starts)
        spanned = int((starts[-1] - starts[0]).total_seconds()) // every + 1
        print(f"{job}: {len(starts)} runs in {spanned} periods")
        assert len(starts) >= 0.75 * spanned, (job, starts)
    # Each worker printed what it ran; together they printed every run once.
    printed = [
        line for out in outputs for line in out.splitlines() if re.match(r"^\w+ \d{4}-", line)
    ]
    assert len(printed) == len(_runs(db)), outputs


def test_worker_once_for_cron(db, app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "reminders " in result.output and "succeeded" in result.output
    assert runner.invoke(args=["worker", "--once"]).output.count("succeeded") == 0


def test_admin_page_lists_jobs_last_and_next_runs(client, db, make_user, login_as):
    scheduled.run_due()
    admin = make_user("admin")
    login_as(admin)
    page = client.get("/admin/jobs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for label in ("Overdue-feedback reminders", "Data retention (erasure)", "Database backup"):
        assert label in html
    assert "0 sent, 0 failed, 0 already sent today" in html
    assert "every hour" in html and "every day" in html
    assert "off (set BACKUP_DIR to turn it on)" in html
    assert html.count('data-status="succeeded"') == len(scheduled.JOBS) - 1  # all but backup


def test_two_app_instances_and_two_workers_run_each_job_once_per_period(db, tmp_path):
    """Two gunicorn app instances and two `flask worker` processes, every job on a 2–3 s period.

    Real processes on one database for ~12 s: every (job, period) has at most one run and
    one attempt (duplicates 0), every period that lay wholly inside the time both workers
    were up has its run (missed 0), and each app instance's /metrics reports the same
    number of runs as the database.
    """
    from scorecard.models import utcnow
    from scripts.serve import start_gunicorn, stop
    from tests.web.test_ops_health import samples

    db.session.commit()
    every = {"reminders": 2, "retention": 3, "deliver": 2, "backup": 3}
    env = dict(
        os.environ,
        FLASK_APP="scorecard:create_app",
        SCORECARD_JOB_INTERVALS=",".join(f"{job}={s}" for job, s in every.items()),
        BACKUP_DIR=str(tmp_path / "backups"),
        BACKUP_KEEP="2",
        REQUEST_LOG="0",
    )
    env.pop("SCORECARD_ENV", None)
    url = os.environ["DATABASE_URL"]
    apps = []
    workers = []
    try:
        apps = [start_gunicorn(url, 1, extra_env={"REQUEST_LOG": "0"}) for _ in range(2)]
        workers = [start_worker(env, 0.2, start_new_session=True) for _ in range(2)]
        for proc in workers:
            assert "worker: looking at the schedule" in proc.stdout.readline()
        up = utcnow()
        answers = Counter()
        deadline = time.monotonic() + 12
        while time.monotonic() < deadline:  # both instances serve while the workers run
            for _proc, port in apps:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=10) as r:
                    answers[r.status] += 1
            time.sleep(0.5)
        down = utcnow()
        for proc in workers:
            proc.send_signal(signal.SIGTERM)
        for proc in workers:
            proc.wait(timeout=90)
            out = proc.stdout.read()
            assert proc.returncode == 0 and "worker: stopped" in out, out
        runs = _runs(db)
        scraped = []
        for _proc, port in apps:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as r:
                text = r.read().decode()
            scraped.append(sum(s.value for s in samples(text, "scorecard_job_runs_total")))
    finally:
        for proc in workers:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        for proc, _port in apps:
            stop(proc)

    print(
        f"2 app instances ({dict(answers)} /readyz answers) + 2 workers, "
        f"{(down - up).total_seconds():.1f} s; /metrics on each instance: {scraped} runs"
    )
    assert set(answers) == {200}
    assert scraped == [len(runs), len(runs)]
    by_worker = Counter(r.instance for r in runs)
    assert len(by_worker) == 2, by_worker  # both workers took part
    for job, seconds in every.items():
        mine = [r for r in runs if r.job == job]
        per_period = Counter(r.period_start for r in mine)
        duplicates = sum(n - 1 for n in per_period.values()) + sum(r.attempts - 1 for r in mine)
        # The periods wholly inside the time both workers were up: each must have run.
        first = scheduled.period_start(seconds, up) + timedelta(seconds=seconds)
        owed = []
        while first + timedelta(seconds=seconds) <= down:
            owed.append(first)
            first += timedelta(seconds=seconds)
        missed = [p for p in owed if p not in per_period]
        in_owed = sum(per_period[p] for p in owed)
        failed = [r.message for r in mine if r.status != JobRunStatus.SUCCEEDED]
        print(
            f"{job} every {seconds} s: {len(owed)} whole periods, {in_owed} runs in them "
            f"({len(mine)} with the partial first and last), {duplicates} duplicates, "
            f"{len(missed)} missed, {len(failed)} failed"
        )
        assert len(owed) >= 3
        assert duplicates == 0 and missed == [] and failed == [], (job, missed, failed)
        assert in_owed == len(owed)
