"""What other people and systems are told about a change, written in the change's transaction.

Domain services call one function here after their own writes: it queues the e-mail notices
(scorecard/services/notices.py) and the webhook event (scorecard/services/webhooks.py), both
as outbox rows that commit or roll back with the change. Payloads hold ids, statuses and
times — what a job reviewer may see; a submitted scorecard's event carries that scorecard's
own ratings (its author's, never a colleague's), and nothing carries a candidate's name,
contact data or any free text, so an erasure leaves nothing behind in the outbox.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from scorecard.extensions import db
from scorecard.models import (
    Application,
    Candidate,
    HireDecision,
    Interview,
    NoticeKind,
    Rating,
    RoundDecision,
    Scorecard,
)
from scorecard.services import notices, webhooks
from scorecard.services.webhooks import iso


def _interview(interview: Interview) -> dict[str, Any]:
    return {
        "id": interview.id,
        "application_id": interview.application_id,
        "job_id": interview.application.job_id,
        "round_id": interview.round_id,
        "status": interview.status.value,
        "starts_at": iso(interview.starts_at),
        "ends_at": iso(interview.ends_at),
        "duration_minutes": interview.duration_minutes,
        "location": interview.location,
        "video_link": interview.video_link,
        "panel": sorted(c.interviewer_id for c in interview.scorecards),
    }


def interview_booked(interview: Interview) -> None:
    """A new booking: invite every panelist; `interview.scheduled`."""
    for card in interview.scorecards:
        notices.queue_invitation(interview, card.interviewer_id, NoticeKind.PANEL)
    webhooks.emit("interview.scheduled", {"interview": _interview(interview)})


def interview_rescheduled(
    interview: Interview, added: Iterable[int], removed: Iterable[int], moved: bool
) -> None:
    """Newcomers are invited, people taken off get a cancellation, and — if the time, length,
    place or link changed — those who stay get the updated invitation."""
    added, removed = set(added), set(removed)
    for user_id in sorted(added):
        notices.queue_invitation(interview, user_id, NoticeKind.PANEL)
    for user_id in sorted(removed):
        notices.queue_invitation(interview, user_id, NoticeKind.CANCELLED)
    if moved:
        for card in interview.scorecards:
            if card.interviewer_id not in added:
                notices.queue_invitation(interview, card.interviewer_id, NoticeKind.MOVED)
    if moved or added or removed:
        webhooks.emit(
            "interview.rescheduled",
            {
                "interview": _interview(interview),
                "moved": moved,
                "added_to_panel": sorted(added),
                "removed_from_panel": sorted(removed),
            },
        )


def interview_cancelled(interview: Interview) -> None:
    """Every panelist's event is cancelled; `interview.cancelled`."""
    for card in interview.scorecards:
        notices.queue_invitation(interview, card.interviewer_id, NoticeKind.CANCELLED)
    webhooks.emit("interview.cancelled", {"interview": _interview(interview)})


def _scorecard(card: Scorecard) -> dict[str, Any]:
    """The scorecard's own ratings and overall (its author's judgement), without texts."""
    ratings = db.session.execute(
        sa.select(Rating.criterion_id, Rating.value)
        .where(Rating.scorecard_id == card.id)
        .order_by(Rating.criterion_id)
    ).all()
    interview = card.interview
    return {
        "id": card.id,
        "interview_id": card.interview_id,
        "application_id": interview.application_id,
        "job_id": interview.application.job_id,
        "round_id": interview.round_id,
        "interviewer_id": card.interviewer_id,
        "status": card.status.value,
        "submitted_at": iso(card.submitted_at),
        "edited_at": iso(card.edited_at),
        "overall": card.overall,
        "ratings": [{"criterion_id": c, "value": v} for c, v in ratings],
    }


def scorecard_submitted(card: Scorecard) -> None:
    """`scorecard.submitted`; the hiring managers hear when the round is complete."""
    notices.queue_debrief_if_complete(card)
    webhooks.emit("scorecard.submitted", {"scorecard": _scorecard(card)})


def scorecard_edited(card: Scorecard, fields: Iterable[str]) -> None:
    """`scorecard.edited`, naming the fields that changed (their texts stay in the app)."""
    webhooks.emit(
        "scorecard.edited", {"scorecard": _scorecard(card), "changed_fields": sorted(fields)}
    )


def decision_recorded(
    row: RoundDecision | HireDecision, application: Application, revised: bool
) -> None:
    """`round_decision.recorded` or `hire_decision.recorded` (the rationale stays in the app)."""
    decision: dict[str, Any] = {
        "id": row.id,
        "application_id": application.id,
        "job_id": application.job_id,
        "decision": row.decision.value,
        "decided_by_id": row.decided_by_id,
        "decided_at": iso(row.decided_at),
        "revision": revised,
    }
    state = {"id": application.id, "status": application.status.value}
    if isinstance(row, RoundDecision):
        decision["round_id"] = row.round_id
        state["current_round_id"] = application.current_round_id
        webhooks.emit("round_decision.recorded", {"round_decision": decision, "application": state})
    else:
        webhooks.emit("hire_decision.recorded", {"hire_decision": decision, "application": state})


def candidate_erased(candidate: Candidate, application_ids: Iterable[int]) -> None:
    """`candidate.erased`: ids only, so receivers can erase their copies too."""
    webhooks.emit(
        "candidate.erased",
        {
            "candidate": {"id": candidate.id, "erased_at": iso(candidate.erased_at)},
            "application_ids": sorted(application_ids),
        },
    )
