"""User accounts: creation, password rules, authentication with lock-out, administration."""

from datetime import timedelta
from functools import cache
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from werkzeug.security import check_password_hash, generate_password_hash

from scorecard.extensions import db
from scorecard.models import LoginFailure, Role, User, utcnow
from scorecard.models.user import new_session_token
from scorecard.services import audit
from scorecard.services.errors import DomainError

LOCKOUT_FAILURES = 5
LOCKOUT_WINDOW = timedelta(minutes=15)
PASSWORD_MIN = 12
PASSWORD_MAX = 128
COMMON_PASSWORDS_PATH = Path(__file__).resolve().parent.parent / "data" / "common-passwords.txt"


def normalise_email(email: str) -> str:
    """Lower-case and strip an e-mail address for lookups."""
    return (email or "").strip().lower()


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords, lower-cased (read once)."""
    lines = COMMON_PASSWORDS_PATH.read_text(encoding="utf-8").splitlines()
    return frozenset(
        line.strip().lower() for line in lines if line.strip() and not line.startswith("#")
    )


def password_problem(password: str, email: str | None = None) -> str | None:
    """Why a new password is refused (translated), or None when it is acceptable."""
    password = password or ""
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        return _(
            "A password needs %(min)d to %(max)d characters.", min=PASSWORD_MIN, max=PASSWORD_MAX
        )
    lowered = password.lower()
    if lowered in common_passwords() or len(set(lowered)) < 4:
        return _("This password is too common or too easy to guess: choose another.")
    email = normalise_email(email or "")
    if email and lowered in (email, email.split("@")[0]):
        return _("The password must not be your e-mail address.")
    return None


def check_new_password(password: str, email: str | None = None) -> None:
    """Raise DomainError('password', …) when the password breaks a rule."""
    problem = password_problem(password, email)
    if problem:
        raise DomainError("password", problem)


def _role(role: str | Role) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise DomainError(
            "role",
            _(
                "Unknown role %(role)s: use one of %(roles)s.",
                role=role,
                roles=", ".join(r.value for r in Role),
            ),
        ) from None


def create_user(
    email: str,
    password: str,
    role: str | Role,
    name: str | None = None,
    actor: User | None = None,
) -> User:
    """Create a user; raises DomainError on a bad role, e-mail, name or password."""
    email = normalise_email(email)
    role_value = _role(role)
    if "@" not in email or len(email) > 254 or email.startswith("@") or email.endswith("@"):
        raise DomainError("email", _("Enter a valid e-mail address."))
    if db.session.scalar(sa.select(User.id).where(User.email == email)) is not None:
        raise DomainError("email", _("A user with this e-mail already exists."))
    name = (name or "").strip() or email.split("@")[0]
    if len(name) > 120:
        raise DomainError("name", _("A name has at most 120 characters."))
    check_new_password(password, email)
    user = User(email=email, name=name, role=role_value)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record(
        "user.create",
        "user",
        user.id,
        actor=actor,
        after={"email": email, "name": name, "role": role_value.value},
    )
    return user


def is_locked(email: str, ip: str) -> bool:
    """True after 5 failures in 15 minutes for this account or this address."""
    since = utcnow() - LOCKOUT_WINDOW
    by_email = db.session.scalar(
        sa.select(sa.func.count(LoginFailure.id)).where(
            LoginFailure.email == email, LoginFailure.at >= since
        )
    )
    by_ip = db.session.scalar(
        sa.select(sa.func.count(LoginFailure.id)).where(
            LoginFailure.ip == ip, LoginFailure.at >= since
        )
    )
    return (by_email or 0) >= LOCKOUT_FAILURES or (by_ip or 0) >= LOCKOUT_FAILURES


@cache
def _dummy_hash(method: str) -> str:
    return generate_password_hash("not-a-real-password-0", method=method)


def authenticate(email: str, password: str, ip: str) -> tuple[User | None, bool]:
    """Return (user, locked). A wrong password or unknown user is recorded as a failure."""
    email = normalise_email(email)
    if is_locked(email, ip):
        audit.record("login.locked", "user", None, after={"email": email})
        return None, True
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        # Spend the same time as a real check, so timing does not tell who has an account.
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        check_password_hash(_dummy_hash(method), password or "")
    elif user.active and user.check_password(password):
        if user.has_two_factor:
            # Not signed in yet: the second factor (services.two_factor) finishes the login.
            audit.record("login.password_ok", "user", user.id, actor=user)
        else:
            finish_login(user, method="password")
        return user, False
    record_failure(email, ip, user)
    return None, False


def record_failure(email: str, ip: str, user: User | None, stage: str = "password") -> None:
    """Count a failed sign-in step (password or second factor) toward the lock-out."""
    db.session.add(LoginFailure(email=normalise_email(email), ip=ip))
    after = {"email": normalise_email(email)}
    if stage != "password":
        after["stage"] = stage
    audit.record("login.failure", "user", user.id if user else None, after=after)


def finish_login(user: User, method: str) -> None:
    """A sign-in that passed every step: stamp it and audit it."""
    user.last_login_at = utcnow()
    after = None if method == "password" else {"method": method}
    audit.record("login.success", "user", user.id, actor=user, after=after)


def change_own_password(user: User, current: str, new: str) -> None:
    """Change one's own password; every other session of the user dies with the old token."""
    if not user.check_password(current or ""):
        raise DomainError("current_password", _("The current password is not correct."))
    check_new_password(new, user.email)
    if user.check_password(new):
        raise DomainError("new_password", _("The new password must differ from the current one."))
    user.set_password(new)  # also rotates the session token
    audit.record("user.password_change", "user", user.id, actor=user)


def _active_admins_besides(user: User) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(User.id)).where(
            User.role == Role.ADMIN, User.active.is_(True), User.id != user.id
        )
    )


def change_role(user: User, role: str | Role, actor: User) -> None:
    """Give a user another global role; the last active admin cannot stop being one."""
    new_role = _role(role)
    if new_role == user.role:
        return
    if user.role == Role.ADMIN and user.active and _active_admins_besides(user) == 0:
        raise DomainError("role", _("At least one active admin must remain."))
    before = user.role.value
    user.role = new_role
    audit.record(
        "user.role_change",
        "user",
        user.id,
        actor=actor,
        before={"email": user.email, "role": before},
        after={"email": user.email, "role": new_role.value},
    )


def set_active(user: User, active: bool, actor: User) -> None:
    """Deactivate (signing the user out everywhere) or reactivate an account."""
    if user.active == active:
        return
    if not active and user.role == Role.ADMIN and _active_admins_besides(user) == 0:
        raise DomainError("active", _("At least one active admin must remain."))
    user.active = active
    if not active:
        user.session_token = new_session_token()  # every copied cookie dies now
    audit.record(
        "user.reactivate" if active else "user.deactivate",
        "user",
        user.id,
        actor=actor,
        before={"email": user.email, "active": not active},
        after={"email": user.email, "active": active},
    )


def reset_password(user: User, new: str, actor: User) -> None:
    """Set a user's password for them (signing them out everywhere)."""
    check_new_password(new, user.email)
    user.set_password(new)
    audit.record("user.password_reset", "user", user.id, actor=actor)


LANDING = {
    Role.INTERVIEWER: "main.my_interviews",
    Role.HR: "main.jobs",
    Role.MANAGER: "main.jobs",
    Role.ADMIN: "admin.users",
}


def landing_endpoint(user: User) -> str:
    """The endpoint each role lands on after signing in."""
    return LANDING[user.role]
