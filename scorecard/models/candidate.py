"""Candidates and their applications to jobs."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scorecard.extensions import db
from scorecard.models.base import ApplicationStatus, enum_column, utcnow
from scorecard.models.job import Job, Round


class Candidate(db.Model):
    __tablename__ = "candidates"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    email: Mapped[str | None] = mapped_column(sa.String(254), index=True)
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    source: Mapped[str | None] = mapped_column(sa.String(120))
    note: Mapped[str] = mapped_column(sa.Text, default="")  # résumé note, shown to interviewers
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    erased_at: Mapped[datetime | None]

    applications: Mapped[list[Application]] = relationship(back_populates="candidate")


class Application(db.Model):
    __tablename__ = "applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(sa.ForeignKey("candidates.id"), index=True)
    job_id: Mapped[int] = mapped_column(sa.ForeignKey("jobs.id"), index=True)
    status: Mapped[ApplicationStatus] = mapped_column(
        enum_column(ApplicationStatus), default=ApplicationStatus.ACTIVE
    )
    current_round_id: Mapped[int | None] = mapped_column(sa.ForeignKey("rounds.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]

    candidate: Mapped[Candidate] = relationship(back_populates="applications")
    job: Mapped[Job] = relationship()
    current_round: Mapped[Round | None] = relationship()

    __table_args__ = (sa.UniqueConstraint("candidate_id", "job_id"),)
