"""Where an application stands once its last round is advanced: awaiting the hire decision.

Advancing the last round keeps the application on that round (there is no next one), so its
round alone cannot tell "being interviewed in the executive round" from "through every round,
waiting for hire / no hire". This module is the one place that tells them apart: an active
application whose current round is its job's last one (by position, as decisions move people)
and whose latest decision for that round is advance.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from scorecard.extensions import db
from scorecard.models import (
    Application,
    ApplicationStatus,
    Round,
    RoundDecision,
    RoundDecisionKind,
)


def awaiting_hire_clause() -> sa.ColumnElement[bool]:
    """The rule as SQL, correlated to `Application`: active, on its job's last round (by
    position), and the latest decision for that round is advance. A list selects it as a
    column, so that no row asks the database again."""
    last_round = (
        sa.select(Round.id)
        .where(Round.job_id == Application.job_id)
        .order_by(Round.position.desc(), Round.id.desc())
        .limit(1)
        .correlate(Application)
        .scalar_subquery()
    )
    latest = (
        sa.select(RoundDecision.decision)
        .where(
            RoundDecision.application_id == Application.id,
            RoundDecision.round_id == Application.current_round_id,
        )
        .order_by(RoundDecision.decided_at.desc(), RoundDecision.id.desc())
        .limit(1)
        .correlate(Application)
        .scalar_subquery()
    )
    return sa.and_(
        Application.status == ApplicationStatus.ACTIVE,
        Application.current_round_id.is_not(None),
        Application.current_round_id == last_round,
        sa.func.coalesce(latest == RoundDecisionKind.ADVANCE, sa.false()),
    )


def awaiting_hire_ids(application_ids: Iterable[int]) -> set[int]:
    """Those of the applications that passed their job's last round and await the hire decision."""
    ids = list(dict.fromkeys(application_ids))
    if not ids:
        return set()
    return set(
        db.session.scalars(
            sa.select(Application.id).where(Application.id.in_(ids), awaiting_hire_clause())
        )
    )


def is_awaiting_hire(application: Application) -> bool:
    """Has this application passed its job's last round, with no hire decision yet?"""
    if application.status != ApplicationStatus.ACTIVE or application.current_round_id is None:
        return False
    return application.id in awaiting_hire_ids([application.id])
