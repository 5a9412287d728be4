"""Criterion validity: how well a score predicted a post-hire outcome (issue 14).

Pure functions (numpy and scipy only; no Flask, no SQLAlchemy). Formulas:

- Point-biserial r (pass / fail outcome) is Pearson's r with the outcome coded 1 / 0:
  ``r = Σ (x−x̄)(y−ȳ) / sqrt(Σ (x−x̄)² · Σ (y−ȳ)²)``.
- Spearman's ρ (1–4 rating outcome) is Pearson's r on the average ranks of both variables
  (ties share the mean of their ranks), so it needs no formula for ties.
- 95 % confidence interval by Fisher's z: ``z = atanh(r)``, ``tanh(z ± 1.96·se)`` with
  ``se = 1/sqrt(n−3)`` for Pearson and ``se = sqrt(1.06/(n−3))`` for Spearman (Fieller,
  Hartley & Pearson 1957). Needs n ≥ 4.
- Range restriction (Thorndike 1949, case II): only hires have outcomes, and hires were chosen
  for high scores, so the score's spread among hires ``s`` is smaller than among everyone
  interviewed ``S``. With ``u = S/s``: ``r_c = r·u / sqrt(1 − r² + r²·u²)``. The interval's
  ends are corrected the same way (the correction is monotonic in r). It assumes selection
  directly on the score and a linear, homoscedastic relation; it is shown beside the observed
  figure, never instead of it.
- A figure is *sufficient* (shown) from `min_n` pairs on (30 by default, a job setting);
  below that the report says "insufficient data", with n.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Method = Literal["pearson", "spearman"]
Reason = Literal["too_few", "no_score_variance", "no_outcome_variance", "no_spread_among_hires"]

MIN_N = 30
CONFIDENCE = 0.95
SPEARMAN_SE_FACTOR = 1.06  # Fieller, Hartley & Pearson (1957)


@dataclass(frozen=True, slots=True)
class Correlation:
    """One score × outcome correlation with its uncertainty and range-restriction correction.

    Figures are None where they are not defined (fewer than 4 pairs, no variance); `reason`
    then says why, and `sufficient` says whether the report shows the figures at all.
    """

    method: Method
    n: int
    r: float | None
    low: float | None
    high: float | None
    u: float | None  # S(all interviewed) / s(hires)
    corrected: float | None
    corrected_low: float | None
    corrected_high: float | None
    sufficient: bool
    reason: Reason | None


def pearson(x: Sequence[float], y: Sequence[float]) -> float | None:
    """Pearson's r, or None when either variable has no variance or fewer than 2 pairs."""
    import numpy as np  # a worker that computes no statistic holds no numpy

    if len(x) != len(y):
        raise ValueError("x and y differ in length")
    if len(x) < 2:
        return None
    a = np.asarray(x, dtype=float) - float(np.mean(x))
    b = np.asarray(y, dtype=float) - float(np.mean(y))
    den = math.sqrt(float(np.dot(a, a)) * float(np.dot(b, b)))
    if den == 0.0 or not math.isfinite(den):
        return None
    return max(-1.0, min(1.0, float(np.dot(a, b)) / den))


def point_biserial(scores: Sequence[float], passed: Sequence[bool]) -> float | None:
    """Point-biserial r between a score and a pass (1) / fail (0) outcome."""
    return pearson(scores, [1.0 if p else 0.0 for p in passed])


def spearman(x: Sequence[float], y: Sequence[float]) -> float | None:
    """Spearman's ρ: Pearson's r on average ranks."""
    if len(x) != len(y):
        raise ValueError("x and y differ in length")
    if len(x) < 2:
        return None
    from scipy.stats import rankdata  # imported on use: ~90 MB a worker need not carry

    return pearson(list(rankdata(x)), list(rankdata(y)))


def fisher_interval(
    r: float, n: int, method: Method = "pearson", confidence: float = CONFIDENCE
) -> tuple[float, float] | None:
    """The confidence interval of r by Fisher's z (None below 4 pairs)."""
    if n < 4:
        return None
    factor = SPEARMAN_SE_FACTOR if method == "spearman" else 1.0
    se = math.sqrt(factor / (n - 3))
    from scipy.stats import norm

    crit = float(norm.ppf(0.5 + confidence / 2))
    if abs(r) >= 1.0:
        return (r, r)
    z = math.atanh(r)
    return (math.tanh(z - crit * se), math.tanh(z + crit * se))


def thorndike_case2(r: float, u: float) -> float:
    """Correct r for direct range restriction: u = unrestricted SD / restricted SD."""
    if u <= 0 or not math.isfinite(u):
        raise ValueError("u must be a positive number")
    return r * u / math.sqrt(1.0 - r * r + r * r * u * u)


def spread_ratio(all_scores: Sequence[float], hire_scores: Sequence[float]) -> float | None:
    """u = SD of the score among everyone interviewed / SD among hires (sample SDs)."""
    import numpy as np  # a worker that computes no statistic holds no numpy

    if len(all_scores) < 2 or len(hire_scores) < 2:
        return None
    big = float(np.std(all_scores, ddof=1))
    small = float(np.std(hire_scores, ddof=1))
    if small == 0.0 or big == 0.0:
        return None
    return big / small


def correlate(
    scores: Sequence[float],
    outcomes: Sequence[float],
    method: Method,
    all_scores: Sequence[float] | None = None,
    min_n: int = MIN_N,
) -> Correlation:
    """Score × outcome among hires, with a 95 % interval and the case II correction.

    `all_scores` are the same score for everyone interviewed (hires included), for the
    correction; without it (or without spread) the corrected figures stay None.
    """
    n = len(scores)
    if n != len(outcomes):
        raise ValueError("scores and outcomes differ in length")

    def empty(reason: Reason) -> Correlation:
        return Correlation(method, n, None, None, None, None, None, None, None, False, reason)

    if n < 4:
        return empty("too_few")
    if len(set(scores)) < 2:
        return empty("no_score_variance")
    if len(set(outcomes)) < 2:
        return empty("no_outcome_variance")
    r = spearman(scores, outcomes) if method == "spearman" else pearson(scores, outcomes)
    if r is None:  # pragma: no cover - variance was checked above
        return empty("no_score_variance")
    interval = fisher_interval(r, n, method)
    assert interval is not None
    u = spread_ratio(all_scores, scores) if all_scores is not None else None
    corrected = c_low = c_high = None
    if u is not None:
        corrected = thorndike_case2(r, u)
        c_low = thorndike_case2(interval[0], u)
        c_high = thorndike_case2(interval[1], u)
    sufficient = n >= min_n
    reason: Reason | None = None if sufficient else "too_few"
    return Correlation(
        method, n, r, interval[0], interval[1], u, corrected, c_low, c_high, sufficient, reason
    )


def correlation_json(c: Correlation, digits: int = 4) -> dict[str, object]:
    """A Correlation as JSON (numbers rounded to `digits`)."""

    def rnd(v: float | None) -> float | None:
        return None if v is None else round(v, digits)

    return {
        "method": c.method,
        "n": c.n,
        "r": rnd(c.r),
        "ci": None if c.low is None else [rnd(c.low), rnd(c.high)],
        "u": rnd(c.u),
        "corrected": rnd(c.corrected),
        "corrected_ci": None
        if c.corrected_low is None
        else [rnd(c.corrected_low), rnd(c.corrected_high)],
        "sufficient": c.sufficient,
        "reason": c.reason,
    }
