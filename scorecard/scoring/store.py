"""A lossless JSON form of the engine's results, so they can be stored and read back.

`result_to_data(result)` gives plain JSON values (numbers unrounded, unlike the contract's
`result_json`); `result_from_data(data)` rebuilds an equal `Result`. A round trip is exact:
tests/unit/scoring compare `result_from_data(result_to_data(r)) == r` over generated cases.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .model import CriterionResult, Flag, Reason, Result, RoundResult


def _flag_to(flag: Flag) -> list[Any]:
    return [flag.kind, flag.round, flag.criterion, flag.red_flag, list(flag.interviewers)]


def _flag_from(data: list[Any]) -> Flag:
    kind, rnd, criterion, red_flag, interviewers = data
    return Flag(kind, rnd, criterion, red_flag, tuple(interviewers))


def _param_to(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _param_from(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _reason_to(reason: Reason) -> list[Any]:
    return [reason.code, {k: _param_to(v) for k, v in reason.params.items()}]


def _reason_from(data: list[Any]) -> Reason:
    code, params = data
    return Reason(code, {k: _param_from(v) for k, v in params.items()})


def _criterion_to(c: CriterionResult) -> list[Any]:
    return [
        c.key,
        c.round,
        c.score,
        c.ratings,
        c.spread,
        c.min,
        c.max,
        c.weight,
        c.must_have,
        c.veto,
        c.dimension,
    ]


def _criterion_from(data: list[Any]) -> CriterionResult:
    return CriterionResult(*data)


def _common_to(r: Result | RoundResult) -> dict[str, Any]:
    return {
        "recommendation": r.recommendation,
        "score": r.score,
        "coverage": r.coverage,
        "confidence": r.confidence,
        "reliability": r.reliability,
        "raters": r.raters,
        "flags": [_flag_to(f) for f in r.flags],
        "reasons": [_reason_to(x) for x in r.reasons],
        "criteria": [_criterion_to(c) for c in r.criteria.values()],
        "dimensions": dict(r.dimensions),
    }


def _common_from(data: Mapping[str, Any]) -> dict[str, Any]:
    criteria = [_criterion_from(c) for c in data["criteria"]]
    return {
        "recommendation": data["recommendation"],
        "score": data["score"],
        "coverage": data["coverage"],
        "confidence": data["confidence"],
        "reliability": data["reliability"],
        "raters": data["raters"],
        "flags": tuple(_flag_from(f) for f in data["flags"]),
        "reasons": tuple(_reason_from(x) for x in data["reasons"]),
        "criteria": {c.key: c for c in criteria},
        "dimensions": dict(data["dimensions"]),
    }


def result_to_data(result: Result) -> dict[str, Any]:
    """Plain JSON values for a Result (keys and order kept)."""
    out = _common_to(result)
    out["rounds"] = [
        {"key": rr.key, "weight": rr.weight, **_common_to(rr)} for rr in result.rounds.values()
    ]
    return out


def result_from_data(data: Mapping[str, Any]) -> Result:
    """The Result that `result_to_data` was given."""
    rounds = {}
    for rd in data["rounds"]:
        rounds[rd["key"]] = RoundResult(key=rd["key"], weight=rd["weight"], **_common_from(rd))
    return Result(rounds=rounds, **_common_from(data))
