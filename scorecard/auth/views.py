"""Sign in, sign out, one's own settings (password) and the language switch."""

import time

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from scorecard import handler
from scorecard.auth.forms import (
    ChangePasswordForm,
    CodeForm,
    EnrolForm,
    ForgotPasswordForm,
    LoginForm,
    NewPasswordForm,
    RegenerateCodesForm,
)
from scorecard.auth.session import AUTH_METHOD, start_session
from scorecard.extensions import db
from scorecard.i18n import SUPPORTED
from scorecard.models import User
from scorecard.models.user import new_session_token
from scorecard.services import accounts, password_reset, two_factor
from scorecard.urls import is_local_path

bp = Blueprint("auth", __name__)

PENDING = "pending_2fa"  # session key: the user whose password was right, awaiting a code
PENDING_S = 5 * 60  # the code must follow the password within 5 minutes


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for(accounts.landing_endpoint(current_user)))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        user, locked = accounts.authenticate(
            form.email.data, form.password.data, request.remote_addr or "-"
        )
        db.session.commit()
        if locked:
            flash(_("Too many failed sign-ins. Try again in 15 minutes."), "error")
            return render_template("auth/login.html", form=form), 429
        if user is None:
            flash(_("Wrong e-mail or password."), "error")
            return render_template("auth/login.html", form=form), 401
        target = form.next.data if is_local_path(form.next.data) else ""
        session.clear()
        if user.has_two_factor:
            # Half-way: the password was right; the code page finishes the sign-in.
            session[PENDING] = {
                "uid": user.id,
                "tok": user.session_token,
                "at": int(time.time()),
                "next": target,
            }
            return redirect(url_for("auth.two_factor_login"))
        return _signed_in(user, target)
    return render_template("auth/login.html", form=form)


def _signed_in(user, target: str = ""):
    login_user(user)
    start_session()
    session[AUTH_METHOD] = "password"
    if two_factor.must_enrol(user):
        flash(_("Your role needs two-factor sign-in: set it up to continue."), "info")
        return redirect(url_for("auth.two_factor_setup"))
    return redirect(target or url_for(accounts.landing_endpoint(user)))


def _pending_user():
    """The user whose password was right a moment ago in this browser, or None."""
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or int(time.time()) - pending.get("at", 0) > PENDING_S:
        return None
    user = db.session.get(User, pending.get("uid"))
    if user is None or not user.active or user.session_token != pending.get("tok"):
        return None
    return user


@bp.route("/login/code", methods=["GET", "POST"])
def two_factor_login():
    """Second step of signing in: a code from the app or a recovery code."""
    user = _pending_user()
    if user is None:
        session.pop(PENDING, None)
        flash(_("Sign in again: the sign-in took too long or was not started."), "info")
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if form.validate_on_submit():
        outcome = two_factor.verify_sign_in(user, form.code.data, request.remote_addr or "-")
        db.session.commit()
        if outcome.locked:
            session.pop(PENDING, None)
            flash(_("Too many failed sign-ins. Try again in 15 minutes."), "error")
            return render_template("auth/two_factor_login.html", form=form), 429
        if not outcome.ok:
            form.code.errors = [
                *form.code.errors,
                _("That code is not valid (or was already used). Try the current one."),
            ]
            return render_template("auth/two_factor_login.html", form=form), 401
        target = session.get(PENDING, {}).get("next", "")
        session.clear()
        if outcome.recovery_used:
            flash(
                _(
                    "You signed in with a recovery code; %(n)d left. Make new ones in Settings "
                    "when few are left.",
                    n=two_factor.recovery_codes_left(user),
                ),
                "info",
            )
        return _signed_in(user, target)
    status = 400 if form.errors else 200
    return render_template("auth/two_factor_login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    # A new token invalidates every copy of this user's session cookie, everywhere.
    current_user.session_token = new_session_token()
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    """One's own account: see it, change the password (other sessions are signed out)."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        outcome = handler.run(
            lambda: accounts.change_own_password(
                user, form.current_password.data, form.new_password.data
            )
        )
        if not outcome.ok:
            exc = outcome.error
            target = getattr(form, exc.field or "", None) or form.new_password
            target.errors = [*target.errors, exc.message]
            return _settings_page(form, 400)
        # The new token signed out every other copy of the cookie; keep this browser in,
        # without extending the absolute session limit.
        login_at = session.get("login_at")
        login_user(user)
        if login_at:
            session["login_at"] = login_at
        flash(_("Your password was changed. Other sessions were signed out."), "success")
        return redirect(url_for("auth.settings"))
    status = 400 if form.errors else 200
    return _settings_page(form, status)


def _settings_page(form=None, status: int = 200, regen_form=None):
    user = current_user._get_current_object()
    return (
        render_template(
            "auth/settings.html",
            form=form or ChangePasswordForm(formdata=None),
            regen_form=regen_form or RegenerateCodesForm(formdata=None),
            codes_left=two_factor.recovery_codes_left(user) if user.has_two_factor else 0,
            two_factor_required=two_factor.required_for(user),
        ),
        status,
    )


@bp.route("/settings/two-factor", methods=["GET", "POST"])
@login_required
def two_factor_setup():
    """Enrol: scan the QR code (or type the key), confirm with a first code."""
    user = current_user._get_current_object()
    if user.has_two_factor:
        flash(_("Two-factor sign-in is already on."), "info")
        return redirect(url_for("auth.settings"))
    secret = two_factor.pending_secret(user)
    db.session.commit()
    form = EnrolForm()
    if form.validate_on_submit():
        outcome = handler.run(lambda: two_factor.confirm_enrolment(user, form.code.data))
        if outcome.ok:
            return _show_codes(outcome.value, enrolled=True)
        form.code.errors = [*form.code.errors, outcome.error.message]
    uri = two_factor.provisioning_uri(user, secret)
    return render_template(
        "auth/two_factor_setup.html",
        form=form,
        secret=secret,
        qr=two_factor.qr_data_uri(uri),
        required=two_factor.required_for(user),
    ), (400 if form.errors else 200)


def _show_codes(codes: list[str], enrolled: bool):
    """The recovery codes, shown this once (the page is never cached: no-store)."""
    return render_template("auth/recovery_codes.html", codes=codes, enrolled=enrolled)


@bp.post("/settings/two-factor/recovery-codes")
@login_required
def recovery_codes():
    user = current_user._get_current_object()
    form = RegenerateCodesForm()
    if form.validate_on_submit():
        outcome = handler.run(lambda: two_factor.regenerate_recovery_codes(user, form.code.data))
        if outcome.ok:
            return _show_codes(outcome.value, enrolled=False)
        exc = outcome.error
        (form.code.errors if exc.field else form.form_errors).append(exc.message)
    return _settings_page(status=400, regen_form=form)


# --- password reset by e-mail ------------------------------------------------------------


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    """Ask for a reset link: the same answer whether or not the address has an account."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        ip = request.remote_addr or "-"
        if password_reset.too_many_from(ip):
            flash(_("Too many requests from your network. Try again in 15 minutes."), "error")
            return render_template("auth/forgot_password.html", form=form), 429
        started = time.monotonic()
        mail = password_reset.request_link(form.email.data, ip)
        db.session.commit()
        password_reset.send_later(mail)
        password_reset.wait_out(started)
        flash(
            _(
                "If an account uses that address, a link to reset its password is on its way. "
                "It works once, within 30 minutes."
            ),
            "info",
        )
        return redirect(url_for("auth.forgot_password"))
    status = 400 if form.errors else 200
    return render_template("auth/forgot_password.html", form=form), status


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Choose a new password through the link from the e-mail."""
    if password_reset.valid_token(token) is None:
        flash(password_reset.invalid_link_message(), "error")
        return render_template("auth/forgot_password.html", form=ForgotPasswordForm()), 400
    form = NewPasswordForm()
    if form.validate_on_submit():
        outcome = handler.run(lambda: password_reset.complete(token, form.new_password.data))
        if outcome.ok:
            logout_user()
            session.clear()
            flash(
                _("Your password was changed and every session was signed out. Sign in now."),
                "success",
            )
            return redirect(url_for("auth.login"))
        exc = outcome.error
        target = form.new_password if exc.field else None
        if target is None:
            flash(exc.message, "error")
            return redirect(url_for("auth.forgot_password"))
        target.errors = [*target.errors, exc.message]
    status = 400 if form.errors else 200
    return render_template("auth/reset_password.html", form=form, token=token), status


@bp.post("/language")
def set_language():
    """Store the chosen language on the user (or the session when signed out)."""
    lang = request.form.get("lang", "")
    if lang not in SUPPORTED:
        flash(_("Unknown language."), "error")
    else:
        session["locale"] = lang
        if current_user.is_authenticated:
            current_user.locale = lang
            db.session.commit()
    target = request.form.get("next", "")
    return redirect(target if is_local_path(target) else url_for("main.index"))
