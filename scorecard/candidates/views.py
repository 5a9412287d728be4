"""Candidate pages: add one by form; import many from CSV (upload, preview, import)."""

import uuid
from collections.abc import Callable
from typing import TypeVar

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from scorecard import handler
from scorecard.candidates.forms import CandidateForm, ImportForm, UploadForm
from scorecard.extensions import db
from scorecard.i18n import bilingual_text
from scorecard.models import Job, Role
from scorecard.permissions import editable_job_ids_for, roles_required
from scorecard.services import candidates as candidate_service
from scorecard.services.errors import DomainError
from scorecard.setup.forms import apply_error

P = TypeVar("P")

bp = Blueprint("candidates", __name__)
EDITORS = (Role.ADMIN, Role.HR)


def editable_jobs() -> list[Job]:
    """Jobs the current user may add candidates to."""
    stmt = sa.select(Job).order_by(Job.created_at.desc(), Job.id.desc())
    ids = editable_job_ids_for(current_user)
    if ids is not None:
        stmt = stmt.where(Job.id.in_(ids))
    return list(db.session.scalars(stmt))


def _job_choices(jobs: list[Job], blank: bool = False) -> list[tuple[int, str]]:
    choices = [(j.id, bilingual_text(j, "title")) for j in jobs]
    return ([(0, _("— choose —"))] if blank else []) + choices


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*EDITORS)
def new():
    jobs = editable_jobs()
    form = CandidateForm()
    form.job_id.choices = _job_choices(jobs)
    if request.method == "GET" and request.args.get("job", type=int):
        form.job_id.data = request.args.get("job", type=int)
    if form.validate_on_submit():
        job = next((j for j in jobs if j.id == form.job_id.data), None)

        def create() -> None:
            if job is None:
                raise DomainError("job_id", _("Choose a job."))
            values = {k: v for k, v in form.data.items() if k not in ("csrf_token", "job_id")}
            candidate_service.create_candidate(values, job, current_user)

        outcome = handler.run(create)
        if outcome.ok:
            flash(_("Candidate added."), "success")
            return redirect(url_for("main.candidates", job=job.id))
        apply_error(form, outcome.error)
    status = 422 if request.method == "POST" else 200
    return render_template("candidates/new.html", form=form), status


def upload_form(jobs: list[Job]) -> UploadForm:
    """A CSV upload form whose default job is one of `jobs` (or none)."""
    form = UploadForm()
    form.default_job.choices = _job_choices(jobs, blank=True)
    return form


def preview_upload(
    jobs: list[Job], check: Callable[[str, list[Job], Job | None], P]
) -> tuple[UploadForm, P | None, str | None, Job | None]:
    """The preview step of a CSV import with a default job (candidates, outcomes): the posted
    upload form, what `check(text, jobs, default_job)` made of its file (None when refused,
    the form then carrying why), the file's text and the default job chosen."""
    form = upload_form(jobs)
    preview = text = None
    default_job = next((j for j in jobs if j.id == form.default_job.data), None)
    if form.validate_on_submit():
        preview, text = checked_upload(form, lambda t: check(t, jobs, default_job))
    return form, preview, text, default_job


@bp.route("/import")
@roles_required(*EDITORS)
def import_page():
    form = upload_form(editable_jobs())
    form.default_job.data = request.args.get("job", type=int) or 0
    return render_template("candidates/import.html", form=form, preview=None)


def checked_upload(form, check: Callable[[str], P]) -> tuple[P | None, str | None]:
    """The form's uploaded CSV decoded (UTF-8 ± BOM, GB18030) and checked by `check`; a
    missing, undecodable or refused file becomes the form's error and (None, None)."""
    try:
        upload = form.file.data
        if not upload or not getattr(upload, "filename", ""):
            raise DomainError("file", _("Choose a CSV file."))
        text = candidate_service.decode(upload.read(candidate_service.MAX_FILE_BYTES + 1))
        return check(text), text
    except DomainError as exc:
        db.session.rollback()
        apply_error(form, exc)
        return None, None


def _wants_fragment() -> bool:
    return request.headers.get("X-Requested-With") == "XMLHttpRequest"


@bp.post("/import/preview")
@roles_required(*EDITORS)
def import_preview():
    form, preview, text, default_job = preview_upload(editable_jobs(), candidate_service.check_csv)
    import_form = ImportForm(formdata=None)
    if preview is not None:
        import_form.text.data = text
        import_form.default_job.data = str(default_job.id) if default_job else ""
        import_form.key.data = uuid.uuid4().hex
    status = 200 if preview is not None else 422
    template = "candidates/_preview.html" if _wants_fragment() else "candidates/import.html"
    return render_template(template, form=form, preview=preview, import_form=import_form), status


@bp.post("/import/run")
@roles_required(*EDITORS)
def import_run():
    jobs = editable_jobs()
    form = ImportForm()
    if not form.validate_on_submit():
        flash(_("This import form is not valid: upload the file again."), "error")
        return redirect(url_for("candidates.import_page"))
    default_id = int(form.default_job.data) if (form.default_job.data or "").isdecimal() else 0
    default_job = next((j for j in jobs if j.id == default_id), None)
    outcome = handler.run(
        lambda: candidate_service.import_candidates(
            form.text.data or "", jobs, default_job, form.key.data or "", current_user
        )
    )
    if not outcome.ok:
        flash(outcome.error.message, "error")
        return redirect(url_for("candidates.import_page"))
    run, preview = outcome.value
    flash(
        _(
            "Candidates imported: %(n)s. Rows skipped: %(bad)s.",
            n=run.rows_imported,
            bad=run.rows_rejected,
        ),
        "success",
    )
    return redirect(url_for("main.candidates", job=default_job.id if default_job else None))
