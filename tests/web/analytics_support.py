"""Hires with submitted scores and outcomes, for the outcome and analytics tests."""

from __future__ import annotations

import uuid
from datetime import timedelta

from scorecard.extensions import db
from scorecard.models import (
    Application,
    ApplicationStatus,
    Candidate,
    HireDecision,
    HireDecisionKind,
    Job,
    Rating,
    User,
    utcnow,
)
from scorecard.services import scheduling
from scorecard.services import scorecards as card_service


def scored_application(
    job: Job,
    panel: list[User],
    booker: User,
    value: int,
    hired: bool,
    name: str,
    email: str | None = None,
) -> Application:
    """An application whose first round has each panel member's submitted scorecard, every
    criterion rated `value`; hired (with a hire decision) or rejected."""
    rnd = job.rounds[0]
    cand = Candidate(name=name, email=email or f"{uuid.uuid4().hex[:10]}@example.com")
    application = Application(candidate=cand, job=job, current_round=rnd)
    db.session.add_all([cand, application])
    db.session.flush()
    iv = scheduling.schedule_interview(
        application, rnd, utcnow() - timedelta(hours=3), panel, booker, location="Room"
    )
    for card in iv.scorecards:
        for crit in card.version.criteria:
            note = "evidence" if value in (1, 4) else ""
            db.session.add(Rating(scorecard=card, criterion_id=crit.id, value=value, note=note))
        card.overall = value
        db.session.flush()
        db.session.refresh(card)
        card_service.submit(card, uuid.uuid4().hex, card.interviewer)
    application.status = ApplicationStatus.HIRED if hired else ApplicationStatus.REJECTED
    db.session.add(
        HireDecision(
            application_id=application.id,
            decision=HireDecisionKind.HIRE if hired else HireDecisionKind.NO_HIRE,
            decided_by_id=booker.id,
        )
    )
    db.session.flush()
    return application
