"""Erasing one candidate: personal data and free texts blanked, self-identification deleted,
the values scrubbed out of the audit trail; the scores kept as anonymous statistics."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from scorecard.extensions import db
from scorecard.models import Candidate, User, utcnow
from scorecard.services import announce, audit
from scorecard.services.errors import DomainError

from .holdings import gather
from .scrubbing import FREE_TEXT_KEYS, _free_text, _scrub_audit, _scrub_text, needles_from


@dataclass
class Erasure:
    """What an erasure did: counts only, never the erased values."""

    candidate_id: int
    applications: int = 0
    scorecards: int = 0
    ratings_kept: int = 0
    audit_rows_scrubbed: int = 0
    job_ids: list[int] = field(default_factory=list)


def erase_candidate(candidate: Candidate, reason: str, actor: User | None) -> Erasure:
    """Erase a candidate's personal data and free texts; keep scores as statistics."""
    from flask_babel import gettext as _

    from scorecard.services import adverse_impact as adverse_service
    from scorecard.services import outcomes as outcome_service

    reason = (reason or "").strip()
    if not reason:
        raise DomainError("reason", _("Give the reason for the erasure (e.g. the request)."))
    if len(reason) > 500:
        raise DomainError("reason", _("The reason has at most 500 characters."))
    if candidate.erased_at is not None:
        raise DomainError(None, _("This candidate has already been erased."))

    held = gather(candidate)
    applications, cards, decisions = held.applications, held.cards, held.decisions
    job_ids, own_events, other_events = held.job_ids, held.own_events, held.other_events
    app_ids = [a.id for a in applications]

    personal: list[str] = [
        candidate.name,
        candidate.email or "",
        candidate.phone or "",
        candidate.source or "",
        candidate.note or "",
    ]
    for card in cards:
        personal.append(card.takeaways or "")
        personal.extend(r.note or "" for r in card.ratings)
        for ev in card.star_evidence:
            personal.extend([ev.situation, ev.task, ev.action, ev.result])
        if card.submission is not None:
            personal.extend(_free_text(card.submission.snapshot))
            snap = card.submission.snapshot or {}
            personal.append(str(snap.get("takeaways") or ""))
            for rating in (snap.get("ratings") or {}).values():
                if isinstance(rating, dict):
                    personal.append(str(rating.get("note") or ""))
    personal.extend(d.rationale or "" for d in decisions)
    personal.extend(o.note or "" for o in held.outcomes)
    for event in own_events:
        personal.extend(_free_text(event.before))
        personal.extend(_free_text(event.after))
    needles = needles_from(personal)

    # The data itself.
    erasure = Erasure(candidate_id=candidate.id, applications=len(applications), job_ids=job_ids)
    candidate.name = f"Erased candidate #{candidate.id}"
    candidate.email = None
    candidate.phone = None
    candidate.source = None
    candidate.note = ""
    candidate.erased_at = utcnow()
    for card in cards:
        erasure.scorecards += 1
        card.takeaways = ""
        for rating in card.ratings:
            rating.note = ""
            erasure.ratings_kept += rating.value is not None
        for ev in card.star_evidence:
            ev.situation = ev.task = ev.action = ev.result = ""
        if card.submission is not None:
            card.submission.snapshot = _blank_snapshot(card.submission.snapshot)
    for decision in decisions:
        decision.rationale = ""
    outcome_service.erase(app_ids)  # notes blanked; the values stay as statistics
    adverse_service.erase(candidate.id)  # self-identification deleted outright
    db.session.flush()

    erasure.audit_rows_scrubbed = _scrub_audit(own_events + other_events, needles)
    audit.record(
        "candidate.erase",
        "candidate",
        candidate.id,
        actor=actor,
        after={
            "reason": _scrub_text(reason, needles),
            "applications": erasure.applications,
            "scorecards": erasure.scorecards,
            "ratings_kept": erasure.ratings_kept,
            "audit_rows_scrubbed": erasure.audit_rows_scrubbed,
            "jobs": job_ids,
        },
    )
    announce.candidate_erased(candidate, app_ids)
    db.session.flush()
    return erasure


def _blank_snapshot(snapshot: dict | None) -> dict:
    """The submitted snapshot with its texts blanked and its numbers kept."""
    snap = json.loads(json.dumps(snapshot or {}))
    if "takeaways" in snap:
        snap["takeaways"] = ""
    for rating in (snap.get("ratings") or {}).values():
        if isinstance(rating, dict) and "note" in rating:
            rating["note"] = ""

    def blank(value: Any) -> Any:
        if isinstance(value, dict):
            return {
                k: ("" if k in FREE_TEXT_KEYS and isinstance(v, str) else blank(v))
                for k, v in value.items()
            }
        if isinstance(value, list):
            return [blank(v) for v in value]
        return value

    return blank(snap)
