"""Round and hire decisions: every revision is a new row, so history is kept."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scorecard.extensions import db
from scorecard.models.base import HireDecisionKind, RoundDecisionKind, enum_column, utcnow
from scorecard.models.user import User


class RoundDecision(db.Model):
    __tablename__ = "round_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("applications.id"), index=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("rounds.id"))
    decision: Mapped[RoundDecisionKind] = mapped_column(enum_column(RoundDecisionKind))
    rationale: Mapped[str] = mapped_column(sa.Text, default="")
    recommendation: Mapped[str | None] = mapped_column(sa.String(20))  # engine's, at the time
    decided_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)

    decided_by: Mapped[User] = relationship()


class HireDecision(db.Model):
    __tablename__ = "hire_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("applications.id"), index=True)
    decision: Mapped[HireDecisionKind] = mapped_column(enum_column(HireDecisionKind))
    rationale: Mapped[str] = mapped_column(sa.Text, default="")
    recommendation: Mapped[str | None] = mapped_column(sa.String(20))
    decided_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)

    decided_by: Mapped[User] = relationship()
