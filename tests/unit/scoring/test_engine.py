"""The recommendation rule, S1-S7 and Scope of scoring.md, including worked cases A-F."""

from __future__ import annotations

import pytest

from scorecard.scoring import (
    CriterionSpec,
    Flag,
    Policy,
    RatingInput,
    Reason,
    RoundSpec,
    ScorecardInput,
    confidence_level,
    evaluate,
    evaluate_round,
    reliability,
)

TECH = RoundSpec(
    "tech",
    1.0,
    (CriterionSpec("coding", 2.0, must_have=True), CriterionSpec("design", 1.0)),
)
VALUES = RoundSpec(
    "values",
    1.0,
    (CriterionSpec("collaboration", must_have=True), CriterionSpec("integrity", veto=True)),
)
ROUNDS = (TECH, VALUES)
Pair = tuple[int | None, int | None]


def worked(
    coding: Pair = (4, 3),
    design: Pair = (3, 3),
    collaboration: Pair = (3, 4),
    integrity: Pair = (3, 3),
    integrity_notes: tuple[str, str] = ("", ""),
) -> list[ScorecardInput]:
    """Case A's layout: two interviewers per round, four in all, overall 3 everywhere."""
    return [
        ScorecardInput(
            f"tech{i}",
            "tech",
            3,
            (),
            {"coding": RatingInput(coding[i], "n"), "design": RatingInput(design[i], "n")},
        )
        for i in range(2)
    ] + [
        ScorecardInput(
            f"values{i}",
            "values",
            3,
            (),
            {
                "collaboration": RatingInput(collaboration[i], "n"),
                "integrity": RatingInput(integrity[i], integrity_notes[i]),
            },
        )
        for i in range(2)
    ]


def texts(reasons: tuple[Reason, ...]) -> list[str]:
    return [r.text for r in reasons]


def kinds(flags: tuple[Flag, ...]) -> list[tuple[str, str | None]]:
    return [(f.kind, f.criterion or f.red_flag) for f in flags]


def card(who: str, rnd: str, overall: int | None = None, **ratings: int | None) -> ScorecardInput:
    return ScorecardInput(
        who, rnd, overall, (), {k: RatingInput(v, "evidence") for k, v in ratings.items()}
    )


ONE = RoundSpec("r", 1.0, (CriterionSpec("a"), CriterionSpec("b")))


# Worked cases ---------------------------------------------------------------------------


def test_case_a() -> None:
    result = evaluate(ROUNDS, worked())
    assert round(result.score, 4) == 3.2917
    assert result.score == pytest.approx((10 / 3 + 3.25) / 2, abs=1e-12)
    assert result.recommendation == "hire"
    assert result.confidence == "high"
    assert result.raters == 4
    assert round(result.reliability, 4) == 0.7586
    assert result.coverage == 1.0
    assert result.flags == ()
    assert texts(result.reasons) == ["score 3.2917 ≥ 2.75: hire"]
    assert result.rounds["tech"].score == pytest.approx(10 / 3)
    assert result.rounds["values"].score == pytest.approx(3.25)
    coding = result.criteria["coding"]
    assert (coding.round, coding.score, coding.ratings, coding.spread) == ("tech", 3.5, 2, 1)


def test_case_b_disagreement_lowers_confidence() -> None:
    result = evaluate(ROUNDS, worked(design=(3, 1)))
    assert result.score == pytest.approx(3.125)
    assert result.recommendation == "hire"
    assert result.confidence == "medium"
    assert ("disagreement", "design") in kinds(result.flags)
    flag = next(f for f in result.flags if f.kind == "disagreement")
    assert flag == Flag("disagreement", "tech", "design", None, ("tech0", "tech1"))
    # The 1 on design is not veto-eligible: a low_rating flag that caps at hire (no change).
    assert ("low_rating", "design") in kinds(result.flags)
    assert texts(result.reasons) == ["score 3.125 ≥ 2.75: hire"]


def test_case_c_veto_with_note() -> None:
    result = evaluate(ROUNDS, worked(integrity=(3, 1), integrity_notes=("", "misstated a role")))
    assert result.recommendation == "no_hire"
    assert texts(result.reasons) == ["veto:integrity"]
    assert result.reasons[0] == Reason(
        "veto", {"criterion": "integrity", "round": "values", "interviewers": ("values1",)}
    )
    veto = next(f for f in result.flags if f.kind == "veto")
    assert veto == Flag("veto", "values", "integrity", None, ("values1",))
    assert "low_rating" not in [f.kind for f in result.flags]


def test_case_e_hurdle() -> None:
    result = evaluate(ROUNDS, worked(coding=(2, 2)))
    assert round(result.score, 4) == 2.7917
    assert result.recommendation == "no_hire"
    assert texts(result.reasons) == ["hurdle:coding"]
    assert result.reasons[0].params["mean"] == 2.0
    assert kinds(result.flags) == [("hurdle", "coding")]
    assert result.flags[0].interviewers == ("tech0", "tech1")


def test_case_f_not_assessed_is_not_a_number() -> None:
    result = evaluate(ROUNDS, worked(design=(None, None)))
    assert result.score == pytest.approx(3.375)
    assert result.coverage == pytest.approx(0.8)
    assert result.recommendation == "hire"
    assert result.criteria["design"].score is None
    assert result.criteria["design"].ratings == 0


# S1 scale ---------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [0, 5, -1])
def test_ratings_outside_scale_are_rejected(bad: int) -> None:
    with pytest.raises(ValueError):
        evaluate((ONE,), [card("u", "r", a=bad)])


def test_overall_is_not_part_of_the_score() -> None:
    low = evaluate((ONE,), [card("u1", "r", 1, a=3, b=3), card("u2", "r", 1, a=3, b=3)])
    high = evaluate((ONE,), [card("u1", "r", 4, a=3, b=3), card("u2", "r", 4, a=3, b=3)])
    assert low.score == high.score == 3.0
    assert low.recommendation == high.recommendation == "hire"


def test_overall_outside_scale_is_rejected() -> None:
    with pytest.raises(ValueError):
        evaluate((ONE,), [card("u", "r", 7, a=3)])


# S2 composite -----------------------------------------------------------------------------


def test_round_weights_weigh_rounds() -> None:
    heavy = (RoundSpec("tech", 3.0, TECH.criteria), VALUES)
    result = evaluate(heavy, worked())
    assert result.score == pytest.approx((3 * 10 / 3 + 3.25) / 4)


def test_criterion_score_is_mean_of_non_null_ratings() -> None:
    result = evaluate(
        (ONE,), [card("u1", "r", a=4, b=None), card("u2", "r", a=2, b=3), card("u3", "r", a=3)]
    )
    assert result.criteria["a"].score == 3.0
    assert result.criteria["a"].ratings == 3
    assert result.criteria["b"].score == 3.0
    assert result.criteria["b"].ratings == 1
    assert result.criteria["a"].min == 2 and result.criteria["a"].max == 4


# S3 missing ratings ------------------------------------------------------------------------


def test_coverage_uses_round_and_criterion_weights() -> None:
    rounds = (
        RoundSpec("x", 2.0, (CriterionSpec("a", 3.0), CriterionSpec("b", 1.0))),
        RoundSpec("y", 1.0, (CriterionSpec("c", 2.0),)),
    )
    result = evaluate(rounds, [card("u1", "x", a=3), card("u2", "y", c=None)])
    assert result.coverage == pytest.approx(2 * 3 / (2 * 3 + 2 * 1 + 1 * 2))


def test_low_coverage_is_incomplete() -> None:
    rounds = (RoundSpec("r", 1.0, tuple(CriterionSpec(k) for k in "abcde")),)
    result = evaluate(rounds, [card("u1", "r", a=4, b=4, c=4), card("u2", "r", a=4)])
    assert result.coverage == pytest.approx(0.6)
    assert result.recommendation == "incomplete"
    assert texts(result.reasons) == ["incomplete: coverage 0.6 < 0.75"]
    assert result.reasons[0].params == {"coverage": pytest.approx(0.6), "minimum": 0.75}
    assert result.score == 4.0  # the score is still shown


def test_coverage_exactly_at_minimum_is_enough() -> None:
    rounds = (RoundSpec("r", 1.0, tuple(CriterionSpec(k) for k in "abcd")),)
    result = evaluate(rounds, [card("u1", "r", a=3, b=3, c=3)])
    assert result.coverage == 0.75
    assert result.recommendation == "hire"


def test_unrated_must_have_is_incomplete() -> None:
    rounds = (RoundSpec("r", 1.0, (CriterionSpec("sql", 0.1, must_have=True),) + ONE.criteria),)
    result = evaluate(rounds, [card("u1", "r", a=4, b=4, sql=None)])
    assert result.coverage > 0.75
    assert result.recommendation == "incomplete"
    assert texts(result.reasons) == ["incomplete: must-have sql unrated"]
    assert result.reasons[0] == Reason("incomplete_must_have", {"criterion": "sql", "round": "r"})


def test_nothing_rated_is_incomplete_without_score() -> None:
    result = evaluate(ROUNDS, [])
    assert result.recommendation == "incomplete"
    assert result.score is None and result.coverage == 0.0
    assert result.raters == 0 and result.reliability == 0.0 and result.confidence == "low"
    assert texts(result.reasons) == [
        "incomplete: coverage 0 < 0.75",
        "incomplete: must-have coding unrated",
        "incomplete: must-have collaboration unrated",
    ]


def test_nothing_rated_with_zero_coverage_minimum() -> None:
    result = evaluate((ONE,), [], Policy(coverage_min=0.0))
    assert result.recommendation == "incomplete"
    assert texts(result.reasons) == ["incomplete: nothing rated"]


def test_incomplete_still_shows_flags() -> None:
    cards = worked(coding=(2, None), design=(None, None), integrity=(3, 1))
    cards[3] = ScorecardInput(
        "values1",
        "values",
        3,
        (),
        {"collaboration": RatingInput(None), "integrity": RatingInput(1, "lied")},
    )
    cards[2] = ScorecardInput(
        "values0",
        "values",
        3,
        (),
        {"collaboration": RatingInput(None), "integrity": RatingInput(3)},
    )
    result = evaluate(ROUNDS, cards)
    assert result.recommendation == "incomplete"
    assert {"hurdle", "veto", "disagreement"} <= {f.kind for f in result.flags}
    assert all(r.code.startswith("incomplete") for r in result.reasons)


# S4 must-haves and veto --------------------------------------------------------------------


def test_hurdle_boundary_exactly_2_5_passes() -> None:
    result = evaluate(ROUNDS, worked(coding=(3, 2)))
    assert "hurdle" not in [f.kind for f in result.flags]


def test_hurdle_uses_policy_minimum() -> None:
    result = evaluate(ROUNDS, worked(coding=(3, 3)), Policy(hurdle_min=3.25))
    assert result.recommendation == "no_hire"
    assert texts(result.reasons) == ["hurdle:coding"]


def test_veto_without_note_is_only_a_flag() -> None:
    result = evaluate(ROUNDS, worked(integrity=(3, 1), integrity_notes=("", "  ")))
    assert result.recommendation == "hire"
    assert ("veto", "integrity") in kinds(result.flags)
    assert "veto:integrity" not in texts(result.reasons)


def test_veto_and_hurdle_both_listed() -> None:
    result = evaluate(ROUNDS, worked(coding=(2, 2), integrity=(1, 1), integrity_notes=("a", "")))
    assert result.recommendation == "no_hire"
    assert texts(result.reasons) == ["veto:integrity", "hurdle:coding"]
    veto = next(f for f in result.flags if f.kind == "veto")
    assert veto.interviewers == ("values0", "values1")
    assert result.reasons[0].params["interviewers"] == ("values0",)


def test_low_rating_caps_strong_hire_at_hire() -> None:
    rounds = (RoundSpec("r", 1.0, tuple(CriterionSpec(k) for k in "abcdefgh")),)
    ratings = dict.fromkeys("abcdefgh", 4)
    cards = [card(f"u{i}", "r", **ratings) for i in range(7)]
    assert evaluate(rounds, cards).recommendation == "strong_hire"
    cards.append(card("u7", "r", **{**ratings, "a": 1}))  # one 1 on a plain criterion
    result = evaluate(rounds, cards)
    assert result.score == pytest.approx((7 * 4 + 29 / 8) / 8)
    assert result.confidence == "medium"  # high, one lower for the disagreement on a
    assert result.recommendation == "hire"
    assert texts(result.reasons) == ["score 3.9531 ≥ 3.5: strong_hire", "low rating caps at hire"]
    assert result.reasons[-1] == Reason("low_rating_cap", {"recommendation": "hire"})
    assert ("low_rating", "a") in kinds(result.flags)


def test_one_on_veto_criterion_is_not_low_rating() -> None:
    rounds = (RoundSpec("r", 1.0, (CriterionSpec("a"), CriterionSpec("v", veto=True))),)
    result = evaluate(rounds, [card("u1", "r", a=3, v=1)])
    assert [f.kind for f in result.flags] == ["veto"]


# S5 bands ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "expected", "text"),
    [
        (4, 3, "strong_hire", "score 3.5 ≥ 3.5: strong_hire"),
        (3, 3, "hire", "score 3 ≥ 2.75: hire"),
        (3, 2, "lean_no", "score 2.5 ≥ 2.25: lean_no"),
        (2, 2, "no_hire", "score 2 < 2.25: no_hire"),
    ],
)
def test_bands(a: int, b: int, expected: str, text: str) -> None:
    cards = [card(f"u{i}", "r", a=a, b=b) for i in range(2)]
    result = evaluate((ONE,), cards)
    assert result.recommendation == expected
    assert texts(result.reasons) == [text]


def test_score_on_boundary_takes_higher_band() -> None:
    # 2.75 exactly: (3*3 + 2*1) / 4 with weights 3 and 1.
    rounds = (RoundSpec("r", 1.0, (CriterionSpec("a", 3.0), CriterionSpec("b", 1.0))),)
    result = evaluate(rounds, [card("u", "r", a=3, b=2), card("w", "r", a=3, b=2)])
    assert result.score == 2.75
    assert result.recommendation == "hire"


def test_float_error_at_boundary_takes_higher_band() -> None:
    # With weights 0.3 and 0.1 the arithmetic 2.75 comes out a hair below in floating point.
    rounds = (RoundSpec("r", 1.0, (CriterionSpec("a", 0.3), CriterionSpec("b", 0.1))),)
    result = evaluate(rounds, [card("u", "r", a=3, b=2), card("w", "r", a=3, b=2)])
    assert result.score == pytest.approx(2.75)
    assert result.score != 2.75  # the case this test is about
    assert result.recommendation == "hire"


def test_thresholds_are_policy_settings() -> None:
    cards = [card(f"u{i}", "r", a=3, b=3) for i in range(2)]
    result = evaluate((ONE,), cards, Policy(strong_hire=3.0, hire=2.5, lean_no=2.0))
    assert result.recommendation == "strong_hire"


def test_rule_order_incomplete_before_veto() -> None:
    rounds = (RoundSpec("r", 1.0, (CriterionSpec("v", veto=True),) + ONE.criteria),)
    result = evaluate(rounds, [card("u", "r", v=1)])
    assert result.recommendation == "incomplete"
    assert ("veto", "v") in kinds(result.flags)


# S6 confidence ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("k", "rel", "level"),
    [(0, 0.0, "low"), (1, 0.44, "low"), (2, 0.6111, "medium"), (3, 0.7021, "medium")]
    + [(4, 0.7586, "high")],
)
def test_spearman_brown(k: int, rel: float, level: str) -> None:
    assert round(reliability(k, 0.44), 4) == rel
    assert confidence_level(reliability(k, 0.44), False) == level


def test_confidence_one_level_lower_never_below_low() -> None:
    assert confidence_level(0.8, True) == "medium"
    assert confidence_level(0.65, True) == "low"
    assert confidence_level(0.3, True) == "low"


def test_r1_comes_from_policy() -> None:
    cards = [card("u1", "r", a=3, b=3)]
    result = evaluate((ONE,), cards, Policy(r1=0.8))
    assert result.reliability == pytest.approx(0.8)
    assert result.confidence == "high"


def test_raters_count_only_interviewers_with_a_rating() -> None:
    cards = [card("u1", "r", 3, a=3, b=3), card("u2", "r", 3, a=None, b=None), card("u3", "r", 3)]
    result = evaluate((ONE,), cards)
    assert result.raters == 1
    assert result.confidence == "low"


def test_strong_hire_needs_medium_confidence() -> None:
    result = evaluate((ONE,), [card("u1", "r", a=4, b=4)])
    assert result.confidence == "low"
    assert result.recommendation == "hire"
    assert texts(result.reasons) == [
        "score 4 ≥ 3.5: strong_hire",
        "strong_hire needs medium confidence: hire",
    ]
    assert result.reasons[1] == Reason(
        "confidence_cap", {"confidence": "low", "needed": "medium", "recommendation": "hire"}
    )
    two = evaluate((ONE,), [card("u1", "r", a=4, b=4), card("u2", "r", a=4, b=4)])
    assert (two.recommendation, two.confidence) == ("strong_hire", "medium")


def test_overall_disagreement_lowers_confidence() -> None:
    cards = [card("u1", "r", 4, a=4, b=4), card("u2", "r", 2, a=4, b=4)]
    result = evaluate((ONE,), cards)
    assert kinds(result.flags) == [("overall_disagreement", None)]
    assert result.flags[0].interviewers == ("u1", "u2")
    assert result.confidence == "low"
    assert result.recommendation == "hire"


# S7 flags ---------------------------------------------------------------------------------


def test_disagreement_pools_the_round_and_names_extremes() -> None:
    cards = [card("u1", "r", a=2), card("u2", "r", a=3), card("u3", "r", a=4)]
    result = evaluate((ONE,), cards)
    assert result.flags == (Flag("disagreement", "r", "a", None, ("u1", "u3")),)
    assert result.criteria["a"].spread == 2


def test_spread_of_one_is_not_disagreement() -> None:
    result = evaluate((ONE,), [card("u1", "r", 3, a=3, b=2), card("u2", "r", 4, a=4, b=3)])
    assert result.flags == ()


@pytest.mark.parametrize(
    ("ticks", "cards", "raised"),
    [(2, 4, True), (2, 2, True), (1, 2, False), (2, 5, False), (3, 5, True), (1, 1, False)],
)
def test_red_flag_threshold(ticks: int, cards: int, raised: bool) -> None:
    scorecards = [
        ScorecardInput(f"u{i}", "r", 3, ("no_detail",) if i < ticks else (), {"a": RatingInput(3)})
        for i in range(cards)
    ]
    result = evaluate((ONE,), scorecards)
    flags = [f for f in result.flags if f.kind == "red_flag"]
    assert bool(flags) is raised
    if raised:
        assert flags[0].red_flag == "no_detail"
        assert flags[0].interviewers == tuple(f"u{i}" for i in range(ticks))


def test_red_flag_does_not_lower_confidence() -> None:
    scorecards = [
        ScorecardInput(f"u{i}", "r", 3, ("x",), {"a": RatingInput(3), "b": RatingInput(3)})
        for i in range(2)
    ]
    result = evaluate((ONE,), scorecards)
    assert result.confidence == "medium"


def test_flags_are_per_round() -> None:
    rounds = (
        RoundSpec("x", 1.0, (CriterionSpec("a"),)),
        RoundSpec("y", 1.0, (CriterionSpec("b"),)),
    )
    # Overall 4 in one round and 2 in another is not a disagreement within a round.
    result = evaluate(rounds, [card("u1", "x", 4, a=3), card("u1", "y", 2, b=3)])
    assert result.flags == ()


# Scope ------------------------------------------------------------------------------------


def test_round_results_equal_evaluate_round() -> None:
    cards = worked(design=(3, 1), integrity=(1, 3), integrity_notes=("x", ""))
    result = evaluate(ROUNDS, cards)
    for spec in ROUNDS:
        assert result.rounds[spec.key] == evaluate_round(spec, cards)


def test_round_uses_only_its_own_criteria() -> None:
    result = evaluate_round(TECH, worked(integrity=(1, 1), integrity_notes=("x", "y")))
    assert result.recommendation == "hire"
    assert result.score == pytest.approx(10 / 3)
    assert set(result.criteria) == {"coding", "design"}
    assert result.raters == 2
    assert round(result.reliability, 4) == 0.6111


def test_round_weight_does_not_change_a_round_alone() -> None:
    heavy = RoundSpec("tech", 5.0, TECH.criteria)
    assert evaluate_round(heavy, worked()).score == evaluate_round(TECH, worked()).score


def test_scorecards_outside_scope_are_ignored() -> None:
    assert evaluate((TECH,), worked()) == evaluate((TECH,), worked()[:2])


def test_same_interviewer_in_two_rounds_counts_once() -> None:
    cards = [card("u1", "x", a=3), card("u1", "y", b=3)]
    rounds = (
        RoundSpec("x", 1.0, (CriterionSpec("a"),)),
        RoundSpec("y", 1.0, (CriterionSpec("b"),)),
    )
    assert evaluate(rounds, cards).raters == 1


# Dimensions -------------------------------------------------------------------------------


def test_dimension_scores_are_weighted_means() -> None:
    rounds = (
        RoundSpec(
            "x",
            2.0,
            (
                CriterionSpec("a", 3.0, dimension="skill"),
                CriterionSpec("b", 1.0, dimension="skill"),
                CriterionSpec("c", 1.0, dimension="people"),
            ),
        ),
        RoundSpec("y", 1.0, (CriterionSpec("d", 2.0, dimension="skill"), CriterionSpec("e"))),
        RoundSpec("z", 1.0, (CriterionSpec("f", dimension="culture"),)),
    )
    cards = [card("u1", "x", a=4, b=2, c=3), card("u2", "y", d=1, e=4)]
    result = evaluate(rounds, cards)
    expected = (2 * 3 * 4 + 2 * 1 * 2 + 1 * 2 * 1) / (2 * 3 + 2 * 1 + 1 * 2)
    assert result.dimensions["skill"] == pytest.approx(expected)
    assert result.dimensions["people"] == 3.0
    assert result.dimensions["culture"] is None
    assert list(result.dimensions) == ["skill", "people", "culture"]
    assert result.rounds["x"].dimensions == {"skill": 3.5, "people": 3.0}


# Reasons ----------------------------------------------------------------------------------


def test_reason_text_and_str_agree() -> None:
    reason = Reason(
        "band", {"score": 3.29166, "threshold": 2.75, "comparison": "≥", "recommendation": "hire"}
    )
    assert str(reason) == reason.text == "score 3.2917 ≥ 2.75: hire"
    assert Reason("hurdle", {"criterion": "coding"}).text == "hurdle:coding"
    assert Reason("unknown_code").text == "unknown_code"


def test_band_reason_params_are_structured() -> None:
    result = evaluate(ROUNDS, worked())
    (reason,) = result.reasons
    assert reason.code == "band"
    assert reason.params["recommendation"] == "hire"
    assert reason.params["threshold"] == 2.75
    assert reason.params["comparison"] == "≥"
    assert reason.params["score"] == result.score


# Input errors -----------------------------------------------------------------------------


def test_duplicate_scorecard_is_rejected() -> None:
    with pytest.raises(ValueError, match="duplicate scorecard"):
        evaluate((ONE,), [card("u", "r", a=3), card("u", "r", b=3)])


def test_unknown_criterion_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown criterion z"):
        evaluate((ONE,), [card("u", "r", z=3)])


@pytest.mark.parametrize(
    "rounds",
    [
        (ONE, ONE),
        (ONE, RoundSpec("s", 1.0, (CriterionSpec("a"),))),
        (RoundSpec("r", 0.0, ONE.criteria),),
        (RoundSpec("r", 1.0, (CriterionSpec("a", -1.0),)),),
    ],
)
def test_bad_configuration_is_rejected(rounds: tuple[RoundSpec, ...]) -> None:
    with pytest.raises(ValueError):
        evaluate(rounds, [])


@pytest.mark.parametrize(
    "changes",
    [{"hire": 3.6}, {"lean_no": 3.0}, {"coverage_min": 1.2}, {"r1": 0.0}, {"r1": 1.5}],
)
def test_bad_policy_is_rejected(changes: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        Policy(**changes)


def test_rounds_as_list_is_accepted() -> None:
    assert evaluate(list(ROUNDS), worked()) == evaluate(ROUNDS, worked())


# Calibrated ratings -----------------------------------------------------------------------


def test_adjusted_values_drive_scores_but_not_flags() -> None:
    cards = [
        ScorecardInput("u1", "r", 3, (), {"a": RatingInput(1, "x", adjusted=1.5)}),
        ScorecardInput("u2", "r", 3, (), {"a": RatingInput(3, "", adjusted=2.5)}),
    ]
    result = evaluate((ONE,), cards)
    assert result.criteria["a"].score == 2.0
    assert (result.criteria["a"].min, result.criteria["a"].max) == (1, 3)
    assert {"low_rating", "disagreement"} <= {f.kind for f in result.flags}
