"""User accounts: creation, authentication with lock-out, role landing pages."""

from datetime import timedelta

import sqlalchemy as sa

from scorecard.extensions import db
from scorecard.models import LoginFailure, Role, User, utcnow
from scorecard.services import audit
from scorecard.services.errors import DomainError

LOCKOUT_FAILURES = 5
LOCKOUT_WINDOW = timedelta(minutes=15)


def normalise_email(email: str) -> str:
    """Lower-case and strip an e-mail address for lookups."""
    return (email or "").strip().lower()


def create_user(email: str, password: str, role: str, name: str | None = None) -> User:
    """Create a user; raises DomainError on a bad role, e-mail or password."""
    from flask_babel import gettext as _

    email = normalise_email(email)
    try:
        role_value = Role(role)
    except ValueError:
        raise DomainError(
            "role",
            _(
                "Unknown role %(role)s: use one of %(roles)s.",
                role=role,
                roles=", ".join(r.value for r in Role),
            ),
        ) from None
    if "@" not in email or len(email) > 254:
        raise DomainError("email", _("Enter a valid e-mail address."))
    if db.session.scalar(sa.select(User.id).where(User.email == email)) is not None:
        raise DomainError("email", _("A user with this e-mail already exists."))
    if not 12 <= len(password) <= 128:
        raise DomainError("password", _("A password needs 12 to 128 characters."))
    user = User(email=email, name=name or email.split("@")[0], role=role_value)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record("user.create", "user", user.id, after={"email": email, "role": role_value.value})
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


def authenticate(email: str, password: str, ip: str) -> tuple[User | None, bool]:
    """Return (user, locked). A wrong password or unknown user is recorded as a failure."""
    email = normalise_email(email)
    if is_locked(email, ip):
        audit.record("login.locked", "user", None, after={"email": email})
        return None, True
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is not None and user.active and user.check_password(password):
        user.last_login_at = utcnow()
        audit.record("login.success", "user", user.id, actor=user)
        return user, False
    db.session.add(LoginFailure(email=email, ip=ip))
    audit.record("login.failure", "user", user.id if user else None, after={"email": email})
    return None, False


LANDING = {
    Role.INTERVIEWER: "main.my_interviews",
    Role.HR: "main.jobs",
    Role.MANAGER: "main.jobs",
    Role.ADMIN: "admin.users",
}


def landing_endpoint(user: User) -> str:
    """The endpoint each role lands on after signing in."""
    return LANDING[user.role]
