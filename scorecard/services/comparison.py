"""Two to four candidates of one job side by side: dimensions, rounds and every rating."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from scorecard.extensions import db
from scorecard.i18n import bilingual_text
from scorecard.labels import DIMENSION_LABELS
from scorecard.models import Application, Dimension, Job, User
from scorecard.services.errors import DomainError
from scorecard.services.matrix import DIMENSIONS
from scorecard.services.recommendations import (
    ApplicationScore,
    JobScoring,
    engine_key,
    interviewer_key,
    interviewer_names,
)
from scorecard.services.results import visible_scores
from scorecard.visibility import blind_application_ids

MIN_PICK = 2
MAX_PICK = 4


@dataclass
class Pick:
    """One compared candidate."""

    application: Application
    score: ApplicationScore | None
    blind: bool
    # engine key → [(interviewer key, value)] from the submitted snapshots
    ratings: dict[str, list[tuple[str, int | None]]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.application.candidate.name


@dataclass
class Cell:
    value: float | None
    ratings: list[tuple[str, int | None]] = field(default_factory=list)
    best: bool = False


@dataclass
class Line:
    """One row of the comparison table: a dimension, a round, or a criterion."""

    kind: str  # "overall", "dimension", "round" or "criterion"
    label: str
    cells: list[Cell]
    key: str = ""
    must_have: bool = False
    weight: float | None = None


@dataclass
class Comparison:
    job: Job
    scoring: JobScoring
    picks: list[Pick]
    lines: list[Line]
    names: dict[str, str]

    def radar(self) -> dict:
        """The chart's data: the four dimensions of each candidate (null when not assessed)."""
        return {
            "labels": [str(DIMENSION_LABELS[Dimension(d)]) for d in DIMENSIONS],
            "datasets": [
                {
                    "label": p.name,
                    "data": [
                        None
                        if p.score is None or p.blind
                        else _round(p.score.result.dimensions.get(d))
                        for d in DIMENSIONS
                    ],
                }
                for p in self.picks
            ],
            "min": 1,
            "max": 4,
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def parse_ids(raw: Sequence[str]) -> list[int]:
    """The chosen application ids, in order, without duplicates; a clear error otherwise."""
    ids: list[int] = []
    for item in raw:
        item = (item or "").strip()
        if not item.isdigit() or len(item) > 12:
            raise DomainError("a", _("Choose candidates from the list."))
        value = int(item)
        if value not in ids:
            ids.append(value)
    if len(ids) < MIN_PICK:
        raise DomainError("a", _("Choose at least %(min)d candidates to compare.", min=MIN_PICK))
    if len(ids) > MAX_PICK:
        raise DomainError("a", _("Compare at most %(max)d candidates at a time.", max=MAX_PICK))
    return ids


def _mark_best(cells: list[Cell]) -> None:
    values = [c.value for c in cells if c.value is not None]
    if len(values) < 2 or max(values) == min(values):
        return
    top = max(values)
    for cell in cells:
        if cell.value is not None and abs(cell.value - top) < 1e-9:
            cell.best = True


def build_comparison(job: Job, user: User, raw_ids: Sequence[str]) -> Comparison:
    """Compare 2–4 applications of `job`; DomainError when the choice is not valid."""
    ids = parse_ids(raw_ids)
    apps = {
        a.id: a
        for a in db.session.scalars(
            sa.select(Application)
            .where(Application.id.in_(ids))
            .options(joinedload(Application.candidate), joinedload(Application.current_round))
        )
    }
    # Same message for an unknown id and another job's: never confirm what one may not see.
    if any(i not in apps or apps[i].job_id != job.id for i in ids):
        raise DomainError(
            "a", _("Only candidates of this job can be compared: choose them from its matrix.")
        )
    scoring = JobScoring(job)
    blind = blind_application_ids(user, job.id)
    scores = visible_scores(job, user, ids, scoring)
    cards: dict[int, list] = {}
    for card in scoring.load_submitted([i for i in ids if i in scores]):
        cards.setdefault(card.application_id, []).append(card)
    picks = []
    for app_id in ids:
        hidden = app_id in blind
        pick = Pick(apps[app_id], None if hidden else scores.get(app_id), hidden)
        if pick.score is not None:
            for card in cards.get(app_id, []):
                rnd = scoring.round_by_id.get(card.round_id)
                if rnd is None:
                    continue
                for crit_id, rating in (card.snapshot.get("ratings") or {}).items():
                    crit = scoring.criterion_by_id.get(int(crit_id))
                    if crit is None:
                        continue
                    key = engine_key(rnd.key, crit.key)
                    pick.ratings.setdefault(key, []).append(
                        (interviewer_key(card.interviewer_id), rating.get("value"))
                    )
        picks.append(pick)
    names = interviewer_names(i for p in picks if p.score for i in p.score.interviewer_ids)
    return Comparison(job, scoring, picks, _lines(scoring, picks), names)


def _lines(scoring: JobScoring, picks: list[Pick]) -> list[Line]:
    def result(p: Pick):
        return p.score.result if p.score is not None else None

    lines: list[Line] = []
    overall = [Cell(r.score if (r := result(p)) else None) for p in picks]
    lines.append(Line("overall", _("Overall score"), overall))
    for d in DIMENSIONS:
        cells = [Cell(r.dimensions.get(d) if (r := result(p)) else None) for p in picks]
        lines.append(Line("dimension", str(DIMENSION_LABELS[Dimension(d)]), cells, key=d))
    for rnd in scoring.rounds:
        rr_cells = []
        for p in picks:
            r = result(p)
            rr = r.rounds.get(rnd.key) if r else None
            rr_cells.append(Cell(rr.score if rr else None))
        lines.append(Line("round", bilingual_text(rnd, "name"), rr_cells, key=rnd.key))
        # Criteria in the order of the newest version, then any only older versions had.
        keys: list[str] = []
        specs = {}
        for version in reversed(rnd.versions):
            for crit in version.criteria:
                key = engine_key(rnd.key, crit.key)
                if key not in specs:
                    specs[key] = crit
                    keys.append(key)
        newest = [
            engine_key(rnd.key, c.key)
            for c in (rnd.current_version.criteria if rnd.current_version else [])
        ]
        ordered = newest + [k for k in keys if k not in newest]
        for key in ordered:
            crit = specs[key]
            cells = []
            for p in picks:
                r = result(p)
                c = r.criteria.get(key) if r else None
                cells.append(Cell(c.score if c else None, list(p.ratings.get(key, []))))
            if all(c.value is None and not c.ratings for c in cells) and key not in newest:
                continue
            lines.append(
                Line(
                    "criterion",
                    bilingual_text(crit, "name"),
                    cells,
                    key=key,
                    must_have=crit.must_have,
                    weight=crit.weight,
                )
            )
    for line in lines:
        _mark_best(line.cells)
    return lines
