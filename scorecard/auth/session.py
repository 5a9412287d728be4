"""Flask-Login wiring: alternative ids (revocable sessions) and idle/absolute limits."""

import time

import sqlalchemy as sa
from flask import Flask, flash, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user

from scorecard.extensions import db, login_manager
from scorecard.models import SiteSetting, User
from scorecard.services import site_settings

# The user and the two-factor policy that every signed-in request checks, in one query.
_USER_AND_POLICY = (
    sa.select(User, SiteSetting.value)
    .outerjoin(SiteSetting, SiteSetting.key == site_settings.TWO_FACTOR_POLICY.key)
    .where(User.id == sa.bindparam("user_id"))
)

AUTH_METHOD = "auth_method"  # session key: how this session signed in ("password", ...)
# What a user who must still enrol in two-factor sign-in may reach: enrolment itself, signing
# out, the language switch and static files.
ENROLMENT_ENDPOINTS = frozenset(
    {"auth.two_factor_setup", "auth.logout", "auth.set_language", "static"}
)
IDLE_LIMIT_S = 30 * 60
ABSOLUTE_LIMIT_S = 12 * 60 * 60


@login_manager.user_loader
def load_user(alt_id: str) -> User | None:
    """Find the user only while the cookie's token still matches theirs."""
    user_id, _, token = alt_id.partition(":")
    if not user_id.isdecimal() or not token:
        return None
    row = db.session.execute(_USER_AND_POLICY, {"user_id": int(user_id)}).first()
    if row is None:
        return None
    user, policy = row
    site_settings.remember(site_settings.TWO_FACTOR_POLICY, policy)
    if user is None or not user.active or user.session_token != token:
        return None
    return user


def start_session() -> None:
    """Stamp a fresh login for the idle and absolute limits."""
    now = int(time.time())
    session["login_at"] = now
    session["seen_at"] = now


def enforce_session_limits() -> None:
    """Log out a session idle for 30 minutes or older than 12 hours."""
    if not current_user.is_authenticated:
        return
    now = int(time.time())
    login_at = session.get("login_at", 0)
    seen_at = session.get("seen_at", 0)
    if now - seen_at > IDLE_LIMIT_S or now - login_at > ABSOLUTE_LIMIT_S:
        logout_user()
        session.clear()
        return
    if now - seen_at > 30:  # avoid rewriting the cookie on every request
        session["seen_at"] = now


def enforce_two_factor_enrolment():
    """Send a password-signed-in user the policy requires to enrol there, before anything else.

    Sessions from company sign-in set another AUTH_METHOD: their provider's policy applies.
    """
    from scorecard.services import two_factor

    if not current_user.is_authenticated or request.endpoint in ENROLMENT_ENDPOINTS:
        return None
    if request.blueprint == "api":  # bearer tokens only: the session plays no part there
        return None
    if session.get(AUTH_METHOD, "password") != "password":
        return None
    if not two_factor.must_enrol(current_user):
        return None
    flash(_l("Your role needs two-factor sign-in: set it up to continue."), "info")
    return redirect(url_for("auth.two_factor_setup"))


def init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    app.before_request(enforce_session_limits)
    app.before_request(enforce_two_factor_enrolment)
