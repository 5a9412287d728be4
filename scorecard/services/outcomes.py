"""Post-hire outcomes: checkpoints per job, recording one, importing many from CSV (issue 14).

Who: the job's hiring manager (and admins) record outcomes in the browser; HR on the team
(and admins) import them from a CSV file, checked first and previewed. Interviewers never see
them. Every change is audited (the note under the key "note", so erasure scrubs it); the
erasure of a candidate blanks the notes and keeps the values as anonymous statistics.
"""

from __future__ import annotations

from dataclasses import dataclass

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
from scorecard.services.candidates import (
    JobMatcher,
    Preview,
    RowProblem,
    _valid_email,
    csv_records,
)
from scorecard.services.errors import DomainError

NOTE_MAX = 2000
DEFAULT_CHECKPOINTS = (
    ("probation", CheckpointKind.PROBATION, "试用期结束", "End of probation", 3),
    ("performance_6m", CheckpointKind.RATING, "6 个月绩效", "6-month performance", 6),
)
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
COLUMNS = ("job", "email", "application", "checkpoint", "result", "note")
HEADER_ALIASES = {
    "job": "job",
    "职位": "job",
    "岗位": "job",
    "email": "email",
    "e-mail": "email",
    "邮箱": "email",
    "application": "application",
    "申请": "application",
    "checkpoint": "checkpoint",
    "节点": "checkpoint",
    "result": "result",
    "结果": "result",
    "note": "note",
    "备注": "note",
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


# --- checkpoints ---------------------------------------------------------------------------


def _defaults(job: Job) -> list[OutcomeCheckpoint]:
    return [
        OutcomeCheckpoint(
            job_id=job.id,
            key=key,
            kind=kind,
            name_zh=zh,
            name_en=en,
            months=months,
            position=position,
        )
        for position, (key, kind, zh, en, months) in enumerate(DEFAULT_CHECKPOINTS)
    ]


def checkpoints(job: Job) -> list[OutcomeCheckpoint]:
    """The job's checkpoints in order; the two defaults (not stored yet) when it has none.

    Reading never writes (a GET runs in a read transaction): the defaults are stored by
    `ensure_checkpoints` when the first outcome or checkpoint is written.
    """
    found = list(
        db.session.scalars(
            sa.select(OutcomeCheckpoint)
            .where(OutcomeCheckpoint.job_id == job.id)
            .order_by(OutcomeCheckpoint.position, OutcomeCheckpoint.id)
        )
    )
    return found or _defaults(job)


def ensure_checkpoints(job: Job) -> list[OutcomeCheckpoint]:
    """The job's stored checkpoints, storing the two defaults first if it has none."""
    found = list(
        db.session.scalars(
            sa.select(OutcomeCheckpoint)
            .where(OutcomeCheckpoint.job_id == job.id)
            .order_by(OutcomeCheckpoint.position, OutcomeCheckpoint.id)
        )
    )
    if found:
        return found
    found = _defaults(job)
    db.session.add_all(found)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except sa.exc.IntegrityError:  # another request created them first
        return list(
            db.session.scalars(
                sa.select(OutcomeCheckpoint)
                .where(OutcomeCheckpoint.job_id == job.id)
                .order_by(OutcomeCheckpoint.position, OutcomeCheckpoint.id)
            )
        )
    return found


def add_checkpoint(
    job: Job, key: str, kind: str, name_zh: str, name_en: str, months: int, actor: User
) -> OutcomeCheckpoint:
    """Add a checkpoint to a job (key: lower-case letters, digits, _)."""
    import re

    key = (key or "").strip()
    if not re.fullmatch(r"[a-z][a-z0-9_]{0,39}", key):
        raise DomainError(
            "key", _("Use lower-case letters, digits and _ (start with a letter, at most 40).")
        )
    if kind not in {k.value for k in CheckpointKind}:
        raise DomainError("kind", _("Choose a kind."))
    if not (name_zh or "").strip() and not (name_en or "").strip():
        raise DomainError("name_en", _("Give the checkpoint a name (Chinese or English)."))
    if not 0 <= months <= 120:
        raise DomainError("months", _("Enter a number of months from 0 to 120."))
    existing = ensure_checkpoints(job)
    if any(c.key == key for c in existing):
        raise DomainError("key", _("This job already has a checkpoint with this key."))
    cp = OutcomeCheckpoint(
        job_id=job.id,
        key=key,
        kind=CheckpointKind(kind),
        name_zh=(name_zh or "").strip()[:200],
        name_en=(name_en or "").strip()[:200],
        months=months,
        position=max((c.position for c in existing), default=-1) + 1,
    )
    db.session.add(cp)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except sa.exc.IntegrityError:
        raise DomainError("key", _("This job already has a checkpoint with this key.")) from None
    audit.record(
        "outcome_checkpoint.create",
        "outcome_checkpoint",
        cp.id,
        actor=actor,
        job_id=job.id,
        after={"key": cp.key, "kind": cp.kind.value, "months": months},
    )
    return cp


def remove_checkpoint(job: Job, checkpoint_id: int, actor: User) -> None:
    """Remove a checkpoint that has no outcomes yet."""
    cp = db.session.get(OutcomeCheckpoint, checkpoint_id)
    if cp is None or cp.job_id != job.id:
        raise DomainError(None, _("This checkpoint does not exist."))
    used = db.session.scalar(
        sa.select(sa.func.count(Outcome.id)).where(Outcome.checkpoint_id == cp.id)
    )
    if used:
        raise DomainError(
            None, _("Outcomes are recorded at this checkpoint: it cannot be removed.")
        )
    audit.record(
        "outcome_checkpoint.delete",
        "outcome_checkpoint",
        cp.id,
        actor=actor,
        job_id=job.id,
        before={"key": cp.key, "kind": cp.kind.value},
    )
    db.session.delete(cp)
    db.session.flush()


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


# --- CSV import ----------------------------------------------------------------------------


@dataclass(frozen=True)
class OutcomeRow:
    line: int
    application: Application
    checkpoint: OutcomeCheckpoint
    result: str
    note: str
    label: str  # e-mail or application id, as written in the file


def check_csv(text: str, jobs: list[Job], default_job: Job | None = None) -> Preview[OutcomeRow]:
    """Every row checked against the jobs the importer may edit; nothing is written."""
    matcher = JobMatcher(jobs)
    job_by_id = {j.id: j for j in jobs}
    hired = list(
        db.session.execute(
            sa.select(Application, Candidate.email)
            .join(Candidate, Candidate.id == Application.candidate_id)
            .where(
                Application.job_id.in_(list(job_by_id) or [0]),
                Application.status == ApplicationStatus.HIRED,
            )
        )
    )
    by_email: dict[tuple[int, str], Application] = {}
    by_id: dict[int, Application] = {}
    for application, email in hired:
        by_id[application.id] = application
        if email:
            by_email[(application.job_id, email.strip().casefold())] = application
    cps: dict[int, dict[str, OutcomeCheckpoint]] = {}
    seen: dict[tuple[int, str], int] = {}
    preview: Preview[OutcomeRow] = Preview()
    header_error = _(
        "The first line must name the columns: job, email (or application), checkpoint, "
        "result, note."
    )
    for line, values in csv_records(text, HEADER_ALIASES, COLUMNS, "checkpoint", header_error):
        label = values["email"] or values["application"]
        reasons: list[str] = []
        application: Application | None = None
        if values["application"]:
            raw = values["application"].lstrip("#")
            application = by_id.get(int(raw)) if raw.isdecimal() else None
            if application is None:
                reasons.append(_("No hired candidate with this application number."))
        else:
            job: Job | None = default_job
            if values["job"]:
                job, reason = matcher.find(values["job"])
                if reason:
                    reasons.append(reason)
            elif job is None:
                reasons.append(_("Job is missing."))
            email = values["email"]
            if not email:
                reasons.append(_("Give the hire's e-mail or application number."))
            elif job is not None:
                normal = (_valid_email(email) or email).casefold()
                application = by_email.get((job.id, normal)) or by_email.get(
                    (job.id, email.casefold())
                )
                if application is None:
                    reasons.append(_("No hired candidate with this e-mail for this job."))
        checkpoint = None
        if application is not None:
            if application.job_id not in cps:
                cps[application.job_id] = {
                    c.key: c for c in checkpoints(job_by_id[application.job_id])
                }
            checkpoint = cps[application.job_id].get(values["checkpoint"].strip())
            if checkpoint is None:
                reasons.append(_("Unknown checkpoint: %(key)s.", key=values["checkpoint"] or "—"))
        if checkpoint is not None:
            try:
                parse_value(checkpoint, values["result"])
            except DomainError as exc:
                reasons.append(exc.message)
        if len(values["note"]) > NOTE_MAX:
            reasons.append(_("Too long (at most %(n)s characters).", n=NOTE_MAX))
        if application is not None and checkpoint is not None and not reasons:
            pair = (application.id, checkpoint.key)
            if pair in seen:
                reasons.append(_("Duplicate of line %(line)s in this file.", line=seen[pair]))
            else:
                seen[pair] = line
        if reasons:
            preview.bad.append(RowProblem(line, label, " ".join(reasons)))
            continue
        assert application is not None and checkpoint is not None
        preview.good.append(
            OutcomeRow(line, application, checkpoint, values["result"], values["note"], label)
        )
    return preview


def import_outcomes(
    text: str, jobs: list[Job], default_job: Job | None, actor: User
) -> tuple[Preview[OutcomeRow], int]:
    """Record the good rows (checked again) in the caller's transaction.

    Returns the preview and how many outcomes changed: importing the same file twice
    changes nothing the second time (each row sets a value, it does not add one).
    """
    preview = check_csv(text, jobs, default_job)
    changed = 0
    stored: dict[int, dict[str, OutcomeCheckpoint]] = {}
    for row in preview.good:
        job_id = row.application.job_id
        if job_id not in stored:
            job = next(j for j in jobs if j.id == job_id)
            stored[job_id] = {c.key: c for c in ensure_checkpoints(job)}
        checkpoint = stored[job_id][row.checkpoint.key]
        before = outcomes_for([row.application.id]).get((row.application.id, checkpoint.id))
        state = _state(before) if before is not None else None
        outcome = record_outcome(
            row.application, checkpoint, row.result, row.note, actor, check_permission=False
        )
        changed += outcome is not None and (state is None or state != _state(outcome))
    audit.record(
        "outcome.import",
        "outcome_import",
        None,
        actor=actor,
        job_id=default_job.id if default_job else None,
        after={
            "rows": preview.total,
            "recorded": len(preview.good),
            "changed": changed,
            "rejected": [{"line": p.line} for p in preview.bad],
        },
    )
    return preview, changed


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
