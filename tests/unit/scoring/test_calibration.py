"""S8 calibration: shrunken leniency by alternating least squares, and a simulation."""

from __future__ import annotations

import random

import numpy as np
import pytest

from scorecard.scoring import (
    CriterionSpec,
    Leniency,
    RatingInput,
    RatingRecord,
    RoundSpec,
    ScorecardInput,
    adjusted_scorecards,
    calibrate,
    calibrate_records,
    evaluate,
    interviewer_scores,
)


def test_two_interviewers_one_lenient_closed_form() -> None:
    # Both see the same 20 candidates; u1 rates 1 point above u2. By symmetry theta is the
    # candidate mean and b1 = -b2 = sum(0.5) / (n + 10) = 0.5 * 20 / 30.
    obs = {}
    for c in range(20):
        q = 1.5 + (c % 5) * 0.4
        obs[(f"c{c}", "u1")] = q + 0.5
        obs[(f"c{c}", "u2")] = q - 0.5
    fit = calibrate(obs)
    assert fit.interviewers["u1"].adjustment == pytest.approx(-1 / 3, abs=1e-8)
    assert fit.interviewers["u2"].adjustment == pytest.approx(1 / 3, abs=1e-8)
    assert fit.interviewers["u1"].mean == pytest.approx(
        np.mean([obs[k] for k in obs if k[1] == "u1"])
    )
    assert fit.candidates["c0"] == pytest.approx(1.5, abs=1e-8)


def test_adjustments_are_centred() -> None:
    rng = random.Random(3)
    obs = {
        (f"c{c}", f"u{i}"): rng.uniform(1, 4) for c in range(40) for i in rng.sample(range(8), 3)
    }
    fit = calibrate(obs)
    assert sum(x.adjustment for x in fit.interviewers.values()) == pytest.approx(0.0, abs=1e-9)


def test_shrinkage_grows_with_n() -> None:
    # The same +1 leniency is trusted more with more shared candidates.
    def adjustment(n: int) -> float:
        obs = {}
        for c in range(n):
            obs[(f"c{c}", "lenient")] = 3.0
            obs[(f"c{c}", "plain")] = 2.0
        return calibrate(obs).interviewers["lenient"].adjustment

    assert abs(adjustment(5)) < abs(adjustment(15)) < abs(adjustment(60)) < 0.5


def test_single_interviewer_candidates_say_nothing_about_leniency() -> None:
    # u1 sees only strong candidates alone, u2 only weak ones: nothing to compare.
    obs = {(f"a{c}", "u1"): 3.8 for c in range(20)} | {(f"b{c}", "u2"): 1.4 for c in range(20)}
    fit = calibrate(obs)
    assert fit.interviewers["u1"].adjustment == pytest.approx(0.0, abs=1e-12)
    assert fit.interviewers["u2"].adjustment == pytest.approx(0.0, abs=1e-12)
    assert fit.candidates["a0"] == pytest.approx(3.8)


@pytest.mark.parametrize(
    ("n", "shown", "stable"),
    [(14, False, False), (15, True, False), (29, True, False)] + [(30, True, True)],
)
def test_show_and_stable_thresholds(n: int, shown: bool, stable: bool) -> None:
    obs = {(f"c{c}", "u1"): 3.0 for c in range(n)} | {(f"c{c}", "u2"): 2.0 for c in range(n)}
    info = calibrate(obs).interviewers["u1"]
    assert (info.n, info.shown, info.stable) == (n, shown, stable)
    # Plain Python types, so results serialise as they are.
    assert type(info.n) is int and type(info.shown) is bool and type(info.stable) is bool
    assert type(info.mean) is float and type(info.adjustment) is float


def test_fit_does_not_depend_on_input_order() -> None:
    rng = random.Random(5)
    items = [
        ((f"c{c}", f"u{i}"), rng.uniform(1, 4)) for c in range(30) for i in rng.sample(range(6), 2)
    ]
    forward = calibrate(dict(items))
    rng.shuffle(items)
    assert calibrate(dict(items)) == forward


def test_empty_input() -> None:
    fit = calibrate({})
    assert fit.interviewers == {} and fit.candidates == {}


def test_interviewer_scores_are_weighted_means_ignoring_nulls() -> None:
    records = [
        RatingRecord("c1", "u1", "sql", 4),
        RatingRecord("c1", "u1", "design", 1),
        RatingRecord("c1", "u1", "talk", None),
        RatingRecord("c1", "u2", "talk", None),
    ]
    assert interviewer_scores(records, {"sql": 2}) == {("c1", "u1"): 3.0}
    fit = calibrate_records(records, {"sql": 2})
    assert set(fit.interviewers) == {"u1"}


def test_adjusted_scorecards_for_shown_interviewers_only() -> None:
    leniency = {
        "lenient": Leniency("lenient", 20, 3.4, -0.5, False, True),
        "new": Leniency("new", 3, 3.9, -0.8, False, False),
    }
    cards = [
        ScorecardInput("lenient", "r", 3, (), {"a": RatingInput(4, "x"), "b": RatingInput(None)}),
        ScorecardInput("new", "r", 3, (), {"a": RatingInput(4, "x")}),
        ScorecardInput("unknown", "r", 3, (), {"a": RatingInput(1, "y")}),
    ]
    out = adjusted_scorecards(cards, leniency)
    assert out[0].ratings["a"] == RatingInput(4, "x", adjusted=3.5)
    assert out[0].ratings["b"] == RatingInput(None)
    assert out[1] == cards[1] and out[2] == cards[2]
    assert adjusted_scorecards(cards, leniency, shown_only=False)[1].ratings["a"].adjusted == 3.2


def test_adjusted_values_stay_on_the_scale() -> None:
    leniency = {"harsh": Leniency("harsh", 40, 1.5, 0.9, True, True)}
    cards = [ScorecardInput("harsh", "r", None, (), {"a": RatingInput(4, "x")})]
    assert adjusted_scorecards(cards, leniency)[0].ratings["a"].adjusted == 4.0


def test_engine_runs_on_calibrated_scores() -> None:
    rounds = (RoundSpec("r", 1.0, (CriterionSpec("a"),)),)
    leniency = {"lenient": Leniency("lenient", 20, 3.4, -0.5, False, True)}
    cards = [
        ScorecardInput("lenient", "r", 3, (), {"a": RatingInput(3)}),
        ScorecardInput("other", "r", 3, (), {"a": RatingInput(3)}),
    ]
    raw = evaluate(rounds, cards)
    calibrated = evaluate(rounds, adjusted_scorecards(cards, leniency))
    assert raw.score == 3.0
    assert calibrated.score == pytest.approx(2.75)
    assert calibrated.criteria["a"].spread == raw.criteria["a"].spread == 0


# Simulation -------------------------------------------------------------------------------

TEAM_QUALITY = (-0.8, 0.0, 0.8)


def simulate(
    seed: int, candidates: int, interviewers: int = 24
) -> tuple[dict[tuple[str, str], float], dict[str, float], np.ndarray]:
    """Interviewers with known leniency, each team seeing a candidate pool of its own quality.

    Each candidate meets two interviewers of its team and one from another team (the links
    that make leniency estimable); loads are balanced so everyone rates the same number.
    """
    rng = np.random.default_rng(seed)
    teams = len(TEAM_QUALITY)
    team_of = np.arange(interviewers) % teams
    leniency = rng.normal(0.0, 0.4, interviewers)
    load = np.zeros(interviewers)

    def least_loaded(pool: np.ndarray, k: int) -> list[int]:
        return sorted(pool, key=lambda i: (load[i], rng.random()))[:k]

    obs: dict[tuple[str, str], float] = {}
    truth: dict[str, float] = {}
    for c in range(candidates):
        team = c % teams
        quality = TEAM_QUALITY[team] + rng.normal(0.0, 0.4)
        truth[f"c{c}"] = quality
        panel = least_loaded(np.flatnonzero(team_of == team), 2)
        panel += least_loaded(np.flatnonzero(team_of != team), 1)
        for i in panel:
            load[i] += 1
            ratings = np.clip(np.rint(2.5 + quality + leniency[i] + rng.normal(0, 0.6, 5)), 1, 4)
            obs[(f"c{c}", f"u{i}")] = float(ratings.mean())
    return obs, truth, leniency


def _corr(a: list[float], b: list[float]) -> float:
    return float(np.corrcoef(a, b)[0, 1])


def _rank_corr(a: list[float], b: list[float]) -> float:
    return _corr(list(np.argsort(np.argsort(a))), list(np.argsort(np.argsort(b))))


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_simulation_recovers_leniency_at_15_ratings(seed: int) -> None:
    obs, _, leniency = simulate(seed, candidates=126)
    fit = calibrate(obs)
    names = [f"u{i}" for i in range(len(leniency))]
    assert min(fit.interviewers[n].n for n in names) >= 15
    assert all(fit.interviewers[n].shown for n in names)
    estimated = [-fit.interviewers[n].adjustment for n in names]
    assert _corr(estimated, list(leniency)) >= 0.75


@pytest.mark.parametrize("seed", [21, 22, 23])
def test_simulation_z_scoring_does_worse_than_raw_means(seed: int) -> None:
    obs, truth, _ = simulate(seed, candidates=150)
    by_interviewer: dict[str, list[float]] = {}
    for (_, who), y in obs.items():
        by_interviewer.setdefault(who, []).append(y)
    centre = {who: (np.mean(ys), np.std(ys)) for who, ys in by_interviewer.items()}
    names = sorted(truth)
    raw = [np.mean([y for (c, _), y in obs.items() if c == name]) for name in names]
    zed = [
        np.mean([(y - centre[w][0]) / centre[w][1] for (c, w), y in obs.items() if c == name])
        for name in names
    ]
    calibrated = [calibrate(obs).candidates[name] for name in names]
    true = [truth[name] for name in names]
    assert _corr(zed, true) < _corr(raw, true)
    assert _rank_corr(zed, true) < _rank_corr(raw, true)
    # And the S8 model, which keeps pool differences, does at least as well as raw means.
    assert _corr(calibrated, true) >= _corr(raw, true)
