"""Every place that holds something about one candidate (`gather`): what erasure blanks and
what a data-access export hands over."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from scorecard.extensions import db
from scorecard.models import (
    Application,
    AuditEvent,
    Candidate,
    HireDecision,
    Interview,
    Outcome,
    RoundDecision,
    Scorecard,
)


def _scorecards(candidate: Candidate) -> list[Scorecard]:
    return list(
        db.session.scalars(
            sa.select(Scorecard)
            .join(Interview, Scorecard.interview_id == Interview.id)
            .join(Application, Interview.application_id == Application.id)
            .where(Application.candidate_id == candidate.id)
            .options(
                selectinload(Scorecard.ratings),
                selectinload(Scorecard.star_evidence),
                selectinload(Scorecard.submission),
            )
        )
    )


def _decisions(app_ids: list[int]) -> list[RoundDecision | HireDecision]:
    if not app_ids:
        return []
    rounds = db.session.scalars(
        sa.select(RoundDecision).where(RoundDecision.application_id.in_(app_ids))
    )
    hires = db.session.scalars(
        sa.select(HireDecision).where(HireDecision.application_id.in_(app_ids))
    )
    return [*rounds, *hires]


def _related_events(
    candidate: Candidate, objects: dict[str, set[int]], job_ids: list[int]
) -> tuple[list[AuditEvent], list[AuditEvent]]:
    """(events about the candidate's own objects, other events that may mention them)."""
    since = candidate.created_at - timedelta(days=1)
    own_filters = [
        sa.and_(AuditEvent.object_type == kind, AuditEvent.object_id.in_(ids))
        for kind, ids in objects.items()
        if ids
    ]
    own = list(db.session.scalars(sa.select(AuditEvent).where(sa.or_(*own_filters))))
    own_ids = {e.id for e in own}
    scope = AuditEvent.job_id.is_(None)
    if job_ids:
        scope = sa.or_(scope, AuditEvent.job_id.in_(job_ids))
    others = [
        e
        for e in db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.at >= since, scope).order_by(AuditEvent.id)
        )
        if e.id not in own_ids
    ]
    return own, others


@dataclass
class Holdings:
    """Every place that holds something about one candidate: what erasure blanks and what a
    data-access export hands over (one list, so the two can never disagree)."""

    candidate: Candidate
    applications: list[Application]
    interviews: list[Interview]
    cards: list[Scorecard]
    decisions: list[RoundDecision | HireDecision]
    objects: dict[str, set[int]]
    own_events: list[AuditEvent]  # audit rows about the candidate's own objects
    other_events: list[AuditEvent]  # other rows of their jobs' time that may mention them
    outcomes: list[Outcome] = field(default_factory=list)  # post-hire outcomes (notes)

    @property
    def job_ids(self) -> list[int]:
        return sorted({a.job_id for a in self.applications})


def gather(candidate: Candidate) -> Holdings:
    """Collect what is held about a candidate, wherever it is stored."""
    applications = list(
        db.session.scalars(
            sa.select(Application)
            .where(Application.candidate_id == candidate.id)
            .order_by(Application.id)
        )
    )
    app_ids = [a.id for a in applications]
    job_ids = sorted({a.job_id for a in applications})
    cards = _scorecards(candidate)
    decisions = _decisions(app_ids)
    interviews = (
        list(
            db.session.scalars(
                sa.select(Interview)
                .where(Interview.application_id.in_(app_ids))
                .order_by(Interview.starts_at, Interview.id)
            )
        )
        if app_ids
        else []
    )
    interview_ids = {c.interview_id for c in cards} | {i.id for i in interviews}
    from scorecard.services import outcomes as outcome_service

    outcomes = outcome_service.held(app_ids)
    objects = {
        "candidate": {candidate.id},
        "application": set(app_ids),
        "interview": interview_ids,
        "scorecard": {c.id for c in cards},
        "rating": {r.id for c in cards for r in c.ratings},
        "star_evidence": {e.id for c in cards for e in c.star_evidence},
        "scorecard_submission": {c.submission.id for c in cards if c.submission is not None},
        "round_decision": {d.id for d in decisions if isinstance(d, RoundDecision)},
        "hire_decision": {d.id for d in decisions if isinstance(d, HireDecision)},
        "outcome": {o.id for o in outcomes},
    }
    own_events, other_events = _related_events(candidate, objects, job_ids)
    return Holdings(
        candidate=candidate,
        applications=applications,
        interviews=interviews,
        cards=cards,
        decisions=decisions,
        objects=objects,
        own_events=own_events,
        other_events=other_events,
        outcomes=outcomes,
    )
