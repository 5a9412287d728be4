"""Post-hire outcome pages: recording outcomes per hire and checkpoint, the job's checkpoint
and threshold settings, and the outcomes CSV import."""

from __future__ import annotations

from functools import partial

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from scorecard import handler
from scorecard.analytics.forms import (
    CheckpointForm,
    ImportForm,
    OutcomeForm,
    RemoveCheckpointForm,
    ThresholdForm,
)
from scorecard.candidates.views import editable_jobs, preview_upload, upload_form
from scorecard.extensions import db
from scorecard.models import CheckpointKind, Job, OutcomeCheckpoint
from scorecard.permissions import can_edit_job, get_reviewable_job_or_404, roles_required
from scorecard.services import adverse_impact as adverse
from scorecard.services import outcomes as outcome_service
from scorecard.setup.forms import apply_error

from .common import EDITORS, NO_CSRF, bp


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


@bp.route("/outcomes/import")
@roles_required(*EDITORS)
def import_page():
    form = upload_form(editable_jobs())
    form.default_job.data = request.args.get("job", type=int) or 0
    return render_template("analytics/import.html", form=form, preview=None)


@bp.post("/outcomes/import/preview")
@roles_required(*EDITORS)
def import_preview():
    form, preview, text, default_job = preview_upload(editable_jobs(), outcome_service.check_csv)
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
