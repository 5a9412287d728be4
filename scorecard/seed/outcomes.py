"""Demo outcomes: the demo's hires get their checkpoints recorded (idempotent)."""

from __future__ import annotations

import sqlalchemy as sa

from scorecard.extensions import db
from scorecard.models import Application, ApplicationStatus, Job, Outcome, User
from scorecard.services import outcomes


def seed_demo_outcomes(manager: User) -> int:
    """Record end of probation (passed) and a 6-month rating (4) for every hire that has no
    outcome yet; returns how many outcomes were written. Running it again writes none."""
    written = 0
    hires = db.session.scalars(
        sa.select(Application).where(Application.status == ApplicationStatus.HIRED)
    ).all()
    for application in hires:
        has_any = db.session.scalar(
            sa.select(Outcome.id).where(Outcome.application_id == application.id).limit(1)
        )
        if has_any:
            continue
        job = db.session.get(Job, application.job_id)
        values = {
            "probation": ("passed", "按期转正。Passed probation on time."),
            "performance_6m": ("4", "独立完成两家医院上线。Led two hospital go-lives."),
        }
        for cp in outcomes.ensure_checkpoints(job):
            if cp.key in values:
                text, note = values[cp.key]
                outcomes.record_outcome(
                    application, cp, text, note, manager, check_permission=False
                )
                written += 1
    db.session.flush()
    return written
