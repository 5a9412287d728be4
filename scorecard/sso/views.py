"""Company sign-in routes: OpenID Connect, the directory form, linking, and the admin page."""

from __future__ import annotations

import time

import requests
import sqlalchemy as sa
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user, user_logged_out
from joserfc.errors import JoseError

from scorecard import handler
from scorecard.auth.forms import LoginForm
from scorecard.auth.session import start_session
from scorecard.extensions import db
from scorecard.models import ExternalIdentity, GroupRoleMapping, IdentitySource, User
from scorecard.models.user import new_session_token
from scorecard.services import accounts, audit
from scorecard.services.errors import DomainError
from scorecard.sso import directory, oidc, provisioning
from scorecard.sso.forms import (
    AdminLinkForm,
    CheckForm,
    DirectoryLoginForm,
    IdForm,
    LinkForm,
    MappingForm,
)
from scorecard.urls import is_local_path

bp = Blueprint("sso", __name__)

SSO = "sso"  # session key: {"src": "ldap"|"oidc", "iid": identity id, "chk": last check, ...}
AUTH_METHOD = "auth_method"  # how this session signed in (the two-factor policy reads it)
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


def _admin_only():
    if not current_user.is_admin:
        abort(404)


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


# --- every request: local passwords switched off, directory re-check -----------------------


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


# --- the admin page -----------------------------------------------------------------------


def _admin_page(status: int = 200, **forms):
    mappings = db.session.scalars(
        sa.select(GroupRoleMapping).order_by(GroupRoleMapping.source, GroupRoleMapping.group_key)
    ).all()
    identities = db.session.scalars(
        sa.select(ExternalIdentity).order_by(ExternalIdentity.id.desc()).limit(200)
    ).all()
    cfg = current_app.config
    return (
        render_template(
            "sso/admin.html",
            mappings=mappings,
            identities=identities,
            mapping_form=forms.get("mapping_form") or MappingForm(formdata=None),
            link_form=forms.get("link_form") or AdminLinkForm(formdata=None),
            id_form=IdForm(formdata=None),
            check_form=CheckForm(formdata=None),
            oidc_on=oidc.enabled(),
            ldap_on=directory.enabled(),
            cfg=cfg,
            redirect_uri=url_for("sso.oidc_callback", _external=True),
            local_open=provisioning.local_sign_in_open(),
            check_result=forms.get("check_result"),
        ),
        status,
    )


@bp.get("/admin/sign-in")
@login_required
def admin():
    _admin_only()
    return _admin_page()


@bp.post("/admin/sign-in/mappings")
@login_required
def mapping_add():
    _admin_only()
    form = MappingForm()
    if not form.validate_on_submit():
        return _admin_page(400, mapping_form=form)
    outcome = handler.run(
        lambda: provisioning.add_mapping(
            form.source.data, form.group.data, form.role.data, current_user._get_current_object()
        )
    )
    if not outcome.ok:
        exc = outcome.error
        target = getattr(form, exc.field or "", None) or form.group
        target.errors = [*target.errors, exc.message]
        return _admin_page(400, mapping_form=form)
    flash(_("Group mapped."), "success")
    return redirect(url_for("sso.admin"))


def _id_from_form() -> int | None:
    form = IdForm()
    raw = form.item_id.data or ""
    if not form.validate_on_submit() or not raw.isdecimal():
        return None
    return int(raw)


@bp.post("/admin/sign-in/mappings/delete")
@login_required
def mapping_delete():
    _admin_only()
    mapping_id = _id_from_form()
    mapping = db.session.get(GroupRoleMapping, mapping_id) if mapping_id else None
    if mapping is None:
        flash(_("That mapping no longer exists."), "error")
        return _admin_page(400)
    provisioning.delete_mapping(mapping, current_user._get_current_object())
    db.session.commit()
    flash(_("Mapping deleted."), "success")
    return redirect(url_for("sso.admin"))


@bp.post("/admin/sign-in/identities/unlink")
@login_required
def identity_unlink():
    _admin_only()
    identity_id = _id_from_form()
    identity = db.session.get(ExternalIdentity, identity_id) if identity_id else None
    if identity is None:
        flash(_("That link no longer exists."), "error")
        return _admin_page(400)
    provisioning.unlink(identity, current_user._get_current_object())
    db.session.commit()
    flash(_("Company account unlinked."), "success")
    return redirect(url_for("sso.admin"))


@bp.post("/admin/sign-in/identities/link")
@login_required
def identity_link():
    """An admin links a directory account to an existing user (no password needed)."""
    _admin_only()
    form = AdminLinkForm()
    if not form.validate_on_submit():
        return _admin_page(400, link_form=form)
    if not directory.enabled():
        form.username.errors = [_("The company directory is not configured.")]
        return _admin_page(400, link_form=form)
    user = db.session.scalar(
        sa.select(User).where(User.email == accounts.normalise_email(form.email.data))
    )
    if user is None:
        form.email.errors = [_("No Scorecard user has this e-mail.")]
        return _admin_page(400, link_form=form)
    try:
        profile = directory.Directory().find(form.username.data)
    except directory.DirectoryUnavailable as exc:
        current_app.logger.error("directory lookup for linking failed: %s", exc)
        form.username.errors = [_("The directory cannot be reached: %(why)s", why=str(exc))]
        return _admin_page(503, link_form=form)
    if profile is None:
        form.username.errors = [_("The directory has no active account with this user name.")]
        return _admin_page(400, link_form=form)
    role = provisioning.mapped_role(IdentitySource.LDAP, profile.groups) or user.role
    try:
        provisioning.link(user, profile, role, actor=current_user._get_current_object())
    except DomainError as exc:
        db.session.rollback()
        form.username.errors = [exc.message]
        return _admin_page(400, link_form=form)
    db.session.commit()
    flash(_("Directory account linked."), "success")
    return redirect(url_for("sso.admin"))


@bp.post("/admin/sign-in/check")
@login_required
def check():
    """Try the configured provider now and say precisely what is wrong."""
    _admin_only()
    form = CheckForm()
    if not form.validate_on_submit() or form.provider.data not in ("oidc", "ldap"):
        flash(_("Choose a provider to check."), "error")
        return _admin_page(400)
    source = form.provider.data
    ok, detail = True, ""
    if source == "oidc":
        if not oidc.enabled():
            ok, detail = False, _("Not configured: set OIDC_ISSUER and OIDC_CLIENT_ID.")
        else:
            ok, detail = _check_oidc()
    else:
        if not directory.enabled():
            ok, detail = False, _("Not configured: set LDAP_URL.")
        else:
            try:
                directory.Directory().check()
            except directory.DirectoryUnavailable as exc:
                ok, detail = False, str(exc)
    if not ok:
        current_app.logger.error("sign-in check of %s failed: %s", source, detail)
    return _admin_page(200, check_result={"source": source, "ok": ok, "detail": detail})


def _check_oidc() -> tuple[bool, str]:
    client = oidc.client()
    issuer = current_app.config["OIDC_ISSUER"].rstrip("/")
    try:
        client.server_metadata = {}  # ask again, not the copy from the last sign-in
        metadata = client.load_server_metadata()
        if metadata.get("issuer", "").rstrip("/") != issuer:
            return False, _(
                "The discovery document names the issuer %(got)s, not %(want)s.",
                got=metadata.get("issuer"),
                want=issuer,
            )
        client.fetch_jwk_set(force=True)
    except (requests.RequestException, ValueError, RuntimeError) as exc:
        return False, _("The provider cannot be reached: %(why)s", why=str(exc))
    # A wrong client secret shows at the token endpoint: a made-up code must be refused as
    # invalid_grant (the client is known), not invalid_client.
    try:
        resp = requests.post(
            metadata["token_endpoint"],
            data={
                "grant_type": "authorization_code",
                "code": "scorecard-check",
                "redirect_uri": url_for("sso.oidc_callback", _external=True),
            },
            auth=(client.client_id, client.client_secret),
            timeout=10,
        )
        error = resp.json().get("error", "")
    except (requests.RequestException, ValueError, KeyError) as exc:
        return False, _("The token endpoint cannot be reached: %(why)s", why=str(exc))
    if error in ("invalid_client", "unauthorized_client"):
        return False, _("The provider refused the client id or secret (%(error)s).", error=error)
    return True, ""
