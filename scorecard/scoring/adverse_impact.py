"""Adverse impact: selection rates by group, impact ratios and Fisher's exact test (issue 14).

Pure functions (scipy only; no Flask, no SQLAlchemy). Formulas:

- Selection rate of group g: ``rate(g) = selected(g) / considered(g)`` — for a stage,
  advanced ÷ decided; for the engine, recommended hire or strong hire ÷ scored.
- Impact ratio: ``rate(g) / rate(h)`` where h is the reportable group with the highest rate
  (EEOC Uniform Guidelines, 29 CFR 1607.4(D)); a ratio below 4/5 raises the four-fifths flag.
- Fisher's exact test of the 2×2 table ``[[selected(g), not selected(g)], [selected(h),
  not selected(h)]]``, two-sided (scipy.stats.fisher_exact): the p-value of the difference
  from the highest-rate group, exact at any size.
- A group with fewer than `min_group` (5) people considered is "too few to report": its
  counts, rate, ratio and p-value are never returned, and it is not a reference group.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

MIN_GROUP = 5
FOUR_FIFTHS = 0.8


@dataclass(frozen=True, slots=True)
class GroupRate:
    """One group's figures; None everywhere when the group is too small to report."""

    group: str
    reportable: bool
    considered: int | None
    selected: int | None
    rate: float | None
    impact_ratio: float | None  # None for the reference group itself or without a reference
    four_fifths: bool  # impact_ratio < 0.8
    p_value: float | None
    reference: bool


@dataclass(frozen=True, slots=True)
class ImpactTable:
    """Every group's figures for one stage; `note` says why no ratios could be computed."""

    groups: tuple[GroupRate, ...]
    reference: str | None
    note: str | None  # "no_reportable_group", "one_group_only", "no_one_selected"


def impact_table(counts: Mapping[str, tuple[int, int]], min_group: int = MIN_GROUP) -> ImpactTable:
    """Figures from ``{group: (considered, selected)}``."""
    for group, (considered, selected) in counts.items():
        if considered < 0 or selected < 0 or selected > considered:
            raise ValueError(f"group {group!r}: selected must lie between 0 and considered")
    big = {g: c for g, c in counts.items() if c[0] >= min_group}
    rates = {g: s / c for g, (c, s) in big.items()}
    reference = max(sorted(rates), key=lambda g: rates[g]) if rates else None
    note = None
    if not big:
        note = "no_reportable_group"
    elif len(big) == 1:
        note = "one_group_only"
    elif reference is not None and rates[reference] == 0:
        note = "no_one_selected"
    rows: list[GroupRate] = []
    for group in sorted(counts):
        if group not in big:
            rows.append(GroupRate(group, False, None, None, None, None, False, None, False))
            continue
        considered, selected = big[group]
        ratio = p = None
        is_ref = group == reference
        if note is None and reference is not None and not is_ref:
            ref_c, ref_s = big[reference]
            ratio = rates[group] / rates[reference]
            table = [[selected, considered - selected], [ref_s, ref_c - ref_s]]
            # scipy is imported here, not with the module: it is ~90 MB of every worker
            # otherwise, and only this report needs it.
            from scipy.stats import fisher_exact

            p = float(fisher_exact(table, alternative="two-sided").pvalue)
        rows.append(
            GroupRate(
                group,
                True,
                considered,
                selected,
                rates[group],
                ratio,
                ratio is not None and ratio < FOUR_FIFTHS,
                p,
                is_ref and note is None,
            )
        )
    return ImpactTable(tuple(rows), reference if note is None else None, note)


def impact_json(table: ImpactTable, digits: int = 4) -> dict[str, object]:
    """An ImpactTable as JSON: too-small groups carry no numbers at all."""

    def rnd(v: float | None) -> float | None:
        return None if v is None else round(v, digits)

    groups = {}
    for g in table.groups:
        if not g.reportable:
            groups[g.group] = {"reportable": False}
            continue
        groups[g.group] = {
            "reportable": True,
            "considered": g.considered,
            "selected": g.selected,
            "rate": rnd(g.rate),
            "impact_ratio": rnd(g.impact_ratio),
            "four_fifths": g.four_fifths,
            "p_value": rnd(g.p_value),
            "reference": g.reference,
        }
    return {"reference": table.reference, "note": table.note, "groups": groups}
