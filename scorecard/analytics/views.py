"""Outcomes, validity, interviewer report and adverse impact pages (issue 14)."""

from __future__ import annotations

from functools import partial

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from scorecard import handler
from scorecard.analytics.forms import (
    AdverseSettingsForm,
    CheckpointForm,
    GrantForm,
    ImportForm,
    OutcomeForm,
    RemoveCheckpointForm,
    SelfIdentificationForm,
    SelfIdImportForm,
    SelfIdUploadForm,
    ThresholdForm,
    UploadForm,
)
from scorecard.candidates.views import checked_upload, editable_jobs
from scorecard.extensions import db
from scorecard.i18n import bilingual_text
from scorecard.models import (
    Application,
    Candidate,
    CheckpointKind,
    Job,
    OutcomeCheckpoint,
    Role,
    User,
)
from scorecard.permissions import (
    can_edit_job,
    get_reviewable_job_or_404,
    roles_required,
)
from scorecard.services import adverse_impact as adverse
from scorecard.services import analytics
from scorecard.services import outcomes as outcome_service
from scorecard.services.recommendations import JobScoring
from scorecard.setup.forms import apply_error

bp = Blueprint("analytics", __name__)
# Forms with a prefix: the app-wide CSRF protection checks the one csrf_token field.
NO_CSRF = {"csrf": False}


def probation_choices() -> list[tuple[str, str]]:
    return [
        ("", _("— choose —")),
        ("passed", _("Passed")),
        ("not_passed", _("Not passed")),
        ("left_early", _("Left early")),
    ]


def rating_choices() -> list[tuple[str, str]]:
    return [("", _("— choose —"))] + [(str(n), str(n)) for n in (1, 2, 3, 4)]


def _outcome_form(cp: OutcomeCheckpoint, application_id: int, outcome=None, formdata=None):
    form = OutcomeForm(formdata=formdata, prefix=f"o{application_id}-{cp.key}", meta=NO_CSRF)
    form.result.choices = (
        probation_choices() if cp.kind == CheckpointKind.PROBATION else rating_choices()
    )
    if formdata is None:
        form.application_id.data = str(application_id)
        form.checkpoint_id.data = cp.key
        if outcome is not None:
            value = outcome_service.value_of(outcome)
            form.result.data = "" if value is None else str(value)
            form.note.data = outcome.note
    return form


@bp.route("/jobs/<int:job_id>/outcomes", methods=["GET", "POST"])
@login_required
def outcomes(job_id: int):
    job = get_reviewable_job_or_404(job_id)
    may_record = outcome_service.can_record(current_user, job.id)
    if request.method == "POST" and not may_record:
        abort(404)
    if request.method == "POST":
        cps = outcome_service.ensure_checkpoints(job)  # the defaults, stored on first write
    else:
        cps = outcome_service.checkpoints(job)
    hires = outcome_service.hires(job)
    status = 200
    posted_key = None
    posted_form = None
    if request.method == "POST":
        app_id = request.form.get("application_id", type=int)
        cp_key = request.form.get("checkpoint", "")
        application = next((a for a in hires if a.id == app_id), None)
        cp = next((c for c in cps if c.key == cp_key), None)
        if application is None or cp is None:
            flash(_("Choose a hire and a checkpoint."), "error")
            status = 422
        else:
            posted_form = _outcome_form(cp, application.id, formdata=request.form)
            posted_key = (application.id, cp.key)
            if posted_form.validate_on_submit():
                outcome = handler.run(
                    lambda: outcome_service.record_outcome(
                        application,
                        cp,
                        posted_form.result.data or "",
                        posted_form.note.data or "",
                        current_user,
                    )
                )
                if outcome.ok:
                    flash(_("Outcome saved."), "success")
                    return redirect(url_for("analytics.outcomes", job_id=job.id))
                apply_error(posted_form, outcome.error)
                status = 422
            else:
                status = 422
    recorded = outcome_service.outcomes_for([a.id for a in hires])
    rows = []
    for application in hires:
        cells = []
        for cp in cps:
            if posted_key == (application.id, cp.key):
                form = posted_form
            else:
                form = _outcome_form(cp, application.id, recorded.get((application.id, cp.id)))
            cells.append((cp, form, recorded.get((application.id, cp.id))))
        rows.append((application, cells))
    return render_template(
        "analytics/outcomes.html",
        job=job,
        checkpoints=cps,
        rows=rows,
        may_record=may_record,
        may_import=outcome_service.can_import(current_user, job.id),
        may_edit=can_edit_job(current_user, job.id),
        labels=dict(probation_choices()),
    ), status


@bp.route("/jobs/<int:job_id>/outcomes/settings", methods=["GET", "POST"])
@login_required
def outcome_settings(job_id: int):
    job = db.session.get(Job, job_id)
    if job is None or not can_edit_job(current_user, job.id):
        abort(404)
    cps = outcome_service.checkpoints(job)
    add_form = CheckpointForm(prefix="add", meta=NO_CSRF)
    threshold = ThresholdForm(prefix="min", min_hires=adverse.min_hires(job), meta=NO_CSRF)
    remove = RemoveCheckpointForm(prefix="rm", meta=NO_CSRF)
    status = 200
    if request.method == "POST":
        action = request.form.get("action")
        change = None
        if action == "add" and add_form.validate_on_submit():
            change = partial(
                outcome_service.add_checkpoint,
                job,
                add_form.key.data or "",
                add_form.kind.data or "",
                add_form.name_zh.data or "",
                add_form.name_en.data or "",
                add_form.months.data or 0,
                current_user,
            )
            message = _("Checkpoint added.")
        elif action == "remove" and remove.validate_on_submit():
            raw = remove.checkpoint_id.data or ""
            change = partial(
                outcome_service.remove_checkpoint,
                job,
                int(raw) if raw.isdecimal() else 0,
                current_user,
            )
            message = _("Checkpoint removed.")
        elif action == "threshold" and threshold.validate_on_submit():
            change = partial(
                adverse.set_min_hires, job, threshold.min_hires.data or 0, current_user
            )
            message = _("Setting saved.")
        else:
            if action not in ("add", "remove", "threshold"):
                flash(_("Choose what to change."), "error")
            status = 422
        if change is not None:
            outcome = handler.run(change)
            if outcome.ok:
                flash(message, "success")
                return redirect(url_for("analytics.outcome_settings", job_id=job.id))
            form = {"add": add_form, "threshold": threshold}.get(action or "", remove)
            if action == "remove":
                flash(outcome.error.message, "error")
            else:
                apply_error(form, outcome.error)
            status = 422
        cps = outcome_service.checkpoints(job)
    return render_template(
        "analytics/outcome_settings.html",
        job=job,
        checkpoints=cps,
        add_form=add_form,
        threshold=threshold,
        remove=remove,
    ), status


# --- CSV import ----------------------------------------------------------------------------

EDITORS = (Role.ADMIN, Role.HR)


def _upload_form(jobs: list[Job]) -> UploadForm:
    form = UploadForm()
    form.default_job.choices = [(0, _("— choose —"))] + [
        (j.id, bilingual_text(j, "title")) for j in jobs
    ]
    return form


@bp.route("/outcomes/import")
@roles_required(*EDITORS)
def import_page():
    form = _upload_form(editable_jobs())
    form.default_job.data = request.args.get("job", type=int) or 0
    return render_template("analytics/import.html", form=form, preview=None)


@bp.post("/outcomes/import/preview")
@roles_required(*EDITORS)
def import_preview():
    jobs = editable_jobs()
    form = _upload_form(jobs)
    preview = text = None
    default_job = next((j for j in jobs if j.id == form.default_job.data), None)
    if form.validate_on_submit():
        preview, text = checked_upload(
            form, lambda t: outcome_service.check_csv(t, jobs, default_job)
        )
    import_form = ImportForm(formdata=None)
    if preview is not None:
        import_form.text.data = text
        import_form.default_job.data = str(default_job.id) if default_job else ""
    status = 200 if preview is not None else 422
    return render_template(
        "analytics/import.html", form=form, preview=preview, import_form=import_form
    ), status


@bp.post("/outcomes/import/run")
@roles_required(*EDITORS)
def import_run():
    jobs = editable_jobs()
    form = ImportForm()
    if not form.validate_on_submit() or not (form.text.data or "").strip():
        flash(_("This import form is not valid: upload the file again."), "error")
        return redirect(url_for("analytics.import_page"))
    raw = form.default_job.data or ""
    default_job = next((j for j in jobs if raw.isdecimal() and j.id == int(raw)), None)
    outcome = handler.run(
        lambda: outcome_service.import_outcomes(
            form.text.data or "", jobs, default_job, current_user
        )
    )
    if not outcome.ok:
        flash(outcome.error.message, "error")
        return redirect(url_for("analytics.import_page"))
    preview, changed = outcome.value
    flash(
        _(
            "Outcomes imported: %(n)s (changed: %(changed)s). Rows skipped: %(bad)s.",
            n=len(preview.good),
            changed=changed,
            bad=len(preview.bad),
        ),
        "success",
    )
    if default_job is not None:
        return redirect(url_for("analytics.outcomes", job_id=default_job.id))
    return redirect(url_for("analytics.import_page"))


# --- validity and the interviewer report ---------------------------------------------------


def _predictor_label(p: analytics.Predictor, scoring: JobScoring | None) -> str:
    from scorecard.services import explain

    if p.kind == "overall":
        return _("Overall score")
    if p.kind == "panel":
        return _("Panel's overall recommendations (mean)")
    if scoring is None:
        return p.key
    explainer = explain.Explainer(scoring)
    if p.kind == "round":
        return _("Round: %(name)s", name=explainer.round_name(p.key))
    if p.kind == "dimension":
        from scorecard.labels import DIMENSION_LABELS
        from scorecard.models import Dimension

        label = DIMENSION_LABELS.get(Dimension(p.key)) if p.key in set(Dimension) else p.key
        return _("Dimension: %(name)s", name=str(label))
    return _(
        "Criterion: %(round)s · %(name)s",
        round=explainer.round_name(p.key.partition(":")[0]),
        name=explainer.criterion_name(p.key),
    )


@bp.route("/jobs/<int:job_id>/validity")
@login_required
def validity(job_id: int):
    job = get_reviewable_job_or_404(job_id)
    report = analytics.validity(job, current_user)
    scoring = JobScoring(job)
    labelled = [(r, _predictor_label(r.predictor, scoring)) for r in report.rows]
    return render_template("analytics/validity.html", job=job, report=report, labelled=labelled)


@bp.route("/validity")
@roles_required(Role.ADMIN, Role.HR, Role.MANAGER)
def validity_all():
    report = analytics.validity_across(current_user)
    labelled = [(r, _predictor_label(r.predictor, None)) for r in report.rows]
    return render_template("analytics/validity.html", job=None, report=report, labelled=labelled)


@bp.route("/interviewer-report")
@login_required
def interviewers():
    everyone = analytics.sees_every_interviewer(current_user)
    raw = request.args.get("interviewer")
    person = None
    if raw is not None:  # one interviewer's report: another's is refused to non-HR (404)
        person = db.session.get(User, int(raw)) if raw.isdecimal() else None
        if person is None or not (everyone or person.id == current_user.id):
            abort(404)
    figures = analytics.interviewer_report(
        current_user, only_self=not everyone, interviewer=person.id if person else None
    )
    return render_template(
        "analytics/interviewers.html", figures=figures, everyone=everyone, person=person
    )


# --- adverse impact ------------------------------------------------------------------------


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
