"""Every request of a signed-in browser: local passwords refused when switched off, directory
sessions re-checked when due; the provider's sign-out link; the sign-in page's options."""

from __future__ import annotations

import time

import requests
from authlib.integrations.base_client import OAuthError
from flask import current_app, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user, user_logged_out

from scorecard.database import end_read_phase
from scorecard.extensions import db
from scorecard.models import ExternalIdentity, IdentitySource, User
from scorecard.models.user import new_session_token
from scorecard.services import accounts, audit
from scorecard.sso import directory, oidc, provisioning
from scorecard.sso.forms import DirectoryLoginForm

from .common import PROVIDER_LOGOUT, SSO, _login_page, bp, provider_label


@bp.before_app_request
def guard_sessions():
    """Refuse local passwords when switched off; re-check directory sessions when due."""
    if request.endpoint == "auth.login" and request.method == "POST":
        return _refuse_local_password()
    if not current_user.is_authenticated or request.blueprint == "api":
        return None
    state = session.get(SSO)
    if not isinstance(state, dict):
        if not provisioning.local_sign_in_allowed(current_user):
            logout_user()
            session.clear()
            flash(_("Password sign-in is turned off: sign in with your company account."), "info")
            return redirect(url_for("auth.login"))
        return None
    if state.get("src") != IdentitySource.LDAP.value:
        return None
    interval = int(current_app.config.get("DIRECTORY_RECHECK_S", 900))
    if int(time.time()) - int(state.get("chk", 0)) < interval:
        return None
    return _recheck_directory(state)


def _refuse_local_password():
    if provisioning.local_sign_in_open():
        return None
    email = accounts.normalise_email(request.form.get("email", ""))
    if email in current_app.config.get("BREAK_GLASS_ADMINS", []):
        return None  # the password check, the lock-out and the admin-role check still apply
    flash(_("Password sign-in is turned off: sign in with your company account."), "error")
    return _login_page(403)


def _recheck_directory(state: dict):
    end_read_phase()  # it may write: its transaction takes SQLite's write lock from the start
    identity = db.session.get(ExternalIdentity, state.get("iid") or 0)
    user = current_user._get_current_object()
    if identity is None or identity.user_id != user.id:
        return _end_all_sessions(user, "identity_gone")
    try:
        profile = directory.Directory().lookup(identity.subject, identity.dn)
    except directory.DirectoryUnavailable as exc:
        # Keep the session and ask again at the next request: an outage is not a leaver.
        current_app.logger.warning("directory re-check of %s postponed: %s", user.email, exc)
        return None
    if profile is None:
        return _end_all_sessions(user, "disabled_or_removed")
    role = provisioning.mapped_role(IdentitySource.LDAP, profile.groups)
    if role is None:
        return _end_all_sessions(user, "no_group")
    provisioning.sync_role(user, role, IdentitySource.LDAP)
    identity.dn = profile.dn
    db.session.commit()
    session[SSO] = {**state, "chk": int(time.time())}
    return None


def _end_all_sessions(user: User, reason: str):
    user.session_token = new_session_token()  # every copy of every session of theirs dies
    audit.record(
        "session.ended_by_directory", "user", user.id, after={"reason": reason, "source": "ldap"}
    )
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("The company directory no longer lets you in: you were signed out."), "error")
    return redirect(url_for("auth.login"))


@user_logged_out.connect
def _remember_provider_logout(_app, user=None, **_kw):
    """Signing out of an OIDC session offers the provider's end-session endpoint."""
    state = session.get(SSO)
    if not isinstance(state, dict) or state.get("src") != "oidc" or not oidc.enabled():
        return
    try:
        url = (
            oidc.client()
            .create_logout_url(
                post_logout_redirect_uri=url_for("auth.login", _external=True),
                id_token_hint=state.get("idt") or None,
                client_id=current_app.config["OIDC_CLIENT_ID"],
            )
            .get("url")
        )
    except (requests.RequestException, RuntimeError, OAuthError, ValueError) as exc:
        current_app.logger.info("no end-session endpoint offered: %s", exc)
        return
    g.provider_logout_url = url


@bp.after_app_request
def _keep_provider_logout(response):
    url = g.pop("provider_logout_url", None)
    if url:
        session[PROVIDER_LOGOUT] = url  # the view cleared the session; the login page shows it
    return response


@bp.app_context_processor
def login_options():
    """What the sign-in page offers: buttons, the directory form, the local form."""

    def options():
        return {
            "oidc": oidc.enabled(),
            "oidc_label": provider_label("oidc"),
            "ldap": directory.enabled(),
            "dir_form": DirectoryLoginForm(formdata=None) if directory.enabled() else None,
            "ldap_label": provider_label("ldap"),
            "local_open": provisioning.local_sign_in_open(),
            "provider_logout": session.pop(PROVIDER_LOGOUT, None),
        }

    return {"sign_in_options": options}
