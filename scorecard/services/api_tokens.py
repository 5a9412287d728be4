"""Personal API tokens: create (shown once), revoke, and authenticate a bearer token.

A token is 32 random bytes (256 bits) in URL-safe base64 behind the prefix ``sc_``. Only its
SHA-256 hash is stored: with that much entropy a fast hash is enough (nothing to brute-force),
and a database dump reveals no usable token. The token carries no permissions of its own;
every API request acts as its owner with the owner's current role and job membership.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from scorecard.extensions import db
from scorecard.models import ApiToken, User, utcnow
from scorecard.services import audit
from scorecard.services.errors import DomainError

TOKEN_PREFIX = "sc_"
NAME_MAX = 100
ACTIVE_MAX = 20  # active tokens per user: enough for every script, bounded for the list
# last_used_at is written at most this often per token: a busy script must not turn every
# read into a write.
TOUCH_EVERY = timedelta(seconds=60)
KEY_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def ALREADY_SENT() -> str:  # noqa: N802 - a message, translated when shown
    return _(
        "This form was already sent: the token was created and shown once. If you did not "
        "copy it, revoke it and create a new one."
    )


def new_creation_key() -> str:
    """A one-time key for a token form."""
    return secrets.token_urlsafe(24)


def hash_token(raw: str) -> str:
    """The stored form of a token: SHA-256, hex."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def list_tokens(user: User) -> list[ApiToken]:
    """The user's tokens, active first, newest first."""
    return list(
        db.session.scalars(
            sa.select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(), ApiToken.id)
        )
    )


def create_token(user: User, name: object, creation_key: object = None) -> tuple[ApiToken, str]:
    """A new token for `user`: returns the row and the plain token (shown once, never stored).

    `creation_key`, the creating form's one-time key, makes sending that form again (a
    reload, a double click) create nothing: a DomainError says the token already exists.
    A racing duplicate fails on the unique key at flush (IntegrityError, for the caller).
    """
    if creation_key is not None:
        if not isinstance(creation_key, str) or not KEY_RE.match(creation_key):
            raise DomainError(None, _("The form is out of date: reload the page and try again."))
        if db.session.scalar(sa.select(ApiToken.id).where(ApiToken.creation_key == creation_key)):
            raise DomainError(None, ALREADY_SENT())
    label = name.strip() if isinstance(name, str) else ""
    if not label:
        raise DomainError("name", _("Give the token a name, e.g. the script that will use it."))
    if len(label) > NAME_MAX:
        raise DomainError(
            "name", _("The name is too long: at most %(max)d characters.", max=NAME_MAX)
        )
    if any(ord(ch) < 32 for ch in label):
        raise DomainError("name", _("The name contains a character that cannot be stored."))
    active = db.session.scalar(
        sa.select(sa.func.count(ApiToken.id)).where(
            ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)
        )
    )
    if active >= ACTIVE_MAX:
        raise DomainError(
            "name",
            _(
                "You already have %(max)d active tokens: revoke one you no longer use first.",
                max=ACTIVE_MAX,
            ),
        )
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=label,
        token_hash=hash_token(raw),
        prefix=raw[: len(TOKEN_PREFIX) + 4],
        creation_key=creation_key,
    )
    db.session.add(token)
    db.session.flush()
    audit.record(
        "api_token.create",
        "api_token",
        token.id,
        actor=user,
        after={"name": label, "prefix": token.prefix},
    )
    return token, raw


def revoke_token(user: User, token_id: object) -> ApiToken:
    """Revoke one of the user's own tokens; another user's (or no) token is a DomainError."""
    token = None
    if isinstance(token_id, int) and not isinstance(token_id, bool):
        token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise DomainError(None, _("This token does not exist or is not yours."))
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.flush()
        audit.record(
            "api_token.revoke",
            "api_token",
            token.id,
            actor=user,
            before={"name": token.name, "prefix": token.prefix},
        )
    return token


@dataclass(frozen=True)
class TokenMatch:
    """An active token found by its hash, and whether its last-used stamp is due."""

    token_id: int
    user_id: int
    stamp_due: bool


def find(raw: str, now: datetime | None = None) -> TokenMatch | None:
    """The active token `raw` names, or None (reads only)."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    row = db.session.execute(
        sa.select(ApiToken.id, ApiToken.user_id, ApiToken.last_used_at).where(
            ApiToken.token_hash == hash_token(raw), ApiToken.revoked_at.is_(None)
        )
    ).first()
    if row is None:
        return None
    token_id, user_id, last_used = row
    now = now or utcnow()
    return TokenMatch(token_id, user_id, last_used is None or now - last_used >= TOUCH_EVERY)


def stamp(match: TokenMatch, now: datetime | None = None) -> None:
    """Record when the token was last used (the caller commits: a request writes it in a short
    transaction of its own before reading anything else)."""
    db.session.execute(
        sa.update(ApiToken)
        .where(ApiToken.id == match.token_id)
        .values(last_used_at=now or utcnow())
    )


def owner(match: TokenMatch) -> User | None:
    """The token's user while active, else None."""
    user = db.session.get(User, match.user_id)
    if user is None or not user.active:
        return None
    return user
