"""Personal API tokens: a user's own keys to the JSON API, stored only as a hash."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scorecard.extensions import db
from scorecard.models.base import utcnow
from scorecard.models.user import User


class ApiToken(db.Model):
    """One personal token: shown once at creation, then known only by its SHA-256 hash.

    A token acts with its owner's current permissions (nothing is copied into it), so a
    change of role or job membership applies at once; revoking keeps the row for the record.
    """

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)  # sha256 hex
    prefix: Mapped[str] = mapped_column(sa.String(16))  # shown in the list to tell tokens apart
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    # The creating form's one-time key: sending the same form again (a reload) creates nothing.
    creation_key: Mapped[str | None] = mapped_column(sa.String(64), unique=True)

    user: Mapped[User] = relationship()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
