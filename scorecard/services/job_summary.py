"""A job at a glance: the funnel per round, pass rates, dimension averages, feedback speed.

Definitions (shown on the page too):

- scheduled: applications with a (not cancelled) interview in the round;
- scored: of those, applications with at least one submitted scorecard in the round;
- advanced / on hold / rejected: applications whose latest decision for the round says so;
- pass rate: advanced ÷ (advanced + rejected), once anything is decided;
- dimension averages: the mean over scored applications of the engine's round dimension
  scores (not assessed is left out, never counted as 0);
- overdue: draft scorecards whose interview ended more than the job's overdue hours ago;
- time to feedback: hours from the interview's scheduled end to the first submission
  (0 when submitted before the scheduled end), median per round.

A constant number of queries whatever the number of candidates.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from scorecard.extensions import db
from scorecard.i18n import bilingual_text
from scorecard.labels import DIMENSION_LABELS
from scorecard.models import (
    Application,
    Candidate,
    Dimension,
    Interview,
    InterviewStatus,
    Job,
    Round,
    RoundDecision,
    Scorecard,
    ScorecardStatus,
    ScorecardSubmission,
    User,
    utcnow,
)
from scorecard.services.queries import is_past_due
from scorecard.services.recommendations import JobScoring
from scorecard.services.results import DIMENSIONS, visible_summaries


@dataclass
class Overdue:
    scorecard_id: int
    application_id: int
    candidate: str
    interviewer: str
    round: Round
    ended_at: datetime
    hours_late: float


@dataclass
class RoundFunnel:
    round: Round
    scheduled: int = 0
    scored: int = 0
    advanced: int = 0
    held: int = 0
    rejected: int = 0
    average: float | None = None
    dimensions: dict[str, float | None] = field(default_factory=dict)
    overdue: int = 0
    median_hours: float | None = None
    submitted: int = 0
    configured: frozenset[str] = frozenset()  # dimensions the round's criteria cover

    @property
    def pass_rate(self) -> float | None:
        decided = self.advanced + self.rejected
        return self.advanced / decided if decided else None


@dataclass
class JobSummary:
    job: Job
    rounds: list[RoundFunnel]
    overdue: list[Overdue]
    applications: int
    median_hours: float | None

    def funnel_chart(self) -> dict:
        """Bar chart data: per round, scheduled / scored / advanced / rejected."""
        labels = [bilingual_text(f.round, "name") for f in self.rounds]
        series = [
            (_("Scheduled"), "scheduled"),
            (_("Scored"), "scored"),
            (_("Advanced"), "advanced"),
            (_("Rejected"), "rejected"),
        ]
        return {
            "labels": labels,
            "datasets": [
                {"label": label, "data": [getattr(f, attr) for f in self.rounds]}
                for label, attr in series
            ],
        }

    def dimension_chart(self) -> dict:
        """Bar chart data: per round, the average of each dimension (null: not assessed)."""
        return {
            "labels": [bilingual_text(f.round, "name") for f in self.rounds],
            "datasets": [
                {
                    "label": str(DIMENSION_LABELS[Dimension(d)]),
                    "data": [
                        None if f.dimensions.get(d) is None else round(f.dimensions[d], 2)
                        for f in self.rounds
                    ],
                }
                for d in DIMENSIONS
            ],
            "min": 1,
            "max": 4,
        }


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def build_job_summary(job: Job, user, now: datetime | None = None) -> JobSummary:
    """The job's funnel and feedback figures, as `user` may see them."""
    now = now or utcnow()
    scoring = JobScoring(job)
    funnels = {r.id: RoundFunnel(r) for r in scoring.rounds}
    by_key = {r.key: funnels[r.id] for r in scoring.rounds}

    rows = db.session.execute(
        sa.select(
            Interview.round_id,
            Interview.application_id,
            Interview.starts_at,
            Interview.duration_minutes,
            Scorecard.id,
            Scorecard.status,
            ScorecardSubmission.submitted_at,
            User.name,
            Candidate.name,
        )
        .join(Application, Application.id == Interview.application_id)
        .join(Candidate, Candidate.id == Application.candidate_id)
        .outerjoin(Scorecard, Scorecard.interview_id == Interview.id)
        .outerjoin(User, User.id == Scorecard.interviewer_id)
        .outerjoin(ScorecardSubmission, ScorecardSubmission.scorecard_id == Scorecard.id)
        .where(Application.job_id == job.id, Interview.status == InterviewStatus.SCHEDULED)
    ).all()
    scheduled: dict[int, set[int]] = {rid: set() for rid in funnels}
    scored: dict[int, set[int]] = {rid: set() for rid in funnels}
    delays: dict[int, list[float]] = {rid: [] for rid in funnels}
    overdue: list[Overdue] = []
    for round_id, app_id, starts, minutes, card_id, status, sub_at, who, cand in rows:
        if round_id not in funnels:
            continue
        scheduled[round_id].add(app_id)
        if card_id is None:
            continue
        ends = starts + timedelta(minutes=minutes)
        if status == ScorecardStatus.SUBMITTED and sub_at is not None:
            scored[round_id].add(app_id)
            delays[round_id].append(max(0.0, (sub_at - ends).total_seconds() / 3600))
        elif status == ScorecardStatus.DRAFT and is_past_due(job, ends, now):
            overdue.append(
                Overdue(
                    card_id,
                    app_id,
                    cand,
                    who,
                    funnels[round_id].round,
                    ends,
                    (now - ends).total_seconds() / 3600,
                )
            )
    latest: dict[tuple[int, int], RoundDecision] = {}
    for decision in db.session.scalars(
        sa.select(RoundDecision)
        .join(Application, Application.id == RoundDecision.application_id)
        .where(Application.job_id == job.id)
        .order_by(RoundDecision.decided_at, RoundDecision.id)
    ):
        latest[(decision.application_id, decision.round_id)] = decision
    for (_app_id, round_id), decision in latest.items():
        funnel = funnels.get(round_id)
        if funnel is None:
            continue
        kind = decision.decision.value
        if kind == "advance":
            funnel.advanced += 1
        elif kind == "hold":
            funnel.held += 1
        else:
            funnel.rejected += 1

    summaries, blind = visible_summaries(job, user, scoring)
    round_scores: dict[str, list[float]] = {k: [] for k in by_key}
    dims: dict[str, dict[str, list[float]]] = {k: {d: [] for d in DIMENSIONS} for k in by_key}
    for app_id, s in summaries.items():
        if app_id in blind:
            continue
        for key, figures in s.rounds.items():
            if key not in by_key or figures.score is None:
                continue
            round_scores[key].append(figures.score)
            for d in DIMENSIONS:
                value = figures.dimensions.get(d)
                if value is not None:
                    dims[key][d].append(value)
    all_delays: list[float] = []
    for rid, funnel in funnels.items():
        key = funnel.round.key
        funnel.scheduled = len(scheduled[rid])
        funnel.scored = len(scored[rid])
        funnel.average = _mean(round_scores[key])
        funnel.dimensions = {d: _mean(dims[key][d]) for d in DIMENSIONS}
        funnel.configured = frozenset(
            str(c.dimension.value) for v in funnel.round.versions for c in v.criteria
        )
        funnel.overdue = sum(1 for o in overdue if o.round.id == rid)
        funnel.submitted = len(delays[rid])
        funnel.median_hours = statistics.median(delays[rid]) if delays[rid] else None
        all_delays.extend(delays[rid])
    overdue.sort(key=lambda o: -o.hours_late)
    applications = db.session.scalar(
        sa.select(sa.func.count(Application.id)).where(Application.job_id == job.id)
    )
    return JobSummary(
        job=job,
        rounds=[funnels[r.id] for r in scoring.rounds],
        overdue=overdue,
        applications=applications or 0,
        median_hours=statistics.median(all_delays) if all_delays else None,
    )
