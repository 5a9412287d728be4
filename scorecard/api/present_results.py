"""Engine results → the API's answer models: recommendations with reasons and flags, agreement.

The numbers come from scorecard.services.recommendations, the words from
scorecard.services.explain; nothing here decides what a caller may see (blind answers are
decided by the caller of `recommendation`).
"""

from __future__ import annotations

from typing import Any

from scorecard.api.schemas import (
    AgreementOut,
    AlphaOut,
    CriterionResultOut,
    FlagOut,
    LeniencyOut,
    ReasonOut,
    RecommendationOut,
    RoundResultOut,
    UserRef,
    as_json_value,
)
from scorecard.models import Round
from scorecard.scoring import Flag, Reason
from scorecard.scoring.agreement import AgreementReport
from scorecard.services.explain import Explainer, recommendation_label
from scorecard.services.recommendations import ApplicationScore, JobScoring, interviewer_names


def r4(value: float | None) -> float | None:
    """Figures rounded to 4 decimals in answers, as the engine's JSON contract does."""
    return None if value is None else round(value, 4) + 0.0


def _people(explainer: Explainer, keys: tuple[str, ...]) -> list[UserRef]:
    return [
        UserRef(id=int(key[1:]), name=explainer.names.get(key, key))
        for key in keys
        if key.startswith("u") and key[1:].isdecimal()
    ]


def reason(explainer: Explainer, item: Reason) -> ReasonOut:
    return ReasonOut(
        code=item.code,
        params={k: as_json_value(v) for k, v in item.params.items()},
        text=item.text,
        message=explainer.reason(item),
    )


def flag(explainer: Explainer, item: Flag) -> FlagOut:
    return FlagOut(
        kind=item.kind,
        round_key=item.round,
        criterion_key=item.criterion,
        red_flag_key=item.red_flag,
        interviewers=_people(explainer, item.interviewers),
        message=explainer.flag(item, show_people=False),
    )


def _summary(explainer: Explainer, result: Any) -> dict[str, Any]:
    """The fields a round's result and a recommendation share."""
    return {
        "recommendation": result.recommendation,
        "recommendation_label": recommendation_label(result.recommendation),
        "score": r4(result.score),
        "coverage": r4(result.coverage),
        "confidence": result.confidence,
        "reliability": r4(result.reliability),
        "raters": result.raters,
        "reasons": [reason(explainer, r) for r in result.reasons],
        "flags": [flag(explainer, f) for f in result.flags],
    }


def _criteria(explainer: Explainer, scoring: JobScoring, criteria: Any) -> list[CriterionResultOut]:
    out = []
    for key, c in criteria.items():
        crit = scoring.criterion_for(key)
        out.append(
            CriterionResultOut(
                key=key,
                round_key=c.round,
                criterion_id=crit.id if crit is not None else None,
                name=explainer.criterion_name(key),
                score=r4(c.score),
                ratings=c.ratings,
                spread=c.spread,
                weight=c.weight,
                must_have=c.must_have,
            )
        )
    return out


def _explainer(scoring: JobScoring, scores: list[ApplicationScore]) -> Explainer:
    ids = {i for s in scores for i in s.interviewer_ids}
    return Explainer(scoring, interviewer_names(ids))


def recommendation(
    scoring: JobScoring | None,
    application_id: int,
    score: ApplicationScore | None,
    *,
    blind: bool = False,
    rnd: Round | None = None,
) -> RecommendationOut:
    """An application's hire recommendation over all its rounds, or one round's (`rnd`).

    Blind: nothing aggregated (`scoring` may then be None). Unscored: nothing submitted yet,
    or for a round, nobody who rated it.
    """
    round_id = rnd.id if rnd is not None else None
    if blind:
        return RecommendationOut(application_id=application_id, round_id=round_id, state="blind")
    result = score.result if score is not None else None
    if rnd is not None and result is not None:
        result = result.rounds.get(rnd.key)
        if result is not None and not result.raters:
            result = None
    if score is None or result is None:
        return RecommendationOut(application_id=application_id, round_id=round_id, state="unscored")
    assert scoring is not None
    explainer = _explainer(scoring, [score])
    if rnd is None:
        round_ids = {r.key: r.id for r in scoring.rounds}
        rounds = [
            RoundResultOut(round_id=round_ids.get(key), round_key=key, **_summary(explainer, rr))
            for key, rr in result.rounds.items()
        ]
        edited = score.edited_scorecards
    else:
        rounds, edited = [], score.edited_rounds.get(rnd.id, 0)
    return RecommendationOut(
        application_id=application_id,
        round_id=round_id,
        state="scored",
        **_summary(explainer, result),
        rounds=rounds,
        criteria=_criteria(explainer, scoring, result.criteria),
        dimensions={k: r4(v) for k, v in result.dimensions.items()},
        edited_scorecards=edited,
    )


def agreement(report: AgreementReport, explainer: Explainer, rnd: Round | None) -> AgreementOut:
    """A job's (or one round's) agreement: figures only when there are enough candidates."""
    shown = report.sufficient
    return AgreementOut(
        round_id=rnd.id if rnd is not None else None,
        round_key=rnd.key if rnd is not None else None,
        candidates=report.candidates,
        sufficient=report.sufficient,
        k0=r4(report.icc.k0),
        icc1=r4(report.icc.icc1) if shown else None,
        icck=r4(report.icc.icck) if shown else None,
        alpha=[
            AlphaOut(
                key=key,
                round_key=key.partition(":")[0],
                name=explainer.criterion_name(key),
                alpha=r4(value) if shown else None,
            )
            for key, value in report.alpha.items()
        ],
        leniency=[
            LeniencyOut(
                interviewer=UserRef(id=int(key[1:]), name=explainer.names.get(key, key)),
                n=lenient.n,
                mean=r4(lenient.mean),
                adjustment=r4(lenient.adjustment) if lenient.shown else None,
                stable=lenient.stable,
            )
            for key, lenient in report.leniency.items()
            if key[1:].isdecimal()
        ],
    )
