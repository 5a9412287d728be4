"""S9 agreement: one-way ICC on interviewers' scores and ordinal Krippendorff's alpha.

ICC is one-way random (every candidate meets a different panel), computed over candidates
with two or more interviewers; a candidate with one interviewer has no within-candidate
variance to offer. With unequal panels the ANOVA estimate uses
k0 = (N - sum(n_i^2) / N) / (a - 1); ICC(1,k) = (MSB - MSW) / MSB, which is ICC(1,1) stepped
up by Spearman-Brown to k0 raters. Alpha comes from the `krippendorff` package.
Figures are None wherever they are undefined (too few candidates, no variance).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from .calibration import Leniency, calibrate, interviewer_scores
from .model import SCALE, RatingRecord

SUFFICIENT_CANDIDATES = 20
OWN_R1_FROM = 30
Interpretation = Literal["poor", "moderate", "good", "excellent"]


@dataclass(frozen=True, slots=True)
class Icc:
    """One-way ICC figures over `candidates` groups holding `observations` scores in all."""

    icc1: float | None
    icck: float | None
    k0: float | None
    candidates: int
    observations: int


@dataclass(frozen=True, slots=True)
class AgreementReport:
    """Agreement of a job (or round): ICC, alpha per criterion and leniency per interviewer."""

    candidates: int
    sufficient: bool
    icc: Icc
    alpha: Mapping[str, float | None]
    leniency: Mapping[str, Leniency]


def icc_oneway(groups: Iterable[Sequence[float]]) -> Icc:
    """ICC(1,1) and ICC(1,k) by one-way ANOVA; groups with fewer than 2 scores are left out."""
    import numpy as np  # a worker that computes no statistic holds no numpy

    kept = [np.asarray(g, dtype=float) for g in groups if len(g) >= 2]
    a = len(kept)
    n_total = sum(len(g) for g in kept)
    if a < 2:
        return Icc(None, None, None, a, n_total)
    sizes = np.array([len(g) for g in kept], dtype=float)
    means = np.array([g.mean() for g in kept])
    grand = float(np.concatenate(kept).mean())
    ss_between = float(np.sum(sizes * (means - grand) ** 2))
    ss_within = float(sum(np.sum((g - g.mean()) ** 2) for g in kept))
    ms_between = ss_between / (a - 1)
    ms_within = ss_within / (n_total - a)
    k0 = (n_total - float(np.sum(sizes**2)) / n_total) / (a - 1)
    denominator = ms_between + (k0 - 1) * ms_within
    icc1 = (ms_between - ms_within) / denominator if denominator > 0 else None
    icck = (ms_between - ms_within) / ms_between if ms_between > 0 else None
    return Icc(icc1, icck, k0, a, n_total)


def ordinal_alpha(
    matrix: Sequence[Sequence[float | None]], value_domain: Sequence[int] = SCALE
) -> float | None:
    """Ordinal Krippendorff's alpha of a raters x units matrix (None = missing), or None."""
    import krippendorff  # (with numpy: imported where a statistic is computed)
    import numpy as np  # a worker that computes no statistic holds no numpy

    data = np.array(
        [[np.nan if v is None else float(v) for v in row] for row in matrix], dtype=float
    )
    if data.ndim != 2 or data.size == 0:
        return None
    present = data[~np.isnan(data)]
    if not np.isin(present, np.asarray(value_domain, dtype=float)).all():
        raise ValueError(f"ratings must lie in {list(value_domain)}")
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            value = float(
                krippendorff.alpha(
                    reliability_data=data,
                    level_of_measurement="ordinal",
                    value_domain=list(value_domain),
                )
            )
        except ValueError:
            # Raised when no unit has two ratings or only one value occurs: undefined.
            return None
    return value if np.isfinite(value) else None


def interpret(value: float | None) -> Interpretation | None:
    """Koo & Li (2016) wording for an ICC or alpha: poor, moderate, good, excellent."""
    if value is None:
        return None
    if value < 0.5:
        return "poor"
    if value < 0.75:
        return "moderate"
    if value < 0.9:
        return "good"
    return "excellent"


def is_sufficient(candidates_with_two_or_more: int) -> bool:
    """Whether the app shows agreement figures (otherwise "insufficient data")."""
    return candidates_with_two_or_more >= SUFFICIENT_CANDIDATES


def r1_for_job(icc: Icc | None, default: float = 0.44) -> float:
    """S6's r1: the job's own ICC(1,1) once 30 candidates had 2+ interviewers, else default."""
    if icc is None or icc.icc1 is None or icc.candidates < OWN_R1_FROM:
        return default
    # Spearman-Brown needs a reliability in (0, 1]; a non-positive ICC carries no signal.
    if not 0 < icc.icc1 <= 1:
        return default
    return icc.icc1


def criterion_matrix(records: Iterable[RatingRecord], criterion: str) -> list[list[float | None]]:
    """Interviewers x candidates matrix of one criterion's ratings (None where missing)."""
    cells = {
        (r.interviewer, r.candidate): r.value
        for r in records
        if r.criterion == criterion and r.value is not None
    }
    interviewers = sorted({i for i, _ in cells})
    candidates = sorted({c for _, c in cells})
    return [[cells.get((i, c)) for c in candidates] for i in interviewers]


def agreement(
    records: Iterable[RatingRecord], weights: Mapping[str, float] | None = None
) -> AgreementReport:
    """S9 figures for flat rating rows of one job (or one round), plus S8 leniency."""
    rows = list(records)
    scores = interviewer_scores(rows, weights)
    panels: dict[str, list[float]] = {}
    for (candidate, _), score in scores.items():
        panels.setdefault(candidate, []).append(score)
    icc = icc_oneway(panels[c] for c in sorted(panels))
    criteria = sorted({r.criterion for r in rows})
    alpha = {c: ordinal_alpha(criterion_matrix(rows, c)) for c in criteria}
    calibration = calibrate(scores)
    return AgreementReport(
        candidates=icc.candidates,
        sufficient=is_sufficient(icc.candidates),
        icc=icc,
        alpha=alpha,
        leniency=calibration.interviewers,
    )
