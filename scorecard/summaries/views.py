"""Round summaries with their decisions, the hire decision, and the job summary."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from scorecard import handler, visibility
from scorecard.extensions import db
from scorecard.models import Round, Scorecard, utcnow
from scorecard.permissions import (
    can_decide,
    get_reviewable_application_or_404,
    get_reviewable_job_or_404,
)
from scorecard.services import decisions, results
from scorecard.services import explain as explain_service
from scorecard.services.errors import DomainError
from scorecard.services.job_summary import build_job_summary
from scorecard.services.queries import is_past_due
from scorecard.services.recommendations import JobScoring, interviewer_names
from scorecard.services.round_summary import round_summary as build_round_summary
from scorecard.summaries.forms import HireDecisionForm, RoundDecisionForm

bp = Blueprint("summaries", __name__)


def _field_error(form, exc: DomainError, shown: bool) -> None:
    """Show a service's error on its field, or as a message when the form is not shown."""
    target = getattr(form, exc.field, None) if exc.field and shown else None
    if target is not None and hasattr(target, "errors"):
        errors = list(target.errors or [])
        errors.append(exc.message)
        target.errors = errors
    else:
        flash(exc.message, "error")


@bp.route("/applications/<int:application_id>/rounds/<int:round_id>", methods=["GET", "POST"])
@login_required
def round_summary(application_id: int, round_id: int):
    application = get_reviewable_application_or_404(application_id)
    rnd = db.session.get(Round, round_id)
    if rnd is None or rnd.job_id != application.job_id:
        abort(404)
    form = RoundDecisionForm()
    status = 200
    if form.is_submitted():
        if form.validate():
            outcome = handler.run(
                lambda: decisions.decide_round(
                    application, rnd, form.decision.data, form.rationale.data, current_user
                )
            )
            if outcome.ok:
                flash(_("Decision recorded."), "success")
                return redirect(
                    url_for(
                        "summaries.round_summary",
                        application_id=application.id,
                        round_id=rnd.id,
                        _anchor="decision",
                    )
                )
            _field_error(form, outcome.error, can_decide(current_user, application.job_id))
            status = 400
        else:
            status = 400
    job = application.job
    scoring = JobScoring(job)
    score = results.visible_score(application, current_user)
    now = utcnow()

    def overdue(card: Scorecard) -> bool:
        return is_past_due(job, card.interview.ends_at, now)

    summary = build_round_summary(scoring, application, rnd, current_user, score, overdue)
    names = interviewer_names(v.scorecard.interviewer_id for v in summary.cards)
    history = decisions.round_history(application.id, rnd.id)
    may_decide = can_decide(current_user, job.id)
    if form.decision.data is None and history:
        form.decision.data = history[-1].decision.value
    return (
        render_template(
            "summaries/round.html",
            application=application,
            job=job,
            rnd=rnd,
            rounds=scoring.rounds,
            s=summary,
            explainer=explain_service.Explainer(scoring, names),
            labels=explain_service,
            history=history,
            form=form,
            may_decide=may_decide,
            needs_rationale_for=_rationale_hints(summary),
        ),
        status,
    )


def _rationale_hints(summary) -> dict[str, bool]:
    """Which choices need a rationale now (shown next to the form; the service decides)."""
    rec = summary.result.recommendation if summary.result is not None else None
    return {
        kind: decisions.rationale_needed(kind, rec, False) for kind in ("advance", "hold", "reject")
    }


@bp.route("/applications/<int:application_id>/decision", methods=["GET", "POST"])
@login_required
def hire_decision(application_id: int):
    application = get_reviewable_application_or_404(application_id)
    form = HireDecisionForm()
    status = 200
    if form.is_submitted():
        if form.validate():
            outcome = handler.run(
                lambda: decisions.decide_hire(
                    application, form.decision.data, form.rationale.data, current_user
                )
            )
            if outcome.ok:
                flash(_("Hire decision recorded."), "success")
                return redirect(url_for("summaries.hire_decision", application_id=application.id))
            _field_error(form, outcome.error, can_decide(current_user, application.job_id))
            status = 400
        else:
            status = 400
    job = application.job
    scoring = JobScoring(job)
    blind = visibility.is_blind(current_user, application.id)
    score = None if blind else results.visible_score(application, current_user)
    names = interviewer_names(score.interviewer_ids if score else ())
    return (
        render_template(
            "summaries/hire.html",
            application=application,
            job=job,
            scoring=scoring,
            score=score,
            blind=blind,
            explainer=explain_service.Explainer(scoring, names),
            labels=explain_service,
            history=decisions.hire_history(application.id),
            round_history=decisions.round_history(application.id),
            form=form,
            may_decide=can_decide(current_user, job.id),
        ),
        status,
    )


@bp.route("/jobs/<int:job_id>/summary")
@login_required
def job_summary(job_id: int):
    job = get_reviewable_job_or_404(job_id)
    summary = build_job_summary(job, current_user)
    return render_template(
        "summaries/job.html",
        job=job,
        s=summary,
        can_remind=current_user.role.value in ("admin", "hr"),
    )


@bp.app_template_global()
def decision_overview(application) -> dict:
    """For the application page: the latest decision per round and the hire decisions."""
    rounds = decisions.round_history(application.id)
    latest = {}
    for row in rounds:
        latest[row.round_id] = row
    return {
        "latest": latest,
        "hire": decisions.hire_history(application.id),
        "may_decide": can_decide(current_user, application.job_id),
    }
