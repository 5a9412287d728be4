"""Validity pages (how well interview scores predicted outcomes, per job and across jobs)
and the interviewer report."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from scorecard.extensions import db
from scorecard.models import Role, User
from scorecard.permissions import get_reviewable_job_or_404, roles_required
from scorecard.services import analytics
from scorecard.services.recommendations import JobScoring

from .common import bp


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
