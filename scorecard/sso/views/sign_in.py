"""Signing in with a company account: the OpenID Connect redirect and callback, the
directory (LDAP / AD) form, and linking the account to an existing local one."""

from __future__ import annotations

import requests
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from joserfc.errors import JoseError

from scorecard.extensions import db
from scorecard.models import User
from scorecard.services import accounts, audit
from scorecard.services.errors import DomainError
from scorecard.sso import directory, oidc, provisioning
from scorecard.sso.forms import DirectoryLoginForm, LinkForm
from scorecard.urls import is_local_path

from .common import (
    LINK,
    NEXT,
    _finish,
    _login_page,
    _not_set_up,
    _outcome,
    _unavailable,
    bp,
    provider_label,
)

# --- OpenID Connect ----------------------------------------------------------------------


@bp.get("/login/sso")
def oidc_login():
    if not oidc.enabled():
        return _not_set_up("oidc")
    next_url = request.args.get("next", "")
    session[NEXT] = next_url if is_local_path(next_url) else ""
    try:
        return oidc.client().authorize_redirect(url_for("sso.oidc_callback", _external=True))
    except (requests.RequestException, OAuthError, ValueError, KeyError, RuntimeError) as exc:
        _unavailable("oidc", f"discovery failed: {exc}")
        return redirect(url_for("auth.login"))


def _oidc_reject(reason: str, detail: str):
    current_app.logger.warning("OpenID Connect answer rejected (%s): %s", reason, detail)
    audit.record("login.refused", "user", None, after={"source": "oidc", "reason": reason})
    db.session.commit()
    flash(
        _(
            "Sign-in with %(provider)s failed: its answer could not be verified. Try again.",
            provider=provider_label("oidc"),
        ),
        "error",
    )
    return _login_page(403)


@bp.get("/login/sso/callback")
def oidc_callback():
    if not oidc.enabled():
        return _not_set_up("oidc")
    client = oidc.client()
    try:
        token = client.authorize_access_token(leeway=oidc.LEEWAY_S)
    except MismatchingStateError as exc:
        return _oidc_reject("state", str(exc))
    except OAuthError as exc:
        if exc.error in ("invalid_client", "unauthorized_client", "server_error"):
            _unavailable("oidc", f"token endpoint: {exc}")
            return _login_page(503)
        return _oidc_reject(exc.error or "oauth", str(exc))
    except JoseError as exc:
        return _oidc_reject(type(exc).__name__, str(exc))
    except requests.RequestException as exc:
        _unavailable("oidc", f"token endpoint unreachable: {exc}")
        return _login_page(503)
    except (ValueError, KeyError, TypeError) as exc:
        return _oidc_reject("malformed", repr(exc))
    if "userinfo" not in token:
        return _oidc_reject("no_id_token", "the token answer has no ID token")
    userinfo = None
    if oidc.needs_userinfo(token):
        try:
            userinfo = dict(client.userinfo(token=token))
        except (requests.RequestException, OAuthError, ValueError) as exc:
            current_app.logger.warning("OpenID Connect userinfo failed: %s", exc)
    try:
        profile = oidc.profile_from(token, userinfo)
    except oidc.TokenRejected as exc:
        return _oidc_reject("claims", str(exc))
    allowed = current_app.config.get("OIDC_ALLOWED_DOMAINS") or None
    return _outcome(profile, allowed, {"idt": token.get("id_token", "")})


# --- the directory (LDAP / AD) -------------------------------------------------------------


@bp.post("/login/directory")
def directory_login():
    if not directory.enabled():
        return _not_set_up("ldap")
    form = DirectoryLoginForm()
    if not form.validate_on_submit():
        return _login_page(400, form)
    next_url = form.next.data or ""
    session[NEXT] = next_url if is_local_path(next_url) else ""
    username = form.username.data.strip()
    ip = request.remote_addr or "-"
    key = accounts.normalise_email(username)
    if accounts.is_locked(key, ip):
        audit.record("login.locked", "user", None, after={"email": key, "source": "ldap"})
        db.session.commit()
        flash(_("Too many failed sign-ins. Try again in 15 minutes."), "error")
        return _login_page(429, form)
    try:
        profile = directory.Directory().authenticate(username, form.password.data)
    except directory.DirectoryUnavailable as exc:
        _unavailable("ldap", str(exc))
        return _login_page(503, form)
    if profile is None:
        accounts.record_failure(key, ip, None, stage="directory")
        db.session.commit()
        flash(_("Wrong user name or password."), "error")
        return _login_page(401, form)
    return _outcome(profile, None, {})


# --- linking an existing local account ------------------------------------------------------


@bp.route("/login/link", methods=["GET", "POST"])
def link():
    data = session.get(LINK)
    pending = provisioning.pending_from_session(data)
    user = db.session.get(User, pending.user_id) if pending else None
    if pending is None or user is None or not user.active:
        session.pop(LINK, None)
        flash(_("Sign in again: linking took too long or was not started."), "info")
        return redirect(url_for("auth.login"))
    form = LinkForm()
    status = 200
    if form.validate_on_submit():
        ip = request.remote_addr or "-"
        if accounts.is_locked(user.email, ip):
            flash(_("Too many failed sign-ins. Try again in 15 minutes."), "error")
            return render_template("sso/link.html", form=form, pending=pending, user=user), 429
        if user.check_password(form.password.data):
            try:
                identity = provisioning.link(user, pending.profile, pending.role)
            except DomainError as exc:
                db.session.rollback()
                flash(exc.message, "error")
                return redirect(url_for("auth.login"))
            db.session.commit()
            extra = dict(data.get("extra") or {})
            extra["iid"] = identity.id
            return _finish(user, pending.profile.source, extra)
        accounts.record_failure(user.email, ip, user, stage="link")
        db.session.commit()
        form.password.errors = [*form.password.errors, _("The password is not correct.")]
        status = 401
    elif form.errors:
        status = 400
    return render_template("sso/link.html", form=form, pending=pending, user=user), status
