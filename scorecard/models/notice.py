"""E-mail notices (an outbox), the switches people set for them, calendar invitations and feeds.

A notice row is written in the same transaction as the change that causes it and holds only
references (recipient, interview, round): the message is composed when it is sent, in the
recipient's language, so the outbox never keeps a copy of a candidate's personal data.
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scorecard.extensions import db
from scorecard.models.base import enum_column, utcnow
from scorecard.models.interview import Interview
from scorecard.models.user import User


class NoticeKind(enum.StrEnum):
    """What a notice tells; each kind can be switched off per user (Settings → Notifications)."""

    PANEL = "panel"  # you were put on an interview panel (iCalendar REQUEST)
    MOVED = "moved"  # the interview moved or its place changed (REQUEST, higher SEQUENCE)
    CANCELLED = "cancelled"  # cancelled, or you were taken off the panel (CANCEL)
    DEBRIEF = "debrief"  # to the hiring manager: every scorecard of a round is in
    OVERDUE = "overdue"  # your scorecard is overdue (the daily reminder)


class NoticeStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # gave up after the last attempt
    SKIPPED = "skipped"  # switched off, or superseded before it went out


class Notice(db.Model):
    """One e-mail to one person about one change, waiting to be sent (or sent)."""

    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[NoticeKind] = mapped_column(enum_column(NoticeKind))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    interview_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("interviews.id", ondelete="CASCADE")
    )
    application_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("applications.id", ondelete="CASCADE")
    )
    round_id: Mapped[int | None] = mapped_column(sa.ForeignKey("rounds.id", ondelete="CASCADE"))
    sequence: Mapped[int | None]  # the invitation's SEQUENCE when it was queued
    # Notices that must go out once only (the debrief) carry a key the database keeps unique.
    once_key: Mapped[str | None] = mapped_column(sa.String(120), unique=True)
    status: Mapped[NoticeStatus] = mapped_column(
        enum_column(NoticeStatus), default=NoticeStatus.PENDING
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    lease_until: Mapped[datetime | None]  # a sender owns it until then
    lease_token: Mapped[str | None] = mapped_column(sa.String(32))
    attempts: Mapped[int] = mapped_column(default=0)
    sent_at: Mapped[datetime | None]
    error: Mapped[str] = mapped_column(sa.String(500), default="")

    user: Mapped[User] = relationship()
    interview: Mapped[Interview | None] = relationship()

    __table_args__ = (sa.Index("ix_notices_status_next_attempt_at", "status", "next_attempt_at"),)


class NoticeSwitch(db.Model):
    """A person's choice for one kind of notice; no row means the notice is on."""

    __tablename__ = "notice_switches"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[NoticeKind] = mapped_column(enum_column(NoticeKind))
    enabled: Mapped[bool] = mapped_column(sa.Boolean, default=True, server_default=sa.true())
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (sa.UniqueConstraint("user_id", "kind"),)


class CalendarInvite(db.Model):
    """The calendar event one panelist has for one interview: its UID is stable, its
    SEQUENCE goes up with every change (RFC 5545 §3.8.7.4), so calendars apply the latest."""

    __tablename__ = "calendar_invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    interview_id: Mapped[int] = mapped_column(
        sa.ForeignKey("interviews.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    sequence: Mapped[int] = mapped_column(default=0)
    cancelled: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (sa.UniqueConstraint("interview_id", "user_id"),)


class CalendarFeed(db.Model):
    """A person's secret calendar feed address, known here only by its SHA-256 hash."""

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    prefix: Mapped[str] = mapped_column(sa.String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
