"""Interviews, their panel's scorecards, ratings, STAR evidence and submissions."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scorecard.extensions import db
from scorecard.models.base import InterviewStatus, ScorecardStatus, enum_column, utcnow
from scorecard.models.candidate import Application
from scorecard.models.job import Criterion, Question, RedFlag, Round, ScorecardVersion
from scorecard.models.user import User


class Interview(db.Model):
    __tablename__ = "interviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("applications.id"), index=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("rounds.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(index=True)  # naive UTC
    duration_minutes: Mapped[int] = mapped_column(default=60)
    location: Mapped[str] = mapped_column(sa.String(300), default="")
    video_link: Mapped[str] = mapped_column(sa.String(500), default="")
    status: Mapped[InterviewStatus] = mapped_column(
        enum_column(InterviewStatus), default=InterviewStatus.SCHEDULED
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    application: Mapped[Application] = relationship()
    round: Mapped[Round] = relationship()
    scorecards: Mapped[list[Scorecard]] = relationship(
        back_populates="interview", order_by="Scorecard.id"
    )

    __table_args__ = (sa.CheckConstraint("duration_minutes > 0", name="duration_positive"),)

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)


class Scorecard(db.Model):
    """One interviewer's scorecard for one interview: the panel is its set of scorecards."""

    __tablename__ = "scorecards"

    id: Mapped[int] = mapped_column(primary_key=True)
    interview_id: Mapped[int] = mapped_column(sa.ForeignKey("interviews.id"), index=True)
    interviewer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("scorecard_versions.id"))
    status: Mapped[ScorecardStatus] = mapped_column(
        enum_column(ScorecardStatus), default=ScorecardStatus.DRAFT
    )
    overall: Mapped[int | None]
    takeaways: Mapped[str] = mapped_column(sa.Text, default="")
    lock_version: Mapped[int] = mapped_column(default=1)  # optimistic lock, carried by saves
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]
    edited_at: Mapped[datetime | None]  # last edit after submission

    interview: Mapped[Interview] = relationship(back_populates="scorecards")
    interviewer: Mapped[User] = relationship()
    version: Mapped[ScorecardVersion] = relationship()
    ratings: Mapped[list[Rating]] = relationship(back_populates="scorecard")
    star_evidence: Mapped[list[StarEvidence]] = relationship(back_populates="scorecard")
    red_flags: Mapped[list[RedFlag]] = relationship(secondary="scorecard_red_flags")
    submission: Mapped[ScorecardSubmission | None] = relationship(back_populates="scorecard")

    __table_args__ = (
        sa.UniqueConstraint("interview_id", "interviewer_id"),
        sa.CheckConstraint("overall IS NULL OR overall BETWEEN 1 AND 4", name="overall_range"),
    )

    @property
    def is_submitted(self) -> bool:
        return self.status == ScorecardStatus.SUBMITTED


class Rating(db.Model):
    __tablename__ = "ratings"

    id: Mapped[int] = mapped_column(primary_key=True)
    scorecard_id: Mapped[int] = mapped_column(
        sa.ForeignKey("scorecards.id", ondelete="CASCADE"), index=True
    )
    criterion_id: Mapped[int] = mapped_column(sa.ForeignKey("criteria.id"), index=True)
    value: Mapped[int | None]  # 1–4, or NULL for "not assessed"
    note: Mapped[str] = mapped_column(sa.Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    scorecard: Mapped[Scorecard] = relationship(back_populates="ratings")
    criterion: Mapped[Criterion] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("scorecard_id", "criterion_id"),
        sa.CheckConstraint("value IS NULL OR value BETWEEN 1 AND 4", name="value_range"),
    )


class StarEvidence(db.Model):
    __tablename__ = "star_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    scorecard_id: Mapped[int] = mapped_column(
        sa.ForeignKey("scorecards.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("questions.id"))
    situation: Mapped[str] = mapped_column(sa.Text, default="")
    task: Mapped[str] = mapped_column(sa.Text, default="")
    action: Mapped[str] = mapped_column(sa.Text, default="")
    result: Mapped[str] = mapped_column(sa.Text, default="")

    scorecard: Mapped[Scorecard] = relationship(back_populates="star_evidence")
    question: Mapped[Question] = relationship()

    __table_args__ = (sa.UniqueConstraint("scorecard_id", "question_id"),)


scorecard_red_flags = sa.Table(
    "scorecard_red_flags",
    db.metadata,
    sa.Column("scorecard_id", sa.ForeignKey("scorecards.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("red_flag_id", sa.ForeignKey("red_flags.id"), primary_key=True),
)


class ScorecardSubmission(db.Model):
    """The first submission of a scorecard, frozen: the engine scores this, edits are audited.

    Both the client-generated key and the scorecard are unique, so a double click or a retry
    can never create a second submission.
    """

    __tablename__ = "scorecard_submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    scorecard_id: Mapped[int] = mapped_column(sa.ForeignKey("scorecards.id"), unique=True)
    submission_key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    snapshot: Mapped[dict] = mapped_column(sa.JSON)

    scorecard: Mapped[Scorecard] = relationship(back_populates="submission")
