"""The blind rule, in one place: what a viewer may see of a candidate's results.

product.md: whoever has an unsubmitted scorecard on a candidate's interview for a round —
interviewer, recruiter, hiring manager or admin alike — sees none of the other panelists'
ratings, notes, STAR text, red flags or overall recommendations, and no figure computed from
them (round and criterion scores, spreads, flags, the application's overall score and
recommendation, dimension scores, radar points), until their own scorecard is submitted.
Job-level aggregates leave out the applications the viewer is blind to.

The rule has two forms, so that Python and queries ask the same thing:

- about scorecards: `visible_scorecard_clause(user)` (a WHERE condition on Scorecard),
  `visible_scorecards`, `can_see_scorecard`, and `others_visibility` (why, for the page note);
- about computed figures: `blind_clause(user)` (a WHERE condition on Application),
  `blind_application_ids(user, job_id)` and `is_blind(user, application_id)`.

Every surface — pages, exports, chart data, the JSON API, e-mails, webhooks, reports — asks
these functions; nothing else in the code decides visibility.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from scorecard.extensions import db
from scorecard.models import (
    Application,
    Interview,
    InterviewStatus,
    Job,
    JobMember,
    JobRole,
    Role,
    RoundDecision,
    Scorecard,
    ScorecardStatus,
    User,
)


class Visibility(enum.StrEnum):
    """What a user may see of the other panel members' scorecards."""

    VISIBLE = "visible"
    BLIND = "blind"  # own scorecard for this candidate's round not submitted yet
    HIDDEN_UNTIL_DEBRIEF = "hidden_until_debrief"  # the job hides them until the debrief
    NONE = "none"  # not on this panel nor leading the job


def visible_scorecard_clause(user: User) -> sa.ColumnElement[bool]:
    """A WHERE condition on Scorecard: the scorecards whose content `user` may see.

    Own scorecards always; another interviewer's only once submitted, and then only for
    (a) a panel member of that candidate's round whose own scorecards there are all
    submitted — unless the job hides them until the round's debrief (a round decision) — or
    (b) the job's recruiter or hiring manager, or an admin, when not on that panel.
    Pages, exports and the API all filter with this (or `visible_scorecards`).
    """
    this_iv = aliased(Interview)
    own = aliased(Scorecard)
    own_iv = aliased(Interview)
    same_round = sa.and_(
        this_iv.id == Scorecard.interview_id,
        own_iv.application_id == this_iv.application_id,
        own_iv.round_id == this_iv.round_id,
        own_iv.status == InterviewStatus.SCHEDULED,
        own.interviewer_id == user.id,
    )
    own_in_round = (
        sa.select(own.id)
        .join(own_iv, own.interview_id == own_iv.id)
        .join(this_iv, this_iv.id == Scorecard.interview_id)
        .where(same_round)
        .correlate(Scorecard)
    )
    panelist = own_in_round.exists()
    own_draft = own_in_round.where(own.status == ScorecardStatus.DRAFT).exists()

    def about_job(conditions: Callable[[Any], tuple[sa.ColumnElement[bool], ...]]) -> sa.Exists:
        # One correlated level only: the card's interview → application → job row.
        app_ = aliased(Application)
        iv_ = aliased(Interview)
        return (
            sa.select(app_.id)
            .join(iv_, iv_.application_id == app_.id)
            .where(iv_.id == Scorecard.interview_id, *conditions(app_))
            .correlate(Scorecard)
            .exists()
        )

    member = about_job(lambda a: (JobMember.job_id == a.job_id, JobMember.user_id == user.id))
    leads = about_job(
        lambda a: (
            JobMember.job_id == a.job_id,
            JobMember.user_id == user.id,
            JobMember.job_role.in_([JobRole.RECRUITER, JobRole.HIRING_MANAGER]),
        )
    )
    if user.role == Role.ADMIN:
        member = sa.true()
        leads = sa.true()
    dec_iv = aliased(Interview)
    debriefed = (
        sa.select(RoundDecision.id)
        .join(dec_iv, dec_iv.id == Scorecard.interview_id)
        .where(
            RoundDecision.application_id == dec_iv.application_id,
            RoundDecision.round_id == dec_iv.round_id,
        )
        .correlate(Scorecard)
        .exists()
    )
    hides = about_job(lambda a: (Job.id == a.job_id, Job.hide_until_debrief.is_(True)))
    hidden = sa.and_(hides, ~debriefed, ~leads)
    return sa.or_(
        Scorecard.interviewer_id == user.id,
        sa.and_(
            Scorecard.status == ScorecardStatus.SUBMITTED,
            member,
            sa.or_(
                sa.and_(panelist, ~own_draft, ~hidden),
                sa.and_(~panelist, leads),
            ),
        ),
    )


def visible_scorecards(user: User, interview: Interview) -> list[Scorecard]:
    """The interview's scorecards whose content `user` may see (own first)."""
    cards = db.session.scalars(
        sa.select(Scorecard)
        .where(Scorecard.interview_id == interview.id, visible_scorecard_clause(user))
        .order_by(Scorecard.submitted_at, Scorecard.id)
    ).all()
    return sorted(cards, key=lambda c: c.interviewer_id != user.id)


def can_see_scorecard(user: User, scorecard_id: int) -> bool:
    """Whether `user` may read this scorecard's content (one query, the same clause)."""
    return bool(
        db.session.scalar(
            sa.select(sa.literal(True)).where(
                Scorecard.id == scorecard_id, visible_scorecard_clause(user)
            )
        )
    )


def others_visibility(user: User, interview: Interview) -> Visibility:
    """Why the other panel members' scorecards are (not) shown to `user`, for the page note."""
    own_cards = db.session.scalars(
        sa.select(Scorecard.status)
        .join(Interview, Scorecard.interview_id == Interview.id)
        .where(
            Interview.application_id == interview.application_id,
            Interview.round_id == interview.round_id,
            Interview.status == InterviewStatus.SCHEDULED,
            Scorecard.interviewer_id == user.id,
        )
    ).all()
    job = interview.application.job
    role = db.session.scalar(
        sa.select(JobMember.job_role).where(
            JobMember.job_id == job.id, JobMember.user_id == user.id
        )
    )
    leads = user.role == Role.ADMIN or role in (JobRole.RECRUITER, JobRole.HIRING_MANAGER)
    if not own_cards:
        return Visibility.VISIBLE if leads else Visibility.NONE
    if role is None and user.role != Role.ADMIN:
        return Visibility.NONE
    if ScorecardStatus.DRAFT in own_cards:
        return Visibility.BLIND
    if job.hide_until_debrief and not leads:
        debriefed = db.session.scalar(
            sa.select(RoundDecision.id).where(
                RoundDecision.application_id == interview.application_id,
                RoundDecision.round_id == interview.round_id,
            )
        )
        if debriefed is None:
            return Visibility.HIDDEN_UNTIL_DEBRIEF
    return Visibility.VISIBLE


# --- computed figures: the applications a viewer is blind to ---------------------------------


def blind_clause(user: User) -> sa.ColumnElement[bool]:
    """A WHERE condition on Application: `user` has a draft scorecard on one of its
    (not cancelled) interviews, so no figure computed from colleagues' ratings may be shown."""
    return (
        sa.select(Scorecard.id)
        .join(Interview, Interview.id == Scorecard.interview_id)
        .where(
            Interview.application_id == Application.id,
            Interview.status == InterviewStatus.SCHEDULED,
            Scorecard.interviewer_id == user.id,
            Scorecard.status == ScorecardStatus.DRAFT,
        )
        .correlate(Application)
        .exists()
    )


def blind_application_ids(user: User, job_id: int) -> set[int]:
    """The job's applications `user` is blind to (see `blind_clause`): one query."""
    rows = db.session.scalars(
        sa.select(Application.id).where(Application.job_id == job_id, blind_clause(user))
    )
    return set(rows)


def is_blind(user: User, application_id: int) -> bool:
    """Whether `user` may see no computed figure of this application (one query)."""
    return bool(
        db.session.scalar(
            sa.select(sa.literal(True)).where(Application.id == application_id, blind_clause(user))
        )
    )


def visible_application_ids(user: User, application_ids: Iterable[int], job_id: int) -> list[int]:
    """`application_ids` without those `user` is blind to, in the given order."""
    blind = blind_application_ids(user, job_id)
    return [a for a in application_ids if a not in blind]
