"""Scheduled job runs: one row per job and period, which is also the lease on that period."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from scorecard.extensions import db
from scorecard.models.base import enum_column, utcnow


class JobRunStatus(enum.StrEnum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class JobRun(db.Model):
    """One run of a scheduled job for one period (e.g. the hour starting 10:00 UTC).

    The unique (job, period_start) key is the lock: of several workers only the one whose
    insert succeeds runs the job for that period. `lease_until` lets another worker take
    over a run whose worker died (status still running, lease expired).
    """

    __tablename__ = "job_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(sa.String(40))
    period_start: Mapped[datetime]
    status: Mapped[JobRunStatus] = mapped_column(enum_column(JobRunStatus))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    lease_until: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(default=1, server_default=sa.text("1"))
    instance: Mapped[str] = mapped_column(sa.String(120))
    message: Mapped[str] = mapped_column(sa.String(500), default="", server_default="")

    __table_args__ = (
        sa.UniqueConstraint("job", "period_start"),
        sa.Index("ix_job_runs_job_started_at", "job", "started_at"),
    )

    @property
    def duration_s(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()
