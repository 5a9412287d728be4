"""Adverse impact: selection rates, four-fifths ratios, Fisher's exact test, small groups."""

from __future__ import annotations

from math import comb

import pytest
from scipy import stats

from scorecard.scoring.adverse_impact import impact_json, impact_table


def _hypergeometric_two_sided(a: int, b: int, c: int, d: int) -> float:
    """Fisher's exact p by hand: sum the tables with the same margins no likelier than this."""
    row1, col1, n = a + b, a + c, a + b + c + d

    def prob(x: int) -> float:
        return comb(col1, x) * comb(n - col1, row1 - x) / comb(n, row1)

    observed = prob(a)
    lo, hi = max(0, row1 - (n - col1)), min(row1, col1)
    return sum(prob(x) for x in range(lo, hi + 1) if prob(x) <= observed * (1 + 1e-7))


def test_lady_tasting_tea() -> None:
    # Fisher's own example: [[3, 1], [1, 3]], two-sided p = 34/70 = 0.4857
    t = impact_table({"a": (4, 3), "b": (4, 1)}, min_group=4)
    b = next(g for g in t.groups if g.group == "b")
    assert b.p_value == pytest.approx(34 / 70)
    assert b.impact_ratio == pytest.approx((1 / 4) / (3 / 4))
    assert b.four_fifths


def test_four_fifths_textbook_example() -> None:
    # Uniform Guidelines Q&A 12: 48 of 80 whites (60 %), 12 of 40 blacks (30 %): ratio .50
    t = impact_table({"white": (80, 48), "black": (40, 12)})
    assert t.reference == "white" and t.note is None
    black = next(g for g in t.groups if g.group == "black")
    assert black.rate == pytest.approx(0.3)
    assert black.impact_ratio == pytest.approx(0.5)
    assert black.four_fifths
    assert black.p_value == pytest.approx(_hypergeometric_two_sided(12, 28, 48, 32))
    assert black.p_value == pytest.approx(stats.fisher_exact([[12, 28], [48, 32]])[1])
    white = next(g for g in t.groups if g.group == "white")
    assert white.reference and white.impact_ratio is None and not white.four_fifths


def test_ratio_at_exactly_four_fifths_is_not_flagged() -> None:
    t = impact_table({"a": (10, 5), "b": (10, 4)})
    b = next(g for g in t.groups if g.group == "b")
    assert b.impact_ratio == pytest.approx(0.8)
    assert not b.four_fifths


def test_small_groups_carry_no_numbers() -> None:
    t = impact_table({"a": (20, 10), "b": (20, 4), "tiny": (4, 0)})
    tiny = next(g for g in t.groups if g.group == "tiny")
    assert not tiny.reportable
    assert tiny.considered is None and tiny.selected is None and tiny.rate is None
    assert impact_json(t)["groups"]["tiny"] == {"reportable": False}
    assert t.reference == "a"


@pytest.mark.parametrize(
    ("counts", "note"),
    [
        ({}, "no_reportable_group"),
        ({"a": (3, 1), "b": (4, 2)}, "no_reportable_group"),
        ({"a": (30, 10)}, "one_group_only"),
        ({"a": (30, 10), "b": (2, 1)}, "one_group_only"),
        ({"a": (10, 0), "b": (10, 0)}, "no_one_selected"),
    ],
)
def test_degenerate_tables_say_why(counts, note) -> None:
    t = impact_table(counts)
    assert t.note == note and t.reference is None
    assert all(g.impact_ratio is None and g.p_value is None for g in t.groups)


def test_bad_counts_are_refused() -> None:
    with pytest.raises(ValueError):
        impact_table({"a": (3, 4)})
