"""S8 calibration: interviewer leniency under y = mu + theta(candidate) + b(interviewer) + e.

One observation is an interviewer's weighted mean rating of one candidate (the same figure the
agreement contract uses). Fitting is alternating least squares: theta is the plain mean of a
candidate's residuals, b is shrunk towards 0 as b = sum(residual) / (n + 10), which is the
exact minimiser of the squared error plus 10 * b^2. After convergence b is centred to mean 0
over interviewers (the shift moves into theta, so fitted values do not change).

`adjustment` is what to add to an interviewer's ratings, i.e. -b: a lenient interviewer has a
negative adjustment. It is shown from 15 rated candidates on and called stable from 30 on.
Candidates seen by one interviewer only say nothing about leniency (theta absorbs them), which
is why the fit, unlike z-scoring per interviewer, keeps differences between candidate pools.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from .model import RatingInput, RatingRecord, ScorecardInput

SHRINKAGE = 10.0
SHOW_FROM = 15
STABLE_FROM = 30
_MAX_ITERATIONS = 2000
_TOLERANCE = 1e-10


@dataclass(frozen=True, slots=True)
class Leniency:
    """One interviewer's calibration figures (shown only when `shown`)."""

    interviewer: str
    n: int
    mean: float
    adjustment: float
    stable: bool
    shown: bool


@dataclass(frozen=True, slots=True)
class Calibration:
    """The fitted model: grand mean, calibrated candidate scores and interviewer leniency."""

    mu: float
    candidates: Mapping[str, float]
    interviewers: Mapping[str, Leniency]
    iterations: int


def interviewer_scores(
    records: Iterable[RatingRecord], weights: Mapping[str, float] | None = None
) -> dict[tuple[str, str], float]:
    """Each interviewer's weighted mean rating of each candidate, keyed (candidate, interviewer)."""
    weights = weights or {}
    sums: dict[tuple[str, str], list[float]] = {}
    for rec in records:
        if rec.value is None:
            continue
        w = float(weights.get(rec.criterion, 1.0))
        acc = sums.setdefault((rec.candidate, rec.interviewer), [0.0, 0.0])
        acc[0] += w * rec.value
        acc[1] += w
    return {pair: num / den for pair, (num, den) in sorted(sums.items())}


def calibrate(observations: Mapping[tuple[str, str], float]) -> Calibration:
    """Fit S8's leniency model to {(candidate, interviewer): score} by alternating least squares."""
    import numpy as np  # a worker that computes no statistic holds no numpy

    pairs = sorted(observations)
    candidates = sorted({c for c, _ in pairs})
    interviewers = sorted({i for _, i in pairs})
    if not pairs:
        return Calibration(0.0, {}, {}, 0)
    c_pos = {c: n for n, c in enumerate(candidates)}
    i_pos = {i: n for n, i in enumerate(interviewers)}
    cand = np.array([c_pos[c] for c, _ in pairs], dtype=np.intp)
    intv = np.array([i_pos[i] for _, i in pairs], dtype=np.intp)
    y = np.array([observations[p] for p in pairs], dtype=float)
    n_c = np.bincount(cand, minlength=len(candidates)).astype(float)
    n_i = np.bincount(intv, minlength=len(interviewers)).astype(float)

    mu = float(y.mean())
    theta = np.zeros(len(candidates))
    b = np.zeros(len(interviewers))
    iterations = 0
    while iterations < _MAX_ITERATIONS:
        iterations += 1
        theta = np.bincount(cand, weights=y - mu - b[intv], minlength=len(candidates)) / n_c
        new_b = np.bincount(intv, weights=y - mu - theta[cand], minlength=len(interviewers)) / (
            n_i + SHRINKAGE
        )
        change = float(np.max(np.abs(new_b - b)))
        b = new_b
        if change < _TOLERANCE:
            break
    shift = float(b.mean())
    b = b - shift
    theta = theta + shift

    raw_mean = np.bincount(intv, weights=y, minlength=len(interviewers)) / n_i
    leniency = {
        name: Leniency(
            interviewer=name,
            n=int(n_i[k]),
            mean=float(raw_mean[k]),
            adjustment=float(-b[k]) + 0.0,
            stable=bool(n_i[k] >= STABLE_FROM),
            shown=bool(n_i[k] >= SHOW_FROM),
        )
        for k, name in enumerate(interviewers)
    }
    scores = {name: mu + float(theta[k]) for k, name in enumerate(candidates)}
    return Calibration(mu, scores, leniency, iterations)


def calibrate_records(
    records: Iterable[RatingRecord], weights: Mapping[str, float] | None = None
) -> Calibration:
    """Fit S8's model to flat rating rows (weighted mean per candidate and interviewer)."""
    return calibrate(interviewer_scores(records, weights))


def adjusted_scorecards(
    scorecards: Iterable[ScorecardInput],
    leniency: Mapping[str, Leniency],
    shown_only: bool = True,
) -> tuple[ScorecardInput, ...]:
    """Scorecards whose ratings carry calibrated values (value + adjustment, kept within 1-4).

    For a job that opts in: the engine then scores the adjusted values, while flags still read
    the raw ratings. Interviewers without a shown adjustment keep their raw ratings.
    """
    out: list[ScorecardInput] = []
    for card in scorecards:
        info = leniency.get(card.interviewer)
        if info is None or (shown_only and not info.shown) or info.adjustment == 0:
            out.append(card)
            continue
        shift = info.adjustment
        ratings: dict[str, RatingInput] = {
            key: rating
            if rating.value is None
            else replace(rating, adjusted=min(4.0, max(1.0, rating.value + shift)))
            for key, rating in card.ratings.items()
        }
        out.append(replace(card, ratings=ratings))
    return tuple(out)
