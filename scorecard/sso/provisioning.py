"""From an external profile to a Scorecard user: link, create just in time, bring the role
up to date, or refuse. Writes flush and audit; the view commits."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from scorecard.extensions import db
from scorecard.models import (
    ExternalIdentity,
    GroupRoleMapping,
    IdentitySource,
    Role,
    User,
    utcnow,
)
from scorecard.services import accounts, audit
from scorecard.services.errors import DomainError

# The strongest mapped role wins when someone is in several mapped groups.
ROLE_ORDER = (Role.ADMIN, Role.HR, Role.MANAGER, Role.INTERVIEWER)
PENDING_LINK_S = 10 * 60


@dataclass
class ExternalProfile:
    """What the provider or the directory vouches for about one person."""

    source: IdentitySource
    subject: str  # stable: iss + sub, or the directory entry's unique id
    email: str | None
    email_verified: bool
    name: str | None
    groups: list[str] = field(default_factory=list)
    dn: str | None = None


class SignInRefused(Exception):
    """The provider said who this is, but Scorecard does not let them in (translated)."""

    def __init__(self, reason: str, message: str, user: User | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.message = message
        self.user = user


@dataclass
class PendingLink:
    """A verified e-mail matched a local account: its password must be proved once."""

    user_id: int
    profile: ExternalProfile
    role: Role


def group_key(source: IdentitySource | str, name: str) -> str:
    """The form a group is matched in: a DN compared case- and space-insensitively."""
    name = (name or "").strip()
    if IdentitySource(source) == IdentitySource.LDAP:
        parts = [p.strip() for p in name.split(",")]
        return ",".join("=".join(s.strip() for s in p.split("=", 1)) for p in parts).lower()
    return name


def _keys(source: IdentitySource, groups: list[str]) -> set[str]:
    keys = set()
    for group in groups:
        key = group_key(source, group)
        if not key:
            continue
        keys.add(key)
        if source == IdentitySource.LDAP and "=" in key:
            keys.add(key.split(",", 1)[0].split("=", 1)[1])  # the group's cn alone
    return keys


def mapped_role(source: IdentitySource, groups: list[str]) -> Role | None:
    """The strongest role mapped to any of the groups, or None (not let in)."""
    keys = _keys(source, groups)
    if not keys:
        return None
    roles = set(
        db.session.scalars(
            sa.select(GroupRoleMapping.role).where(
                GroupRoleMapping.source == source, GroupRoleMapping.group_key.in_(keys)
            )
        )
    )
    return next((r for r in ROLE_ORDER if r in roles), None)


def add_mapping(source: str, group: str, role: str, actor: User) -> GroupRoleMapping:
    """Map a group to a role; raises DomainError on a bad source, group or role."""
    try:
        src = IdentitySource(source)
    except ValueError:
        raise DomainError("source", _("Choose where the group comes from.")) from None
    try:
        role_value = Role(role)
    except ValueError:
        raise DomainError("role", _("Choose one of the four roles.")) from None
    group = (group or "").strip()
    if not group or len(group) > 512:
        raise DomainError("group", _("Enter a group name or DN of at most 512 characters."))
    key = group_key(src, group)
    exists = db.session.scalar(
        sa.select(GroupRoleMapping.id).where(
            GroupRoleMapping.source == src, GroupRoleMapping.group_key == key
        )
    )
    if exists is not None:
        raise DomainError("group", _("This group is already mapped: delete it first."))
    mapping = GroupRoleMapping(
        source=src, group_name=group, group_key=key, role=role_value, created_by_id=actor.id
    )
    db.session.add(mapping)
    db.session.flush()
    audit.record(
        "group_mapping.create",
        "group_mapping",
        mapping.id,
        actor=actor,
        after={"source": src.value, "group": group, "role": role_value.value},
    )
    return mapping


def delete_mapping(mapping: GroupRoleMapping, actor: User) -> None:
    """Remove a mapping (its members lose the role at their next sign-in or re-check)."""
    audit.record(
        "group_mapping.delete",
        "group_mapping",
        mapping.id,
        actor=actor,
        before={
            "source": mapping.source.value,
            "group": mapping.group_name,
            "role": mapping.role.value,
        },
    )
    db.session.delete(mapping)


def local_sign_in_allowed(user: User) -> bool:
    """Local passwords are on, or this is one of the break-glass admins."""
    cfg = current_app.config
    if str(cfg.get("LOCAL_SIGN_IN", "on")).lower() != "off":
        return True
    return user.role == Role.ADMIN and user.email.lower() in cfg.get("BREAK_GLASS_ADMINS", [])


def local_sign_in_open() -> bool:
    """Whether local password sign-in is on for everyone."""
    return str(current_app.config.get("LOCAL_SIGN_IN", "on")).lower() != "off"


def _refuse(profile: ExternalProfile, reason: str, message: str, user: User | None = None):
    audit.record(
        "login.refused",
        "user",
        user.id if user else None,
        after={"source": profile.source.value, "reason": reason, "email": profile.email},
    )
    return SignInRefused(reason, message, user)


def _no_access_message() -> str:
    return _(
        "Your company account has no Scorecard role: ask an administrator to map one of "
        "your groups to a role."
    )


def sync_role(user: User, role: Role, source: IdentitySource) -> None:
    """Give the user the role their groups map to (audited; the last admin stays admin)."""
    if user.role == role:
        return
    try:
        accounts.change_role(user, role, actor=None)
    except DomainError:
        current_app.logger.warning(
            "company sign-in: %s keeps role admin (the last active admin) although %s maps %s",
            user.email,
            source.value,
            role.value,
        )


def _find_identity(profile: ExternalProfile) -> ExternalIdentity | None:
    return db.session.scalar(
        sa.select(ExternalIdentity).where(
            ExternalIdentity.source == profile.source,
            ExternalIdentity.subject == profile.subject,
        )
    )


def _touch(identity: ExternalIdentity, profile: ExternalProfile) -> None:
    now = utcnow()
    identity.email = profile.email
    identity.dn = profile.dn
    identity.last_login_at = now
    identity.user.last_login_at = now


def _succeed(user: User, profile: ExternalProfile, how: str) -> User:
    audit.record(
        "login.success",
        "user",
        user.id,
        actor=user,
        after={"source": profile.source.value, "how": how, "role": user.role.value},
    )
    return user


def sign_in(
    profile: ExternalProfile, allowed_domains: list[str] | None = None
) -> User | PendingLink:
    """The user this profile signs in as, or a PendingLink; raises SignInRefused."""
    email = accounts.normalise_email(profile.email or "")
    profile.email = email or None
    if allowed_domains and email.rpartition("@")[2] not in allowed_domains:
        raise _refuse(profile, "domain", _("Your e-mail domain may not sign in to Scorecard."))
    identity = _find_identity(profile)
    role = mapped_role(profile.source, profile.groups)
    if role is None:
        raise _refuse(
            profile, "no_group", _no_access_message(), identity.user if identity else None
        )
    if identity is not None:
        user = identity.user
        if not user.active:
            raise _refuse(profile, "inactive", _("This Scorecard account is deactivated."), user)
        sync_role(user, role, profile.source)
        _touch(identity, profile)
        return _succeed(user, profile, "identity")
    if not email or "@" not in email or not profile.email_verified:
        raise _refuse(
            profile,
            "unverified_email",
            _(
                "Your provider did not confirm your e-mail address, so Scorecard cannot "
                "sign you in."
            ),
        )
    existing = db.session.scalar(sa.select(User).where(User.email == email))
    if existing is not None:
        if not existing.active:
            raise _refuse(
                profile, "inactive", _("This Scorecard account is deactivated."), existing
            )
        return PendingLink(user_id=existing.id, profile=profile, role=role)
    user = User(email=email, name=_name(profile, email), role=role, password_hash="")
    db.session.add(user)
    db.session.flush()
    audit.record(
        "user.create",
        "user",
        user.id,
        after={
            "email": email,
            "name": user.name,
            "role": role.value,
            "source": profile.source.value,
            "how": "just_in_time",
        },
    )
    identity = ExternalIdentity(user=user, source=profile.source, subject=profile.subject)
    db.session.add(identity)
    _touch(identity, profile)
    db.session.flush()
    return _succeed(user, profile, "just_in_time")


def _name(profile: ExternalProfile, email: str) -> str:
    name = (profile.name or "").strip() or email.split("@")[0]
    return name[:120]


def link(
    user: User, profile: ExternalProfile, role: Role, actor: User | None = None
) -> ExternalIdentity:
    """Link an external identity to an existing user (after a proved password, or by an admin)."""
    if _find_identity(profile) is not None:
        raise DomainError("identity", _("This company account is already linked to a user."))
    identity = ExternalIdentity(user=user, source=profile.source, subject=profile.subject)
    db.session.add(identity)
    _touch(identity, profile)
    db.session.flush()
    audit.record(
        "identity.link",
        "user",
        user.id,
        actor=actor or user,
        after={
            "source": profile.source.value,
            "subject": profile.subject,
            "email": profile.email,
            "how": "admin" if actor is not None else "password",
        },
    )
    sync_role(user, role, profile.source)
    return identity


def unlink(identity: ExternalIdentity, actor: User) -> None:
    """Remove a link; the person then signs in as a new account or through linking again."""
    audit.record(
        "identity.unlink",
        "user",
        identity.user_id,
        actor=actor,
        before={
            "source": identity.source.value,
            "subject": identity.subject,
            "email": identity.email,
        },
    )
    db.session.delete(identity)


# --- the pending link, kept in the session between the provider's answer and the password --


def pending_to_session(pending: PendingLink) -> dict:
    p = pending.profile
    return {
        "user_id": pending.user_id,
        "role": pending.role.value,
        "source": p.source.value,
        "subject": p.subject,
        "email": p.email,
        "name": p.name,
        "dn": p.dn,
        "at": int(time.time()),
    }


def pending_from_session(data: dict | None) -> PendingLink | None:
    if not data or int(time.time()) - int(data.get("at", 0)) > PENDING_LINK_S:
        return None
    profile = ExternalProfile(
        source=IdentitySource(data["source"]),
        subject=data["subject"],
        email=data["email"],
        email_verified=True,
        name=data.get("name"),
        dn=data.get("dn"),
    )
    return PendingLink(user_id=int(data["user_id"]), profile=profile, role=Role(data["role"]))
