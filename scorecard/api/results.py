"""Recommendations with their reasons, decisions, and the job's calibration and agreement.

The numbers come from scorecard.services.recommendations (the engine on the frozen
submissions), the words from scorecard.services.explain, decisions from
scorecard.services.decisions: the API adds no rule of its own. A reviewer who sits on a
candidate's panel with a draft is blind there: no aggregate is shown until they submit.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from scorecard import visibility
from scorecard.api import present, present_results
from scorecard.api.core import Call, not_found, operation
from scorecard.api.schemas import (
    CalibrationOut,
    DecisionOut,
    DecisionPage,
    HireDecisionIn,
    PageQuery,
    RecommendationOut,
    RecommendationPage,
    RoundDecisionIn,
)
from scorecard.api.visibility import reviewable_application_or_404, reviewable_job_or_404
from scorecard.extensions import db
from scorecard.models import (
    Application,
    HireDecision,
    Round,
    RoundDecision,
)
from scorecard.services import decisions, results
from scorecard.services.explain import Explainer
from scorecard.services.recommendations import JobScoring, interviewer_names
from scorecard.visibility import blind_application_ids

REVIEWERS = "The job's recruiters and hiring managers; admins."
DECIDERS = (
    "Reviewers may call it; the decision service records it only for the job's hiring manager "
    "or an admin (others get a 422 saying so)."
)


# --- recommendations -----------------------------------------------------------------------


@operation(
    "GET",
    "/applications/<id:application_id>/recommendation",
    summary="The hire recommendation of an application, with reasons and flags",
    tag="Recommendations",
    response=RecommendationOut,
    who=REVIEWERS,
)
def get_recommendation(call: Call, application_id: int):
    """Every reason comes twice: the engine's machine string (`text`) and plain words
    (`message`, in the caller's language)."""
    app_row = reviewable_application_or_404(call.user, application_id)
    blind = visibility.is_blind(call.user, app_row.id)
    scoring = JobScoring(app_row.job)
    score = None if blind else results.visible_score(app_row, call.user)
    return present_results.recommendation(scoring, app_row.id, score, blind=blind)


def _round_or_404(app_row: Application, round_id: int) -> Round:
    rnd = db.session.get(Round, round_id)
    if rnd is None or rnd.job_id != app_row.job_id:
        raise not_found()
    return rnd


@operation(
    "GET",
    "/applications/<id:application_id>/rounds/<id:round_id>/recommendation",
    summary="One round's recommendation (for advance / hold / reject), with reasons",
    tag="Recommendations",
    response=RecommendationOut,
    who=REVIEWERS,
)
def get_round_recommendation(call: Call, application_id: int, round_id: int):
    """The same rule on that round's criteria, ratings and weights only."""
    app_row = reviewable_application_or_404(call.user, application_id)
    rnd = _round_or_404(app_row, round_id)
    if visibility.is_blind(call.user, app_row.id):
        return present_results.recommendation(None, app_row.id, None, blind=True, rnd=rnd)
    scoring = JobScoring(app_row.job)
    score = results.visible_score(app_row, call.user)
    return present_results.recommendation(scoring, app_row.id, score, rnd=rnd)


@operation(
    "GET",
    "/jobs/<id:job_id>/recommendations",
    summary="Recommendations of a job's applications",
    tag="Recommendations",
    response=RecommendationPage,
    query=PageQuery,
    who=REVIEWERS,
)
def list_recommendations(call: Call, job_id: int):
    """By application id. `updated_since` compares the application's creation and closing
    times (recommendations change with every submission: fetch them again after syncing
    scorecards)."""
    job = reviewable_job_or_404(call.user, job_id)
    q = call.query
    stmt = sa.select(Application).where(Application.job_id == job.id)
    if q.updated_since:
        stmt = stmt.where(
            sa.or_(
                Application.created_at >= q.updated_since, Application.closed_at >= q.updated_since
            )
        )
    rows, total = present.paginate(stmt.order_by(Application.id), q)
    blind = visibility.blind_application_ids(call.user, job.id)
    scoring = JobScoring(job)
    scores = results.visible_scores(job, call.user, [a.id for a in rows], scoring)
    items = [
        present_results.recommendation(scoring, a.id, scores.get(a.id), blind=a.id in blind)
        for a in rows
    ]
    return present.page(RecommendationPage, items, q, total)


# --- decisions ---------------------------------------------------------------------------------


def _decision_page(
    call: Call, application_ids: sa.Select | list[int], blind: set[int]
) -> DecisionPage:
    """A page of the applications' round and hire decisions, oldest first, paged in SQL.

    Both kinds are ordered together by (decided_at, round before hire, id); only the page's
    rows are loaded.
    """
    q = call.query
    kinds = []
    for is_hire, model in ((0, RoundDecision), (1, HireDecision)):
        stmt = sa.select(
            sa.literal_column(str(is_hire)).label("is_hire"), model.id, model.decided_at
        ).where(model.application_id.in_(application_ids))
        if q.updated_since is not None:
            stmt = stmt.where(model.decided_at >= q.updated_since)
        kinds.append(stmt)
    both = sa.union_all(*kinds).subquery()
    total = db.session.scalar(sa.select(sa.func.count()).select_from(both))
    keys = db.session.execute(
        sa.select(both.c.is_hire, both.c.id)
        .order_by(both.c.decided_at, both.c.is_hire, both.c.id)
        .limit(q.per_page)
        .offset(present.offset(q))
    ).all()
    rows: dict[tuple[int, int], RoundDecision | HireDecision] = {}
    for is_hire, model in ((0, RoundDecision), (1, HireDecision)):
        ids = [row_id for kind, row_id in keys if kind == is_hire]
        if ids:
            for row in db.session.scalars(
                sa.select(model).where(model.id.in_(ids)).options(selectinload(model.decided_by))
            ):
                rows[(is_hire, row.id)] = row
    items = []
    for kind, row_id in keys:
        row = rows[(kind, row_id)]
        items.append(present.decision(row, row.application_id in blind))
    return present.page(DecisionPage, items, q, int(total or 0))


@operation(
    "GET",
    "/applications/<id:application_id>/decisions",
    summary="An application's round and hire decisions, oldest first (revisions included)",
    tag="Decisions",
    response=DecisionPage,
    query=PageQuery,
    who=REVIEWERS,
)
def list_application_decisions(call: Call, application_id: int):
    """A revision is a new entry: the history stays. `updated_since` compares decided_at."""
    app_row = reviewable_application_or_404(call.user, application_id)
    blind = blind_application_ids(call.user, app_row.job_id)
    return _decision_page(call, [app_row.id], blind)


@operation(
    "GET",
    "/jobs/<id:job_id>/decisions",
    summary="Every round and hire decision of a job, oldest first",
    tag="Decisions",
    response=DecisionPage,
    query=PageQuery,
    who=REVIEWERS,
)
def list_job_decisions(call: Call, job_id: int):
    """`updated_since` compares decided_at."""
    job = reviewable_job_or_404(call.user, job_id)
    ids = sa.select(Application.id).where(Application.job_id == job.id)
    blind = blind_application_ids(call.user, job.id)
    return _decision_page(call, ids, blind)


@operation(
    "POST",
    "/applications/<id:application_id>/rounds/<id:round_id>/decision",
    summary="Record advance / hold / reject for one round (a revision needs a new rationale)",
    tag="Decisions",
    response=DecisionOut,
    status=201,
    body=RoundDecisionIn,
    who=DECIDERS,
)
def decide_round(call: Call, application_id: int, round_id: int):
    """A rationale is required against the recommendation, without a complete one, and for
    every revision; the application moves on (advance), waits (hold) or closes (reject)."""
    app_row = reviewable_application_or_404(call.user, application_id)
    rnd = _round_or_404(app_row, round_id)
    data = call.body()
    row = decisions.decide_round(app_row, rnd, data.decision, data.rationale, call.user)
    db.session.commit()
    return present.decision(row, False)


@operation(
    "POST",
    "/applications/<id:application_id>/hire-decision",
    summary="Record the final hire / no-hire decision with its rationale",
    tag="Decisions",
    response=DecisionOut,
    status=201,
    body=HireDecisionIn,
    who=DECIDERS,
)
def decide_hire(call: Call, application_id: int):
    """Hire closes the application as hired, no hire as rejected."""
    app_row = reviewable_application_or_404(call.user, application_id)
    data = call.body()
    row = decisions.decide_hire(app_row, data.decision, data.rationale, call.user)
    db.session.commit()
    return present.decision(row, False)


# --- calibration and agreement --------------------------------------------------------------------


@operation(
    "GET",
    "/jobs/<id:job_id>/calibration",
    summary="A job's agreement (ICC, Krippendorff's alpha) and interviewer leniency",
    tag="Calibration",
    response=CalibrationOut,
    who=REVIEWERS,
)
def get_calibration(call: Call, job_id: int):
    """As the calibration page: ICC and alpha only with 20+ candidates that have 2+
    interviewers (else null, `sufficient` false); an interviewer's adjustment only once they
    rated 15 candidates."""
    job = reviewable_job_or_404(call.user, job_id)
    scoring = JobScoring(job)
    blind = visibility.blind_application_ids(call.user, job.id)
    overall = scoring.agreement_report(exclude=blind)
    per_round = [(rnd, scoring.agreement_report(rnd.key, exclude=blind)) for rnd in scoring.rounds]
    keys = set(overall.leniency)
    names = interviewer_names(int(k[1:]) for k in keys if k[1:].isdecimal())
    explainer = Explainer(scoring, names)
    return CalibrationOut(
        job_id=job.id,
        use_calibrated=job.use_calibrated,
        overall=present_results.agreement(overall, explainer, None),
        rounds=[present_results.agreement(rep, explainer, rnd) for rnd, rep in per_round],
    )
