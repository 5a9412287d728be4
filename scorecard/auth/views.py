"""Sign in, sign out, one's own settings (password) and the language switch."""

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from scorecard.auth.forms import ChangePasswordForm, LoginForm
from scorecard.auth.session import start_session
from scorecard.extensions import db
from scorecard.i18n import SUPPORTED
from scorecard.models.user import new_session_token
from scorecard.services import accounts
from scorecard.services.errors import DomainError
from scorecard.urls import is_local_path

bp = Blueprint("auth", __name__)


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
        session.clear()
        login_user(user)
        start_session()
        target = form.next.data
        if is_local_path(target):
            return redirect(target)
        return redirect(url_for(accounts.landing_endpoint(user)))
    return render_template("auth/login.html", form=form)


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
        try:
            accounts.change_own_password(user, form.current_password.data, form.new_password.data)
        except DomainError as exc:
            db.session.rollback()
            target = getattr(form, exc.field or "", None) or form.new_password
            target.errors = [*target.errors, exc.message]
            return render_template("auth/settings.html", form=form), 400
        db.session.commit()
        # The new token signed out every other copy of the cookie; keep this browser in,
        # without extending the absolute session limit.
        login_at = session.get("login_at")
        login_user(user)
        if login_at:
            session["login_at"] = login_at
        flash(_("Your password was changed. Other sessions were signed out."), "success")
        return redirect(url_for("auth.settings"))
    status = 400 if form.errors else 200
    return render_template("auth/settings.html", form=form), status


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
