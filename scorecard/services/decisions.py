"""Round decisions (advance / hold / reject) and the final hire decision: the rules.

People decide; the engine recommends. The rules:

- Only the job's hiring manager (job role hiring_manager) or an admin decides
  (`permissions.can_decide`); HR sees the decisions.
- A rationale is required when a decision goes against the engine's recommendation
  (advance against no_hire / lean_no, reject against hire / strong_hire), when there is no
  complete recommendation to go on (advance or reject on an incomplete round), for every
  hire / no-hire decision, and for every revision — which must give a new rationale.
  A rationale is always allowed.
- A revision is a new row: the history stays, newest last.
- The application moves accordingly: advance → the next round by position (never back;
  the last round stays, awaiting the hire decision); hold → on hold; reject → rejected and
  closed; hire → hired and closed; no hire → rejected and closed.
- A hired or withdrawn application takes no more round decisions; a withdrawn one no hire
  decision either.

Services flush and audit; the view commits.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from scorecard.extensions import db
from scorecard.models import (
    Application,
    ApplicationStatus,
    HireDecision,
    HireDecisionKind,
    Round,
    RoundDecision,
    RoundDecisionKind,
    User,
    utcnow,
)
from scorecard.permissions import can_decide
from scorecard.services import announce, audit, results
from scorecard.services.errors import DomainError

RATIONALE_MAX = 4000
POSITIVE = frozenset({"hire", "strong_hire"})
NEGATIVE = frozenset({"no_hire", "lean_no"})


def round_recommendation(application: Application, rnd: Round) -> str | None:
    """The engine's recommendation for one round of an application, or None if unscored."""
    score = results.job_scores(application.job, [application.id]).get(application.id)
    if score is None:
        return None
    rr = score.result.rounds.get(rnd.key)
    return rr.recommendation if rr is not None and rr.raters else None


def hire_recommendation(application: Application) -> str | None:
    """The engine's overall recommendation for an application, or None if unscored."""
    score = results.job_scores(application.job, [application.id]).get(application.id)
    return score.result.recommendation if score is not None else None


def against(decision: str, recommendation: str | None) -> bool:
    """Does a round or hire decision go against the engine's recommendation?"""
    if recommendation is None:
        return False
    if decision in ("advance", "hire"):
        return recommendation in NEGATIVE
    if decision in ("reject", "no_hire"):
        return recommendation in POSITIVE
    return False


def rationale_needed(decision: str, recommendation: str | None, revising: bool) -> bool:
    """Must a round decision carry a rationale? (see the module docstring)"""
    if revising or against(decision, recommendation):
        return True
    return decision in ("advance", "reject") and recommendation in (None, "incomplete")


def round_history(application_id: int, round_id: int | None = None) -> list[RoundDecision]:
    """Round decisions of an application (optionally one round), oldest first."""
    stmt = sa.select(RoundDecision).where(RoundDecision.application_id == application_id)
    if round_id is not None:
        stmt = stmt.where(RoundDecision.round_id == round_id)
    return list(db.session.scalars(stmt.order_by(RoundDecision.decided_at, RoundDecision.id)))


def hire_history(application_id: int) -> list[HireDecision]:
    """Hire decisions of an application, oldest first."""
    return list(
        db.session.scalars(
            sa.select(HireDecision)
            .where(HireDecision.application_id == application_id)
            .order_by(HireDecision.decided_at, HireDecision.id)
        )
    )


def _check_actor(application: Application, actor: User) -> None:
    if not can_decide(actor, application.job_id):
        raise DomainError(
            "decision",
            _("Only the job's hiring manager or an admin can record decisions."),
        )


def _clean_rationale(rationale: object) -> str:
    text = rationale.strip() if isinstance(rationale, str) else ""
    if len(text) > RATIONALE_MAX:
        raise DomainError(
            "rationale",
            _("The rationale is too long: at most %(max)d characters.", max=RATIONALE_MAX),
        )
    if "\x00" in text:
        raise DomainError(
            "rationale", _("The rationale contains a character that cannot be stored.")
        )
    return text


def _check_rationale(
    text: str, decision: str, recommendation: str | None, previous: str | None
) -> None:
    revising = previous is not None
    if text:
        if revising and text == previous.strip():
            raise DomainError("rationale", _("A revision needs a new rationale: say what changed."))
        return
    if revising:
        raise DomainError("rationale", _("A revision needs a new rationale: say what changed."))
    if against(decision, recommendation):
        raise DomainError(
            "rationale",
            _(
                "This decision goes against the recommendation (%(rec)s): give a rationale.",
                rec=_rec_label(recommendation),
            ),
        )
    if rationale_needed(decision, recommendation, False):
        raise DomainError(
            "rationale",
            _("There is no complete recommendation for this round yet: give a rationale."),
        )


def _rec_label(value: str | None) -> str:
    from scorecard.labels import RECOMMENDATION_LABELS

    return str(RECOMMENDATION_LABELS.get(value or "", value or ""))


def _state(application: Application) -> dict:
    return {
        "status": application.status.value,
        "current_round_id": application.current_round_id,
        "closed_at": application.closed_at.isoformat() if application.closed_at else None,
    }


def _next_round(application: Application, rnd: Round) -> Round:
    rounds = sorted(application.job.rounds, key=lambda r: (r.position, r.id))
    later = [r for r in rounds if (r.position, r.id) > (rnd.position, rnd.id)]
    target = later[0] if later else rnd
    current = application.current_round
    if current is not None and (current.position, current.id) > (target.position, target.id):
        return current  # never move a candidate back by deciding on an earlier round
    return target


def _record(
    row: RoundDecision | HireDecision,
    previous: RoundDecision | HireDecision | None,
    action: str,
    obj_type: str,
    application: Application,
    actor: User,
    before: dict[str, Any],
    **extra: Any,
) -> None:
    """Store a decision row and audit it (a revision names the decision it replaces)."""
    db.session.add(row)
    db.session.flush()
    if previous is not None:
        before.update(decision=previous.decision.value, rationale=previous.rationale)
    audit.record(
        f"{action}.revise" if previous is not None else action,
        obj_type,
        row.id,
        actor=actor,
        job_id=application.job_id,
        before=before,
        after={
            **_state(application),
            "application_id": application.id,
            **extra,
            "decision": row.decision.value,
            "rationale": row.rationale,
            "recommendation": row.recommendation,
        },
    )
    announce.decision_recorded(row, application, revised=previous is not None)


def decide_round(
    application: Application,
    rnd: Round,
    decision: object,
    rationale: object,
    actor: User,
) -> RoundDecision:
    """Record advance / hold / reject for one round and move the application; audited."""
    _check_actor(application, actor)
    if rnd.job_id != application.job_id:
        raise DomainError("decision", _("This round belongs to another job."))
    try:
        kind = RoundDecisionKind(decision)
    except ValueError:
        raise DomainError("decision", _("Choose advance, hold or reject.")) from None
    if application.status in (ApplicationStatus.HIRED, ApplicationStatus.WITHDRAWN):
        raise DomainError(
            "decision",
            _(
                "This application is closed (%(status)s): no more round decisions.",
                status=_status_label(application.status),
            ),
        )
    text = _clean_rationale(rationale)
    history = round_history(application.id, rnd.id)
    previous = history[-1] if history else None
    recommendation = round_recommendation(application, rnd)
    _check_rationale(text, kind.value, recommendation, previous.rationale if previous else None)

    before = _state(application)
    now = utcnow()
    if kind == RoundDecisionKind.ADVANCE:
        application.status = ApplicationStatus.ACTIVE
        application.closed_at = None
        application.current_round = _next_round(application, rnd)
    elif kind == RoundDecisionKind.HOLD:
        application.status = ApplicationStatus.ON_HOLD
        application.closed_at = None
        application.current_round = rnd
    else:
        application.status = ApplicationStatus.REJECTED
        application.closed_at = now
        application.current_round = rnd
    row = RoundDecision(
        application_id=application.id,
        round_id=rnd.id,
        decision=kind,
        rationale=text,
        recommendation=recommendation,
        decided_by_id=actor.id,
        decided_at=now,
    )
    _record(
        row,
        previous,
        "decision.round",
        "round_decision",
        application,
        actor,
        before,
        round_id=rnd.id,
    )
    return row


def decide_hire(
    application: Application, decision: object, rationale: object, actor: User
) -> HireDecision:
    """Record the final hire / no-hire decision with its rationale; audited."""
    _check_actor(application, actor)
    try:
        kind = HireDecisionKind(decision)
    except ValueError:
        raise DomainError("decision", _("Choose hire or no hire.")) from None
    if application.status == ApplicationStatus.WITHDRAWN:
        raise DomainError("decision", _("The candidate has withdrawn: there is nothing to decide."))
    text = _clean_rationale(rationale)
    history = hire_history(application.id)
    previous = history[-1] if history else None
    if not text:
        raise DomainError(
            "rationale",
            _("A revision needs a new rationale: say what changed.")
            if previous is not None
            else _("Give a rationale for the hire decision."),
        )
    if previous is not None and text == previous.rationale.strip():
        raise DomainError("rationale", _("A revision needs a new rationale: say what changed."))
    recommendation = hire_recommendation(application)
    before = _state(application)
    now = utcnow()
    application.status = (
        ApplicationStatus.HIRED if kind == HireDecisionKind.HIRE else ApplicationStatus.REJECTED
    )
    application.closed_at = now
    row = HireDecision(
        application_id=application.id,
        decision=kind,
        rationale=text,
        recommendation=recommendation,
        decided_by_id=actor.id,
        decided_at=now,
    )
    _record(row, previous, "decision.hire", "hire_decision", application, actor, before)
    return row


def _status_label(status: ApplicationStatus) -> str:
    from scorecard.labels import STATUS_LABELS

    return str(STATUS_LABELS[status])
