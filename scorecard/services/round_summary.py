"""A candidate's round as the debrief sees it: every visible scorecard, as submitted.

Content comes from the frozen first submission (the snapshot the engine scores), never from
later edits; a scorecard edited after submitting is marked so. Which scorecards a user may
read is decided by `visibility.visible_scorecard_clause` (the blind rule), the same
condition every other page and export uses.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from scorecard.extensions import db
from scorecard.i18n import bilingual_text
from scorecard.models import (
    Application,
    Interview,
    InterviewStatus,
    Question,
    Round,
    Scorecard,
    ScorecardStatus,
    User,
)
from scorecard.scoring.model import RoundResult
from scorecard.services.recommendations import (
    ApplicationScore,
    JobScoring,
    engine_key,
    interviewer_key,
)
from scorecard.services.scorecards import STAR_PARTS
from scorecard.visibility import visible_scorecard_clause


@dataclass
class RatingView:
    value: int | None
    note: str


@dataclass
class StarView:
    question: str
    parts: dict[str, str]


@dataclass
class CardView:
    """One submitted scorecard as it was submitted."""

    scorecard: Scorecard
    round: Round
    interviewer: str
    interviewer_key: str
    version_number: int
    submitted_at: datetime | None
    edited_at: datetime | None
    overall: int | None
    takeaways: str
    red_flags: list[str]
    ratings: dict[str, RatingView]  # engine key → rating
    star: list[StarView]


@dataclass
class PendingView:
    """A panel member whose scorecard is not submitted: no content, only that it is pending."""

    interviewer: str
    overdue: bool


@dataclass
class GridRow:
    """One criterion of the round: each interviewer's rating and the engine's figures."""

    key: str
    name: str
    weight: float
    must_have: bool
    veto: bool
    cells: list[RatingView | None]
    score: float | None
    spread: int | None
    disagreement: bool


@dataclass
class RoundSummary:
    application: Application
    round: Round
    cards: list[CardView]
    pending: list[PendingView]
    result: RoundResult | None  # None: nothing submitted, or hidden by the blind rule
    blind: bool
    rows: list[GridRow] = field(default_factory=list)
    versions: list[int] = field(default_factory=list)


def _load_cards(application: Application, round_id: int | None) -> list[Scorecard]:
    stmt = (
        sa.select(Scorecard)
        .join(Interview, Interview.id == Scorecard.interview_id)
        .where(
            Interview.application_id == application.id,
            Interview.status == InterviewStatus.SCHEDULED,
        )
        .options(
            joinedload(Scorecard.interviewer),
            joinedload(Scorecard.submission),
            joinedload(Scorecard.version),
            joinedload(Scorecard.interview),
        )
        .order_by(Interview.starts_at, Scorecard.id)
    )
    if round_id is not None:
        stmt = stmt.where(Interview.round_id == round_id)
    return list(db.session.scalars(stmt).unique())


def card_views(
    scoring: JobScoring, cards: Iterable[Scorecard], visible_ids: set[int]
) -> list[CardView]:
    """The submitted, visible scorecards as submitted (snapshot content)."""
    flag_names = {f.key: bilingual_text(f, "label") for f in scoring.job.red_flags}
    chosen = [
        c
        for c in cards
        if c.id in visible_ids and c.status == ScorecardStatus.SUBMITTED and c.submission
    ]
    question_ids = {
        int(q) for c in chosen for q in ((c.submission.snapshot or {}).get("star") or {})
    }
    questions = {}
    if question_ids:
        questions = {
            q.id: q
            for q in db.session.scalars(sa.select(Question).where(Question.id.in_(question_ids)))
        }
    views = []
    for card in chosen:
        snap = card.submission.snapshot or {}
        rnd = scoring.round_by_id[card.interview.round_id]
        ratings = {}
        for crit_id, rating in (snap.get("ratings") or {}).items():
            crit = scoring.criterion_by_id.get(int(crit_id))
            if crit is not None:
                ratings[engine_key(rnd.key, crit.key)] = RatingView(
                    rating.get("value"), rating.get("note") or ""
                )
        star = []
        for qid, parts in (snap.get("star") or {}).items():
            if not any((parts.get(p) or "").strip() for p in STAR_PARTS):
                continue
            q = questions.get(int(qid))
            star.append(
                StarView(
                    bilingual_text(q, "text") if q is not None else qid,
                    {p: parts.get(p) or "" for p in STAR_PARTS},
                )
            )
        views.append(
            CardView(
                scorecard=card,
                round=rnd,
                interviewer=card.interviewer.name,
                interviewer_key=interviewer_key(card.interviewer_id),
                version_number=card.version.number,
                submitted_at=card.submission.submitted_at,
                edited_at=card.edited_at,
                overall=snap.get("overall"),
                takeaways=snap.get("takeaways") or "",
                red_flags=[flag_names.get(k, k) for k in snap.get("red_flags") or []],
                ratings=ratings,
                star=star,
            )
        )
    return views


def visible_ids(user: User, cards: Iterable[Scorecard]) -> set[int]:
    """The ids among `cards` whose content `user` may see (the blind rule, in one query)."""
    ids = [c.id for c in cards]
    if not ids:
        return set()
    return set(
        db.session.scalars(
            sa.select(Scorecard.id).where(Scorecard.id.in_(ids), visible_scorecard_clause(user))
        )
    )


def application_cards(
    scoring: JobScoring, application: Application, user: User, round_id: int | None = None
) -> tuple[list[Scorecard], list[CardView]]:
    """All scorecards of an application (or one round of it) and the visible submitted ones."""
    cards = _load_cards(application, round_id)
    return cards, card_views(scoring, cards, visible_ids(user, cards))


def round_summary(
    scoring: JobScoring,
    application: Application,
    rnd: Round,
    user: User,
    score: ApplicationScore | None,
    overdue: Callable[[Scorecard], bool] | None = None,
) -> RoundSummary:
    """Everything the round summary page shows, as `user` may see it."""
    cards, views = application_cards(scoring, application, user, rnd.id)
    own_draft = any(
        c.interviewer_id == user.id and c.status == ScorecardStatus.DRAFT for c in cards
    )
    shown = {v.scorecard.id for v in views}
    pending = [
        PendingView(c.interviewer.name, bool(overdue and overdue(c)))
        for c in cards
        if c.status != ScorecardStatus.SUBMITTED and c.id not in shown
    ]
    result = None  # `score` comes from results.visible_score: None when the viewer is blind
    if score is not None:
        rr = score.result.rounds.get(rnd.key)
        if rr is not None and rr.raters:
            result = rr
    summary = RoundSummary(application, rnd, views, pending, result, own_draft)
    summary.versions = sorted({v.version_number for v in views})
    if result is not None:
        flagged = {f.criterion for f in result.flags if f.kind == "disagreement"}
        for key, c in result.criteria.items():
            crit = scoring.criterion_for(key)
            summary.rows.append(
                GridRow(
                    key=key,
                    name=bilingual_text(crit, "name") if crit is not None else key,
                    weight=c.weight,
                    must_have=c.must_have,
                    veto=c.veto,
                    cells=[v.ratings.get(key) for v in views],
                    score=c.score,
                    spread=c.spread,
                    disagreement=key in flagged,
                )
            )
    return summary
