"""The matrix's rows as display values: labels translated once per request, not per cell.

A matrix of 1,000 candidates has ~15,000 cells; translating or formatting inside the template
for each of them costs more than scoring. Everything that repeats (labels of stages,
recommendations, confidences and flags) is computed once here and looked up per row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from flask_babel import gettext as _

from scorecard.i18n import bilingual_text
from scorecard.labels import AWAITING_HIRE_LABEL, STATUS_LABELS, num
from scorecard.models import ApplicationStatus
from scorecard.scoring import CONFIDENCES, RECOMMENDATIONS, Flag, Policy
from scorecard.services.explain import Explainer, confidence_label, recommendation_label
from scorecard.services.matrix import DIMENSIONS, Matrix, Row
from scorecard.services.results import RoundFigures, Summary


def band_class(value: float | None, policy: Policy) -> str:
    """The shading class of a score by the job's recommendation bands (band-4 … band-1)."""
    if value is None:
        return "band-na"
    eps = 1e-9
    if value >= policy.strong_hire - eps:
        return "band-4"
    if value >= policy.hire - eps:
        return "band-3"
    if value >= policy.lean_no - eps:
        return "band-2"
    return "band-1"


def cells(
    summary: Summary, round_keys: Sequence[str], policy: Policy
) -> tuple[tuple[str, str, str | None], ...]:
    """(column, shading class, formatted number or None) of a row's score columns."""
    rounds: Mapping[str, RoundFigures] = summary.rounds
    pairs = [("score", summary.score)] + [(d, summary.dimensions.get(d)) for d in DIMENSIONS]
    for key in round_keys:
        figures = rounds.get(key)
        pairs.append((f"round-{key}", figures.score if figures is not None else None))
    return tuple((col, band_class(v, policy), None if v is None else num(v)) for col, v in pairs)


class Texts:
    """Translated labels for one request, computed on first use."""

    def __init__(self, matrix: Matrix, explainer: Explainer) -> None:
        self.explainer = explainer
        self.rounds = {r.id: bilingual_text(r, "name") for r in matrix.scoring.rounds}
        self.statuses = {s: str(STATUS_LABELS[s]) for s in ApplicationStatus}
        self.new = _("New")
        self.awaiting = str(AWAITING_HIRE_LABEL)
        self.recs = {r: recommendation_label(r) for r in RECOMMENDATIONS}
        self.confidences = {c: confidence_label(c) for c in CONFIDENCES}
        self.kinds: dict[str, str] = {}
        self._flags: dict[tuple, str] = {}

    def stage(self, row: Row) -> str:
        e = row.entry
        if e.status == ApplicationStatus.ACTIVE:
            if e.awaiting_hire:
                return self.awaiting
            return self.rounds.get(e.round_id, self.new) if e.round_id else self.new
        return self.statuses[e.status]

    def flag(self, flag: Flag) -> str:
        """A flag in words without names (the same for every candidate with that flag)."""
        key = (flag.kind, flag.round, flag.criterion, flag.red_flag)
        text = self._flags.get(key)
        if text is None:
            text = self.explainer.flag(flag, show_people=False)
            self._flags[key] = text
        return text

    def kind(self, kind: str) -> str:
        label = self.kinds.get(kind)
        if label is None:
            label = self.kinds[kind] = self.explainer.flag_kind(kind)
        return label


@dataclass(slots=True)
class RowView:
    id: int
    name: str
    stage: str
    stage_label: str
    blind: bool
    rec: str | None = None
    rec_label: str = ""
    confidence: str = ""
    cells: tuple[tuple[str, str, str | None], ...] = ()  # (column, band class, text)
    badges: list[tuple[str, str, str]] | None = None  # (kind, label, title)


def row_views(matrix: Matrix, texts: Texts) -> list[RowView]:
    """Display values for the rows of the page shown."""
    views = []
    round_keys = [r.key for r in matrix.scoring.rounds]
    for row in matrix.page_rows:
        view = RowView(row.id, row.name, row.stage, texts.stage(row), row.blind)
        s = row.summary
        if s is not None:
            view.rec = s.recommendation
            view.rec_label = texts.recs.get(s.recommendation, s.recommendation)
            view.confidence = texts.confidences.get(s.confidence, s.confidence)
            view.cells = cells(s, round_keys, matrix.bands)
            badges: dict[str, list[Flag]] = {}
            for flag in s.flags:
                badges.setdefault(flag.kind, []).append(flag)
            view.badges = [
                (
                    kind,
                    texts.kind(kind) + (f" ×{len(flags)}" if len(flags) > 1 else ""),
                    "; ".join(dict.fromkeys(texts.flag(f) for f in flags)),
                )
                for kind, flags in badges.items()
            ]
        views.append(view)
    return views
