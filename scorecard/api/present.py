"""ORM rows → the API's answer models (scorecard/api/schemas/), one presenter per resource.

Reads only; what a caller may see is decided before anything reaches these functions.
Scorecard lists are built with one query per kind of row, whatever their number. A model
whose fields match an ORM row's attributes reads it directly (`from_attributes`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

import sqlalchemy as sa

from scorecard.api.core import iso
from scorecard.api.schemas import (
    Anchor,
    ApplicationBrief,
    ApplicationOut,
    CandidateDetail,
    CandidateOut,
    CriterionOut,
    DecisionOut,
    InterviewOut,
    JobDetail,
    JobSummary,
    Out,
    QuestionOut,
    RatingOut,
    RedFlagOut,
    RedFlagRef,
    RoundOut,
    ScorecardOut,
    StarOut,
    UserRef,
)
from scorecard.extensions import db
from scorecard.i18n import bilingual_text
from scorecard.models import (
    Application,
    Candidate,
    Criterion,
    HireDecision,
    Interview,
    Job,
    JobRole,
    Rating,
    RedFlag,
    Role,
    RoundDecision,
    Scorecard,
    StarEvidence,
    User,
    scorecard_red_flags,
)
from scorecard.services import scorecards as card_service

PageT = TypeVar("PageT", bound=Out)


def page(model: type[PageT], items: list[Any], query: Any, total: int) -> PageT:
    """A page of a list answer, as its page model (JobPage, ScorecardPage, ...)."""
    return model(items=items, page=query.page, per_page=query.per_page, total=total)


def paginate(stmt: sa.Select, query: Any) -> tuple[list[Any], int]:
    """(rows of the requested page, total count) for a SELECT of one entity."""
    total = db.session.scalar(
        sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())
    )
    rows = list(db.session.scalars(stmt.limit(query.per_page).offset(offset(query))))
    return rows, int(total or 0)


def offset(query: Any) -> int:
    """The rows before the requested page."""
    return (query.page - 1) * query.per_page


def user_ref(user: User) -> UserRef:
    return UserRef.model_validate(user)


# --- jobs ---------------------------------------------------------------------------------------


def job_summary(job: Job, my_role: JobRole | None) -> JobSummary:
    return JobSummary(**_job_fields(job, my_role))


def _job_fields(job: Job, my_role: JobRole | None) -> dict[str, Any]:
    return {
        "id": job.id,
        "title": bilingual_text(job, "title"),
        "title_zh": job.title_zh or "",
        "title_en": job.title_en or "",
        "status": job.status.value,
        "created_at": iso(job.created_at),
        "my_job_role": my_role.value if my_role is not None else None,
    }


def criterion(c: Criterion) -> CriterionOut:
    return CriterionOut(
        id=c.id,
        key=c.key,
        position=c.position,
        dimension=c.dimension.value,
        name=bilingual_text(c, "name"),
        name_zh=c.name_zh or "",
        name_en=c.name_en or "",
        description_zh=c.description_zh or "",
        description_en=c.description_en or "",
        weight=c.weight,
        must_have=c.must_have,
        veto_eligible=c.veto_eligible,
        anchors=[
            Anchor(
                value=v,
                text_zh=getattr(c, f"anchor{v}_zh") or "",
                text_en=getattr(c, f"anchor{v}_en") or "",
            )
            for v in (1, 2, 3, 4)
        ],
    )


def job_detail(job: Job, my_role: JobRole | None) -> JobDetail:
    rounds = []
    for rnd in job.rounds:
        version = rnd.current_version
        rounds.append(
            RoundOut(
                id=rnd.id,
                key=rnd.key,
                position=rnd.position,
                name=bilingual_text(rnd, "name"),
                name_zh=rnd.name_zh or "",
                name_en=rnd.name_en or "",
                focus_zh=rnd.focus_zh or "",
                focus_en=rnd.focus_en or "",
                weight=rnd.weight,
                version_id=version.id if version else None,
                version_number=version.number if version else None,
                criteria=[criterion(c) for c in (version.criteria if version else [])],
                questions=[
                    QuestionOut.model_validate(q) for q in (version.questions if version else [])
                ],
            )
        )
    return JobDetail(
        **_job_fields(job, my_role),
        description_zh=job.description_zh or "",
        description_en=job.description_en or "",
        rounds=rounds,
        red_flags=[RedFlagOut.model_validate(f) for f in job.red_flags],
    )


# --- candidates and applications ------------------------------------------------------------------


def shows_contact(user: User) -> bool:
    """Interviewers see only what the interview needs: name and résumé note (product.md)."""
    return user.role != Role.INTERVIEWER


def candidate(c: Candidate, user: User) -> CandidateOut:
    return CandidateOut(**_candidate_fields(c, user))


def candidate_detail(c: Candidate, user: User, apps: Iterable[Application]) -> CandidateDetail:
    return CandidateDetail(
        **_candidate_fields(c, user), applications=[application_brief(a) for a in apps]
    )


def _candidate_fields(c: Candidate, user: User) -> dict[str, Any]:
    contact = shows_contact(user)
    return {
        "id": c.id,
        "name": c.name,
        "email": c.email if contact else None,
        "phone": c.phone if contact else None,
        "source": c.source if contact else None,
        "note": c.note or "",
        "created_at": iso(c.created_at),
        "erased": c.erased_at is not None,
    }


def application(a: Application, user: User) -> ApplicationOut:
    return ApplicationOut(
        id=a.id,
        job_id=a.job_id,
        candidate=candidate(a.candidate, user),
        status=a.status.value,
        current_round_id=a.current_round_id,
        created_at=iso(a.created_at),
        closed_at=iso(a.closed_at),
    )


def application_brief(a: Application) -> ApplicationBrief:
    return ApplicationBrief(
        id=a.id, job_id=a.job_id, status=a.status.value, current_round_id=a.current_round_id
    )


# --- interviews --------------------------------------------------------------------------------


def interview(iv: Interview, user: User) -> InterviewOut:
    own = next((c.id for c in iv.scorecards if c.interviewer_id == user.id), None)
    return InterviewOut(
        id=iv.id,
        application_id=iv.application_id,
        job_id=iv.application.job_id,
        candidate_id=iv.application.candidate_id,
        round_id=iv.round_id,
        round_name=bilingual_text(iv.round, "name"),
        starts_at=iso(iv.starts_at),
        ends_at=iso(iv.ends_at),
        duration_minutes=iv.duration_minutes,
        location=iv.location or "",
        video_link=iv.video_link or "",
        status=iv.status.value,
        panel=[user_ref(c.interviewer) for c in iv.scorecards],
        my_scorecard_id=own,
        created_at=iso(iv.created_at),
    )


# --- scorecards --------------------------------------------------------------------------------


class CardContent:
    """Ratings, STAR evidence and red flags of many scorecards, loaded in three queries."""

    def __init__(self, card_ids: Sequence[int]) -> None:
        ids = list(card_ids)
        self.ratings: dict[int, list[tuple[int, str, int | None, str]]] = defaultdict(list)
        self.star: dict[int, list[Any]] = defaultdict(list)
        self.flags: dict[int, list[tuple[int, str]]] = defaultdict(list)
        if not ids:
            return
        for card_id, crit_id, key, value, note in db.session.execute(
            sa.select(
                Rating.scorecard_id, Rating.criterion_id, Criterion.key, Rating.value, Rating.note
            )
            .join(Criterion, Criterion.id == Rating.criterion_id)
            .where(Rating.scorecard_id.in_(ids))
            .order_by(Rating.scorecard_id, Criterion.position, Criterion.id)
        ):
            self.ratings[card_id].append((crit_id, key, value, note or ""))
        for row in db.session.execute(
            sa.select(StarEvidence)
            .where(StarEvidence.scorecard_id.in_(ids))
            .order_by(StarEvidence.scorecard_id, StarEvidence.question_id)
        ).scalars():
            self.star[row.scorecard_id].append(row)
        for card_id, flag_id, key in db.session.execute(
            sa.select(scorecard_red_flags.c.scorecard_id, RedFlag.id, RedFlag.key)
            .join(RedFlag, RedFlag.id == scorecard_red_flags.c.red_flag_id)
            .where(scorecard_red_flags.c.scorecard_id.in_(ids))
            .order_by(scorecard_red_flags.c.scorecard_id, RedFlag.position, RedFlag.id)
        ):
            self.flags[card_id].append((flag_id, key))


def load_cards(stmt: sa.Select) -> list[tuple[Scorecard, Interview, Application, User]]:
    """Scorecards with their interview, application and interviewer, in one query."""
    return [
        tuple(row)  # type: ignore[misc]
        for row in db.session.execute(
            stmt.add_columns(Interview, Application, User)
            .join(Interview, Interview.id == Scorecard.interview_id)
            .join(Application, Application.id == Interview.application_id)
            .join(User, User.id == Scorecard.interviewer_id)
        )
    ]


def scorecards(
    rows: Iterable[tuple[Scorecard, Interview, Application, User]], viewer: User
) -> list[ScorecardOut]:
    """Visible scorecards → answers (the owner also gets lock_version and fields)."""
    rows = list(rows)
    content = CardContent([card.id for card, *_ in rows])
    out = []
    for card, iv, app_row, interviewer in rows:
        own = card.interviewer_id == viewer.id
        out.append(
            ScorecardOut(
                id=card.id,
                interview_id=iv.id,
                application_id=app_row.id,
                job_id=app_row.job_id,
                round_id=iv.round_id,
                interviewer=user_ref(interviewer),
                status=card.status.value,
                version_id=card.version_id,
                lock_version=card.lock_version if own else None,
                overall=card.overall,
                takeaways=card.takeaways or "",
                ratings=[
                    RatingOut(criterion_id=cid, criterion_key=key, value=value, note=note)
                    for cid, key, value, note in content.ratings[card.id]
                ],
                star=[StarOut.model_validate(s) for s in content.star[card.id]],
                red_flags=[RedFlagRef(id=fid, key=key) for fid, key in content.flags[card.id]],
                created_at=iso(card.created_at),
                updated_at=iso(card.updated_at),
                submitted_at=iso(card.submitted_at),
                edited_at=iso(card.edited_at),
                fields=card_service.field_values(card) if own else None,
            )
        )
    return out


# --- decisions ----------------------------------------------------------------------------------


def decision(row: RoundDecision | HireDecision, hide_recommendation: bool) -> DecisionOut:
    is_round = isinstance(row, RoundDecision)
    return DecisionOut(
        id=row.id,
        kind="round" if is_round else "hire",
        application_id=row.application_id,
        round_id=row.round_id if is_round else None,
        decision=row.decision.value,
        rationale=row.rationale or "",
        recommendation=None if hide_recommendation else row.recommendation,
        decided_by=user_ref(row.decided_by),
        decided_at=iso(row.decided_at),
    )
