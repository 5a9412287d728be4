"""The company sign-in blueprint and what its routes share: session keys, the provider's
label, the sign-in page with a status, and finishing a sign-in once the profile is known."""

from __future__ import annotations

import time

import sqlalchemy as sa
from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import login_user

from scorecard.auth.forms import LoginForm
from scorecard.auth.session import AUTH_METHOD, start_session
from scorecard.extensions import db
from scorecard.models import ExternalIdentity, IdentitySource, User
from scorecard.services import accounts
from scorecard.sso import provisioning
from scorecard.sso.forms import DirectoryLoginForm
from scorecard.urls import is_local_path

bp = Blueprint("sso", __name__)

SSO = "sso"  # session key: {"src": "ldap"|"oidc", "iid": identity id, "chk": last check, ...}
NEXT = "sso_next"
LINK = "sso_link"
PROVIDER_LOGOUT = "sso_provider_logout"


def _not_set_up(source: str):
    """A sign-in route of a provider nobody configured: back to the sign-in page, said why."""
    flash(
        _("Sign-in with %(provider)s is not set up here.", provider=provider_label(source)),
        "error",
    )
    return redirect(url_for("auth.login"))


def provider_label(source: str) -> str:
    """The provider's name on buttons and messages."""
    cfg = current_app.config
    if source == "oidc":
        return cfg.get("OIDC_LABEL") or _("single sign-on")
    return cfg.get("LDAP_LABEL") or _("the company directory")


def _unavailable(source: str, detail: str):
    current_app.logger.error("company sign-in via %s unavailable: %s", source, detail)
    flash(
        _("Sign-in with %(provider)s is unavailable right now.", provider=provider_label(source)),
        "error",
    )


def _login_page(status: int, dir_form: DirectoryLoginForm | None = None):
    form = LoginForm(formdata=None)
    form.next.data = request.values.get("next", "")
    return render_template("auth/login.html", form=form, dir_form=dir_form), status


def _finish(user: User, source: IdentitySource, extra: dict | None = None):
    """Sign the browser in as `user` (fresh session) and go where it wanted to go."""
    target = session.get(NEXT, "")
    locale = session.get("locale")
    identity_id = (extra or {}).pop("iid", None)
    session.clear()
    if locale:
        session["locale"] = locale  # the language chosen before signing in stays
    login_user(user)
    start_session()
    session[AUTH_METHOD] = source.value
    session[SSO] = {
        "src": source.value,
        "iid": identity_id,
        "chk": int(time.time()),
        **(extra or {}),
    }
    if is_local_path(target):
        return redirect(target)
    return redirect(url_for(accounts.landing_endpoint(user)))


def _identity_id(user: User, source: IdentitySource, subject: str) -> int | None:
    return db.session.scalar(
        sa.select(ExternalIdentity.id).where(
            ExternalIdentity.user_id == user.id,
            ExternalIdentity.source == source,
            ExternalIdentity.subject == subject,
        )
    )


def _outcome(profile: provisioning.ExternalProfile, allowed: list[str] | None, extra: dict):
    """Provision the profile; sign in, ask for the local password, or show the refusal."""
    try:
        result = provisioning.sign_in(profile, allowed)
    except provisioning.SignInRefused as refused:
        db.session.commit()  # keep the audit row of the refusal
        flash(refused.message, "error")
        return _login_page(403)
    if isinstance(result, provisioning.PendingLink):
        db.session.commit()
        target = session.get(NEXT, "")
        session.clear()
        session[LINK] = {**provisioning.pending_to_session(result), "extra": extra}
        session[NEXT] = target
        return redirect(url_for("sso.link"))
    db.session.commit()
    extra = {**extra, "iid": _identity_id(result, profile.source, profile.subject)}
    return _finish(result, profile.source, extra)
