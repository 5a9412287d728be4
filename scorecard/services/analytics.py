"""Read models for "does our interviewing work?": validity and the interviewer report.

Every figure computed from scores comes from `scorecard.services.results.visible_scores`, so
the applications a viewer is blind to are left out of every aggregate (product.md's blind
rule); the statistics are the pure functions of `scorecard.scoring.validity`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from statistics import mean, median

import sqlalchemy as sa

from scorecard.extensions import db
from scorecard.models import (
    Application,
    ApplicationStatus,
    CheckpointKind,
    HireDecision,
    HireDecisionKind,
    Interview,
    InterviewStatus,
    Job,
    OutcomeCheckpoint,
    ProbationResult,
    Role,
    Scorecard,
    ScorecardStatus,
    User,
    utcnow,
)
from scorecard.permissions import can_review_job
from scorecard.scoring import agreement
from scorecard.scoring.validity import Correlation, Method, correlate
from scorecard.services import adverse_impact, outcomes
from scorecard.services.queries import is_past_due
from scorecard.services.recommendations import (
    ApplicationScore,
    JobScoring,
    Submitted,
    interviewer_key,
)
from scorecard.services.results import visible_scores

PASS_VALUE = {ProbationResult.PASSED: 1.0, ProbationResult.NOT_PASSED: 0.0}  # left early: out


@dataclass(frozen=True)
class Predictor:
    kind: str  # overall, round, dimension, criterion, panel
    key: str  # engine key (round key, dimension, "round:criterion"); "" for overall / panel


@dataclass
class ValidityRow:
    predictor: Predictor
    by_checkpoint: dict[str, Correlation] = field(default_factory=dict)  # by checkpoint key


@dataclass
class ValidityReport:
    job: Job | None
    checkpoints: list[OutcomeCheckpoint]
    rows: list[ValidityRow]
    hires: int
    scored: int
    min_n: int
    left_early: dict[str, int]  # checkpoint key → hires who left early (not in the correlation)


def visible_cards(
    job: Job, viewer: User, scoring: JobScoring
) -> tuple[dict[int, ApplicationScore], list[Submitted]]:
    """The results `viewer` may see, and the submitted scorecards of exactly those
    applications (the blind rule decides, through `visible_scores`)."""
    scores = visible_scores(job, viewer)
    cards = scoring.load_submitted(list(scores)) if scores else []
    return scores, cards


def _panel_means(cards: Iterable[Submitted]) -> dict[int, float]:
    """Application id → mean of the interviewers' overall recommendations (1-4)."""
    values: dict[int, list[float]] = defaultdict(list)
    for c in cards:
        overall = c.snapshot.get("overall")
        if isinstance(overall, int | float):
            values[c.application_id].append(float(overall))
    return {a: mean(v) for a, v in values.items()}


def _predictor_value(
    score: ApplicationScore, p: Predictor, panel: dict[int, float]
) -> float | None:
    result = score.result
    if p.kind == "overall":
        return result.score
    if p.kind == "round":
        rnd = result.rounds.get(p.key)
        return rnd.score if rnd else None
    if p.kind == "dimension":
        return result.dimensions.get(p.key)
    if p.kind == "criterion":
        crit = result.criteria.get(p.key)
        return crit.score if crit else None
    return panel.get(score.application_id)


def _predictors(scores: Iterable[ApplicationScore], scoring: JobScoring | None) -> list[Predictor]:
    out = [Predictor("overall", ""), Predictor("panel", "")]
    if scoring is None:
        return out
    rounds = [r.key for r in scoring.rounds]
    dims: set[str] = set()
    crits: list[str] = []
    for s in scores:
        dims.update(k for k, v in s.result.dimensions.items() if v is not None)
        for key in s.result.criteria:
            if key not in crits:
                crits.append(key)
    out += [Predictor("round", k) for k in rounds]
    out += [Predictor("dimension", d) for d in sorted(dims)]
    order = {k: n for n, k in enumerate(rounds)}
    crits.sort(key=lambda k: (order.get(k.partition(":")[0], 99), k))
    out += [Predictor("criterion", k) for k in crits]
    return out


def _outcome_number(kind: CheckpointKind, outcome) -> float | None:
    if kind == CheckpointKind.PROBATION:
        return PASS_VALUE.get(outcome.probation) if outcome.probation else None
    return float(outcome.rating) if outcome.rating is not None else None


def validity(job: Job, viewer: User) -> ValidityReport:
    """Each score's correlation with each of the job's outcomes, among the hires."""
    scoring = JobScoring(job)
    scores, cards = visible_cards(job, viewer, scoring)
    cps = outcomes.checkpoints(job)
    hired_ids = [a.id for a in outcomes.hires(job) if a.id in scores]
    recorded = outcomes.outcomes_for(hired_ids)
    predictors = _predictors(scores.values(), scoring)
    return _report(
        job,
        cps,
        predictors,
        [(scores, hired_ids, recorded, _panel_means(cards))],
        adverse_impact.min_hires(job),
    )


def validity_across(viewer: User) -> ValidityReport:
    """The overall score and the panel's recommendations across every job one may review."""
    jobs = [
        j
        for j in db.session.scalars(sa.select(Job).order_by(Job.id))
        if can_review_job(viewer, j.id)
    ]
    parts = []
    checkpoint_by_kind: dict[CheckpointKind, OutcomeCheckpoint] = {}
    for job in jobs:
        scores, cards = visible_cards(job, viewer, JobScoring(job))
        cps = outcomes.checkpoints(job)
        hired_ids = [a.id for a in outcomes.hires(job) if a.id in scores]
        recorded = outcomes.outcomes_for(hired_ids)
        # Pool by checkpoint key: the defaults are the same on every job.
        for cp in cps:
            checkpoint_by_kind.setdefault(cp.kind, cp)
        parts.append((scores, hired_ids, recorded, _panel_means(cards)))
    cps = [checkpoint_by_kind[k] for k in CheckpointKind if k in checkpoint_by_kind]
    return _report(None, cps, _predictors([], None), parts, 30, pool_by_kind=True)


def _report(job, cps, predictors, parts, min_n, pool_by_kind: bool = False) -> ValidityReport:
    rows = []
    left_early = {cp.key: 0 for cp in cps}
    hires_total = sum(len(part[1]) for part in parts)
    scored_total = sum(len(part[0]) for part in parts)
    for p in predictors:
        row = ValidityRow(p)
        for cp in cps:
            method: Method = "spearman" if cp.kind == CheckpointKind.RATING else "pearson"
            xs: list[float] = []
            ys: list[float] = []
            everyone: list[float] = []
            for scores, hired_ids, recorded, panel in parts:
                for s in scores.values():
                    v = _predictor_value(s, p, panel)
                    if v is not None:
                        everyone.append(v)
                for app_id in hired_ids:
                    match = [
                        o
                        for (a, _c), o in recorded.items()
                        if a == app_id
                        and (
                            o.checkpoint.kind == cp.kind
                            if pool_by_kind
                            else o.checkpoint.key == cp.key
                        )
                    ]
                    if not match:
                        continue
                    y = _outcome_number(cp.kind, match[0])
                    if y is None:
                        if p.kind == "overall":
                            left_early[cp.key] += 1
                        continue
                    x = _predictor_value(scores[app_id], p, panel)
                    if x is None:
                        continue
                    xs.append(x)
                    ys.append(y)
            row.by_checkpoint[cp.key] = correlate(xs, ys, method, everyone, min_n)
        rows.append(row)
    return ValidityReport(job, cps, rows, hires_total, scored_total, min_n, left_early)


# --- the interviewer report ----------------------------------------------------------------


@dataclass
class InterviewerFigures:
    user_id: int
    name: str
    written: int = 0
    hours: list[float] = field(default_factory=list)
    overdue: int = 0
    due: int = 0  # submitted + drafts already past due
    leniency: dict[int, object] = field(default_factory=dict)  # job id → Leniency
    differences: list[float] = field(default_factory=list)
    matched: int = 0
    decided: int = 0
    validity_pairs: list[tuple[float, float]] = field(default_factory=list)
    validity: Correlation | None = None

    @property
    def median_hours(self) -> float | None:
        return median(self.hours) if self.hours else None

    @property
    def overdue_share(self) -> float | None:
        return self.overdue / self.due if self.due else None

    @property
    def agreement(self) -> float | None:
        return mean(self.differences) if self.differences else None

    @property
    def match_rate(self) -> float | None:
        return self.matched / self.decided if self.decided else None


def sees_every_interviewer(user: User) -> bool:
    """HR and admins read every interviewer's figures; everyone else only their own."""
    return user.role in (Role.ADMIN, Role.HR)


def interviewer_report(
    viewer: User, only_self: bool, interviewer: int | None = None
) -> list[InterviewerFigures]:
    """Figures per interviewer over the jobs `viewer` may see (only the viewer's own row
    when `only_self`, or `interviewer`'s); HR and admins see everyone, the others
    themselves only (asking for someone else's row gives nothing)."""
    from scorecard.permissions import visible_jobs

    if only_self or not sees_every_interviewer(viewer):
        if interviewer is not None and interviewer != viewer.id:
            return []
        interviewer = viewer.id

    figures: dict[int, InterviewerFigures] = {}
    names = dict(db.session.execute(sa.select(User.id, User.name)).all())

    def fig(uid: int) -> InterviewerFigures:
        if uid not in figures:
            figures[uid] = InterviewerFigures(uid, names.get(uid, f"#{uid}"))
        return figures[uid]

    now = utcnow()
    for job in visible_jobs(viewer):
        scoring = JobScoring(job)
        scores, cards = visible_cards(job, viewer, scoring)
        for c in cards:
            if interviewer is not None and c.interviewer_id != interviewer:
                continue
            f = fig(c.interviewer_id)
            f.written += 1
            seconds = (c.submitted_at - c.interview_ends_at).total_seconds()
            f.hours.append(max(0.0, seconds) / 3600)
            f.due += 1
            f.overdue += is_past_due(job, c.interview_ends_at, c.submitted_at)
        # Drafts already past due count as overdue (they are the viewer's own, or the team's).
        drafts = db.session.execute(
            sa.select(Scorecard.interviewer_id, Interview.starts_at, Interview.duration_minutes)
            .join(Interview, Interview.id == Scorecard.interview_id)
            .join(Application, Application.id == Interview.application_id)
            .where(
                Application.job_id == job.id,
                Interview.status == InterviewStatus.SCHEDULED,
                Scorecard.status == ScorecardStatus.DRAFT,
            )
        ).all()
        from datetime import timedelta

        for uid, starts, minutes in drafts:
            if interviewer is not None and uid != interviewer:
                continue
            if is_past_due(job, starts + timedelta(minutes=minutes), now):
                f = fig(uid)
                f.due += 1
                f.overdue += 1
        # Leniency (S8) on the visible results only.
        lenient = agreement(scoring.records(cards), scoring.weights()).leniency
        for uid in {c.interviewer_id for c in cards}:
            if interviewer is not None and uid != interviewer:
                continue
            item = lenient.get(interviewer_key(uid))
            if item is not None:
                fig(uid).leniency[job.id] = item
        # Agreement with the rest of the panel: |own rating - mean of the others'|.
        by_cell: dict[tuple[int, int, str], dict[int, int]] = defaultdict(dict)
        for c in cards:
            for crit_id, rating in (c.snapshot.get("ratings") or {}).items():
                value = rating.get("value") if isinstance(rating, dict) else None
                if isinstance(value, int):
                    by_cell[(c.application_id, c.round_id, crit_id)][c.interviewer_id] = value
        for cell in by_cell.values():
            if len(cell) < 2:
                continue
            for uid, value in cell.items():
                if interviewer is not None and uid != interviewer:
                    continue
                others = [v for u, v in cell.items() if u != uid]
                fig(uid).differences.append(abs(value - mean(others)))
        # Match with the final hire decision, and validity of the recommendation.
        decisions: dict[int, HireDecisionKind] = {}
        for d in db.session.scalars(
            sa.select(HireDecision)
            .where(HireDecision.application_id.in_(list(scores) or [0]))
            .order_by(HireDecision.decided_at, HireDecision.id)
        ):
            decisions[d.application_id] = d.decision
        hired = [
            a
            for a in db.session.scalars(
                sa.select(Application.id).where(
                    Application.job_id == job.id, Application.status == ApplicationStatus.HIRED
                )
            )
            if a in scores
        ]
        recorded = outcomes.outcomes_for(hired)
        for c in cards:
            if interviewer is not None and c.interviewer_id != interviewer:
                continue
            overall = c.snapshot.get("overall")
            if not isinstance(overall, int):
                continue
            f = fig(c.interviewer_id)
            decision = decisions.get(c.application_id)
            if decision is not None:
                f.decided += 1
                f.matched += (overall >= 3) == (decision == HireDecisionKind.HIRE)
            for (app_id, _cp_id), o in recorded.items():
                if app_id == c.application_id and o.checkpoint.kind == CheckpointKind.PROBATION:
                    y = _outcome_number(CheckpointKind.PROBATION, o)
                    if y is not None:
                        f.validity_pairs.append((float(overall), y))
    for f in figures.values():
        if f.validity_pairs:
            xs, ys = zip(*f.validity_pairs, strict=True)
            f.validity = correlate(list(xs), list(ys), "pearson", min_n=30)
    return sorted(figures.values(), key=lambda f: f.name)
