"""Outcome records: who may record, import and read them, reading them, recording one
(audited, an unchanged save writes nothing), and what a candidate's erasure does to them."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from scorecard.extensions import db
from scorecard.models import (
    Application,
    ApplicationStatus,
    Candidate,
    CheckpointKind,
    Job,
    JobRole,
    Outcome,
    OutcomeCheckpoint,
    ProbationResult,
    Role,
    User,
    utcnow,
)
from scorecard.permissions import job_role
from scorecard.services import audit
from scorecard.services.errors import DomainError

NOTE_MAX = 2000
PROBATION_WORDS = {
    "passed": ProbationResult.PASSED,
    "pass": ProbationResult.PASSED,
    "通过": ProbationResult.PASSED,
    "not_passed": ProbationResult.NOT_PASSED,
    "not passed": ProbationResult.NOT_PASSED,
    "failed": ProbationResult.NOT_PASSED,
    "未通过": ProbationResult.NOT_PASSED,
    "left_early": ProbationResult.LEFT_EARLY,
    "left early": ProbationResult.LEFT_EARLY,
    "提前离职": ProbationResult.LEFT_EARLY,
}


# --- who may do what -----------------------------------------------------------------------


def can_record(user: User, job_id: int) -> bool:
    """The job's hiring manager and admins record outcomes in the browser."""
    return user.role == Role.ADMIN or job_role(user, job_id) == JobRole.HIRING_MANAGER


def can_import(user: User, job_id: int) -> bool:
    """HR on the job's team and admins import outcomes."""
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.HR and job_role(user, job_id) is not None


def can_read(user: User, job_id: int) -> bool:
    """Outcomes are for the job's recruiters, hiring managers and admins, never interviewers."""
    if user.role == Role.ADMIN:
        return True
    return user.role in (Role.HR, Role.MANAGER) and job_role(user, job_id) in (
        JobRole.RECRUITER,
        JobRole.HIRING_MANAGER,
    )


# --- reading -------------------------------------------------------------------------------


def hires(job: Job) -> list[Application]:
    """The job's hired applications (those who can have outcomes), by candidate name."""
    return list(
        db.session.scalars(
            sa.select(Application)
            .join(Candidate, Candidate.id == Application.candidate_id)
            .where(Application.job_id == job.id, Application.status == ApplicationStatus.HIRED)
            .order_by(Candidate.name, Application.id)
        )
    )


def outcomes_for(application_ids: list[int]) -> dict[tuple[int, int], Outcome]:
    """(application id, checkpoint id) → outcome."""
    if not application_ids:
        return {}
    rows = db.session.scalars(sa.select(Outcome).where(Outcome.application_id.in_(application_ids)))
    return {(o.application_id, o.checkpoint_id): o for o in rows}


def value_of(outcome: Outcome) -> str | int | None:
    """The outcome's value: a probation result's code or a rating."""
    if outcome.checkpoint.kind == CheckpointKind.PROBATION:
        return outcome.probation.value if outcome.probation else None
    return outcome.rating


# --- writing -------------------------------------------------------------------------------


def parse_value(
    checkpoint: OutcomeCheckpoint, text: str
) -> tuple[ProbationResult | None, int | None]:
    """(probation result, rating) from a form's or a file's text; DomainError when not valid."""
    raw = (text or "").strip()
    if checkpoint.kind == CheckpointKind.PROBATION:
        found = PROBATION_WORDS.get(raw.lower())
        if found is None:
            raise DomainError(
                "result",
                _("Probation result must be passed, not_passed or left_early (not %(v)s).", v=raw),
            )
        return found, None
    if not (raw.isdecimal() and 1 <= int(raw) <= 4):
        raise DomainError("result", _("The rating must be a whole number from 1 to 4."))
    return None, int(raw)


def record_outcome(
    application: Application,
    checkpoint: OutcomeCheckpoint,
    text: str,
    note: str,
    actor: User,
    check_permission: bool = True,
) -> Outcome | None:
    """Set a hire's outcome at a checkpoint (audited; an unchanged save writes nothing)."""
    if check_permission and not can_record(actor, application.job_id):
        raise DomainError(None, _("Only the job's hiring manager records outcomes."))
    if checkpoint.job_id != application.job_id:
        raise DomainError("checkpoint", _("This checkpoint belongs to another job."))
    if application.status != ApplicationStatus.HIRED:
        raise DomainError(None, _("Outcomes are recorded for hired candidates only."))
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise DomainError("note", _("Too long (at most %(n)s characters).", n=NOTE_MAX))
    probation, rating = parse_value(checkpoint, text)
    outcome = db.session.scalar(
        sa.select(Outcome).where(
            Outcome.application_id == application.id, Outcome.checkpoint_id == checkpoint.id
        )
    )
    before: dict = {}
    if outcome is None:
        outcome = Outcome(application_id=application.id, checkpoint_id=checkpoint.id)
        try:
            with db.session.begin_nested():
                db.session.add(outcome)
                db.session.flush()
        except sa.exc.IntegrityError:  # recorded concurrently: update that row instead
            outcome = db.session.scalars(
                sa.select(Outcome).where(
                    Outcome.application_id == application.id,
                    Outcome.checkpoint_id == checkpoint.id,
                )
            ).one()
            before = _state(outcome)
    else:
        before = _state(outcome)
    outcome.probation = probation
    outcome.rating = rating
    outcome.note = note
    after = _state(outcome)
    if before == after:
        return outcome
    outcome.recorded_by_id = actor.id
    outcome.recorded_at = utcnow()
    db.session.flush()
    audit.record(
        "outcome.record",
        "outcome",
        outcome.id,
        actor=actor,
        job_id=application.job_id,
        before=before or None,
        after={"application": application.id, "checkpoint": checkpoint.key, **after},
    )
    return outcome


def _state(outcome: Outcome) -> dict:
    return {
        "probation": outcome.probation.value if outcome.probation else None,
        "rating": outcome.rating,
        "note": outcome.note or "",
    }


# --- erasure -------------------------------------------------------------------------------


def held(application_ids: list[int]) -> list[Outcome]:
    """These applications' outcomes (for the candidate's erasure and data export)."""
    if not application_ids:
        return []
    return list(
        db.session.scalars(
            sa.select(Outcome)
            .where(Outcome.application_id.in_(application_ids))
            .order_by(Outcome.id)
        )
    )


def erase(application_ids: list[int]) -> int:
    """Blank the notes of these applications' outcomes; the values stay as statistics."""
    if not application_ids:
        return 0
    result = db.session.execute(
        sa.update(Outcome).where(Outcome.application_id.in_(application_ids)).values(note="")
    )
    return int(result.rowcount or 0)
