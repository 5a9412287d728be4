"""Two-factor sign-in: TOTP (RFC 6238) codes, single-use recovery codes, the policy.

A code is accepted once: accepting it moves the user's `totp_last_step` forward with an
UPDATE that only succeeds for a later time step, so a replay — on this worker or another
one — finds no row to update. Wrong codes are login failures in the database and count
toward the same lock-out as wrong passwords (accounts.is_locked, reliability.md R7).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

import pyotp
import segno
import sqlalchemy as sa
from flask_babel import gettext as _

from scorecard.extensions import db
from scorecard.models import RecoveryCode, Role, User, utcnow
from scorecard.models.user import new_session_token
from scorecard.services import accounts, audit, site_settings
from scorecard.services.errors import DomainError

ISSUER = "Scorecard"
STEP_S = 30
VALID_WINDOW = 1  # the step before and after too: clocks drift and people type slowly
RECOVERY_CODES = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i look-alikes
RECOVERY_GROUPS = 3
RECOVERY_GROUP_LEN = 4


def required_for(user: User) -> bool:
    """Whether the policy makes this user sign in with a second factor."""
    policy = site_settings.get(site_settings.TWO_FACTOR_POLICY)
    return policy == "everyone" or (policy == "admins" and user.role == Role.ADMIN)


def must_enrol(user: User) -> bool:
    """True while the policy requires a second factor this user has not set up."""
    return not user.has_two_factor and required_for(user)


# --- enrolment ------------------------------------------------------------------------------


def pending_secret(user: User) -> str:
    """The secret being enrolled; made on first use and kept until confirmed (reloads)."""
    if user.has_two_factor:
        raise DomainError(None, _("Two-factor sign-in is already on."))
    if not user.totp_secret:
        user.totp_secret = pyotp.random_base32()
        db.session.flush()
    return user.totp_secret


def provisioning_uri(user: User, secret: str) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_data_uri(uri: str) -> str:
    """The QR code as an SVG data: URI, drawn here (no external service sees the secret)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def confirm_enrolment(user: User, code: str) -> list[str]:
    """Turn two-factor on when the first code is right; returns the recovery codes."""
    if user.has_two_factor:
        raise DomainError(None, _("Two-factor sign-in is already on."))
    if not user.totp_secret or not accept_code(user, code):
        raise DomainError(
            "code", _("That code is not right. Enter the 6 digits your app shows now.")
        )
    user.totp_enabled_at = utcnow()
    codes = _new_recovery_codes(user)
    audit.record("user.two_factor_enable", "user", user.id, actor=user)
    return codes


# --- codes ----------------------------------------------------------------------------------


def _digits(code: str) -> str | None:
    code = "".join((code or "").split())
    if len(code) != 6 or not code.isascii() or not code.isdecimal():
        return None
    return code


def accept_code(user: User, code: str, now: float | None = None) -> bool:
    """True once for a right code: its time step is stored, so it never works again."""
    code = _digits(code)
    if code is None or not user.totp_secret:
        return False
    totp = pyotp.TOTP(user.totp_secret)
    current = int((time.time() if now is None else now) // STEP_S)
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if hmac.compare_digest(totp.at(step * STEP_S), code):
            result = db.session.execute(
                sa.update(User)
                .where(
                    User.id == user.id,
                    sa.or_(User.totp_last_step.is_(None), User.totp_last_step < step),
                )
                .values(totp_last_step=step)
                .execution_options(synchronize_session=False)
            )
            db.session.expire(user, ["totp_last_step"])
            return result.rowcount == 1
    return False


def _hash(code: str) -> str:
    normalised = "".join(ch for ch in (code or "").lower() if ch.isalnum())
    return hashlib.sha256(normalised.encode()).hexdigest()


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [
        "-".join(
            "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_GROUP_LEN))
            for _ in range(RECOVERY_GROUPS)
        )
        for _ in range(RECOVERY_CODES)
    ]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash(c)) for c in codes)
    db.session.flush()
    return codes


def use_recovery_code(user: User, code: str) -> bool:
    """True once for each unused recovery code of this user."""
    if not code or len(code) > 40:
        return False
    result = db.session.execute(
        sa.update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _hash(code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def recovery_codes_left(user: User) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(RecoveryCode.id)).where(
            RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
        )
    )


def regenerate_recovery_codes(user: User, code: str) -> list[str]:
    """New recovery codes (the old ones stop working), confirmed by a current code."""
    if not user.has_two_factor:
        raise DomainError(None, _("Two-factor sign-in is not on."))
    if not accept_code(user, code):
        raise DomainError(
            "code", _("That code is not right. Enter the 6 digits your app shows now.")
        )
    codes = _new_recovery_codes(user)
    audit.record("user.recovery_codes_regenerate", "user", user.id, actor=user)
    return codes


# --- sign-in --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """The result of a second-factor step at sign-in."""

    ok: bool
    locked: bool = False
    recovery_used: bool = False


def verify_sign_in(user: User, code: str, ip: str) -> Outcome:
    """Check a sign-in's second factor (a TOTP or a recovery code), counting failures."""
    if accounts.is_locked(user.email, ip):
        audit.record("login.locked", "user", None, after={"email": user.email})
        return Outcome(ok=False, locked=True)
    code = (code or "").strip()
    if accept_code(user, code):
        accounts.finish_login(user, method="totp")
        return Outcome(ok=True)
    if _digits(code) is None and use_recovery_code(user, code):
        accounts.finish_login(user, method="recovery_code")
        return Outcome(ok=True, recovery_used=True)
    accounts.record_failure(user.email, ip, user, stage="second_factor")
    return Outcome(ok=False)


# --- administration -------------------------------------------------------------------------


def reset(user: User, actor: User) -> None:
    """Remove a user's second factor (they enrol again) and sign them out everywhere."""
    had = user.has_two_factor
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    user.session_token = new_session_token()
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    audit.record(
        "user.two_factor_reset",
        "user",
        user.id,
        actor=actor,
        before={"email": user.email, "two_factor": had},
        after={"email": user.email, "two_factor": False},
    )
