"""The outcomes CSV import: every row checked against the jobs the importer may edit and
previewed, then recorded in one transaction (importing a file twice changes nothing)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from scorecard.extensions import db
from scorecard.models import Application, ApplicationStatus, Candidate, Job, OutcomeCheckpoint, User
from scorecard.services import audit
from scorecard.services.candidates import JobMatcher, Preview, RowProblem, _valid_email, csv_records
from scorecard.services.errors import DomainError

from .checkpoints import checkpoints, ensure_checkpoints
from .recording import NOTE_MAX, _state, outcomes_for, parse_value, record_outcome

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
