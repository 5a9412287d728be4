"""Scorecards in the shape of Greenhouse Harvest's scorecard object, for tools built on it.

Two shapes: `harvest` follows Harvest v3 (Greenhouse retired v1/v2 on 31 August 2026): flat
objects whose relations are `<object>_id` fields, no embedded users, ISO 8601 UTC times.
`harvest_v1` keeps the retired v1 object (embedded `interviewer` / `submitted_by` users,
`interview_step {id, name}`, a `ratings` map) for old consumers. Neither splits a person's
display name: Scorecard keeps one name, so v1's `first_name` holds all of it.

Our 1–4 scale maps onto Harvest's words one to one; Harvest's "mixed" has no counterpart
(our scale has no midpoint) and stays empty:

    1 → definitely_not   2 → no   3 → yes   4 → strong_yes
    not assessed → left out of `ratings`; the attribute's rating is "no_decision"
    overall not chosen → overall_recommendation "no_decision"

Only submitted scorecards are exported, as Harvest does.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from scorecard.api.core import iso
from scorecard.api.present import CardContent
from scorecard.api.schemas import (
    HarvestAttribute,
    HarvestQuestion,
    HarvestRatings,
    HarvestScorecard,
    HarvestStep,
    HarvestUser,
    HarvestV3Question,
    HarvestV3Scorecard,
)
from scorecard.extensions import db
from scorecard.i18n import bilingual_text
from scorecard.labels import DIMENSION_LABELS, STAR_LABELS
from scorecard.models import (
    Application,
    Criterion,
    Interview,
    Question,
    RedFlag,
    Round,
    Scorecard,
    User,
)
from scorecard.services.scorecards import STAR_PARTS

HARVEST_RATING = {1: "definitely_not", 2: "no", 3: "yes", 4: "strong_yes"}
NO_DECISION = "no_decision"
TAKEAWAYS_QUESTION = "Key Take-Aways"  # Harvest's own wording: tools look for it
RED_FLAGS_QUESTION = "Red flags"


def harvest_user(user: User) -> dict[str, Any]:
    """Harvest v1's user object (the fields of HarvestUser). Scorecard keeps one display name,
    which is never split at a space ("陈静 Chen Jing" is no first name "陈静 Chen" and last
    name "Jing"): all of it is `name` and `first_name`, and `last_name` is empty."""
    name = user.name.strip()
    return {"id": user.id, "first_name": name, "last_name": "", "name": name, "employee_id": None}


def harvest_rating(value: int | None) -> str:
    """Our 1–4 (or None) → Harvest's rating word."""
    return HARVEST_RATING.get(value, NO_DECISION) if value is not None else NO_DECISION


def _star_answer(evidence: Any) -> str:
    return "\n".join(
        f"{STAR_LABELS[part]}: {getattr(evidence, part)}"
        for part in STAR_PARTS
        if (getattr(evidence, part) or "").strip()
    )


def harvest_scorecards(
    rows: Iterable[tuple[Scorecard, Interview, Application, User]], version: str = "v3"
) -> list[HarvestV3Scorecard | HarvestScorecard]:
    """Submitted, visible scorecards → Harvest scorecard objects (v3, or the retired v1)."""
    rows = [r for r in rows if r[0].is_submitted]
    if not rows:
        return []
    content = CardContent([card.id for card, *_ in rows])
    version_ids = {card.version_id for card, *_ in rows}
    criteria: dict[int, list[Criterion]] = defaultdict(list)
    for crit in db.session.scalars(
        sa.select(Criterion)
        .where(Criterion.version_id.in_(version_ids))
        .order_by(Criterion.position, Criterion.id)
    ):
        criteria[crit.version_id].append(crit)
    question_ids = {s.question_id for card, *_ in rows for s in content.star[card.id]}
    questions = {
        q.id: q
        for q in db.session.scalars(sa.select(Question).where(Question.id.in_(question_ids)))
    }
    flag_ids = {fid for card, *_ in rows for fid, _key in content.flags[card.id]}
    flags = {
        f.id: f for f in db.session.scalars(sa.select(RedFlag).where(RedFlag.id.in_(flag_ids)))
    }
    rounds = {
        r.id: r
        for r in db.session.scalars(
            sa.select(Round).where(Round.id.in_({iv.round_id for _c, iv, *_ in rows}))
        )
    }
    out: list[HarvestV3Scorecard | HarvestScorecard] = []
    for card, iv, app_row, interviewer in rows:
        ratings = {c: (value, note) for c, _key, value, note in content.ratings[card.id]}
        attributes = []
        buckets: dict[str, list[str]] = {word: [] for word in HarvestRatings.model_fields}
        for crit in criteria[card.version_id]:
            value, note = ratings.get(crit.id, (None, ""))
            name = bilingual_text(crit, "name")
            attributes.append(
                HarvestAttribute(
                    name=name,
                    type=str(DIMENSION_LABELS[crit.dimension]),
                    note=note or None,
                    rating=harvest_rating(value),
                )
            )
            if value is not None:
                buckets[harvest_rating(value)].append(name)
        rnd = rounds[iv.round_id]
        # (question id, question, answer): the take-aways, each STAR answer, the red flags.
        qa: list[tuple[int | None, str, str]] = [(None, TAKEAWAYS_QUESTION, card.takeaways or "")]
        for evidence in content.star[card.id]:
            question = questions.get(evidence.question_id)
            answer = _star_answer(evidence)
            if question is not None and answer:
                qa.append((question.id, bilingual_text(question, "text"), answer))
        ticked = [bilingual_text(flags[fid], "label") for fid, _k in content.flags[card.id]]
        if ticked:
            qa.append((None, RED_FLAGS_QUESTION, "; ".join(ticked)))
        if version == "v3":
            out.append(
                HarvestV3Scorecard(
                    id=card.id,
                    application_id=app_row.id,
                    candidate_id=app_row.candidate_id,
                    interview_id=iv.id,
                    interview_step_id=rnd.id,
                    interviewer_id=interviewer.id,
                    submitted_by_id=interviewer.id,
                    interviewed_at=iso(iv.starts_at),
                    submitted_at=iso(card.submitted_at),
                    created_at=iso(card.created_at),
                    updated_at=iso(card.updated_at),
                    overall_recommendation=harvest_rating(card.overall),
                    attributes=attributes,
                    questions=[
                        HarvestV3Question(question_id=qid, question=text, answer=answer)
                        for qid, text, answer in qa
                    ],
                )
            )
            continue
        person = HarvestUser(**harvest_user(interviewer))
        round_name = bilingual_text(rnd, "name")
        out.append(
            HarvestScorecard(
                id=card.id,
                updated_at=iso(card.updated_at),
                created_at=iso(card.created_at),
                interview=round_name,
                interview_step=HarvestStep(id=rnd.id, name=round_name),
                candidate_id=app_row.candidate_id,
                application_id=app_row.id,
                interviewed_at=iso(iv.starts_at),
                submitted_by=person,
                interviewer=person,
                submitted_at=iso(card.submitted_at),
                overall_recommendation=harvest_rating(card.overall),
                attributes=attributes,
                ratings=HarvestRatings(**buckets),
                questions=[
                    HarvestQuestion(id=qid, question=text, answer=answer)
                    for qid, text, answer in qa
                ],
            )
        )
    return out
