"""Recommendations with their reasons, calibration and agreement, and the job's policy."""

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from scorecard.extensions import db
from scorecard.models import Application, Job
from scorecard.permissions import can_edit_job, can_review_job, get_reviewable_job_or_404
from scorecard.reports.forms import PolicyForm
from scorecard.scoring.agreement import interpret
from scorecard.services import explain as explain_service
from scorecard.services.errors import DomainError
from scorecard.services.policy import POLICY_FIELDS, update_policy
from scorecard.services.recommendations import JobScoring, interviewer_names

bp = Blueprint("reports", __name__)


def _explainer(scoring: JobScoring, scores) -> explain_service.Explainer:
    ids = {c.interviewer_id for s in scores for c in s.submitted}
    return explain_service.Explainer(scoring, interviewer_names(ids))


@bp.route("/jobs/<int:job_id>/recommendations")
@login_required
def job_recommendations(job_id: int):
    job = get_reviewable_job_or_404(job_id)
    applications = db.session.scalars(
        sa.select(Application)
        .where(Application.job_id == job.id)
        .options(selectinload(Application.candidate), selectinload(Application.current_round))
        .order_by(Application.id)
    ).all()
    scoring = JobScoring(job)
    scores = scoring.score_applications()
    return render_template(
        "reports/job_recommendations.html",
        job=job,
        applications=applications,
        scores=scores,
        explainer=_explainer(scoring, scores.values()),
        labels=explain_service,
    )


@bp.route("/applications/<int:application_id>")
@login_required
def application(application_id: int):
    app_row = db.session.get(Application, application_id)
    if app_row is None or not can_review_job(current_user, app_row.job_id):
        abort(404)
    scoring = JobScoring(app_row.job)
    score = scoring.score_applications([app_row.id]).get(app_row.id)
    explainer = _explainer(scoring, [score] if score else [])
    return render_template(
        "reports/application.html",
        application=app_row,
        job=app_row.job,
        scoring=scoring,
        score=score,
        explainer=explainer,
        labels=explain_service,
    )


@bp.route("/jobs/<int:job_id>/calibration")
@login_required
def calibration(job_id: int):
    job = get_reviewable_job_or_404(job_id)
    scoring = JobScoring(job)
    overall = scoring.agreement_report()
    per_round = [(rnd, scoring.agreement_report(rnd.key)) for rnd in scoring.rounds]
    ids = [int(k[1:]) for k in overall.leniency]
    return render_template(
        "reports/calibration.html",
        job=job,
        overall=overall,
        per_round=per_round,
        names=interviewer_names(ids),
        explainer=explain_service.Explainer(scoring),
        interpret=interpret,
    )


@bp.route("/jobs/<int:job_id>/policy", methods=["GET", "POST"])
@login_required
def policy(job_id: int):
    job = db.session.get(Job, job_id)
    if job is None or not can_edit_job(current_user, job.id):
        abort(404)
    form = PolicyForm(obj=job)
    if form.validate_on_submit():
        try:
            update_policy(
                job, {name: getattr(form, name).data for name in POLICY_FIELDS}, current_user
            )
        except DomainError as exc:
            db.session.rollback()
            getattr(form, exc.field).errors.append(exc.message)
        else:
            db.session.commit()
            flash(_("Policy saved."), "success")
            return redirect(url_for("reports.policy", job_id=job.id))
    return render_template("reports/policy.html", job=job, form=form)
