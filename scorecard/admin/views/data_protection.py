"""Data protection: finding a candidate, erasing one on request, exporting what is held
about them, and each job's retention."""

import sqlalchemy as sa
from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from scorecard import handler
from scorecard.admin.forms import CandidateSearchForm, EraseForm, ExportForm, RetentionForm
from scorecard.extensions import db
from scorecard.models import Application, Candidate, Job, Role
from scorecard.permissions import roles_required
from scorecard.services import data_export, privacy

from .common import _field_error, bp

CANDIDATE_PAGE_SIZE = 50


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
