"""Retention: each job's days after an application closes, the candidates due, and their
erasure (by the scheduled job or `flask apply-retention`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from scorecard.extensions import db
from scorecard.models import Application, Candidate, Job, User, utcnow
from scorecard.services import audit
from scorecard.services.errors import DomainError

from .erasure import erase_candidate


@dataclass(frozen=True)
class Due:
    """A candidate whose every application closed more than its job's retention ago."""

    candidate: Candidate
    closed_at: datetime
    job_id: int
    retention_days: int


def due_for_retention(now: datetime | None = None) -> list[Due]:
    """Candidates to erase: every application closed, each past its job's retention days.

    A job without a retention setting keeps its candidates; a candidate with an open
    application anywhere is kept whole.
    """
    now = now or utcnow()
    rows = db.session.execute(
        sa.select(Application, Job.retention_days)
        .join(Job, Application.job_id == Job.id)
        .join(Candidate, Application.candidate_id == Candidate.id)
        .where(Candidate.erased_at.is_(None))
        .where(
            Application.candidate_id.in_(
                sa.select(Application.candidate_id)
                .join(Job, Application.job_id == Job.id)
                .where(Application.closed_at.is_not(None), Job.retention_days.is_not(None))
            )
        )
        .options(selectinload(Application.candidate))
        .order_by(Application.candidate_id, Application.id)
    ).all()
    by_candidate: dict[int, list[tuple[Application, int | None]]] = {}
    for application, days in rows:
        by_candidate.setdefault(application.candidate_id, []).append((application, days))
    due: list[Due] = []
    for apps in by_candidate.values():
        if all(
            a.closed_at is not None
            and days is not None
            and a.closed_at + timedelta(days=days) <= now
            for a, days in apps
        ):
            last, days = max(apps, key=lambda pair: pair[0].closed_at)
            due.append(Due(last.candidate, last.closed_at, last.job_id, int(days)))
    return due


def apply_retention(dry_run: bool = False, now: datetime | None = None) -> list[Due]:
    """Erase every candidate due for retention (or only list them, with `dry_run`)."""
    due = due_for_retention(now)
    if not dry_run:
        for item in due:
            erase_candidate(
                item.candidate,
                f"retention: {item.retention_days} days after the application closed",
                actor=None,
            )
    return due


def set_retention(job: Job, days: int | None, actor: User) -> None:
    """Set how many days after an application closes its candidate is erased (None: keep)."""
    from flask_babel import gettext as _

    if days is not None and not 1 <= days <= 36500:
        raise DomainError("retention_days", _("Enter a number of days from 1 to 36500."))
    if job.retention_days == days:
        return
    before = job.retention_days
    job.retention_days = days
    audit.record(
        "job.retention",
        "job",
        job.id,
        actor=actor,
        job_id=job.id,
        before={"retention_days": before},
        after={"retention_days": days},
    )
