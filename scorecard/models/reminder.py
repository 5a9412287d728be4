"""Overdue-feedback reminders, and candidate CSV imports: records that make retries harmless."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scorecard.extensions import db
from scorecard.models.base import utcnow
from scorecard.models.interview import Scorecard
from scorecard.models.user import User


class Reminder(db.Model):
    """One reminder e-mail about one overdue scorecard.

    At most one per scorecard and calendar day (display time zone): the unique constraint, not
    a look-up, is what stops a second reminder on the same day, whichever process sends it.
    """

    __tablename__ = "reminders"

    id: Mapped[int] = mapped_column(primary_key=True)
    scorecard_id: Mapped[int] = mapped_column(
        sa.ForeignKey("scorecards.id", ondelete="CASCADE"), index=True
    )
    interviewer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    day: Mapped[date]
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None]  # a sender is working on it since then
    sent_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(sa.String(500), default="")

    scorecard: Mapped[Scorecard] = relationship()
    interviewer: Mapped[User] = relationship(foreign_keys=[interviewer_id])
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])

    __table_args__ = (sa.UniqueConstraint("scorecard_id", "day"),)

    @property
    def status(self) -> str:
        """'sent', 'failed' or 'queued'."""
        if self.sent_at is not None:
            return "sent"
        return "failed" if self.error else "queued"


class CandidateImport(db.Model):
    """One CSV import of candidates; its key makes a resubmitted import a no-op.

    It holds counts and ids only, never the file: candidates' personal data stays erasable.
    """

    __tablename__ = "candidate_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    rows_total: Mapped[int] = mapped_column(default=0)
    rows_imported: Mapped[int] = mapped_column(default=0)
    rows_rejected: Mapped[int] = mapped_column(default=0)
