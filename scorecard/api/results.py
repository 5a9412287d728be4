"""Recommendations with their reasons, decisions, and the job's calibration and agreement.

The numbers come from scorecard.services.recommendations (the engine on the frozen
submissions), the words from scorecard.services.explain, decisions from
scorecard.services.decisions: the API adds no rule of its own. A reviewer who sits on a
candidate's panel with a draft is blind there: no aggregate is shown until they submit.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from scorecard import visibility
from scorecard.api import present
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
    as_json_value,
)
from scorecard.api.visibility import reviewable_application_or_404, reviewable_job_or_404
from scorecard.extensions import db
from scorecard.models import (
    Application,
    HireDecision,
    Round,
    RoundDecision,
)
from scorecard.scoring import Flag, Reason
from scorecard.scoring.agreement import AgreementReport
from scorecard.services import decisions, results
from scorecard.services.explain import Explainer, recommendation_label
from scorecard.services.recommendations import ApplicationScore, JobScoring, interviewer_names
from scorecard.visibility import blind_application_ids

REVIEWERS = "The job's recruiters and hiring managers; admins."
DECIDERS = (
    "Reviewers may call it; the decision service records it only for the job's hiring manager "
    "or an admin (others get a 422 saying so)."
)


# --- recommendations -----------------------------------------------------------------------


def _people(explainer: Explainer, keys: tuple[str, ...]) -> list[dict[str, Any]]:
    out = []
    for key in keys:
        if key.startswith("u") and key[1:].isdecimal():
            out.append({"id": int(key[1:]), "name": explainer.names.get(key, key)})
    return out


def _reason(explainer: Explainer, reason: Reason) -> dict[str, Any]:
    return {
        "code": reason.code,
        "params": {k: as_json_value(v) for k, v in reason.params.items()},
        "text": reason.text,
        "message": explainer.reason(reason),
    }


def _flag(explainer: Explainer, flag: Flag) -> dict[str, Any]:
    return {
        "kind": flag.kind,
        "round_key": flag.round,
        "criterion_key": flag.criterion,
        "red_flag_key": flag.red_flag,
        "interviewers": _people(explainer, flag.interviewers),
        "message": explainer.flag(flag, show_people=False),
    }


def r4(value: float | None) -> float | None:
    """Figures rounded to 4 decimals in answers, as the engine's JSON contract does."""
    return None if value is None else round(value, 4) + 0.0


def _summary(explainer: Explainer, result: Any) -> dict[str, Any]:
    return {
        "recommendation": result.recommendation,
        "recommendation_label": recommendation_label(result.recommendation),
        "score": r4(result.score),
        "coverage": r4(result.coverage),
        "confidence": result.confidence,
        "reliability": r4(result.reliability),
        "raters": result.raters,
        "reasons": [_reason(explainer, r) for r in result.reasons],
        "flags": [_flag(explainer, f) for f in result.flags],
    }


def _criteria(explainer: Explainer, scoring: JobScoring, criteria: Any) -> list[dict[str, Any]]:
    out = []
    for key, c in criteria.items():
        crit = scoring.criterion_for(key)
        out.append(
            {
                "key": key,
                "round_key": c.round,
                "criterion_id": crit.id if crit is not None else None,
                "name": explainer.criterion_name(key),
                "score": r4(c.score),
                "ratings": c.ratings,
                "spread": c.spread,
                "weight": c.weight,
                "must_have": c.must_have,
            }
        )
    return out


def _empty(application_id: int, round_id: int | None, state: str) -> dict[str, Any]:
    return {
        "application_id": application_id,
        "round_id": round_id,
        "state": state,
        "recommendation": None,
        "recommendation_label": None,
        "score": None,
        "coverage": None,
        "confidence": None,
        "reliability": None,
        "raters": None,
        "reasons": [],
        "flags": [],
        "rounds": [],
        "criteria": [],
        "dimensions": {},
        "edited_scorecards": 0,
    }


def _explainer(scoring: JobScoring, scores: list[ApplicationScore]) -> Explainer:
    ids = {i for s in scores for i in s.interviewer_ids}
    return Explainer(scoring, interviewer_names(ids))


def application_recommendation(
    scoring: JobScoring, score: ApplicationScore | None, application_id: int, blind: bool
) -> dict[str, Any]:
    """The hire recommendation of one application over all its rounds."""
    if blind:
        return _empty(application_id, None, "blind")
    if score is None:
        return _empty(application_id, None, "unscored")
    explainer = _explainer(scoring, [score])
    result = score.result
    round_ids = {r.key: r.id for r in scoring.rounds}
    return {
        "application_id": application_id,
        "round_id": None,
        "state": "scored",
        **_summary(explainer, result),
        "rounds": [
            {
                "round_id": round_ids.get(key),
                "round_key": key,
                **_summary(explainer, rr),
            }
            for key, rr in result.rounds.items()
        ],
        "criteria": _criteria(explainer, scoring, result.criteria),
        "dimensions": {k: r4(v) for k, v in result.dimensions.items()},
        "edited_scorecards": score.edited_scorecards,
    }


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
    return application_recommendation(scoring, score, app_row.id, blind)


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
        return _empty(app_row.id, rnd.id, "blind")
    scoring = JobScoring(app_row.job)
    score = results.visible_score(app_row, call.user)
    rr = score.result.rounds.get(rnd.key) if score is not None else None
    if score is None or rr is None or not rr.raters:
        return _empty(app_row.id, rnd.id, "unscored")
    explainer = _explainer(scoring, [score])
    return {
        "application_id": app_row.id,
        "round_id": rnd.id,
        "state": "scored",
        **_summary(explainer, rr),
        "rounds": [],
        "criteria": _criteria(explainer, scoring, rr.criteria),
        "dimensions": {k: r4(v) for k, v in rr.dimensions.items()},
        "edited_scorecards": score.edited_rounds.get(rnd.id, 0),
    }


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
    return present.page(
        [application_recommendation(scoring, scores.get(a.id), a.id, a.id in blind) for a in rows],
        q,
        total,
    )


# --- decisions ---------------------------------------------------------------------------------


def _decision_rows(application_ids: sa.Select | list[int], since: Any) -> list[Any]:
    rounds = sa.select(RoundDecision).where(RoundDecision.application_id.in_(application_ids))
    hires = sa.select(HireDecision).where(HireDecision.application_id.in_(application_ids))
    if since is not None:
        rounds = rounds.where(RoundDecision.decided_at >= since)
        hires = hires.where(HireDecision.decided_at >= since)
    rows: list[Any] = list(
        db.session.scalars(rounds.options(selectinload(RoundDecision.decided_by)))
    )
    rows += list(db.session.scalars(hires.options(selectinload(HireDecision.decided_by))))
    rows.sort(key=lambda r: (r.decided_at, isinstance(r, HireDecision), r.id))
    return rows


def _decision_page(call: Call, rows: list[Any], blind: set[int]) -> dict[str, Any]:
    q = call.query
    start = (q.page - 1) * q.per_page
    items = [
        present.decision(r, r.application_id in blind) for r in rows[start : start + q.per_page]
    ]
    return present.page(items, q, len(rows))


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
    return _decision_page(call, _decision_rows([app_row.id], call.query.updated_since), blind)


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
    return _decision_page(call, _decision_rows(ids, call.query.updated_since), blind)


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


def _agreement(report: AgreementReport, explainer: Explainer, rnd: Round | None) -> dict[str, Any]:
    shown = report.sufficient
    return {
        "round_id": rnd.id if rnd is not None else None,
        "round_key": rnd.key if rnd is not None else None,
        "candidates": report.candidates,
        "sufficient": report.sufficient,
        "k0": r4(report.icc.k0),
        "icc1": r4(report.icc.icc1) if shown else None,
        "icck": r4(report.icc.icck) if shown else None,
        "alpha": [
            {
                "key": key,
                "round_key": key.partition(":")[0],
                "name": explainer.criterion_name(key),
                "alpha": r4(value) if shown else None,
            }
            for key, value in report.alpha.items()
        ],
        "leniency": [
            {
                "interviewer": {"id": int(key[1:]), "name": explainer.names.get(key, key)},
                "n": lenient.n,
                "mean": r4(lenient.mean),
                "adjustment": r4(lenient.adjustment) if lenient.shown else None,
                "stable": lenient.stable,
            }
            for key, lenient in report.leniency.items()
            if key[1:].isdecimal()
        ],
    }


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
    return {
        "job_id": job.id,
        "use_calibrated": job.use_calibrated,
        "overall": _agreement(overall, explainer, None),
        "rounds": [_agreement(rep, explainer, rnd) for rnd, rep in per_round],
    }
