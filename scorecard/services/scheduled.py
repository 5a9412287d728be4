"""Scheduled jobs without cron: reminders, retention and backups, once per period.

`flask worker` calls `run_due()` every few seconds; any number of workers (on any number of
hosts) may do so. Periods are fixed slices of UTC time (every hour: 10:00–11:00, …). For each
due job the worker inserts a `JobRun` row for (job, period): the unique key lets exactly one
insert succeed, and only that worker runs the job. A run whose worker died keeps status
"running" until its lease expires; then another worker takes it over (an UPDATE that only
one worker can win) and runs it again. Every run ends "succeeded" or "failed" with a
one-line outcome (counts only: no personal data).

Cron stays possible: `flask worker --once` runs what is due and exits, and the single
commands (`flask send-reminders`, `flask apply-retention`, `flask backup`) still work.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from scorecard.extensions import db
from scorecard.models import utcnow
from scorecard.models.operations import JobRun, JobRunStatus

EPOCH = datetime(1970, 1, 1)


@dataclass(frozen=True)
class Job:
    name: str
    label: object  # a lazy translated string
    default_every: int  # seconds
    lease: int  # seconds a run may take before another worker may take it over
    action: Callable[[], tuple[bool, str]]  # → (succeeded, one-line outcome)
    enabled: Callable[[], bool] = lambda: True


def _reminders() -> tuple[bool, str]:
    from scorecard.services.reminders import send_due_reminders

    report = send_due_reminders()
    outcome = f"{report.sent} sent, {report.failed} failed, {report.skipped} already sent today"
    return report.failed == 0, outcome


def _retention() -> tuple[bool, str]:
    from scorecard.services.privacy import apply_retention

    due = apply_retention()
    db.session.commit()
    return True, f"{len(due)} candidate(s) erased"


def _backup() -> tuple[bool, str]:
    from scorecard.services.backup import create_backup, prune_backups

    made = create_backup()
    keep = int(current_app.config.get("BACKUP_KEEP") or 7)
    pruned = prune_backups(made.path.parent, keep)
    rows = sum(t["rows"] for t in made.manifest["tables"].values())
    return True, f"{made.path.name}: {rows} rows; {len(pruned)} old backup(s) deleted"


def _deliver() -> tuple[bool, str]:
    from scorecard.services.delivery import deliver_once

    report = deliver_once(limit=500)
    return report.mail.failed == 0 and report.hooks.failed == 0, report.line()


def _backups_enabled() -> bool:
    return bool(current_app.config.get("BACKUP_DIR"))


JOBS: dict[str, Job] = {
    job.name: job
    for job in (
        Job("reminders", _l("Overdue-feedback reminders"), 3600, 600, _reminders),
        Job("retention", _l("Data retention (erasure)"), 86400, 1800, _retention),
        Job("backup", _l("Database backup"), 86400, 3600, _backup, _backups_enabled),
        # A pass over the outboxes each minute; `flask deliver --watch` sends sooner.
        Job("deliver", _l("E-mail notices and webhooks"), 60, 300, _deliver),
    )
}


def interval(job: Job) -> int:
    """Seconds between runs: JOB_INTERVALS (e.g. "reminders=3600,backup=86400") or default."""
    configured = current_app.config.get("JOB_INTERVALS") or {}
    return int(configured.get(job.name, job.default_every))


def period_start(every: int, now: datetime) -> datetime:
    """The start of the period `now` falls in: periods are `every`-second slices of UTC."""
    seconds = int((now - EPOCH).total_seconds())
    return EPOCH + timedelta(seconds=seconds - seconds % every)


def instance_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


def _claim(job: Job, period: datetime, now: datetime) -> JobRun | None:
    """The run for (job, period) if this worker gets it, else None."""
    lease_until = now + timedelta(seconds=job.lease)
    run = JobRun(
        job=job.name,
        period_start=period,
        status=JobRunStatus.RUNNING,
        started_at=now,
        lease_until=lease_until,
        instance=instance_name(),
        message="",
    )
    db.session.add(run)
    try:
        db.session.commit()
        return run
    except IntegrityError:
        db.session.rollback()
    # Someone holds this period. Take it over only if they died: still running, lease over.
    taken = db.session.execute(
        sa.update(JobRun)
        .where(
            JobRun.job == job.name,
            JobRun.period_start == period,
            JobRun.status == JobRunStatus.RUNNING,
            JobRun.lease_until < now,
        )
        .values(
            attempts=JobRun.attempts + 1,
            instance=instance_name(),
            started_at=now,
            lease_until=lease_until,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if taken.rowcount != 1:
        return None
    return db.session.scalar(
        sa.select(JobRun).where(JobRun.job == job.name, JobRun.period_start == period)
    )


def _finish(run: JobRun, status: JobRunStatus, message: str) -> None:
    run.status = status
    run.message = message[:500]
    run.finished_at = utcnow()
    db.session.commit()
    from scorecard.ops.metrics import job_finished

    job_finished(run.job, status.value)


def run_job(job: Job, now: datetime | None = None) -> JobRun | None:
    """Run `job` for the current period unless another worker has (or is doing it)."""
    now = now or utcnow()
    period = period_start(interval(job), now)
    done = db.session.scalar(
        sa.select(JobRun.id).where(JobRun.job == job.name, JobRun.period_start == period)
    )
    if done is not None:
        # Recorded already: finished, or running (maybe dead: _claim checks the lease).
        status = db.session.scalar(sa.select(JobRun.status).where(JobRun.id == done))
        db.session.rollback()
        if status != JobRunStatus.RUNNING:
            return None
    run = _claim(job, period, now)
    if run is None:
        return None
    try:
        ok, outcome = job.action()
    except Exception as exc:  # a failed job is recorded, never kills the worker
        db.session.rollback()
        run = db.session.get(JobRun, run.id)
        assert run is not None
        current_app.logger.exception("scheduled job %s failed", job.name)
        _finish(run, JobRunStatus.FAILED, f"{exc.__class__.__name__}: {exc}")
        return run
    db.session.commit()  # the job's own writes, if it left any uncommitted
    run = db.session.get(JobRun, run.id)
    assert run is not None
    _finish(run, JobRunStatus.SUCCEEDED if ok else JobRunStatus.FAILED, outcome)
    return run


def run_due(now: datetime | None = None) -> list[JobRun]:
    """Run every enabled job whose current period has no run yet."""
    ran = []
    for job in JOBS.values():
        if not job.enabled():
            continue
        run = run_job(job, now)
        if run is not None:
            ran.append(run)
    return ran


@dataclass(frozen=True)
class JobStatus:
    job: Job
    enabled: bool
    every: int
    last: JobRun | None
    next_run: datetime  # naive UTC
    due: bool  # this period has not run yet: the next worker pass runs it


def job_statuses(now: datetime | None = None) -> list[JobStatus]:
    """Each job with its schedule, last run and next run, for the admin page."""
    now = now or utcnow()
    out = []
    for job in JOBS.values():
        every = interval(job)
        last = db.session.scalar(
            sa.select(JobRun)
            .where(JobRun.job == job.name)
            .order_by(JobRun.period_start.desc(), JobRun.id.desc())
            .limit(1)
        )
        period = period_start(every, now)
        done_now = last is not None and last.period_start == period
        next_run = period + timedelta(seconds=every) if done_now else now
        out.append(JobStatus(job, job.enabled(), every, last, next_run, not done_now))
    return out


def recent_runs(limit: int = 50) -> list[JobRun]:
    return list(
        db.session.scalars(
            sa.select(JobRun).order_by(JobRun.started_at.desc(), JobRun.id.desc()).limit(limit)
        )
    )
