"""Erasure on request and by retention (GDPR Art. 17, PIPL Art. 47; reliability.md R13).

Erasing a candidate removes their personal data and every free text written about them —
name, contact details, source, résumé note, rating notes, take-aways, STAR evidence, decision
rationales, the submitted snapshots, post-hire outcome notes — and deletes the candidate's
voluntary self-identification; it scrubs those values out of the audit trail. The
scores stay, as anonymous statistics. The erasure itself is audited, without the data.

On PostgreSQL the application's role may not UPDATE audit_events (docs/postgresql-roles.sql):
there the audit values are scrubbed through the SECURITY DEFINER function
``scorecard_erase_audit_values(ids, needles)``, which can only replace text inside the
JSON's string values by "[erased]" (the same rule as `_scrub_json` here).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from scorecard.extensions import db
from scorecard.models import (
    Application,
    AuditEvent,
    Candidate,
    HireDecision,
    Interview,
    Job,
    Outcome,
    RoundDecision,
    Scorecard,
    User,
    utcnow,
)
from scorecard.services import announce, audit
from scorecard.services.errors import DomainError

ERASED = "[erased]"
SCRUB_FUNCTION = "scorecard_erase_audit_values"
# Keys whose values in audit rows about the candidate's own objects are free text or contact
# data: earlier values (before an edit) are scrubbed too, not only the current ones.
FREE_TEXT_KEYS = frozenset(
    {
        "name",
        "email",
        "phone",
        "source",
        "note",
        "notes",
        "resume",
        "takeaways",
        "situation",
        "task",
        "action",
        "result",
        "rationale",
        "reason",
        "comment",
        "text",
    }
)
MIN_NEEDLE = 2  # a Chinese name can be two characters


@dataclass
class Erasure:
    """What an erasure did: counts only, never the erased values."""

    candidate_id: int
    applications: int = 0
    scorecards: int = 0
    ratings_kept: int = 0
    audit_rows_scrubbed: int = 0
    job_ids: list[int] = field(default_factory=list)


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


def _strings(value: Any) -> list[str]:
    """Every string inside a JSON value."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _free_text(value: Any) -> list[str]:
    """The strings under free-text keys of a JSON value, at any depth."""
    out: list[str] = []
    if isinstance(value, dict):
        for key, inner in value.items():
            # "rating.12.note" and "star.3.result" (scorecard edits) count by their last part.
            if str(key).rsplit(".", 1)[-1] in FREE_TEXT_KEYS:
                out.extend(_strings(inner))
            else:
                out.extend(_free_text(inner))
    elif isinstance(value, list):
        for inner in value:
            out.extend(_free_text(inner))
    return out


def _scrub_text(text: str, needles: list[str]) -> str:
    for needle in needles:
        text = text.replace(needle, ERASED)
    return text


def _scrub_json(value: Any, needles: list[str]) -> Any:
    """Replace the needles inside every string value (keys stay), as the SQL function does."""
    if isinstance(value, str):
        return _scrub_text(value, needles)
    if isinstance(value, dict):
        return {k: _scrub_json(v, needles) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub_json(v, needles) for v in value]
    return value


def needles_from(texts: list[str]) -> list[str]:
    """The distinct texts worth scrubbing, longest first (so a name inside a note goes too)."""
    out = set()
    for text in texts:
        for variant in (text, (text or "").strip()):
            # Too short to identify anyone, or a piece of the replacement itself.
            if variant and len(variant) >= MIN_NEEDLE and variant not in ERASED:
                out.add(variant)
    return sorted(out, key=lambda t: (-len(t), t))


def _has_scrub_function() -> bool:
    if db.session.get_bind().dialect.name != "postgresql":
        return False
    found = db.session.scalar(
        sa.text("SELECT count(*) FROM pg_proc WHERE proname = :name"), {"name": SCRUB_FUNCTION}
    )
    return bool(found)


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


def _scrub_audit(events: list[AuditEvent], needles: list[str]) -> int:
    """Scrub the needles out of these events' before/after; returns how many changed."""
    changed = [
        e
        for e in events
        if _scrub_json(e.before, needles) != e.before or _scrub_json(e.after, needles) != e.after
    ]
    if not changed:
        return 0
    if _has_scrub_function():
        db.session.flush()
        db.session.execute(
            sa.text(
                "SELECT scorecard_erase_audit_values(CAST(:ids AS integer[]), "
                "CAST(:needles AS text[]))"
            ),
            {"ids": [e.id for e in changed], "needles": needles},
        )
        for event in changed:
            db.session.expire(event, ["before", "after"])
    else:
        for event in changed:
            event.before = _scrub_json(event.before, needles)
            event.after = _scrub_json(event.after, needles)
    return len(changed)


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


@dataclass(frozen=True)
class Due:
    """A candidate whose every application closed more than its job's retention ago."""

    candidate: Candidate
    closed_at: datetime
    job_id: int
    retention_days: int


def due_for_retention(now: datetime | None = None) -> list[Due]:
    """Candidates to erase: every application closed, each past its job's retention days.

    A job without a retention setting keeps its candidates; a candidate with an open
    application anywhere is kept whole.
    """
    now = now or utcnow()
    rows = db.session.execute(
        sa.select(Application, Job.retention_days)
        .join(Job, Application.job_id == Job.id)
        .join(Candidate, Application.candidate_id == Candidate.id)
        .where(Candidate.erased_at.is_(None))
        .where(
            Application.candidate_id.in_(
                sa.select(Application.candidate_id)
                .join(Job, Application.job_id == Job.id)
                .where(Application.closed_at.is_not(None), Job.retention_days.is_not(None))
            )
        )
        .options(selectinload(Application.candidate))
        .order_by(Application.candidate_id, Application.id)
    ).all()
    by_candidate: dict[int, list[tuple[Application, int | None]]] = {}
    for application, days in rows:
        by_candidate.setdefault(application.candidate_id, []).append((application, days))
    due: list[Due] = []
    for apps in by_candidate.values():
        if all(
            a.closed_at is not None
            and days is not None
            and a.closed_at + timedelta(days=days) <= now
            for a, days in apps
        ):
            last, days = max(apps, key=lambda pair: pair[0].closed_at)
            due.append(Due(last.candidate, last.closed_at, last.job_id, int(days)))
    return due


def apply_retention(dry_run: bool = False, now: datetime | None = None) -> list[Due]:
    """Erase every candidate due for retention (or only list them, with `dry_run`)."""
    due = due_for_retention(now)
    if not dry_run:
        for item in due:
            erase_candidate(
                item.candidate,
                f"retention: {item.retention_days} days after the application closed",
                actor=None,
            )
    return due


def set_retention(job: Job, days: int | None, actor: User) -> None:
    """Set how many days after an application closes its candidate is erased (None: keep)."""
    from flask_babel import gettext as _

    if days is not None and not 1 <= days <= 36500:
        raise DomainError("retention_days", _("Enter a number of days from 1 to 36500."))
    if job.retention_days == days:
        return
    before = job.retention_days
    job.retention_days = days
    audit.record(
        "job.retention",
        "job",
        job.id,
        actor=actor,
        job_id=job.id,
        before={"retention_days": before},
        after={"retention_days": days},
    )
