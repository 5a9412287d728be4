"""Company sign-in: external identities linked to users, and directory groups mapped to roles."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scorecard.extensions import db
from scorecard.models.base import Role, enum_column, utcnow
from scorecard.models.user import User


class IdentitySource(enum.StrEnum):
    """Where an external identity or a group comes from."""

    OIDC = "oidc"
    LDAP = "ldap"


class ExternalIdentity(db.Model):
    """A user's account at the identity provider or in the directory.

    The subject never changes for one person: ``iss`` + ``sub`` for OpenID Connect, the
    directory entry's unique id (``entryUUID``, AD's ``objectGUID``) for LDAP. An e-mail that
    changes at the provider therefore finds the same user, never a second account.
    """

    __tablename__ = "external_identities"
    __table_args__ = (sa.UniqueConstraint("source", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    source: Mapped[IdentitySource] = mapped_column(enum_column(IdentitySource, 10))
    subject: Mapped[str] = mapped_column(sa.String(512))
    email: Mapped[str | None] = mapped_column(sa.String(254))  # as the provider last said
    dn: Mapped[str | None] = mapped_column(sa.String(1024))  # LDAP: the entry's last DN
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class GroupRoleMapping(db.Model):
    """Members of `group` (at the provider or in the directory) get `role` in Scorecard."""

    __tablename__ = "group_role_mappings"
    __table_args__ = (sa.UniqueConstraint("source", "group_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[IdentitySource] = mapped_column(enum_column(IdentitySource, 10))
    group_name: Mapped[str] = mapped_column(sa.String(512))  # as the admin typed it
    group_key: Mapped[str] = mapped_column(sa.String(512))  # normalised, for matching
    role: Mapped[Role] = mapped_column(enum_column(Role))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
