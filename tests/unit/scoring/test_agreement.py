"""S9 agreement: one-way ICC with unequal panels, ordinal Krippendorff's alpha, wording."""

from __future__ import annotations

import numpy as np
import pytest

from scorecard.scoring import (
    Icc,
    RatingRecord,
    agreement,
    criterion_matrix,
    icc_oneway,
    interpret,
    is_sufficient,
    ordinal_alpha,
    r1_for_job,
)

SHROUT_FLEISS = [
    [9, 2, 5, 8],
    [6, 1, 3, 2],
    [8, 4, 6, 8],
    [7, 1, 2, 6],
    [10, 5, 6, 9],
    [6, 2, 4, 7],
]
NAN = None
# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability": 4 coders x 12 units,
# as in the krippendorff package's own tests (ordinal alpha 0.815).
KRIPPENDORFF = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
    [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
]


def test_shrout_fleiss_reference() -> None:
    icc = icc_oneway(SHROUT_FLEISS)
    assert round(icc.icc1, 4) == 0.1657
    assert round(icc.icck, 4) == 0.4428
    assert icc.k0 == 4.0
    assert (icc.candidates, icc.observations) == (6, 24)


def test_unequal_panels_use_k0() -> None:
    groups = [[3.0, 4.0], [1.0, 2.0, 2.0], [4.0, 3.5, 4.0, 3.0], [2.0, 1.0]]
    icc = icc_oneway(groups)
    n = [2, 3, 4, 2]
    big_n = sum(n)
    assert icc.k0 == pytest.approx((big_n - sum(x * x for x in n) / big_n) / (len(n) - 1))
    # Hand-computed one-way ANOVA.
    values = [v for g in groups for v in g]
    grand = sum(values) / big_n
    msb = sum(len(g) * (np.mean(g) - grand) ** 2 for g in groups) / (len(groups) - 1)
    msw = sum(((np.array(g) - np.mean(g)) ** 2).sum() for g in groups) / (big_n - len(groups))
    assert icc.icc1 == pytest.approx((msb - msw) / (msb + (icc.k0 - 1) * msw))
    assert icc.icck == pytest.approx((msb - msw) / msb)
    # ICC(1,k) is ICC(1,1) stepped up by Spearman-Brown to k0 raters.
    k0, rho = icc.k0, icc.icc1
    assert icc.icck == pytest.approx(k0 * rho / (1 + (k0 - 1) * rho))


def test_single_rater_candidates_are_left_out() -> None:
    assert icc_oneway([*SHROUT_FLEISS, [3], []]) == icc_oneway(SHROUT_FLEISS)


@pytest.mark.parametrize("groups", [[], [[1, 2]], [[3], [4]]])
def test_icc_undefined_with_fewer_than_two_candidates(groups: list[list[float]]) -> None:
    icc = icc_oneway(groups)
    assert (icc.icc1, icc.icck, icc.k0) == (None, None, None)


def test_icc_undefined_without_variance() -> None:
    icc = icc_oneway([[3, 3], [3, 3]])
    assert icc.icc1 is None and icc.icck is None and icc.k0 == 2.0


def test_krippendorff_canonical_ordinal() -> None:
    assert round(ordinal_alpha(KRIPPENDORFF, value_domain=(1, 2, 3, 4, 5)), 4) == 0.8154


def test_alpha_default_domain_is_the_four_point_scale() -> None:
    with pytest.raises(ValueError):
        ordinal_alpha(KRIPPENDORFF)  # holds a 5
    matrix = [[1, 2, 3, 4, 2], [1, 2, 4, 4, None], [2, 2, 3, None, 2]]
    value = ordinal_alpha(matrix)
    assert value is not None and 0 < value < 1
    assert ordinal_alpha([[1, 2, 3, 4], [1, 2, 3, 4]]) == 1.0


@pytest.mark.parametrize(
    "matrix",
    [[[3, 3], [3, 3]], [[1, None], [None, 2]], [], [[None, None]]],
)
def test_alpha_undefined_is_none(matrix: list[list[int | None]]) -> None:
    assert ordinal_alpha(matrix) is None


@pytest.mark.parametrize(
    ("value", "word"),
    [(None, None), (-0.2, "poor"), (0.4999, "poor"), (0.5, "moderate"), (0.7499, "moderate")]
    + [(0.75, "good"), (0.8999, "good"), (0.9, "excellent"), (1.0, "excellent")],
)
def test_interpretation_koo_li(value: float | None, word: str | None) -> None:
    assert interpret(value) == word


def test_sufficient_from_20_candidates() -> None:
    assert not is_sufficient(19)
    assert is_sufficient(20)


def test_r1_for_job() -> None:
    assert r1_for_job(None) == 0.44
    assert r1_for_job(Icc(0.6, 0.8, 2.0, 29, 58)) == 0.44
    assert r1_for_job(Icc(0.6, 0.8, 2.0, 30, 60)) == 0.6
    assert r1_for_job(Icc(-0.1, None, 2.0, 40, 80)) == 0.44
    assert r1_for_job(Icc(None, None, 2.0, 40, 80), default=0.5) == 0.5


def _records(candidates: int, seed: int = 1) -> list[RatingRecord]:
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(candidates):
        quality = rng.normal(0, 0.8)
        panel = rng.choice(6, size=2 + c % 2, replace=False)
        for who in panel:
            for crit in ("sql", "design"):
                value = int(np.clip(np.rint(2.5 + quality + rng.normal(0, 0.5)), 1, 4))
                rows.append(RatingRecord(f"c{c}", f"u{who}", crit, value))
    return rows


def test_agreement_report() -> None:
    rows = _records(24)
    rows.append(RatingRecord("solo", "u1", "sql", 3))  # one interviewer: not counted
    rows.append(RatingRecord("blank", "u1", "sql", None))
    rows.append(RatingRecord("blank", "u2", "sql", 2))  # u1 left it blank: one interviewer
    report = agreement(rows, {"sql": 2})
    assert report.candidates == 24
    assert report.sufficient
    assert report.icc.k0 == pytest.approx((60 - (12 * 4 + 12 * 9) / 60) / 23)
    assert report.icc.icc1 is not None and report.icc.icc1 > 0.5
    assert set(report.alpha) == {"design", "sql"}
    assert all(a is not None and 0.2 < a < 1 for a in report.alpha.values())
    assert set(report.leniency) == {f"u{i}" for i in range(6)}
    assert not report.leniency["u1"].stable


def test_agreement_insufficient_but_computed() -> None:
    report = agreement(_records(5))
    assert report.candidates == 5
    assert not report.sufficient
    assert report.icc.icc1 is not None


def test_icc_uses_weighted_means() -> None:
    rows = [
        RatingRecord("c1", "u1", "a", 4),
        RatingRecord("c1", "u1", "b", 1),
        RatingRecord("c1", "u2", "a", 4),
        RatingRecord("c1", "u2", "b", 4),
        RatingRecord("c2", "u1", "a", 2),
        RatingRecord("c2", "u2", "a", 1),
    ]
    plain = agreement(rows)
    weighted = agreement(rows, {"b": 3})
    # u1's score of c1: (4 + 1) / 2 unweighted, (4 + 3 * 1) / 4 weighted.
    expected = icc_oneway([[1.75, 4.0], [2.0, 1.0]])
    assert weighted.icc == expected
    assert plain.icc == icc_oneway([[2.5, 4.0], [2.0, 1.0]])


def test_criterion_matrix() -> None:
    rows = [
        RatingRecord("c1", "u1", "a", 4),
        RatingRecord("c2", "u2", "a", 3),
        RatingRecord("c2", "u1", "a", None),
        RatingRecord("c1", "u2", "b", 1),
    ]
    assert criterion_matrix(rows, "a") == [[4, None], [None, 3]]
    assert criterion_matrix(rows, "zzz") == []
