"""Jobs, their hiring team, rounds, versioned criteria, questions and red flags."""

from __future__ import annotations

import secrets
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scorecard.extensions import db
from scorecard.models.base import Bilingual, Dimension, JobRole, JobStatus, enum_column, utcnow
from scorecard.models.user import User


class Job(Bilingual, db.Model):
    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    title_zh: Mapped[str] = mapped_column(sa.String(200), default="")
    title_en: Mapped[str] = mapped_column(sa.String(200), default="")
    description_zh: Mapped[str] = mapped_column(sa.Text, default="")
    description_en: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[JobStatus] = mapped_column(enum_column(JobStatus), default=JobStatus.OPEN)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # Recommendation policy (scoring.md S3–S6, S8), editable per job.
    band_strong_hire: Mapped[float] = mapped_column(default=3.5)
    band_hire: Mapped[float] = mapped_column(default=2.75)
    band_lean_no: Mapped[float] = mapped_column(default=2.25)
    coverage_min: Mapped[float] = mapped_column(default=0.75)
    hurdle_min: Mapped[float] = mapped_column(default=2.5)
    r1: Mapped[float] = mapped_column(default=0.44)
    hide_until_debrief: Mapped[bool] = mapped_column(default=False)
    use_calibrated: Mapped[bool] = mapped_column(default=False)
    overdue_hours: Mapped[int] = mapped_column(default=24)
    retention_days: Mapped[int | None]

    members: Mapped[list[JobMember]] = relationship(
        back_populates="job", cascade="all, delete-orphan"
    )
    rounds: Mapped[list[Round]] = relationship(
        back_populates="job", order_by="Round.position", cascade="all, delete-orphan"
    )
    red_flags: Mapped[list[RedFlag]] = relationship(
        back_populates="job", order_by="RedFlag.position", cascade="all, delete-orphan"
    )

    __table_args__ = (sa.CheckConstraint("overdue_hours > 0", name="overdue_hours_positive"),)


class JobMember(db.Model):
    __tablename__ = "job_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(sa.ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    job_role: Mapped[JobRole] = mapped_column(enum_column(JobRole))

    job: Mapped[Job] = relationship(back_populates="members")
    user: Mapped[User] = relationship()

    __table_args__ = (sa.UniqueConstraint("job_id", "user_id"),)


class Round(Bilingual, db.Model):
    __tablename__ = "rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(sa.ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(sa.String(40))
    position: Mapped[int] = mapped_column(default=0)
    name_zh: Mapped[str] = mapped_column(sa.String(200), default="")
    name_en: Mapped[str] = mapped_column(sa.String(200), default="")
    focus_zh: Mapped[str] = mapped_column(sa.Text, default="")
    focus_en: Mapped[str] = mapped_column(sa.Text, default="")
    weight: Mapped[float] = mapped_column(default=1.0)

    job: Mapped[Job] = relationship(back_populates="rounds")
    versions: Mapped[list[ScorecardVersion]] = relationship(
        back_populates="round", order_by="ScorecardVersion.number", cascade="all, delete-orphan"
    )

    __table_args__ = (
        sa.UniqueConstraint("job_id", "key"),
        sa.CheckConstraint("weight > 0", name="weight_positive"),
    )

    @property
    def current_version(self) -> ScorecardVersion | None:
        """The newest version: the one new scorecards are scored on."""
        return self.versions[-1] if self.versions else None


def new_content_token() -> str:
    return secrets.token_hex(16)


class ScorecardVersion(db.Model):
    """The criteria and questions of a round as they were when scored."""

    __tablename__ = "scorecard_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        sa.ForeignKey("rounds.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Renewed by every flush that changes the version's criteria or questions
    # (`_renew_content_tokens`): a kept copy of them is right while its token is the row's.
    # Random, so that a token never comes back (another database, a restored backup).
    content_token: Mapped[str] = mapped_column(sa.String(32), default=new_content_token)

    round: Mapped[Round] = relationship(back_populates="versions")
    criteria: Mapped[list[Criterion]] = relationship(
        back_populates="version", order_by="Criterion.position", cascade="all, delete-orphan"
    )
    questions: Mapped[list[Question]] = relationship(
        back_populates="version", order_by="Question.position", cascade="all, delete-orphan"
    )

    __table_args__ = (sa.UniqueConstraint("round_id", "number"),)


class Criterion(Bilingual, db.Model):
    __tablename__ = "criteria"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("scorecard_versions.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(sa.String(40))
    position: Mapped[int] = mapped_column(default=0)
    dimension: Mapped[Dimension] = mapped_column(enum_column(Dimension))
    name_zh: Mapped[str] = mapped_column(sa.String(200), default="")
    name_en: Mapped[str] = mapped_column(sa.String(200), default="")
    description_zh: Mapped[str] = mapped_column(sa.Text, default="")
    description_en: Mapped[str] = mapped_column(sa.Text, default="")
    weight: Mapped[float] = mapped_column(default=1.0)
    must_have: Mapped[bool] = mapped_column(default=False)
    veto_eligible: Mapped[bool] = mapped_column(default=False)
    anchor1_zh: Mapped[str] = mapped_column(sa.Text, default="")
    anchor1_en: Mapped[str] = mapped_column(sa.Text, default="")
    anchor2_zh: Mapped[str] = mapped_column(sa.Text, default="")
    anchor2_en: Mapped[str] = mapped_column(sa.Text, default="")
    anchor3_zh: Mapped[str] = mapped_column(sa.Text, default="")
    anchor3_en: Mapped[str] = mapped_column(sa.Text, default="")
    anchor4_zh: Mapped[str] = mapped_column(sa.Text, default="")
    anchor4_en: Mapped[str] = mapped_column(sa.Text, default="")

    version: Mapped[ScorecardVersion] = relationship(back_populates="criteria")

    __table_args__ = (
        sa.UniqueConstraint("version_id", "key"),
        sa.CheckConstraint("weight > 0", name="weight_positive"),
    )


class Question(Bilingual, db.Model):
    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("scorecard_versions.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(sa.String(40))
    position: Mapped[int] = mapped_column(default=0)
    criterion_id: Mapped[int | None] = mapped_column(sa.ForeignKey("criteria.id"))
    star: Mapped[bool] = mapped_column(default=False)
    text_zh: Mapped[str] = mapped_column(sa.Text, default="")
    text_en: Mapped[str] = mapped_column(sa.Text, default="")
    guidance_zh: Mapped[str] = mapped_column(sa.Text, default="")
    guidance_en: Mapped[str] = mapped_column(sa.Text, default="")

    version: Mapped[ScorecardVersion] = relationship(back_populates="questions")
    criterion: Mapped[Criterion | None] = relationship()

    __table_args__ = (sa.UniqueConstraint("version_id", "key"),)


class RedFlag(Bilingual, db.Model):
    __tablename__ = "red_flags"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(sa.ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(sa.String(40))
    position: Mapped[int] = mapped_column(default=0)
    label_zh: Mapped[str] = mapped_column(sa.String(200), default="")
    label_en: Mapped[str] = mapped_column(sa.String(200), default="")
    description_zh: Mapped[str] = mapped_column(sa.Text, default="")
    description_en: Mapped[str] = mapped_column(sa.Text, default="")

    job: Mapped[Job] = relationship(back_populates="red_flags")

    __table_args__ = (sa.UniqueConstraint("job_id", "key"),)


@sa.event.listens_for(sa.orm.Session, "before_flush")
def _renew_content_tokens(session: sa.orm.Session, _context: object, _instances: object) -> None:
    """A new content token for every stored version whose criteria or questions this flush
    adds, changes or deletes."""
    versions: set[ScorecardVersion] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if not isinstance(obj, Criterion | Question):
            continue
        version = obj.version
        if version is None and obj.version_id is not None:
            version = session.get(ScorecardVersion, obj.version_id)
        if version is not None and version not in session.new and version not in session.deleted:
            versions.add(version)
    for version in versions:
        version.content_token = new_content_token()
