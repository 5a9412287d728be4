"""Validity statistics: hand-computed values, scipy as an independent check, a simulation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from scorecard.scoring.validity import (
    correlate,
    correlation_json,
    fisher_interval,
    pearson,
    point_biserial,
    spearman,
    spread_ratio,
    thorndike_case2,
)


def test_pearson_by_hand() -> None:
    # x = 1..5, y = 2,4,5,4,5: Sxy = 6, Sxx = 10, Syy = 6 -> r = 6 / sqrt(60) = 0.7746
    assert pearson([1, 2, 3, 4, 5], [2, 4, 5, 4, 5]) == pytest.approx(6 / math.sqrt(60))


def test_point_biserial_by_hand() -> None:
    # scores 1,2,3,4 with outcomes 0,0,1,1: Sxy = 2, Sxx = 5, Syy = 1 -> r = 2 / sqrt(5)
    assert point_biserial([1, 2, 3, 4], [False, False, True, True]) == pytest.approx(
        2 / math.sqrt(5)
    )


def test_spearman_with_ties_by_hand() -> None:
    # ranks of x: 1, 2.5, 2.5, 4; of y: 1, 2, 3, 4 -> Pearson of the ranks = 0.9487
    ranks_x = [1, 2.5, 2.5, 4]
    assert spearman([1, 2, 2, 3], [10, 20, 30, 40]) == pytest.approx(pearson(ranks_x, [1, 2, 3, 4]))
    assert spearman([1, 2, 2, 3], [10, 20, 30, 40]) == pytest.approx(3 / math.sqrt(10))


@pytest.mark.parametrize("seed", range(5))
def test_against_scipy(seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = rng.normal(3, 0.5, 60)
    rating = np.clip(np.rint(2.5 + (x - 3) + rng.normal(0, 0.8, 60)), 1, 4)
    passed = rng.random(60) < 0.5 + 0.3 * (x > 3)
    assert spearman(list(x), list(rating)) == pytest.approx(stats.spearmanr(x, rating)[0])
    assert point_biserial(list(x), list(passed)) == pytest.approx(
        stats.pointbiserialr(passed, x)[0]
    )
    assert pearson(list(x), list(rating)) == pytest.approx(stats.pearsonr(x, rating)[0])


def test_fisher_interval_by_hand() -> None:
    # r = .5, n = 28: z = 0.5493, se = 0.2, z ± 1.96 se = 0.1573 .. 0.9413 -> .1560 .. .7358
    low, high = fisher_interval(0.5, 28)
    assert low == pytest.approx(0.1560, abs=1e-4)
    assert high == pytest.approx(0.7358, abs=1e-4)
    # scipy's own Fisher-z interval for Pearson agrees.
    rng = np.random.default_rng(3)
    x = rng.normal(size=40)
    y = x + rng.normal(size=40)
    res = stats.pearsonr(x, y)
    ci = res.confidence_interval(0.95)
    ours = fisher_interval(float(res.statistic), 40)
    assert ours == pytest.approx((ci.low, ci.high))


def test_spearman_interval_is_wider() -> None:
    p = fisher_interval(0.3, 50, "pearson")
    s = fisher_interval(0.3, 50, "spearman")
    assert s[0] < p[0] and s[1] > p[1]
    assert fisher_interval(0.3, 3) is None


def test_thorndike_case_two_by_hand() -> None:
    # r = .3, u = 1.5: .45 / sqrt(1 - .09 + .2025) = .45 / 1.05475 = .4266
    assert thorndike_case2(0.3, 1.5) == pytest.approx(0.45 / math.sqrt(1.1125))
    assert thorndike_case2(0.3, 1.0) == pytest.approx(0.3)
    with pytest.raises(ValueError):
        thorndike_case2(0.3, 0)


def test_spread_ratio() -> None:
    assert spread_ratio([1, 2, 3, 4, 5], [4, 5]) == pytest.approx(
        np.std([1, 2, 3, 4, 5], ddof=1) / np.std([4, 5], ddof=1)
    )
    assert spread_ratio([1, 2, 3], [3, 3]) is None
    assert spread_ratio([1], [1]) is None


def test_insufficient_below_threshold_but_figures_computed() -> None:
    x = [1, 2, 3, 4, 5, 6]
    y = [0, 0, 1, 0, 1, 1]
    c = correlate(x, y, "pearson", min_n=30)
    assert c.n == 6 and not c.sufficient and c.reason == "too_few"
    assert c.r == pytest.approx(stats.pearsonr(x, y)[0])
    assert correlate(x, y, "pearson", min_n=6).sufficient


@pytest.mark.parametrize(
    ("scores", "outcomes", "reason"),
    [
        ([], [], "too_few"),
        ([3.0], [1], "too_few"),
        ([3.0] * 40, list(range(40)), "no_score_variance"),
        (list(range(40)), [1] * 40, "no_outcome_variance"),
    ],
)
def test_degenerate_data_gives_words_not_nan(scores, outcomes, reason) -> None:
    c = correlate(scores, outcomes, "spearman", all_scores=scores)
    assert c.reason == reason and not c.sufficient
    assert c.r is None and c.low is None and c.corrected is None
    doc = correlation_json(c)
    assert doc["r"] is None and doc["ci"] is None and doc["reason"] == reason


def test_correction_needs_spread_among_hires() -> None:
    hires = [3.0, 3.5] * 20
    outcomes = [1, 0] * 20
    c = correlate(hires, outcomes, "pearson", all_scores=[1.0, 2.0] + hires)
    assert c.r is not None and c.u is not None and c.corrected is not None
    c2 = correlate(hires, outcomes, "pearson", all_scores=None)
    assert c2.u is None and c2.corrected is None


def _simulate(seed: int, applicants: int = 400, hired_share: float = 0.4):
    """Latent quality, a panel score with S8-like interviewer noise, an outcome.

    Three interviewers per candidate, leniency N(0, .4), rating noise N(0, .6) on five
    criteria rounded and clipped to 1-4 (as in S8's simulation). The outcome's correlation
    with the latent quality is set so the score's validity among *everyone interviewed* is
    the planted .40; the top `hired_share` by score are hired and only they have outcomes.
    """
    rng = np.random.default_rng(seed)
    quality = rng.normal(0.0, 0.5, applicants)
    scores = np.empty(applicants)
    for n in range(applicants):
        leniency = rng.normal(0.0, 0.4, 3)
        ratings = np.clip(
            np.rint(2.5 + quality[n] + leniency[:, None] + rng.normal(0, 0.6, (3, 5))), 1, 4
        )
        scores[n] = ratings.mean()
    return rng, quality, scores


PLANTED = 0.40


def _population_validity_factor(seeds: int = 3) -> float:
    """corr(score, quality) estimated on large samples (the noise's attenuation)."""
    values = []
    for seed in range(1000, 1000 + seeds):
        _rng, quality, scores = _simulate(seed, applicants=6000)
        values.append(np.corrcoef(quality, scores)[0, 1])
    return float(np.mean(values))


def test_simulation_interval_covers_planted_validity() -> None:
    attenuation = _population_validity_factor()
    rho_qy = PLANTED / attenuation  # so that corr(score, outcome) = PLANTED among everyone
    assert rho_qy < 1
    covered_raw = covered_corrected = 0
    closer = 0
    seeds = 200
    for seed in range(seeds):
        rng, quality, scores = _simulate(seed)
        z = (quality - quality.mean()) / quality.std()
        outcome = rho_qy * z + math.sqrt(1 - rho_qy**2) * rng.normal(size=len(z))
        cut = np.quantile(scores, 0.6)
        hired = scores >= cut
        c = correlate(list(scores[hired]), list(outcome[hired]), "pearson", all_scores=list(scores))
        assert c.sufficient and c.corrected is not None
        covered_raw += c.low <= PLANTED <= c.high
        covered_corrected += c.corrected_low <= PLANTED <= c.corrected_high
        closer += abs(c.corrected - PLANTED) < abs(c.r - PLANTED)
    assert covered_corrected / seeds >= 0.90, covered_corrected
    # The correction moves the estimate toward the planted value in most samples ...
    assert closer / seeds >= 0.75, closer
    # ... and the uncorrected interval, biased by range restriction, covers it less often.
    assert covered_raw < covered_corrected
