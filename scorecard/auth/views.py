"""Sign in, sign out and the language switch."""

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from scorecard.auth.forms import LoginForm
from scorecard.auth.session import start_session
from scorecard.extensions import db
from scorecard.i18n import SUPPORTED
from scorecard.models.user import new_session_token
from scorecard.services import accounts
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
