"""Recommendations with their reasons, calibration and agreement, and the job's policy."""

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from scorecard import handler, visibility
from scorecard.extensions import db
from scorecard.models import Application
from scorecard.paging import Page
from scorecard.permissions import (
    get_editable_job_or_404,
    get_reviewable_application_or_404,
    get_reviewable_job_or_404,
)
from scorecard.reports.forms import PolicyForm
from scorecard.scoring.agreement import interpret
from scorecard.services import explain as explain_service
from scorecard.services import results
from scorecard.services.policy import POLICY_FIELDS, update_policy
from scorecard.services.recommendations import JobScoring, interviewer_names
from scorecard.services.stages import awaiting_hire_ids

bp = Blueprint("reports", __name__)


def _explainer(scoring: JobScoring, scores) -> explain_service.Explainer:
    ids = {i for s in scores for i in s.interviewer_ids}
    return explain_service.Explainer(scoring, interviewer_names(ids))


@bp.route("/jobs/<int:job_id>/recommendations")
@login_required
def job_recommendations(job_id: int):
    job = get_reviewable_job_or_404(job_id)
    base = sa.select(Application).where(Application.job_id == job.id)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(base.subquery())) or 0
    page = Page.from_args(request.args).clamp(total)
    applications = db.session.scalars(
        base.options(selectinload(Application.candidate), selectinload(Application.current_round))
        .order_by(Application.id)
        .limit(page.size)
        .offset(page.offset)
    ).all()
    scoring = JobScoring(job)
    ids = [a.id for a in applications]
    blind = visibility.blind_application_ids(current_user, job.id)
    scores = results.visible_scores(job, current_user, ids, scoring)
    return render_template(
        "reports/job_recommendations.html",
        job=job,
        applications=applications,
        scores=scores,
        blind=blind,
        awaiting=awaiting_hire_ids(ids),
        pages=page.links(total),
        explainer=_explainer(scoring, scores.values()),
        labels=explain_service,
    )


@bp.route("/applications/<int:application_id>")
@login_required
def application(application_id: int):
    app_row = get_reviewable_application_or_404(application_id)
    scoring = JobScoring(app_row.job)
    blind = visibility.is_blind(current_user, app_row.id)
    score = None if blind else results.visible_score(app_row, current_user)
    explainer = _explainer(scoring, [score] if score else [])
    from scorecard.services import adverse_impact

    may_self_identify = (
        app_row.candidate.erased_at is None
        and adverse_impact.can_enter(current_user, [app_row.job_id])
        and adverse_impact.enabled(app_row.job)
    )
    return render_template(
        "reports/application.html",
        may_self_identify=may_self_identify,
        application=app_row,
        job=app_row.job,
        scoring=scoring,
        score=score,
        blind=blind,
        explainer=explainer,
        labels=explain_service,
    )


@bp.route("/jobs/<int:job_id>/calibration")
@login_required
def calibration(job_id: int):
    job = get_reviewable_job_or_404(job_id)
    scoring = JobScoring(job)
    blind = visibility.blind_application_ids(current_user, job.id)
    overall = scoring.agreement_report(exclude=blind)
    per_round = [(rnd, scoring.agreement_report(rnd.key, exclude=blind)) for rnd in scoring.rounds]
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
    job = get_editable_job_or_404(job_id)
    form = PolicyForm(obj=job)
    if form.validate_on_submit():
        outcome = handler.run(
            lambda: update_policy(
                job, {name: getattr(form, name).data for name in POLICY_FIELDS}, current_user
            )
        )
        if outcome.ok:
            flash(_("Policy saved."), "success")
            return redirect(url_for("reports.policy", job_id=job.id))
        getattr(form, outcome.error.field).errors.append(outcome.error.message)
    return render_template("reports/policy.html", job=job, form=form)
