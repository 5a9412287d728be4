"""Second factor, password-reset links and site-wide security settings (issue 20)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from scorecard.extensions import db
from scorecard.models.base import utcnow


class RecoveryCode(db.Model):
    """A single-use recovery code for the second factor, known only by its SHA-256 hash."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None]


class PasswordResetToken(db.Model):
    """A password-reset link: stored as a hash, single-use, short-lived.

    `password_fingerprint` ties the link to the password it was issued for: once the
    password changes (by this link or otherwise) the link no longer opens.
    """

    __tablename__ = "password_reset_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    password_fingerprint: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class PasswordResetRequest(db.Model):
    """One 'forgot password' request, counted in the database (rate limit across workers)."""

    __tablename__ = "password_reset_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    email: Mapped[str] = mapped_column(sa.String(254), index=True)
    ip: Mapped[str] = mapped_column(sa.String(64), index=True)


class SiteSetting(db.Model):
    """A site-wide setting an admin changes at run time (key → short text value)."""

    __tablename__ = "site_settings"

    key: Mapped[str] = mapped_column(sa.String(60), primary_key=True)
    value: Mapped[str] = mapped_column(sa.String(200))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
