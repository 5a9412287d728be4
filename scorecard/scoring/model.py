"""Typed inputs and outputs of the scoring engine (frozen dataclasses, no framework types).

Inputs describe one job's configuration (`RoundSpec`, `CriterionSpec`, `Policy`) and the
submitted scorecards of one application (`ScorecardInput`, `RatingInput`). Outputs
(`Result`, `RoundResult`, `CriterionResult`, `Flag`, `Reason`) carry every number the pages
show, so a view never recomputes anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

Recommendation = Literal["strong_hire", "hire", "lean_no", "no_hire", "incomplete"]
Confidence = Literal["high", "medium", "low"]
FlagKind = Literal[
    "disagreement", "overall_disagreement", "red_flag", "veto", "low_rating", "hurdle"
]
ParamValue = str | int | float | tuple[str, ...] | None

RECOMMENDATIONS: tuple[Recommendation, ...] = (
    "strong_hire",
    "hire",
    "lean_no",
    "no_hire",
    "incomplete",
)
CONFIDENCES: tuple[Confidence, ...] = ("low", "medium", "high")
FLAG_KINDS: tuple[FlagKind, ...] = (
    "disagreement",
    "overall_disagreement",
    "red_flag",
    "veto",
    "low_rating",
    "hurdle",
)
SCALE: tuple[int, ...] = (1, 2, 3, 4)


@dataclass(frozen=True, slots=True)
class Policy:
    """Per-job thresholds (S3, S4, S5, S6); the defaults are the specification's."""

    strong_hire: float = 3.5
    hire: float = 2.75
    lean_no: float = 2.25
    coverage_min: float = 0.75
    hurdle_min: float = 2.5
    r1: float = 0.44

    def __post_init__(self) -> None:
        if not self.lean_no <= self.hire <= self.strong_hire:
            raise ValueError("policy thresholds must satisfy lean_no <= hire <= strong_hire")
        if not 0.0 <= self.coverage_min <= 1.0:
            raise ValueError("policy coverage_min must lie in 0-1")
        if not 0.0 < self.r1 <= 1.0:
            raise ValueError("policy r1 must lie in (0, 1]")


@dataclass(frozen=True, slots=True)
class CriterionSpec:
    """One criterion of a round: weight w, must-have (hurdle), veto-eligible, dimension."""

    key: str
    weight: float = 1.0
    must_have: bool = False
    veto: bool = False
    dimension: str | None = None


@dataclass(frozen=True, slots=True)
class RoundSpec:
    """One interview round: weight v and its criteria (keys unique across the job)."""

    key: str
    weight: float = 1.0
    criteria: tuple[CriterionSpec, ...] = ()


@dataclass(frozen=True, slots=True)
class RatingInput:
    """One rating 1-4, or None for not assessed.

    `adjusted` is set only by `calibration.adjusted_scorecards` (a job that opts in to
    calibrated scores); it replaces `value` in the scores, while flags keep using `value`.
    """

    value: int | None
    note: str = ""
    adjusted: float | None = None


@dataclass(frozen=True, slots=True)
class ScorecardInput:
    """One submitted scorecard: an interviewer's ratings for one round."""

    interviewer: str
    round: str
    overall: int | None = None
    red_flags: tuple[str, ...] = ()
    ratings: Mapping[str, RatingInput] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RatingRecord:
    """One flat rating row across candidates, for calibration and agreement (S8, S9)."""

    candidate: str
    interviewer: str
    criterion: str
    value: int | None


@dataclass(frozen=True, slots=True)
class Flag:
    """A fact that calls for a debrief (S7); names its criterion or red flag."""

    kind: FlagKind
    round: str
    criterion: str | None = None
    red_flag: str | None = None
    interviewers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Reason:
    """Why the recommendation is what it is: a code plus parameters, and the contract string.

    Codes and their params (numbers unrounded; `text` rounds to 4 decimals):

    - ``incomplete_coverage``: coverage, minimum -> "incomplete: coverage 0.6 < 0.75"
    - ``incomplete_must_have``: criterion, round -> "incomplete: must-have sql unrated"
    - ``incomplete_no_score``: (none) -> "incomplete: nothing rated"
    - ``veto``: criterion, round, interviewers -> "veto:integrity"
    - ``hurdle``: criterion, round, mean, minimum -> "hurdle:coding"
    - ``band``: score, threshold, comparison ("≥" or "<"), recommendation
      -> "score 3.2917 ≥ 2.75: hire"
    - ``low_rating_cap``: recommendation -> "low rating caps at hire"
    - ``confidence_cap``: confidence, needed, recommendation
      -> "strong_hire needs medium confidence: hire"
    """

    code: str
    params: Mapping[str, ParamValue] = field(default_factory=dict, hash=False)

    @property
    def text(self) -> str:
        """The contract's machine string for this reason."""
        p = self.params
        code = self.code
        if code == "band":
            return f"score {fmt(p['score'])} {p['comparison']} {fmt(p['threshold'])}: " + str(
                p["recommendation"]
            )
        if code == "incomplete_coverage":
            return f"incomplete: coverage {fmt(p['coverage'])} < {fmt(p['minimum'])}"
        if code == "incomplete_must_have":
            return f"incomplete: must-have {p['criterion']} unrated"
        if code == "incomplete_no_score":
            return "incomplete: nothing rated"
        if code in ("veto", "hurdle"):
            return f"{code}:{p['criterion']}"
        if code == "low_rating_cap":
            return f"low rating caps at {p['recommendation']}"
        if code == "confidence_cap":
            return f"strong_hire needs {p['needed']} confidence: {p['recommendation']}"
        return code

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True, slots=True)
class CriterionResult:
    """One criterion's figures in its round (spread/min/max are of the raw ratings)."""

    key: str
    round: str
    score: float | None
    ratings: int
    spread: int | None
    min: int | None
    max: int | None
    weight: float = 1.0
    must_have: bool = False
    veto: bool = False
    dimension: str | None = None


@dataclass(frozen=True, slots=True)
class RoundResult:
    """The rule applied to one round only (the advance / hold / reject view)."""

    key: str
    weight: float
    recommendation: Recommendation
    score: float | None
    coverage: float
    confidence: Confidence
    reliability: float
    raters: int
    flags: tuple[Flag, ...]
    reasons: tuple[Reason, ...]
    criteria: Mapping[str, CriterionResult]
    dimensions: Mapping[str, float | None]


@dataclass(frozen=True, slots=True)
class Result:
    """The rule applied to all given rounds of an application (the hire recommendation)."""

    recommendation: Recommendation
    score: float | None
    coverage: float
    confidence: Confidence
    reliability: float
    raters: int
    flags: tuple[Flag, ...]
    reasons: tuple[Reason, ...]
    rounds: Mapping[str, RoundResult]
    criteria: Mapping[str, CriterionResult]
    dimensions: Mapping[str, float | None]


def fmt(value: ParamValue) -> str:
    """Format a number as the contract strings do: at most 4 decimals, no trailing zeros."""
    if isinstance(value, float | int) and not isinstance(value, bool):
        text = f"{value:.4f}".rstrip("0").rstrip(".")
        return "0" if text == "-0" else text
    return str(value)
