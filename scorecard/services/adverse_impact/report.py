"""Who reads the adverse-impact report (admins and compliance grants), and the report:
selection rates per group for each round, the hire decision and the engine."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from statistics import median

import sqlalchemy as sa
from flask_babel import gettext as _

from scorecard.extensions import db
from scorecard.models import (
    Application,
    ComplianceGrant,
    HireDecision,
    HireDecisionKind,
    Job,
    JobRole,
    Role,
    RoundDecision,
    RoundDecisionKind,
    SelfIdentification,
    User,
)
from scorecard.permissions import job_role
from scorecard.scoring.adverse_impact import MIN_GROUP, ImpactTable, impact_table
from scorecard.services import audit
from scorecard.services.errors import DomainError
from scorecard.services.results import visible_scores

from .settings import enabled

HIRE_RECOMMENDATIONS = ("hire", "strong_hire")

# --- compliance grants ---------------------------------------------------------------------


def can_read_report(user: User) -> bool:
    """Admins and users with a compliance grant read the adverse-impact report."""
    if user.role == Role.ADMIN:
        return True
    return bool(
        db.session.scalar(sa.select(ComplianceGrant.id).where(ComplianceGrant.user_id == user.id))
    )


def grants() -> list[User]:
    """Users with a compliance grant, by name."""
    return list(
        db.session.scalars(
            sa.select(User)
            .join(ComplianceGrant, ComplianceGrant.user_id == User.id)
            .order_by(User.name)
        )
    )


def set_grant(user: User, granted: bool, actor: User) -> None:
    """Give or take back a user's compliance permission (admins only)."""
    if actor.role != Role.ADMIN:
        raise DomainError(None, _("Only an administrator gives the compliance permission."))
    row = db.session.scalar(sa.select(ComplianceGrant).where(ComplianceGrant.user_id == user.id))
    if granted and row is None:
        db.session.add(ComplianceGrant(user_id=user.id, granted_by_id=actor.id))
    elif not granted and row is not None:
        db.session.delete(row)
    else:
        return
    db.session.flush()
    audit.record(
        "compliance.grant" if granted else "compliance.revoke", "user", user.id, actor=actor
    )


# --- the report ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Stage:
    """One row block of the report: a stage (or the engine) and its impact table."""

    kind: str  # "round", "hire", "engine_recommendation", "engine_median"
    name: str
    table: ImpactTable


@dataclass(frozen=True)
class JobReport:
    job: Job
    category: str
    stages: list[Stage]
    without_answer: int  # applications whose candidate gave no answer in this category
    candidates: int


def report(job: Job, category: str, viewer: User) -> JobReport:
    """Selection rates per group for each round, the hire decision and the engine."""
    if not can_read_report(viewer):
        raise DomainError(None, _("This report is for administrators and compliance reviewers."))
    from scorecard.i18n import bilingual_text

    applications = list(
        db.session.scalars(sa.select(Application).where(Application.job_id == job.id))
    )
    answers = dict(
        db.session.execute(
            sa.select(SelfIdentification.candidate_id, SelfIdentification.value).where(
                SelfIdentification.category == category,
                SelfIdentification.candidate_id.in_([a.candidate_id for a in applications] or [0]),
            )
        ).all()
    )
    group_of = {a.id: answers[a.candidate_id] for a in applications if a.candidate_id in answers}
    app_ids = list(group_of)

    def table(considered: dict[int, bool]) -> ImpactTable:
        counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for app_id, selected in considered.items():
            c = counts[group_of[app_id]]
            c[0] += 1
            c[1] += int(selected)
        return impact_table({g: (c[0], c[1]) for g, c in counts.items()}, MIN_GROUP)

    stages: list[Stage] = []
    latest_round: dict[tuple[int, int], RoundDecisionKind] = {}
    for d in db.session.scalars(
        sa.select(RoundDecision)
        .where(RoundDecision.application_id.in_(app_ids or [0]))
        .order_by(RoundDecision.decided_at, RoundDecision.id)
    ):
        latest_round[(d.application_id, d.round_id)] = d.decision
    for rnd in job.rounds:
        decided = {
            app_id: kind == RoundDecisionKind.ADVANCE
            for (app_id, round_id), kind in latest_round.items()
            if round_id == rnd.id and kind != RoundDecisionKind.HOLD
        }
        stages.append(Stage("round", bilingual_text(rnd, "name"), table(decided)))
    latest_hire: dict[int, HireDecisionKind] = {}
    for d in db.session.scalars(
        sa.select(HireDecision)
        .where(HireDecision.application_id.in_(app_ids or [0]))
        .order_by(HireDecision.decided_at, HireDecision.id)
    ):
        latest_hire[d.application_id] = d.decision
    stages.append(
        Stage(
            "hire",
            _("Hire decision"),
            table({a: k == HireDecisionKind.HIRE for a, k in latest_hire.items()}),
        )
    )
    # The engine, as a bias-audit view: figures from the results the viewer may see.
    scores = visible_scores(job, viewer, app_ids)
    scored = {a: s for a, s in scores.items() if a in group_of and s.result.score is not None}
    stages.append(
        Stage(
            "engine_recommendation",
            _("Engine recommends hire or strong hire"),
            table({a: s.result.recommendation in HIRE_RECOMMENDATIONS for a, s in scored.items()}),
        )
    )
    if scored:
        mid = median(s.result.score for s in scored.values())
        above = {a: s.result.score > mid for a, s in scored.items()}
    else:
        above = {}
    stages.append(Stage("engine_median", _("Engine score above the job's median"), table(above)))
    return JobReport(
        job=job,
        category=category,
        stages=stages,
        without_answer=len(applications) - len(group_of),
        candidates=len(applications),
    )


def reportable_jobs(viewer: User) -> list[Job]:
    """Jobs with adverse impact turned on (for a reader of the report)."""
    if not can_read_report(viewer):
        return []
    jobs = list(db.session.scalars(sa.select(Job).order_by(Job.created_at.desc(), Job.id.desc())))
    return [j for j in jobs if enabled(j)]


def hr_can_enter_for(user: User, job: Job) -> bool:
    """Whether `user` may enter self-identification for the job's candidates."""
    return user.role == Role.ADMIN or (
        user.role == Role.HR and job_role(user, job.id) == JobRole.RECRUITER
    )
