"""Post-hire outcomes, analytics settings, and voluntary self-identification (issue 14).

Self-identification lives in its own table, never on the candidate row, so that no query of
candidates can carry it onto a page by accident; only the adverse-impact report reads it.
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scorecard.extensions import db
from scorecard.models.base import Bilingual, enum_column, utcnow


class CheckpointKind(enum.StrEnum):
    PROBATION = "probation"  # passed / not passed / left early
    RATING = "rating"  # performance rating 1-4 with a note


class ProbationResult(enum.StrEnum):
    PASSED = "passed"
    NOT_PASSED = "not_passed"
    LEFT_EARLY = "left_early"


class OutcomeCheckpoint(Bilingual, db.Model):
    """A point after hiring at which an outcome is recorded, set per job."""

    __tablename__ = "outcome_checkpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(sa.ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(sa.String(40))
    kind: Mapped[CheckpointKind] = mapped_column(enum_column(CheckpointKind))
    name_zh: Mapped[str] = mapped_column(sa.String(200), default="")
    name_en: Mapped[str] = mapped_column(sa.String(200), default="")
    months: Mapped[int] = mapped_column(default=6)  # after the start, for the reminder list
    position: Mapped[int] = mapped_column(default=0)

    __table_args__ = (
        sa.UniqueConstraint("job_id", "key"),
        sa.CheckConstraint("months >= 0 AND months <= 120", name="months_range"),
    )


class Outcome(db.Model):
    """One hire's outcome at one checkpoint (the newest value; history is in the audit log)."""

    __tablename__ = "outcomes"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    checkpoint_id: Mapped[int] = mapped_column(
        sa.ForeignKey("outcome_checkpoints.id", ondelete="CASCADE"), index=True
    )
    probation: Mapped[ProbationResult | None] = mapped_column(enum_column(ProbationResult))
    rating: Mapped[int | None]
    note: Mapped[str] = mapped_column(sa.Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    checkpoint: Mapped[OutcomeCheckpoint] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("application_id", "checkpoint_id"),
        sa.CheckConstraint("rating IS NULL OR (rating >= 1 AND rating <= 4)", name="rating_range"),
    )


class AnalyticsSetting(db.Model):
    """Analytics settings of a job (job_id set) or of the installation (job_id NULL).

    `adverse_impact` turns the adverse-impact report on (an admin's choice, off by default;
    the installation row turns it on everywhere); `purpose` is the note HR is shown;
    `categories` (installation row only) lists the self-identification categories and values.
    """

    __tablename__ = "analytics_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("jobs.id", ondelete="CASCADE"), unique=True
    )
    min_hires: Mapped[int] = mapped_column(default=30)
    adverse_impact: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    purpose: Mapped[str] = mapped_column(sa.Text, default="")
    categories: Mapped[dict | None] = mapped_column(sa.JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        sa.CheckConstraint("min_hires >= 4 AND min_hires <= 10000", name="min_hires_range"),
    )


class SelfIdentification(db.Model):
    """A candidate's voluntary answer for one category, with their consent recorded."""

    __tablename__ = "self_identifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(
        sa.ForeignKey("candidates.id", ondelete="CASCADE"), index=True
    )
    category: Mapped[str] = mapped_column(sa.String(40))
    value: Mapped[str] = mapped_column(sa.String(80))
    consent: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (sa.UniqueConstraint("candidate_id", "category"),)


class ComplianceGrant(db.Model):
    """A user (besides admins) allowed to read the adverse-impact report."""

    __tablename__ = "compliance_grants"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    granted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)
