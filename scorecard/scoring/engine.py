"""The recommendation rule of scoring.md, S2-S7 and Scope.

`evaluate` applies the rule to all given rounds of an application; `evaluate_round` applies
the same rule to one round, using only that round's criteria, ratings and weights. The overall
result embeds the per-round results (`Result.rounds`), which equal `evaluate_round` on each.

Readings of the specification where it leaves room (each keeps worked cases A-F exact):

- Criterion keys are unique across a job's rounds (the contract's `criteria` object is keyed
  by criterion key), so a must-have's "mean over all its ratings in scope" is its criterion
  score S(c).
- Coverage uses raw v*w as written (case F: 4/5 = 0.8). Scaling one round's criterion weights
  therefore leaves every score unchanged but shifts that round's share of the overall coverage.
- Comparisons against thresholds (bands, coverage, hurdle, reliability) allow 1e-9 of float
  error, so a score that is exactly on a boundary in arithmetic (e.g. 2.75 computed from
  weights like 0.1) takes the higher band as S5 says, and scaling weights cannot flip a band.
- Order of the rule: incomplete -> veto -> hurdle -> band -> caps. An incomplete result lists
  only its incomplete reasons (vetoes and hurdles still show as flags); a no_hire from veto or
  hurdle lists every veto and hurdle reason; a band result lists the band reason and then a
  cap reason only when a cap changed the recommendation. When the low-rating cap applies, the
  confidence cap no longer has anything to do (the result is already hire).
- A 1 on a veto-eligible criterion raises only the `veto` flag (never `low_rating`); without a
  note it changes nothing else.
- Flags name the interviewers involved: for `disagreement` and `overall_disagreement` those at
  the lowest and highest values, for `veto`/`low_rating` those who gave the 1, for `hurdle`
  everyone who rated the criterion, for `red_flag` those who ticked it. Names are sorted.
  Flags come in configuration order: per criterion veto or low_rating, hurdle, disagreement;
  then per round overall_disagreement and red flags by key.
- Calibrated ratings (`RatingInput.adjusted`) replace values in scores and the hurdle mean;
  veto, low-rating and disagreement flags always read the raw ratings the interviewer gave.
- Dimension scores weight each criterion score by v*w (w alone within a round).
- An interviewer has at most one scorecard per round; scorecards for rounds outside the scope
  are ignored (the web app may pass all of an application's scorecards).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from math import fsum, inf

from .model import (
    CONFIDENCES,
    Confidence,
    CriterionResult,
    CriterionSpec,
    Flag,
    FlagKind,
    Policy,
    RatingInput,
    Reason,
    Recommendation,
    Result,
    RoundResult,
    RoundSpec,
    ScorecardInput,
)

# Float tolerance for threshold comparisons (see the module docstring).
EPS = 1e-9
HIGH_RELIABILITY = 0.75
MEDIUM_RELIABILITY = 0.60


def reliability(k: int, r1: float) -> float:
    """Spearman-Brown reliability of the mean of k interviewers' judgements (S6)."""
    if k <= 0:
        return 0.0
    return k * r1 / (1 + (k - 1) * r1)


def confidence_level(rel: float, disputed: bool) -> Confidence:
    """S6 confidence for a reliability, one level lower when flags show disagreement."""
    level = 2 if rel >= HIGH_RELIABILITY - EPS else 1 if rel >= MEDIUM_RELIABILITY - EPS else 0
    if disputed and level:
        level -= 1
    return CONFIDENCES[level]


_last_index: tuple[tuple[RoundSpec, ...], dict[str, dict[str, int]]] | None = None


class _RoundStats:
    """Everything one round contributes, computed once and shared by both scopes."""

    __slots__ = (
        "spec",
        "criteria",
        "score",
        "rated_weight",
        "total_weight",
        "raters",
        "flags",
        "vetoes",
        "hurdles",
        "unrated",
        "low",
        "disputed",
        "dimensions",
    )

    def __init__(self, spec: RoundSpec) -> None:
        self.spec = spec
        self.criteria: dict[str, CriterionResult] = {}
        self.score: float | None = None
        self.rated_weight = 0.0
        self.total_weight = 0.0
        self.raters: set[str] = set()
        self.flags: list[Flag] = []
        self.vetoes: list[Reason] = []
        self.hurdles: list[Reason] = []
        self.unrated: list[Reason] = []
        self.low = False
        self.disputed = False
        # dimension -> [sum of w*S, sum of w]; keys in configuration order.
        self.dimensions: dict[str, list[float]] = {}


def _check_rounds(rounds: Sequence[RoundSpec]) -> dict[str, dict[str, int]]:
    """Validate the configuration and index criterion positions per round."""
    global _last_index
    cached = _last_index
    # A job's rounds are one immutable tuple evaluated for many applications in a row; only
    # an identical tuple object reuses the previous index (a list could have changed).
    if cached is not None and cached[0] is rounds:
        return cached[1]
    index: dict[str, dict[str, int]] = {}
    seen: set[str] = set()
    for spec in rounds:
        if spec.key in index:
            raise ValueError(f"duplicate round key {spec.key}")
        if not 0 < spec.weight < inf:
            raise ValueError(f"round {spec.key}: weight must be positive")
        positions: dict[str, int] = {}
        for i, crit in enumerate(spec.criteria):
            if crit.key in seen:
                raise ValueError(f"duplicate criterion key {crit.key}")
            if not 0 < crit.weight < inf:
                raise ValueError(f"criterion {crit.key}: weight must be positive")
            seen.add(crit.key)
            positions[crit.key] = i
        index[spec.key] = positions
    if isinstance(rounds, tuple):
        _last_index = (rounds, index)
    return index


def _spread_flag(
    kind: FlagKind, round_key: str, pairs: list[tuple[int, str]], criterion: str | None = None
) -> Flag:
    lo = min(v for v, _ in pairs)
    hi = max(v for v, _ in pairs)
    who = tuple(sorted({name for v, name in pairs if v == lo or v == hi}))
    return Flag(kind, round_key, criterion, None, who)


def _round_stats(
    spec: RoundSpec,
    positions: Mapping[str, int],
    cards: Sequence[ScorecardInput],
    policy: Policy,
) -> _RoundStats:
    """Collect one round's ratings and derive scores, flags and reasons (S2-S4, S7)."""
    stats = _RoundStats(spec)
    criteria = spec.criteria
    values: list[list[int]] = [[] for _ in criteria]
    found: list[list[tuple[str, RatingInput]]] = [[] for _ in criteria]
    overalls: list[tuple[int, str]] = []
    ticked: dict[str, list[str]] = {}
    raters = stats.raters
    round_key = spec.key
    calibrated = False
    for card in cards:
        who = card.interviewer
        if card.overall is not None:
            if not 1 <= card.overall <= 4:
                raise ValueError(f"overall of {who} in round {round_key} must be 1-4")
            overalls.append((card.overall, who))
        for flag_key in card.red_flags:
            ticked.setdefault(flag_key, []).append(who)
        rated_any = False
        for key, rating in card.ratings.items():
            pos = positions.get(key)
            if pos is None:
                raise ValueError(f"unknown criterion {key} for round {round_key}")
            value = rating.value
            if value is not None:
                values[pos].append(value)
                found[pos].append((who, rating))
                rated_any = True
                if rating.adjusted is not None:
                    calibrated = True
        if rated_any:
            raters.add(who)

    hurdle_min = policy.hurdle_min - EPS
    total = rated = 0.0
    dims = stats.dimensions
    weighted: list[tuple[float, float]] = []
    results = stats.criteria
    for crit, vals, rows in zip(criteria, values, found, strict=True):
        w = crit.weight
        total += w
        dim = crit.dimension
        if dim is not None and dim not in dims:
            dims[dim] = [0.0, 0.0]
        if not vals:
            results[crit.key] = CriterionResult(
                crit.key, round_key, None, 0, None, None, None, w, crit.must_have, crit.veto, dim
            )
            if crit.must_have:
                stats.unrated.append(
                    Reason("incomplete_must_have", {"criterion": crit.key, "round": round_key})
                )
            continue
        n = len(vals)
        lo = min(vals)
        hi = max(vals)
        if lo < 1 or hi > 4:
            raise ValueError(f"rating of {crit.key} in round {round_key} must be 1-4")
        if calibrated:
            # fsum is exactly rounded, so the mean does not depend on scorecard order.
            pairs = zip(vals, rows, strict=True)
            score = fsum(v if r.adjusted is None else r.adjusted for v, (_, r) in pairs) / n
        else:
            score = sum(vals) / n  # a sum of ints is exact in any order
        rated += w
        weighted.append((w, score))
        if dim is not None:
            acc = dims[dim]
            acc[0] += w * score
            acc[1] += w
        results[crit.key] = CriterionResult(
            crit.key, round_key, score, n, hi - lo, lo, hi, w, crit.must_have, crit.veto, dim
        )
        if lo == 1 or hi - lo >= 2 or (crit.must_have and score < hurdle_min):
            _criterion_flags(stats, crit, rows, vals, lo, hi, score, hurdle_min, policy)

    stats.total_weight = total
    stats.rated_weight = rated
    if weighted:
        stats.score = fsum(w * s for w, s in weighted) / fsum(w for w, _ in weighted)

    if overalls and max(v for v, _ in overalls) - min(v for v, _ in overalls) >= 2:
        stats.flags.append(_spread_flag("overall_disagreement", round_key, overalls))
        stats.disputed = True
    submitted = len(cards)
    for flag_key in sorted(ticked):
        who_ticked = set(ticked[flag_key])
        if len(who_ticked) >= 2 and 2 * len(who_ticked) >= submitted:
            stats.flags.append(
                Flag("red_flag", round_key, None, flag_key, tuple(sorted(who_ticked)))
            )
    return stats


def _criterion_flags(
    stats: _RoundStats,
    crit: CriterionSpec,
    found: list[tuple[str, RatingInput]],
    values: list[int],
    lo: int,
    hi: int,
    score: float,
    hurdle_min: float,
    policy: Policy,
) -> None:
    """Raise veto, hurdle, low_rating and disagreement flags for one rated criterion."""
    round_key = stats.spec.key
    key = crit.key
    if lo == 1:
        ones = [(who, r) for who, r in found if r.value == 1]
        names = tuple(sorted({who for who, _ in ones}))
        if crit.veto:
            stats.flags.append(Flag("veto", round_key, key, None, names))
            noted = tuple(sorted({w for w, r in ones if r.note.strip()}))
            if noted:
                stats.vetoes.append(
                    Reason("veto", {"criterion": key, "round": round_key, "interviewers": noted})
                )
        else:
            stats.flags.append(Flag("low_rating", round_key, key, None, names))
            stats.low = True
    if crit.must_have and score < hurdle_min:
        names = tuple(sorted({who for who, _ in found}))
        stats.flags.append(Flag("hurdle", round_key, key, None, names))
        stats.hurdles.append(
            Reason(
                "hurdle",
                {"criterion": key, "round": round_key, "mean": score, "minimum": policy.hurdle_min},
            )
        )
    if hi - lo >= 2:
        pairs = [(v, who) for v, (who, _) in zip(values, found, strict=True)]
        stats.flags.append(_spread_flag("disagreement", round_key, pairs, criterion=key))
        stats.disputed = True


def _decide(
    score: float | None,
    coverage: float,
    raters: int,
    stats: Sequence[_RoundStats],
    policy: Policy,
) -> tuple[Recommendation, Confidence, float, tuple[Reason, ...]]:
    """Apply incomplete -> veto -> hurdle -> band -> caps to the figures of a scope (S3-S6)."""
    rel = reliability(raters, policy.r1)
    disputed = any(s.disputed for s in stats)
    confidence = confidence_level(rel, disputed)
    reasons: list[Reason] = []
    if coverage < policy.coverage_min - EPS:
        reasons.append(
            Reason("incomplete_coverage", {"coverage": coverage, "minimum": policy.coverage_min})
        )
    for s in stats:
        reasons.extend(s.unrated)
    if score is None and not reasons:
        reasons.append(Reason("incomplete_no_score"))
    if reasons or score is None:
        return "incomplete", confidence, rel, tuple(reasons)
    for s in stats:
        reasons.extend(s.vetoes)
    for s in stats:
        reasons.extend(s.hurdles)
    if reasons:
        return "no_hire", confidence, rel, tuple(reasons)

    rec: Recommendation
    if score >= policy.strong_hire - EPS:
        rec, threshold, comparison = "strong_hire", policy.strong_hire, "≥"
    elif score >= policy.hire - EPS:
        rec, threshold, comparison = "hire", policy.hire, "≥"
    elif score >= policy.lean_no - EPS:
        rec, threshold, comparison = "lean_no", policy.lean_no, "≥"
    else:
        rec, threshold, comparison = "no_hire", policy.lean_no, "<"
    reasons.append(
        Reason(
            "band",
            {
                "score": score,
                "threshold": threshold,
                "comparison": comparison,
                "recommendation": rec,
            },
        )
    )
    if rec == "strong_hire" and any(s.low for s in stats):
        rec = "hire"
        reasons.append(Reason("low_rating_cap", {"recommendation": rec}))
    if rec == "strong_hire" and confidence == "low":
        rec = "hire"
        reasons.append(
            Reason(
                "confidence_cap",
                {"confidence": confidence, "needed": "medium", "recommendation": rec},
            )
        )
    return rec, confidence, rel, tuple(reasons)


def _round_result(stats: _RoundStats, policy: Policy) -> RoundResult:
    spec = stats.spec
    coverage = stats.rated_weight / stats.total_weight if stats.total_weight else 0.0
    rec, confidence, rel, reasons = _decide(
        stats.score, coverage, len(stats.raters), (stats,), policy
    )
    dims = {d: (acc[0] / acc[1] if acc[1] else None) for d, acc in stats.dimensions.items()}
    return RoundResult(
        spec.key,
        spec.weight,
        rec,
        stats.score,
        coverage,
        confidence,
        rel,
        len(stats.raters),
        tuple(stats.flags),
        reasons,
        stats.criteria,
        dims,
    )


def _by_round(
    scorecards: Iterable[ScorecardInput], index: Mapping[str, Mapping[str, int]]
) -> dict[str, list[ScorecardInput]]:
    grouped: dict[str, list[ScorecardInput]] = {key: [] for key in index}
    seen: set[tuple[str, str]] = set()
    for card in scorecards:
        bucket = grouped.get(card.round)
        if bucket is None:
            continue
        pair = (card.round, card.interviewer)
        if pair in seen:
            raise ValueError(
                f"duplicate scorecard for interviewer {card.interviewer} in round {card.round}"
            )
        seen.add(pair)
        bucket.append(card)
    return grouped


def evaluate_round(
    round_spec: RoundSpec,
    scorecards: Iterable[ScorecardInput],
    policy: Policy = Policy(),  # noqa: B008 - frozen, so a shared default is safe
) -> RoundResult:
    """Apply the rule to one round, on that round's scorecards only."""
    index = _check_rounds((round_spec,))
    cards = _by_round(scorecards, index)[round_spec.key]
    return _round_result(_round_stats(round_spec, index[round_spec.key], cards, policy), policy)


def evaluate(
    rounds: Sequence[RoundSpec],
    scorecards: Iterable[ScorecardInput],
    policy: Policy = Policy(),  # noqa: B008 - frozen, so a shared default is safe
) -> Result:
    """Apply the rule to all given rounds of an application (the hire recommendation)."""
    index = _check_rounds(rounds)
    grouped = _by_round(scorecards, index)
    all_stats = [_round_stats(spec, index[spec.key], grouped[spec.key], policy) for spec in rounds]
    round_results = {s.spec.key: _round_result(s, policy) for s in all_stats}

    scored: list[tuple[float, float]] = []
    for s in all_stats:
        if s.score is not None:
            scored.append((s.spec.weight, s.score))
    score = fsum(v * r for v, r in scored) / fsum(v for v, _ in scored) if scored else None
    total = fsum(s.spec.weight * s.total_weight for s in all_stats)
    rated = fsum(s.spec.weight * s.rated_weight for s in all_stats)
    coverage = rated / total if total else 0.0
    raters: set[str] = set()
    for s in all_stats:
        raters |= s.raters
    rec, confidence, rel, reasons = _decide(score, coverage, len(raters), all_stats, policy)

    criteria: dict[str, CriterionResult] = {}
    flags: list[Flag] = []
    sums: dict[str, list[float]] = {}
    for s in all_stats:
        criteria.update(s.criteria)
        flags.extend(s.flags)
        v = s.spec.weight
        for dim, (num, den) in s.dimensions.items():
            acc = sums.setdefault(dim, [0.0, 0.0])
            acc[0] += v * num
            acc[1] += v * den
    dims = {d: (num / den if den else None) for d, (num, den) in sums.items()}
    return Result(
        rec,
        score,
        coverage,
        confidence,
        rel,
        len(raters),
        tuple(flags),
        reasons,
        round_results,
        criteria,
        dims,
    )
