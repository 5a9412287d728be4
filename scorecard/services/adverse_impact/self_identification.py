"""Voluntary self-identification: who enters it, what is on file (never the answer),
recording it with the candidate's consent, and erasing it."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from flask_babel import gettext as _

from scorecard.extensions import db
from scorecard.models import Role, SelfIdentification, User, utcnow
from scorecard.permissions import job_role
from scorecard.services import audit
from scorecard.services.errors import DomainError

from .settings import PREFERS_NOT, categories_of


def can_enter(user: User, job_ids: Iterable[int]) -> bool:
    """HR on one of the candidate's job teams, and admins, enter self-identification."""
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.HR and any(job_role(user, j) is not None for j in job_ids)


def on_file(candidate_id: int) -> dict[str, bool]:
    """Category → whether an answer is on file (never the answer itself)."""
    keys = set(
        db.session.scalars(
            sa.select(SelfIdentification.category).where(
                SelfIdentification.candidate_id == candidate_id
            )
        )
    )
    return {k: k in keys for k in categories_of()}


def record_self_identification(
    candidate_id: int, answers: dict[str, str], consent: bool, actor: User
) -> int:
    """Store the candidate's answers (category → value or ''); returns how many were stored.

    Without the candidate's consent nothing is stored. An empty answer keeps what is on file.
    """
    if not consent:
        raise DomainError(
            "consent", _("Record the candidate's consent: without it nothing is stored.")
        )
    categories = categories_of()
    stored = 0
    for key, value in answers.items():
        value = (value or "").strip()
        if not value:
            continue
        if key not in categories or value not in [*categories[key]["values"], PREFERS_NOT]:
            raise DomainError(key, _("Choose one of the offered answers."))
        row = db.session.scalar(
            sa.select(SelfIdentification).where(
                SelfIdentification.candidate_id == candidate_id,
                SelfIdentification.category == key,
            )
        )
        if row is None:
            row = SelfIdentification(candidate_id=candidate_id, category=key)
            db.session.add(row)
        row.value = value
        row.consent = True
        row.recorded_by_id = actor.id
        row.recorded_at = utcnow()
        stored += 1
    if not stored:
        raise DomainError(None, _("Choose an answer for at least one category."))
    db.session.flush()
    # The audit names the categories answered, never the answers.
    audit.record(
        "self_identification.record",
        "candidate",
        candidate_id,
        actor=actor,
        after={"categories": sorted(k for k, v in answers.items() if (v or "").strip())},
    )
    return stored


def erase(candidate_id: int) -> int:
    """Delete a candidate's self-identification (their erasure): returns rows deleted."""
    result = db.session.execute(
        sa.delete(SelfIdentification).where(SelfIdentification.candidate_id == candidate_id)
    )
    return int(result.rowcount or 0)
