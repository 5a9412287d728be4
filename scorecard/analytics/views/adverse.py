"""Adverse impact pages: the admin's settings and compliance grants, the report, and
self-identification (entered per candidate, or imported from a CSV file)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from scorecard import handler
from scorecard.analytics.forms import (
    AdverseSettingsForm,
    GrantForm,
    SelfIdentificationForm,
    SelfIdImportForm,
    SelfIdUploadForm,
)
from scorecard.candidates.views import checked_upload
from scorecard.extensions import db
from scorecard.i18n import bilingual_text
from scorecard.models import Application, Candidate, Job, Role, User
from scorecard.permissions import roles_required
from scorecard.services import adverse_impact as adverse
from scorecard.setup.forms import apply_error

from .common import EDITORS, NO_CSRF, bp


@bp.route("/admin/adverse-impact", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def adverse_settings():
    jobs = list(db.session.scalars(sa.select(Job).order_by(Job.id)))
    form = AdverseSettingsForm(prefix="ai", meta=NO_CSRF)
    form.scope.choices = [(0, _("The whole installation"))] + [
        (j.id, bilingual_text(j, "title")) for j in jobs
    ]
    grant = GrantForm(prefix="g", meta=NO_CSRF)
    users = list(
        db.session.scalars(sa.select(User).where(User.role != Role.ADMIN).order_by(User.name))
    )
    grant.user_id.choices = [(u.id, f"{u.name} <{u.email}>") for u in users]
    status = 200
    if request.method == "GET":
        row = adverse.setting(None)
        form.enabled.data = bool(row and row.adverse_impact)
        form.purpose.data = row.purpose if row else ""
        form.categories.data = adverse.categories_text()
    elif request.form.get("action") == "grant":
        user = next((u for u in users if u.id == grant.user_id.data), None)
        if grant.validate_on_submit() and user is not None:
            adverse.set_grant(user, grant.granted.data == "1", current_user)
            db.session.commit()
            flash(_("Compliance permission saved."), "success")
            return redirect(url_for("analytics.adverse_settings"))
        flash(_("Choose a user."), "error")
        status = 422
    elif form.validate_on_submit():
        job = next((j for j in jobs if j.id == form.scope.data), None)
        if form.scope.data and job is None:
            form.scope.errors = [_("Choose a job.")]
            status = 422
        else:
            outcome = handler.run(
                lambda: adverse.configure(
                    job,
                    bool(form.enabled.data),
                    form.purpose.data or "",
                    current_user,
                    categories_text=form.categories.data if job is None else None,
                )
            )
            if outcome.ok:
                flash(_("Adverse-impact settings saved."), "success")
                return redirect(url_for("analytics.adverse_settings"))
            apply_error(form, outcome.error)
            status = 422
    else:
        status = 422
    job_rows = [(j, adverse.setting(j)) for j in jobs]
    return render_template(
        "analytics/adverse_settings.html",
        form=form,
        grant=grant,
        granted=adverse.grants(),
        job_rows=job_rows,
        installation=adverse.setting(None),
    ), status


@bp.route("/adverse-impact")
@login_required
def adverse_report():
    if not adverse.can_read_report(current_user):
        abort(404)
    jobs = adverse.reportable_jobs(current_user)
    categories = adverse.categories_of()
    category = request.args.get("category") or next(iter(categories), "")
    if category not in categories:
        category = next(iter(categories), "")
    job = next((j for j in jobs if j.id == request.args.get("job", type=int)), None)
    job = job or (jobs[0] if jobs else None)
    report = adverse.report(job, category, current_user) if job is not None else None
    return render_template(
        "analytics/adverse_report.html",
        jobs=jobs,
        job=job,
        categories=categories,
        category=category,
        report=report,
        min_group=adverse.MIN_GROUP,
    )


@bp.route("/candidates/<int:candidate_id>/self-identification", methods=["GET", "POST"])
@login_required
def self_identification(candidate_id: int):
    candidate = db.session.get(Candidate, candidate_id)
    if candidate is None:
        abort(404)
    jobs = list(
        db.session.scalars(
            sa.select(Job)
            .join(Application, Application.job_id == Job.id)
            .where(Application.candidate_id == candidate.id)
        )
    )
    if not adverse.can_enter(current_user, [j.id for j in jobs]):
        abort(404)
    turned_on = any(adverse.enabled(j) for j in jobs) and candidate.erased_at is None
    categories = adverse.categories_of()
    form = SelfIdentificationForm()
    status = 200
    errors: dict[str, str] = {}
    if request.method == "POST" and not turned_on:
        status = 422  # nothing is collected while adverse impact is off: the page says so
    elif request.method == "POST":
        answers = {k: request.form.get(f"cat-{k}", "") for k in categories}
        if form.validate_on_submit():
            outcome = handler.run(
                lambda: adverse.record_self_identification(
                    candidate.id, answers, bool(form.consent.data), current_user
                )
            )
            if outcome.ok:
                flash(
                    _("Saved: only the adverse-impact report counts it."),
                    "success",
                )
                return redirect(url_for("analytics.self_identification", candidate_id=candidate.id))
            exc = outcome.error
            if exc.field == "consent":
                form.consent.errors = [exc.message]
            elif exc.field in categories:
                errors[exc.field] = exc.message
            else:
                form.form_errors.append(exc.message)
            status = 422
        else:
            status = 422
    purposes = [p for p in (adverse.purpose(j) for j in jobs) if p]
    return render_template(
        "analytics/self_identification.html",
        candidate=candidate,
        turned_on=turned_on,
        categories=categories,
        on_file=adverse.on_file(candidate.id),
        purpose=purposes[0] if purposes else "",
        form=form,
        errors=errors,
        prefers_not=adverse.PREFERS_NOT,
    ), status


# --- self-identification import ------------------------------------------------------------


def _self_id_page(form, preview=None, import_form=None, status: int = 200):
    return render_template(
        "analytics/self_id_import.html",
        turned_on=adverse.enabled_anywhere(),
        categories=adverse.categories_of(),
        prefers_not=adverse.PREFERS_NOT,
        form=form,
        preview=preview,
        import_form=import_form,
    ), status


@bp.route("/self-identification/import")
@roles_required(*EDITORS)
def self_id_import():
    return _self_id_page(SelfIdUploadForm())


@bp.post("/self-identification/import/preview")
@roles_required(*EDITORS)
def self_id_preview():
    form = SelfIdUploadForm()
    preview = text = None
    if form.validate_on_submit():
        preview, text = checked_upload(form, lambda t: adverse.check_import(t, current_user))
    if preview is None:
        return _self_id_page(form, status=422)
    import_form = SelfIdImportForm(formdata=None)
    import_form.sealed.data = adverse.seal(text or "")
    return _self_id_page(form, preview, import_form)


@bp.post("/self-identification/import/run")
@roles_required(*EDITORS)
def self_id_run():
    form = SelfIdImportForm()
    if not form.validate_on_submit():
        flash(_("This import form is not valid: upload the file again."), "error")
        return redirect(url_for("analytics.self_id_import"))
    outcome = handler.run(
        lambda: adverse.import_self_identification(
            adverse.unseal(form.sealed.data or ""), current_user
        )
    )
    if not outcome.ok:
        flash(outcome.error.message, "error")
        return redirect(url_for("analytics.self_id_import"))
    preview = outcome.value
    flash(
        _(
            "Self-identification imported for %(n)s candidates. Rows skipped: %(bad)s.",
            n=len(preview.good),
            bad=len(preview.bad),
        ),
        "success",
    )
    return redirect(url_for("analytics.self_id_import"))
