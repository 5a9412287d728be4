"""Administration: users and roles, the audit log, erasure and data retention."""

from datetime import datetime, time, timedelta

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from scorecard import handler
from scorecard.admin.forms import (
    ActiveForm,
    AuditFilterForm,
    CandidateSearchForm,
    EraseForm,
    ExportForm,
    ResetPasswordForm,
    RetentionForm,
    RoleForm,
    SecurityForm,
    TwoFactorResetForm,
    UserCreateForm,
)
from scorecard.extensions import db
from scorecard.i18n import bilingual_text
from scorecard.models import Application, AuditEvent, Candidate, Job, Role, User
from scorecard.permissions import roles_required
from scorecard.services import accounts, data_export, privacy, site_settings, two_factor
from scorecard.services.errors import DomainError
from scorecard.timeutil import to_utc

bp = Blueprint("admin", __name__)

AUDIT_PAGE_SIZE = 50
CANDIDATE_PAGE_SIZE = 50


def _field_error(form: FlaskForm, exc: DomainError, fallback: str) -> None:
    """Show a service's DomainError on its field (or on `fallback`)."""
    target = getattr(form, exc.field or "", None) or getattr(form, fallback)
    target.errors = [*target.errors, exc.message]


def _get_user_or_404(user_id: int) -> User:
    user = db.get_or_404(User, user_id)
    return user


# --- users ----------------------------------------------------------------------------------


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


# --- audit log ------------------------------------------------------------------------------


def _actor_names(events: list[AuditEvent]) -> dict[int, User]:
    ids = {e.actor_id for e in events if e.actor_id is not None}
    if not ids:
        return {}
    return {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(ids)))}


def _day_start_utc(day) -> datetime:
    return to_utc(datetime.combine(day, time.min))


@bp.route("/audit")
@roles_required(Role.ADMIN)
def audit():
    """Read-only, filterable, paginated: there is no route that edits or deletes an event."""
    form = AuditFilterForm(request.args)
    actions = db.session.scalars(
        sa.select(AuditEvent.action).distinct().order_by(AuditEvent.action)
    ).all()
    form.action.choices = [("", _("All actions"))] + [(a, a) for a in actions]
    people = db.session.scalars(sa.select(User).order_by(User.email)).all()
    form.actor.choices = [("", _("Anyone")), ("system", _("System / not signed in"))] + [
        (str(u.id), f"{u.name} <{u.email}>") for u in people
    ]
    jobs = db.session.scalars(sa.select(Job).order_by(Job.id)).all()
    form.job.choices = [("", _("All jobs"))] + [
        (str(j.id), f"#{j.id} {bilingual_text(j, 'title')}") for j in jobs
    ]
    form.validate()

    stmt = sa.select(AuditEvent)
    if form.action.data:
        stmt = stmt.where(AuditEvent.action == form.action.data)
    if form.actor.data == "system":
        stmt = stmt.where(AuditEvent.actor_id.is_(None))
    elif (form.actor.data or "").isdecimal():
        stmt = stmt.where(AuditEvent.actor_id == int(form.actor.data))
    if (form.job.data or "").isdecimal():
        stmt = stmt.where(AuditEvent.job_id == int(form.job.data))
    if form.start.data and not form.start.errors:
        stmt = stmt.where(AuditEvent.at >= _day_start_utc(form.start.data))
    if form.end.data and not form.end.errors:
        stmt = stmt.where(AuditEvent.at < _day_start_utc(form.end.data + timedelta(days=1)))
    page = request.args.get("page", 1, type=int) or 1
    pagination = db.paginate(
        stmt.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()),
        page=max(page, 1),
        per_page=AUDIT_PAGE_SIZE,
        error_out=False,
        count=True,
    )
    events = list(pagination.items)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "admin/audit.html",
        form=form,
        events=events,
        pagination=pagination,
        actors=_actor_names(events),
        jobs={j.id: j for j in jobs},
        args=args,
    )


# --- privacy: candidates, erasure, retention ------------------------------------------------


@bp.route("/candidates")
@roles_required(Role.ADMIN)
def candidates():
    form = CandidateSearchForm(request.args)
    form.validate()
    stmt = sa.select(Candidate).order_by(Candidate.id.desc())
    q = (form.q.data or "").strip()
    if q and not form.q.errors:
        like = f"%{q.lower()}%"
        stmt = stmt.where(
            sa.or_(
                sa.func.lower(Candidate.name).like(like),
                sa.func.lower(Candidate.email).like(like),
                Candidate.phone.like(f"%{q}%"),
            )
        )
    page = request.args.get("page", 1, type=int) or 1
    pagination = db.paginate(
        stmt, page=max(page, 1), per_page=CANDIDATE_PAGE_SIZE, error_out=False, count=True
    )
    return render_template(
        "admin/candidates.html",
        form=form,
        candidates=list(pagination.items),
        pagination=pagination,
        args={"q": q} if q else {},
    )


def _candidate_page(
    candidate: Candidate,
    form: EraseForm | None = None,
    status: int = 200,
    export_form: ExportForm | None = None,
):
    applications = db.session.scalars(
        sa.select(Application)
        .where(Application.candidate_id == candidate.id)
        .order_by(Application.id)
    ).all()
    return (
        render_template(
            "admin/candidate_detail.html",
            candidate=candidate,
            applications=applications,
            form=form or EraseForm(formdata=None),
            export_form=export_form or ExportForm(formdata=None),
        ),
        status,
    )


def _get_candidate_or_404(candidate_id: int) -> Candidate:
    candidate = db.get_or_404(Candidate, candidate_id)
    return candidate


@bp.route("/candidates/<int:candidate_id>")
@roles_required(Role.ADMIN)
def candidate_detail(candidate_id: int):
    return _candidate_page(_get_candidate_or_404(candidate_id))


@bp.post("/candidates/<int:candidate_id>/erase")
@roles_required(Role.ADMIN)
def candidate_erase(candidate_id: int):
    candidate = _get_candidate_or_404(candidate_id)
    form = EraseForm()
    if form.validate_on_submit():
        outcome = handler.run(
            lambda: privacy.erase_candidate(candidate, form.reason.data, current_user)
        )
        if outcome.ok:
            result = outcome.value
            flash(
                _(
                    "Candidate #%(id)d erased: %(ratings)d ratings kept as anonymous statistics.",
                    id=candidate_id,
                    ratings=result.ratings_kept,
                ),
                "success",
            )
            return redirect(url_for("admin.candidate_detail", candidate_id=candidate_id))
        _field_error(form, outcome.error, "reason")
    return _candidate_page(candidate, form, 400)


@bp.post("/candidates/<int:candidate_id>/export")
@roles_required(Role.ADMIN)
def candidate_export(candidate_id: int):
    """Everything held about the candidate, as a ZIP of JSON plus a readable summary."""
    candidate = _get_candidate_or_404(candidate_id)
    form = ExportForm()
    if form.validate_on_submit():
        outcome = handler.run(
            lambda: data_export.export_candidate(candidate, form.language.data, current_user)
        )
        if outcome.ok:
            name, body = outcome.value
            return Response(
                body,
                mimetype="application/zip",
                headers={"Content-Disposition": f'attachment; filename="{name}"'},
            )
        if outcome.error.field:
            _field_error(form, outcome.error, "language")
        else:
            flash(outcome.error.message, "error")
    return _candidate_page(candidate, status=400, export_form=form)


def _retention_page(forms: dict[int, RetentionForm] | None = None, status: int = 200):
    jobs = db.session.scalars(sa.select(Job).order_by(Job.id)).all()
    closed = dict(
        db.session.execute(
            sa.select(Application.job_id, sa.func.count(Application.id))
            .where(Application.closed_at.is_not(None))
            .group_by(Application.job_id)
        ).all()
    )
    all_forms = {
        j.id: RetentionForm(formdata=None, prefix=f"job{j.id}", retention_days=j.retention_days)
        for j in jobs
    }
    all_forms.update(forms or {})
    return (
        render_template(
            "admin/retention.html",
            jobs=jobs,
            closed=closed,
            due=privacy.due_for_retention(),
            forms=all_forms,
        ),
        status,
    )


@bp.route("/retention")
@roles_required(Role.ADMIN)
def retention():
    return _retention_page()


@bp.post("/jobs/<int:job_id>/retention")
@roles_required(Role.ADMIN)
def job_retention(job_id: int):
    job = db.get_or_404(Job, job_id)
    form = RetentionForm(prefix=f"job{job.id}")
    if form.validate_on_submit():
        outcome = handler.run(
            lambda: privacy.set_retention(job, form.retention_days.data, current_user)
        )
        if outcome.ok:
            flash(_("Retention saved."), "success")
            return redirect(url_for("admin.retention"))
        _field_error(form, outcome.error, "retention_days")
    return _retention_page({job.id: form}, 400)
