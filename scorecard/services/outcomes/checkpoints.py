"""A job's outcome checkpoints: the two defaults (stored on the first write), adding and
removing one."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask_babel import gettext as _

from scorecard.extensions import db
from scorecard.models import CheckpointKind, Job, Outcome, OutcomeCheckpoint, User
from scorecard.services import audit
from scorecard.services.errors import DomainError

DEFAULT_CHECKPOINTS = (
    ("probation", CheckpointKind.PROBATION, "试用期结束", "End of probation", 3),
    ("performance_6m", CheckpointKind.RATING, "6 个月绩效", "6-month performance", 6),
)


def _defaults(job: Job) -> list[OutcomeCheckpoint]:
    return [
        OutcomeCheckpoint(
            job_id=job.id,
            key=key,
            kind=kind,
            name_zh=zh,
            name_en=en,
            months=months,
            position=position,
        )
        for position, (key, kind, zh, en, months) in enumerate(DEFAULT_CHECKPOINTS)
    ]


def checkpoints(job: Job) -> list[OutcomeCheckpoint]:
    """The job's checkpoints in order; the two defaults (not stored yet) when it has none.

    Reading never writes (a GET runs in a read transaction): the defaults are stored by
    `ensure_checkpoints` when the first outcome or checkpoint is written.
    """
    found = list(
        db.session.scalars(
            sa.select(OutcomeCheckpoint)
            .where(OutcomeCheckpoint.job_id == job.id)
            .order_by(OutcomeCheckpoint.position, OutcomeCheckpoint.id)
        )
    )
    return found or _defaults(job)


def ensure_checkpoints(job: Job) -> list[OutcomeCheckpoint]:
    """The job's stored checkpoints, storing the two defaults first if it has none."""
    found = list(
        db.session.scalars(
            sa.select(OutcomeCheckpoint)
            .where(OutcomeCheckpoint.job_id == job.id)
            .order_by(OutcomeCheckpoint.position, OutcomeCheckpoint.id)
        )
    )
    if found:
        return found
    found = _defaults(job)
    db.session.add_all(found)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except sa.exc.IntegrityError:  # another request created them first
        return list(
            db.session.scalars(
                sa.select(OutcomeCheckpoint)
                .where(OutcomeCheckpoint.job_id == job.id)
                .order_by(OutcomeCheckpoint.position, OutcomeCheckpoint.id)
            )
        )
    return found


def add_checkpoint(
    job: Job, key: str, kind: str, name_zh: str, name_en: str, months: int, actor: User
) -> OutcomeCheckpoint:
    """Add a checkpoint to a job (key: lower-case letters, digits, _)."""
    key = (key or "").strip()
    if not re.fullmatch(r"[a-z][a-z0-9_]{0,39}", key):
        raise DomainError(
            "key", _("Use lower-case letters, digits and _ (start with a letter, at most 40).")
        )
    if kind not in {k.value for k in CheckpointKind}:
        raise DomainError("kind", _("Choose a kind."))
    if not (name_zh or "").strip() and not (name_en or "").strip():
        raise DomainError("name_en", _("Give the checkpoint a name (Chinese or English)."))
    if not 0 <= months <= 120:
        raise DomainError("months", _("Enter a number of months from 0 to 120."))
    existing = ensure_checkpoints(job)
    if any(c.key == key for c in existing):
        raise DomainError("key", _("This job already has a checkpoint with this key."))
    cp = OutcomeCheckpoint(
        job_id=job.id,
        key=key,
        kind=CheckpointKind(kind),
        name_zh=(name_zh or "").strip()[:200],
        name_en=(name_en or "").strip()[:200],
        months=months,
        position=max((c.position for c in existing), default=-1) + 1,
    )
    db.session.add(cp)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except sa.exc.IntegrityError:
        raise DomainError("key", _("This job already has a checkpoint with this key.")) from None
    audit.record(
        "outcome_checkpoint.create",
        "outcome_checkpoint",
        cp.id,
        actor=actor,
        job_id=job.id,
        after={"key": cp.key, "kind": cp.kind.value, "months": months},
    )
    return cp


def remove_checkpoint(job: Job, checkpoint_id: int, actor: User) -> None:
    """Remove a checkpoint that has no outcomes yet."""
    cp = db.session.get(OutcomeCheckpoint, checkpoint_id)
    if cp is None or cp.job_id != job.id:
        raise DomainError(None, _("This checkpoint does not exist."))
    used = db.session.scalar(
        sa.select(sa.func.count(Outcome.id)).where(Outcome.checkpoint_id == cp.id)
    )
    if used:
        raise DomainError(
            None, _("Outcomes are recorded at this checkpoint: it cannot be removed.")
        )
    audit.record(
        "outcome_checkpoint.delete",
        "outcome_checkpoint",
        cp.id,
        actor=actor,
        job_id=job.id,
        before={"key": cp.key, "kind": cp.kind.value},
    )
    db.session.delete(cp)
    db.session.flush()
