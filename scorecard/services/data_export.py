"""A candidate's data on request (GDPR Art. 15, PIPL Art. 45): everything held, as a ZIP.

What is exported comes from `privacy.gather`, the same list of places erasure blanks, so an
export cannot miss what an erasure would remove. The ZIP holds one JSON file per section
(machine-readable, stable English keys) and `summary.html` (readable), in the language the
candidate asked in. Interviewers are named as the data-protection setting says: by role
only (the default) or by name.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from scorecard.extensions import db
from scorecard.i18n import SUPPORTED, bilingual_text
from scorecard.labels import (
    DIMENSION_LABELS,
    JOB_ROLE_LABELS,
    RATING_LABELS,
    RECOMMENDATION_LABELS,
    ROLE_LABELS,
    STATUS_LABELS,
)
from scorecard.models import Candidate, JobMember, Round, RoundDecision, User, utcnow
from scorecard.services import audit, privacy, site_settings
from scorecard.services.errors import DomainError
from scorecard.visibility import is_blind

SECTIONS = (
    "candidate",
    "applications",
    "interviews",
    "scorecards",
    "decisions",
    "outcomes",
    "audit",
)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") + "Z" if value else None


class _People:
    """Labels for the people named in the export, by role only or by name."""

    def __init__(self, by_name: bool) -> None:
        self.by_name = by_name
        self.numbers: dict[int, int] = {}

    def label(self, user: User | None, job_id: int | None = None) -> str | None:
        if user is None:
            return None
        if self.by_name:
            return user.name
        role = None
        if job_id is not None:
            role = db.session.scalar(
                sa.select(JobMember.job_role).where(
                    JobMember.job_id == job_id, JobMember.user_id == user.id
                )
            )
        kind = str(JOB_ROLE_LABELS[role] if role is not None else ROLE_LABELS[user.role])
        number = self.numbers.setdefault(user.id, len(self.numbers) + 1)
        return f"{kind} {number}"


def _without_people(value: Any, people: dict[str, str]) -> Any:
    """Replace staff names and e-mails inside audit values by their labels."""
    if isinstance(value, str):
        for needle, label in people.items():
            value = value.replace(needle, label)
        return value
    if isinstance(value, dict):
        return {k: _without_people(v, people) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_people(v, people) for v in value]
    return value


def build(held: privacy.Holdings, by_name: bool) -> dict[str, Any]:
    """The sections of the export, in the active language."""
    c = held.candidate
    people = _People(by_name)
    staff: dict[int, User] = {}
    job_of_app = {a.id: a.job_id for a in held.applications}

    def person(user: User | None, job_id: int | None = None) -> str | None:
        if user is not None:
            staff[user.id] = user
        return people.label(user, job_id)

    data: dict[str, Any] = {
        "candidate": {
            "id": c.id,
            "name": c.name,
            "email": c.email,
            "phone": c.phone,
            "source": c.source,
            "resume_note": c.note,
            "added_at": _iso(c.created_at),
            "erased_at": _iso(c.erased_at),
        },
        "applications": [
            {
                "id": a.id,
                "job": bilingual_text(a.job, "title"),
                "status": a.status.value,
                "status_label": str(STATUS_LABELS[a.status]),
                "current_round": bilingual_text(a.current_round, "name")
                if a.current_round
                else None,
                "applied_at": _iso(a.created_at),
                "closed_at": _iso(a.closed_at),
            }
            for a in held.applications
        ],
        "interviews": [
            {
                "id": i.id,
                "application_id": i.application_id,
                "round": bilingual_text(i.round, "name"),
                "starts_at": _iso(i.starts_at),
                "duration_minutes": i.duration_minutes,
                "location": i.location,
                "status": i.status.value,
                "panel": [
                    person(card.interviewer, job_of_app.get(i.application_id))
                    for card in sorted(i.scorecards, key=lambda s: s.id)
                ],
            }
            for i in held.interviews
        ],
    }
    cards = []
    for card in sorted(held.cards, key=lambda s: s.id):
        job_id = job_of_app.get(card.interview.application_id)
        cards.append(
            {
                "id": card.id,
                "interview_id": card.interview_id,
                "round": bilingual_text(card.interview.round, "name"),
                "interviewer": person(card.interviewer, job_id),
                "status": card.status.value,
                "submitted_at": _iso(card.submitted_at),
                "overall_recommendation": card.overall,
                "overall_label": str(RATING_LABELS.get(card.overall, "")) or None,
                "takeaways": card.takeaways,
                "ratings": [
                    {
                        "criterion": bilingual_text(r.criterion, "name"),
                        "dimension": str(DIMENSION_LABELS[r.criterion.dimension]),
                        "value": r.value,
                        "value_label": str(RATING_LABELS.get(r.value, _("Not assessed"))),
                        "note": r.note,
                    }
                    for r in sorted(card.ratings, key=lambda r: r.id)
                ],
                "star_evidence": [
                    {
                        "question": bilingual_text(e.question, "text"),
                        "situation": e.situation,
                        "task": e.task,
                        "action": e.action,
                        "result": e.result,
                    }
                    for e in sorted(card.star_evidence, key=lambda e: e.id)
                ],
                "red_flags": [bilingual_text(f, "label") for f in card.red_flags],
            }
        )
    data["scorecards"] = cards
    data["decisions"] = [
        {
            "kind": "round" if isinstance(d, RoundDecision) else "hire",
            "application_id": d.application_id,
            "round": _round_name(d),
            "decision": d.decision.value,
            "rationale": d.rationale,
            "system_recommendation": d.recommendation,
            "system_recommendation_label": str(RECOMMENDATION_LABELS.get(d.recommendation, ""))
            or None,
            "decided_by": person(d.decided_by, job_of_app.get(d.application_id)),
            "decided_at": _iso(d.decided_at),
        }
        for d in held.decisions
    ]
    data["outcomes"] = [
        {
            "application_id": o.application_id,
            "checkpoint": bilingual_text(o.checkpoint, "name"),
            "probation": o.probation.value if o.probation else None,
            "rating": o.rating,
            "note": o.note,
            "recorded_by": person(
                staff_user(o.recorded_by_id, staff), job_of_app.get(o.application_id)
            )
            if o.recorded_by_id
            else None,
            "recorded_at": _iso(o.recorded_at),
        }
        for o in sorted(held.outcomes, key=lambda o: o.id)
    ]
    naming = privacy.needles_from(
        [t for t in (c.name, c.email or "", c.phone or "") if len(t.strip()) >= 2]
    )
    events = held.own_events + [e for e in held.other_events if _mentions(e, naming)]
    replace = {} if by_name else _staff_strings(staff, people)
    data["audit"] = [
        {
            "at": _iso(e.at),
            "action": e.action,
            "object_type": e.object_type,
            "object_id": e.object_id,
            "by": person(staff_user(e.actor_id, staff)) if e.actor_id else None,
            "before": _without_people(e.before, replace),
            "after": _without_people(e.after, replace),
        }
        for e in sorted(events, key=lambda e: (e.at, e.id))
    ]
    return data


def _round_name(decision) -> str | None:
    if not isinstance(decision, RoundDecision):
        return None
    rnd = db.session.get(Round, decision.round_id)
    return bilingual_text(rnd, "name") if rnd is not None else None


def staff_user(user_id: int, staff: dict[int, User]) -> User | None:
    return staff.get(user_id) or db.session.get(User, user_id)


def _staff_strings(staff: dict[int, User], people: _People) -> dict[str, str]:
    out: dict[str, str] = {}
    for user in staff.values():
        label = people.label(user) or ""
        for text in (user.email, user.name):
            if text and len(text) >= 3:
                out[text] = label
    return dict(sorted(out.items(), key=lambda kv: -len(kv[0])))


def _mentions(event, needles: list[str]) -> bool:
    blob = json.dumps([event.before, event.after], ensure_ascii=False)
    return any(n in blob for n in needles)


def export_candidate(candidate: Candidate, language: str, actor: User) -> tuple[str, bytes]:
    """(file name, ZIP bytes) of everything held about the candidate; audited."""
    if language not in SUPPORTED:
        raise DomainError("language", _("Choose Chinese or English."))
    held = privacy.gather(candidate)
    if any(is_blind(actor, a.id) for a in held.applications):
        raise DomainError(
            None,
            _(
                "You have a scorecard for this candidate that is not submitted yet: submit it "
                "first, or ask another admin to export (colleagues' ratings stay hidden from "
                "you until then)."
            ),
        )
    by_name = site_settings.get(site_settings.EXPORT_INTERVIEWERS) == "names"
    with force_locale(language):
        data = build(held, by_name)
        generated = utcnow()
        manifest = {
            "format": "scorecard-subject-access/1",
            "candidate_id": candidate.id,
            "generated_at": _iso(generated),
            "language": language,
            "interviewers_named": "names" if by_name else "role",
            "files": {f"{s}.json": _count(data[s]) for s in SECTIONS},
        }
        html = render_template(
            "admin/export_summary.html",
            data=data,
            manifest=manifest,
            lang="zh-CN" if language.startswith("zh") else "en",
        )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", _json(manifest))
        for section in SECTIONS:
            archive.writestr(f"{section}.json", _json(data[section]))
        archive.writestr("summary.html", html)
    audit.record(
        "candidate.export",
        "candidate",
        candidate.id,
        actor=actor,
        after={"language": language, "files": manifest["files"]},
    )
    name = f"candidate-{candidate.id}-data-{generated:%Y%m%d}.zip"
    return name, buffer.getvalue()


def _count(value: Any) -> int:
    return len(value) if isinstance(value, list) else 1


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=False)
