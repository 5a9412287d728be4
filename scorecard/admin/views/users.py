"""Administration of users (create, role, active, password, two-factor reset) and the
site-wide security settings."""

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from scorecard import handler
from scorecard.admin.forms import (
    ActiveForm,
    ResetPasswordForm,
    RoleForm,
    SecurityForm,
    TwoFactorResetForm,
    UserCreateForm,
)
from scorecard.extensions import db
from scorecard.models import AuditEvent, Role, User
from scorecard.permissions import roles_required
from scorecard.services import accounts, site_settings, two_factor

from .common import _actor_names, _field_error, bp


def _get_user_or_404(user_id: int) -> User:
    user = db.get_or_404(User, user_id)
    return user


@bp.route("/users")
@roles_required(Role.ADMIN)
def users():
    rows = db.session.scalars(sa.select(User).order_by(User.role, User.email)).all()
    return render_template("admin/users.html", users=rows)


@bp.route("/users/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def user_new():
    form = UserCreateForm()
    if form.validate_on_submit():
        outcome = handler.run(
            lambda: accounts.create_user(
                form.email.data,
                form.password.data,
                form.role.data,
                form.name.data,
                actor=current_user,
            )
        )
        if outcome.ok:
            user = outcome.value
            flash(_("User %(email)s created.", email=user.email), "success")
            return redirect(url_for("admin.user_detail", user_id=user.id))
        _field_error(form, outcome.error, "email")
    status = 400 if form.errors else 200
    return render_template("admin/user_new.html", form=form), status


def _user_page(user: User, status: int = 200, **forms: FlaskForm):
    role_form = forms.get("role_form") or RoleForm(role=user.role.value)
    reset_form = forms.get("reset_form") or ResetPasswordForm(formdata=None)
    active_form = forms.get("active_form") or ActiveForm(active="0" if user.active else "1")
    two_factor_form = forms.get("two_factor_form") or TwoFactorResetForm(formdata=None)
    events = db.session.scalars(
        sa.select(AuditEvent)
        .where(
            sa.or_(
                sa.and_(AuditEvent.object_type == "user", AuditEvent.object_id == user.id),
                AuditEvent.actor_id == user.id,
            )
        )
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(20)
    ).all()
    return (
        render_template(
            "admin/user_detail.html",
            user=user,
            role_form=role_form,
            reset_form=reset_form,
            active_form=active_form,
            two_factor_form=two_factor_form,
            two_factor_required=two_factor.required_for(user),
            events=events,
            actors=_actor_names(events),
        ),
        status,
    )


@bp.route("/users/<int:user_id>")
@roles_required(Role.ADMIN)
def user_detail(user_id: int):
    return _user_page(_get_user_or_404(user_id))


@bp.post("/users/<int:user_id>/role")
@roles_required(Role.ADMIN)
def user_role(user_id: int):
    user = _get_user_or_404(user_id)
    form = RoleForm()
    if form.validate_on_submit():
        outcome = handler.run(lambda: accounts.change_role(user, form.role.data, current_user))
        if outcome.ok:
            flash(_("Role saved."), "success")
            return redirect(url_for("admin.user_detail", user_id=user.id))
        _field_error(form, outcome.error, "role")
    return _user_page(user, 400, role_form=form)


@bp.post("/users/<int:user_id>/active")
@roles_required(Role.ADMIN)
def user_active(user_id: int):
    user = _get_user_or_404(user_id)
    form = ActiveForm()
    if form.validate_on_submit() and form.active.data in ("0", "1"):
        outcome = handler.run(
            lambda: accounts.set_active(user, form.active.data == "1", current_user)
        )
        if not outcome.ok:
            flash(outcome.error.message, "error")
            return _user_page(user, 400)
        if user.active:
            flash(_("%(email)s can sign in again.", email=user.email), "success")
        else:
            flash(_("%(email)s is deactivated and signed out.", email=user.email), "success")
        return redirect(url_for("admin.user_detail", user_id=user.id))
    flash(_("The request could not be understood."), "error")
    return _user_page(user, 400)


@bp.post("/users/<int:user_id>/password")
@roles_required(Role.ADMIN)
def user_password(user_id: int):
    user = _get_user_or_404(user_id)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        outcome = handler.run(
            lambda: accounts.reset_password(user, form.new_password.data, current_user)
        )
        if outcome.ok:
            if user.id == current_user.id:
                # Resetting one's own password signs out this browser too: sign back in.
                from flask_login import login_user

                login_user(user)
            flash(
                _("Password reset. %(email)s was signed out everywhere.", email=user.email),
                "success",
            )
            return redirect(url_for("admin.user_detail", user_id=user.id))
        _field_error(form, outcome.error, "new_password")
    return _user_page(user, 400, reset_form=form)


@bp.post("/users/<int:user_id>/two-factor/reset")
@roles_required(Role.ADMIN)
def user_two_factor_reset(user_id: int):
    """Remove a user's second factor (lost phone); they are signed out and enrol again."""
    user = _get_user_or_404(user_id)
    form = TwoFactorResetForm()
    if not form.validate_on_submit():
        return _user_page(user, 400, two_factor_form=form)
    if not user.has_two_factor:
        flash(_("%(email)s has no two-factor sign-in to reset.", email=user.email), "error")
        return _user_page(user, 400)
    two_factor.reset(user, current_user)
    db.session.commit()
    if user.id == current_user.id:
        from flask_login import login_user

        login_user(user)  # this browser stays signed in; enrolment comes next if required
    flash(
        _("Two-factor sign-in of %(email)s was reset; they were signed out.", email=user.email),
        "success",
    )
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.route("/security", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def security():
    """Site-wide security and data-protection settings."""
    form = SecurityForm(
        two_factor_policy=site_settings.get(site_settings.TWO_FACTOR_POLICY),
        export_interviewers=site_settings.get(site_settings.EXPORT_INTERVIEWERS),
    )
    if form.validate_on_submit():

        def save() -> None:
            site_settings.set_value(
                site_settings.TWO_FACTOR_POLICY, form.two_factor_policy.data, current_user
            )
            site_settings.set_value(
                site_settings.EXPORT_INTERVIEWERS, form.export_interviewers.data, current_user
            )

        outcome = handler.run(save)
        if outcome.ok:
            flash(_("Security settings saved."), "success")
            return redirect(url_for("admin.security"))
        flash(outcome.error.message, "error")
    status = 400 if form.errors or request.method == "POST" else 200
    return render_template("admin/security.html", form=form), status
