"""The demo tells a coherent fortnight of hiring (what a new user sees first after `make run`).

Interviews in working hours in the configured time zone, past and coming; scorecards submitted
a few hours to two days after the interview; every candidate past a round has the decision
that moved them, every closed one the decision that closed them; the funnel has advanced and
rejected candidates and pass rates; at least one hire; median time to feedback under 48 hours.
"""

from datetime import timedelta

import sqlalchemy as sa

from scorecard.models import (
    Application,
    ApplicationStatus,
    HireDecision,
    Interview,
    InterviewStatus,
    Scorecard,
    ScorecardStatus,
    ScorecardSubmission,
    utcnow,
)
from scorecard.seed.demo import WORK_END, WORK_START
from scorecard.services import decisions
from scorecard.services.job_summary import build_job_summary
from scorecard.timeutil import to_local
from tests.web import compare_support
from tests.web.compare_support import medical_job

demo = compare_support.demo  # the fixture


def test_interviews_lie_in_working_hours_over_past_and_coming_days(app, demo, db):
    now = utcnow()
    interviews = db.session.scalars(sa.select(Interview)).all()
    assert len(interviews) >= 20
    with app.app_context():
        for iv in interviews:
            start, end = to_local(iv.starts_at), to_local(iv.ends_at)
            assert start.hour >= WORK_START and start.date() == end.date(), start
            assert (end.hour, end.minute) <= (WORK_END, 0), end
            assert now - timedelta(days=15) <= iv.starts_at <= now + timedelta(days=8)
    assert sum(iv.starts_at > now for iv in interviews) >= 2  # coming ones too


def test_feedback_arrives_hours_to_two_days_after_the_interview(app, demo, db):
    now = utcnow()
    rows = db.session.execute(
        sa.select(Interview, Scorecard, ScorecardSubmission)
        .join(Scorecard, Scorecard.interview_id == Interview.id)
        .join(ScorecardSubmission, ScorecardSubmission.scorecard_id == Scorecard.id)
    ).all()
    assert len(rows) >= 30
    delays = []
    for iv, card, submission in rows:
        assert card.submitted_at == submission.submitted_at <= now
        if iv.ends_at + timedelta(hours=1) > now:
            continue  # today's interview: the colleague submitted as it ended (or just now)
        delay = (submission.submitted_at - iv.ends_at).total_seconds() / 3600
        assert 0.5 <= delay <= 48, (iv.application.candidate.name, iv.round.key, delay)
        delays.append(delay)
    # Not all stamped with the same moment: a spread like a real team's.
    assert max(delays) - min(delays) > 12
    with app.test_request_context():
        summary = build_job_summary(medical_job(), demo["manager"])
    assert summary.median_hours is not None and summary.median_hours < 48
    for funnel in summary.rounds:
        assert funnel.median_hours is not None and funnel.median_hours < 48
    # A few overdue on purpose (孙磊's HR screen).
    assert summary.rounds[0].overdue >= 2


def test_every_stage_has_the_decision_that_put_the_candidate_there(app, demo, db):
    job = medical_job()
    order = sorted(job.rounds, key=lambda r: (r.position, r.id))
    apps = db.session.scalars(sa.select(Application).where(Application.job_id == job.id)).all()
    assert len(apps) == 12
    statuses = {a.status for a in apps}
    assert {
        ApplicationStatus.ACTIVE,
        ApplicationStatus.REJECTED,
        ApplicationStatus.HIRED,
    } <= statuses
    for a in apps:
        current = order.index(a.current_round)
        for earlier in order[:current]:
            history = decisions.round_history(a.id, earlier.id)
            assert history and history[-1].decision.value == "advance", (
                a.candidate.name,
                earlier.key,
            )
            assert history[-1].rationale
            later = db.session.scalar(
                sa.select(sa.func.min(Interview.starts_at)).where(
                    Interview.application_id == a.id,
                    Interview.round_id == order[order.index(earlier) + 1].id,
                )
            )
            assert later is None or history[-1].decided_at <= later, a.candidate.name
            submitted = db.session.scalar(
                sa.select(sa.func.max(Scorecard.submitted_at))
                .join(Interview, Interview.id == Scorecard.interview_id)
                .where(Interview.application_id == a.id, Interview.round_id == earlier.id)
            )
            assert submitted is not None and history[-1].decided_at >= submitted
        if a.status == ApplicationStatus.REJECTED:
            history = decisions.round_history(a.id, a.current_round_id)
            assert history[-1].decision.value == "reject" and a.closed_at == history[-1].decided_at
        if a.status == ApplicationStatus.HIRED:
            hire = decisions.hire_history(a.id)
            assert hire[-1].decision.value == "hire" and hire[-1].rationale
            assert decisions.round_history(a.id, order[-1].id)[-1].decision.value == "advance"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(HireDecision)) >= 1


def test_the_funnel_shows_advanced_rejected_and_pass_rates(app, demo, db):
    with app.test_request_context():
        summary = build_job_summary(medical_job(), demo["manager"])
    for funnel in summary.rounds:
        assert funnel.advanced >= 1 and funnel.rejected >= 1, funnel.round.key
        assert funnel.pass_rate is not None and 0 < funnel.pass_rate < 1
    # Drafts stay drafts where the story needs them: today's interview and the overdue ones.
    drafts = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Scorecard)
        .join(Interview, Interview.id == Scorecard.interview_id)
        .where(
            Scorecard.status == ScorecardStatus.DRAFT, Interview.status == InterviewStatus.SCHEDULED
        )
    )
    assert drafts >= 3
