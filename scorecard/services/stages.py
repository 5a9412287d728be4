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


def awaiting_hire_ids(application_ids: Iterable[int]) -> set[int]:
    """Those of the applications that passed their job's last round and await the hire decision."""
    ids = list(dict.fromkeys(application_ids))
    if not ids:
        return set()
    rows = db.session.execute(
        sa.select(Application.id, Application.current_round_id, Round.job_id)
        .join(Round, Round.id == Application.current_round_id)
        .where(Application.id.in_(ids), Application.status == ApplicationStatus.ACTIVE)
    ).all()
    if not rows:
        return set()
    last: dict[int, int] = {}
    job_ids = {job_id for _a, _r, job_id in rows}
    for job_id, round_id in db.session.execute(
        sa.select(Round.job_id, Round.id)
        .where(Round.job_id.in_(job_ids))
        .order_by(Round.job_id, Round.position, Round.id)
    ):
        last[job_id] = round_id  # ordered: the last one seen is the job's last round
    candidates = {app_id: round_id for app_id, round_id, job_id in rows if last[job_id] == round_id}
    if not candidates:
        return set()
    latest: dict[int, RoundDecisionKind] = {}
    for app_id, round_id, kind in db.session.execute(
        sa.select(RoundDecision.application_id, RoundDecision.round_id, RoundDecision.decision)
        .where(RoundDecision.application_id.in_(list(candidates)))
        .order_by(RoundDecision.decided_at, RoundDecision.id)
    ):
        if candidates[app_id] == round_id:
            latest[app_id] = kind
    return {app_id for app_id, kind in latest.items() if kind == RoundDecisionKind.ADVANCE}


def is_awaiting_hire(application: Application) -> bool:
    """Has this application passed its job's last round, with no hire decision yet?"""
    if application.status != ApplicationStatus.ACTIVE or application.current_round_id is None:
        return False
    return application.id in awaiting_hire_ids([application.id])
