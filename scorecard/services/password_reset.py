"""Password reset by e-mail: a single-use link valid for 30 minutes, stored as a hash.

The link dies when used, when the password changes by any means (it carries a fingerprint
of the password hash it was issued for), and when a newer link is sent. Requests are
counted in the database, so the limits hold across workers; whatever happens the visitor
gets the same answer, so the form never tells who has an account.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from scorecard.extensions import db
from scorecard.models import PasswordResetRequest, PasswordResetToken, User, utcnow
from scorecard.services import accounts, audit
from scorecard.services.errors import DomainError
from scorecard.services.mailer import send_mail

LINK_LIFETIME = timedelta(minutes=30)
LIMIT_WINDOW = timedelta(minutes=15)
LIMIT_PER_ACCOUNT = 3  # links sent per address in the window
# Every answer to the form takes at least this long, so its timing does not tell whether a
# link was made (known address) or not: the real work stays well under it.
ANSWER_FLOOR_S = 0.2
LIMIT_PER_ADDRESS = 20  # requests from one IP address (an office behind NAT) in the window
log = logging.getLogger(__name__)


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def fingerprint(user: User) -> str:
    """Changes whenever the password changes."""
    return _sha256(user.password_hash)


@dataclass(frozen=True)
class Mail:
    """A message to send after the request's transaction commits."""

    to: str
    subject: str
    body: str


def too_many_from(ip: str) -> bool:
    """True when this address asked for more links than the limit in the window."""
    since = utcnow() - LIMIT_WINDOW
    count = db.session.scalar(
        sa.select(sa.func.count(PasswordResetRequest.id)).where(
            PasswordResetRequest.ip == ip, PasswordResetRequest.at >= since
        )
    )
    return (count or 0) >= LIMIT_PER_ADDRESS


def request_link(email: str, ip: str) -> Mail | None:
    """Record a request; for an active account within the limit, make a link to mail."""
    email = accounts.normalise_email(email)[:254]
    since = utcnow() - LIMIT_WINDOW
    earlier = db.session.scalar(
        sa.select(sa.func.count(PasswordResetRequest.id)).where(
            PasswordResetRequest.email == email, PasswordResetRequest.at >= since
        )
    )
    db.session.add(PasswordResetRequest(email=email, ip=ip[:64]))
    raw = secrets.token_urlsafe(32)
    token_hash = _sha256(raw)  # computed for unknown addresses too: the same work either way
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None or not user.active or (earlier or 0) >= LIMIT_PER_ACCOUNT:
        db.session.flush()
        return None
    now = utcnow()
    # A newer link replaces every older one.
    db.session.execute(
        sa.update(PasswordResetToken)
        .where(PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.add(
        PasswordResetToken(
            user_id=user.id,
            token_hash=token_hash,
            password_fingerprint=fingerprint(user),
            created_at=now,
            expires_at=now + LINK_LIFETIME,
        )
    )
    audit.record("user.password_reset_link", "user", user.id, after={"email": email})
    db.session.flush()
    link = current_app.config["PUBLIC_URL"].rstrip("/") + url_for("auth.reset_password", token=raw)
    with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        subject = _("Reset your Scorecard password")
        body = _(
            "Someone (probably you) asked to reset the password of %(email)s.\n\n"
            "Open this link within 30 minutes to choose a new password. It works once:\n"
            "%(link)s\n\n"
            "If you did not ask for this, ignore this message: your password stays as it is.",
            email=user.email,
            link=link,
        )
    return Mail(to=user.email, subject=subject, body=body)


def wait_out(started: float) -> None:
    """Sleep until ANSWER_FLOOR_S after `started` (a time.monotonic() value)."""
    remaining = ANSWER_FLOOR_S - (time.monotonic() - started)
    if remaining > 0:
        time.sleep(remaining)


def send_later(mail: Mail | None) -> None:
    """Send in the background, so the answer takes as long whether or not a mail goes out."""
    if mail is None:
        return
    app = current_app._get_current_object()

    def run() -> None:
        with app.app_context():
            try:
                send_mail(mail.to, mail.subject, mail.body)
            except Exception:  # noqa: BLE001 - a mail failure must not reach the visitor
                log.exception("password-reset mail to %s failed", mail.to)

    threading.Thread(target=run, name="reset-mail", daemon=True).start()


def valid_token(raw: str) -> PasswordResetToken | None:
    """The link's token while it may still be used, else None."""
    if not raw or len(raw) > 100:
        return None
    token = db.session.scalar(
        sa.select(PasswordResetToken).where(PasswordResetToken.token_hash == _sha256(raw))
    )
    if token is None or token.used_at is not None or token.expires_at <= utcnow():
        return None
    user = db.session.get(User, token.user_id)
    if user is None or not user.active or token.password_fingerprint != fingerprint(user):
        return None
    return token


def invalid_link_message() -> str:
    return _(
        "This link is not valid any more: it was used, replaced or expired. Ask for a new one."
    )


def complete(raw: str, new_password: str) -> User:
    """Set the new password through a link; the link dies and every session is signed out."""
    token = valid_token(raw)
    if token is None:
        raise DomainError(None, invalid_link_message())
    user = db.session.get(User, token.user_id)
    accounts.check_new_password(new_password, user.email)
    used = db.session.execute(
        sa.update(PasswordResetToken)
        .where(PasswordResetToken.id == token.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if used.rowcount != 1:  # another request used it a moment ago
        raise DomainError(None, invalid_link_message())
    user.set_password(new_password)  # a new session token: every other session dies (R8)
    audit.record("user.password_reset_by_link", "user", user.id, actor=user)
    return user
