"""Scheduling panels and scoring: scorecards, ratings, submission."""

from typing import Any

from flask_babel import gettext as _

from scorecard.extensions import db
from scorecard.models import (
    Rating,
    Scorecard,
    ScorecardStatus,
    ScorecardSubmission,
    User,
    utcnow,
)
from scorecard.services import audit
from scorecard.services.errors import DomainError


def set_rating(card: Scorecard, criterion_id: int, value: int | None, note: str = "") -> Rating:
    """Create or update one rating of a draft scorecard."""
    if value is not None and value not in (1, 2, 3, 4):
        raise DomainError("value", _("A rating must be 1 to 4, or not assessed."))
    if criterion_id not in {c.id for c in card.version.criteria}:
        raise DomainError("criterion", _("This criterion is not part of this scorecard."))
    rating = next((r for r in card.ratings if r.criterion_id == criterion_id), None)
    if rating is None:
        rating = Rating(scorecard=card, criterion_id=criterion_id)
        db.session.add(rating)
    rating.value = value
    rating.note = note
    rating.updated_at = utcnow()
    card.updated_at = utcnow()
    return rating


def missing_for_submit(card: Scorecard) -> list[tuple[str, str]]:
    """Each item that blocks submitting, as (field, message): must-haves, notes, overall."""
    by_criterion = {r.criterion_id: r for r in card.ratings}
    problems: list[tuple[str, str]] = []
    for crit in card.version.criteria:
        rating = by_criterion.get(crit.id)
        value = rating.value if rating else None
        if crit.must_have and value is None:
            problems.append((f"criterion-{crit.id}", _("Must-have criterion not rated.")))
        if value in (1, 4) and not (rating and rating.note.strip()):
            problems.append((f"note-{crit.id}", _("A rating of 1 or 4 needs a note.")))
    if card.overall is None:
        problems.append(("overall", _("Choose an overall recommendation.")))
    return problems


def snapshot(card: Scorecard) -> dict[str, Any]:
    """What the engine scores: ratings, notes, overall and red flags as submitted."""
    return {
        "version_id": card.version_id,
        "overall": card.overall,
        "takeaways": card.takeaways,
        "red_flags": sorted(f.key for f in card.red_flags),
        "ratings": {
            str(r.criterion_id): {"value": r.value, "note": r.note}
            for r in sorted(card.ratings, key=lambda r: r.criterion_id)
        },
    }


def submit(card: Scorecard, submission_key: str, actor: User) -> ScorecardSubmission:
    """Submit a draft: validated, frozen as a snapshot, one submission however often called."""
    if card.interviewer_id != actor.id:
        raise DomainError(None, _("Only the interviewer can submit this scorecard."))
    if card.submission is not None:
        return card.submission
    problems = missing_for_submit(card)
    if problems:
        raise DomainError(problems[0][0], problems[0][1])
    now = utcnow()
    submission = ScorecardSubmission(
        scorecard=card, submission_key=submission_key, submitted_at=now, snapshot=snapshot(card)
    )
    card.status = ScorecardStatus.SUBMITTED
    card.submitted_at = now
    card.lock_version += 1
    db.session.add(submission)
    db.session.flush()
    audit.record(
        "scorecard.submit",
        "scorecard",
        card.id,
        actor=actor,
        job_id=card.interview.application.job_id,
        after={"overall": card.overall},
    )
    return submission
