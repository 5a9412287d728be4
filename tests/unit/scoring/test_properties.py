"""Properties of the rule that must hold for any input (hypothesis)."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scorecard.scoring import (
    RECOMMENDATIONS,
    CriterionSpec,
    Flag,
    RatingInput,
    Reason,
    Result,
    RoundResult,
    RoundSpec,
    ScorecardInput,
    evaluate,
    evaluate_round,
)

SETTINGS = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
WEIGHTS = st.sampled_from([0.5, 1.0, 1.5, 2.0, 3.0])
FACTORS = st.sampled_from([0.25, 0.5, 2.0, 3.0, 10.0])
VALUES = st.sampled_from([None, 1, 2, 3, 4])
NAMES = [f"person{i}" for i in range(6)]


@st.composite
def cases(draw: st.DrawFn, max_rounds: int = 3) -> tuple[tuple[RoundSpec, ...], list[Any]]:
    """A configuration and scorecards for it, each interviewer at most once per round."""
    n_rounds = draw(st.integers(1, max_rounds))
    rounds = []
    for r in range(n_rounds):
        criteria = tuple(
            CriterionSpec(
                f"r{r}c{c}",
                draw(WEIGHTS),
                must_have=draw(st.booleans()),
                veto=draw(st.booleans()),
                dimension=draw(st.sampled_from([None, "d0", "d1"])),
            )
            for c in range(draw(st.integers(1, 4)))
        )
        rounds.append(RoundSpec(f"r{r}", draw(WEIGHTS), criteria))
    cards = []
    for spec in rounds:
        for who in draw(st.lists(st.sampled_from(NAMES), max_size=4, unique=True)):
            keys = draw(
                st.lists(st.sampled_from([c.key for c in spec.criteria]), unique=True, max_size=4)
            )
            ratings = {
                k: RatingInput(draw(VALUES), draw(st.sampled_from(["", "seen"]))) for k in keys
            }
            overall = draw(st.sampled_from([None, 1, 2, 3, 4]))
            flags = tuple(draw(st.lists(st.sampled_from(["vague", "late"]), unique=True)))
            cards.append(ScorecardInput(who, spec.key, overall, flags, ratings))
    return tuple(rounds), cards


def renamed(result: Result | RoundResult, names: dict[str, str]) -> Any:
    """The result with interviewer names mapped and re-sorted, for comparison across renames."""

    def flag(f: Flag) -> Flag:
        return replace(f, interviewers=tuple(sorted(names[n] for n in f.interviewers)))

    def reason(r: Reason) -> Reason:
        who = r.params.get("interviewers")
        if isinstance(who, tuple):
            return Reason(
                r.code, {**r.params, "interviewers": tuple(sorted(names[n] for n in who))}
            )
        return r

    changes: dict[str, Any] = {
        "flags": tuple(flag(f) for f in result.flags),
        "reasons": tuple(reason(r) for r in result.reasons),
    }
    if isinstance(result, Result):
        changes["rounds"] = {k: renamed(v, names) for k, v in result.rounds.items()}
    return replace(result, **changes)


@SETTINGS
@given(cases(), st.randoms(use_true_random=False), st.permutations(NAMES))
def test_order_and_names_do_not_matter(case: Any, rng: Any, perm: list[str]) -> None:
    rounds, cards = case
    names = dict(zip(NAMES, perm, strict=True))
    shuffled = [replace(c, interviewer=names[c.interviewer]) for c in cards]
    rng.shuffle(shuffled)
    before = evaluate(rounds, cards)
    after = evaluate(rounds, shuffled)
    assert renamed(before, names) == renamed(after, {n: n for n in NAMES})


@SETTINGS
@given(cases(), st.data())
def test_raising_a_rating_never_lowers_the_score(case: Any, data: st.DataObject) -> None:
    rounds, cards = case
    spots = [
        (i, k)
        for i, c in enumerate(cards)
        for k, r in c.ratings.items()
        if r.value not in (None, 4)
    ]
    if not spots:
        return
    i, key = data.draw(st.sampled_from(spots))
    raised = list(cards)
    old = cards[i].ratings[key]
    raised[i] = replace(
        cards[i], ratings={**cards[i].ratings, key: replace(old, value=old.value + 1)}
    )
    before, after = evaluate(rounds, cards), evaluate(rounds, raised)
    assert before.score is not None and after.score is not None
    assert after.score >= before.score
    for spec in rounds:
        b, a = before.rounds[spec.key].score, after.rounds[spec.key].score
        assert b is None or a is None or a >= b
    assert after.coverage == before.coverage


def _same(a: Result | RoundResult, b: Result | RoundResult) -> None:
    def close(x: float | None, y: float | None) -> bool:
        return (x is None and y is None) or (
            x is not None and y is not None and math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12)
        )

    assert a.recommendation == b.recommendation
    assert close(a.score, b.score) and close(a.coverage, b.coverage)
    assert (a.confidence, a.raters, a.flags) == (b.confidence, b.raters, b.flags)
    assert [r.code for r in a.reasons] == [r.code for r in b.reasons]
    assert [r.text for r in a.reasons] == [r.text for r in b.reasons]
    assert all(close(a.dimensions[d], b.dimensions[d]) for d in a.dimensions)
    for key, crit in a.criteria.items():
        assert close(crit.score, b.criteria[key].score)


def _scaled(spec: RoundSpec, factor: float) -> RoundSpec:
    return replace(
        spec, criteria=tuple(replace(c, weight=c.weight * factor) for c in spec.criteria)
    )


@SETTINGS
@given(cases(), FACTORS)
def test_scaling_a_rounds_criterion_weights_changes_nothing(case: Any, factor: float) -> None:
    rounds, cards = case
    for spec in rounds:
        _same(evaluate_round(spec, cards), evaluate_round(_scaled(spec, factor), cards))
    # Over several rounds the composite O is unchanged too; coverage weighs v*w as S3
    # writes it, so the whole result is unchanged when every round's weights scale alike.
    one = tuple(_scaled(s, factor) if n == 0 else s for n, s in enumerate(rounds))
    before, after = evaluate(rounds, cards), evaluate(one, cards)
    assert (before.score is None) == (after.score is None)
    if before.score is not None and after.score is not None:
        assert math.isclose(before.score, after.score, rel_tol=1e-9)
    _same(before, evaluate(tuple(_scaled(s, factor) for s in rounds), cards))


@SETTINGS
@given(cases(), st.data())
def test_a_null_rating_never_counts(case: Any, data: st.DataObject) -> None:
    rounds, cards = case
    if not cards:
        return
    criteria = {spec.key: [c.key for c in spec.criteria] for spec in rounds}
    i = data.draw(st.integers(0, len(cards) - 1))
    absent = [k for k in criteria[cards[i].round] if k not in cards[i].ratings]
    present_null = [k for k, r in cards[i].ratings.items() if r.value is None]
    before = evaluate(rounds, cards)
    if absent:
        key = data.draw(st.sampled_from(absent))
        note = data.draw(st.sampled_from(["", "could not tell"]))
        extra = list(cards)
        extra[i] = replace(cards[i], ratings={**cards[i].ratings, key: RatingInput(None, note)})
        assert evaluate(rounds, extra) == before
    if present_null:
        key = data.draw(st.sampled_from(present_null))
        fewer = list(cards)
        fewer[i] = replace(
            cards[i], ratings={k: r for k, r in cards[i].ratings.items() if k != key}
        )
        assert evaluate(rounds, fewer) == before


@SETTINGS
@given(cases())
def test_results_stay_in_range(case: Any) -> None:
    rounds, cards = case
    result = evaluate(rounds, cards)
    assert result.recommendation in RECOMMENDATIONS
    assert 0.0 <= result.coverage <= 1.0
    assert result.score is None or 1.0 <= result.score <= 4.0
    assert 0.0 <= result.reliability < 1.0
    if result.recommendation == "strong_hire":
        assert result.confidence != "low"
        assert "low_rating" not in {f.kind for f in result.flags}
    if result.recommendation == "incomplete":
        assert result.reasons and all(r.code.startswith("incomplete") for r in result.reasons)
    for spec in rounds:
        assert result.rounds[spec.key] == evaluate_round(spec, cards)
