"""The JSON contracts of scoring.md: `flask recommend` and `flask agreement`.

Validation is strict: unknown fields, wrong types, booleans where numbers belong, duplicate
keys, duplicate scorecards or ratings all fail with a `ContractError` whose message is one
line naming the field path (`scorecards[0].ratings.sql.value: ...`). The CLI prints it and
exits with status 2. Scores are rounded to 4 decimals in the output only.

Readings where the contract leaves room: `rounds` and `scorecards` are required (scorecards
may be an empty list); in a scorecard `interviewer`, `round` and `ratings` are required and
`overall`, `red_flags` optional; in a rating `value` is required (null = not assessed) and
`note` optional. Criterion keys are unique across rounds. Policy thresholds lie in 1-4 with
lean_no <= hire <= strong_hire; coverage_min in 0-1; r1 in (0, 1].
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

from .agreement import agreement
from .engine import evaluate
from .model import (
    CriterionResult,
    CriterionSpec,
    Flag,
    Policy,
    RatingInput,
    RatingRecord,
    Result,
    RoundResult,
    RoundSpec,
    ScorecardInput,
)

_ROUND_FIELDS = {"key", "weight", "criteria"}
_CRITERION_FIELDS = {"key", "weight", "must_have", "veto"}
_SCORECARD_FIELDS = {"interviewer", "round", "overall", "red_flags", "ratings"}
_RATING_FIELDS = {"value", "note"}
_POLICY_FIELDS = ("strong_hire", "hire", "lean_no", "coverage_min", "hurdle_min", "r1")
_TOP_FIELDS = {"policy", "rounds", "scorecards"}
_AGREEMENT_FIELDS = {"ratings", "weights"}
_AGREEMENT_RATING_FIELDS = {"candidate", "interviewer", "criterion", "value"}


class ContractError(ValueError):
    """A malformed document; str() is one line naming the field path."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for key, value in pairs:
        if key in obj:
            raise ContractError("document", f"duplicate key {json.dumps(key)}")
        obj[key] = value
    return obj


def _load(text: str) -> Any:
    try:
        return json.loads(text, object_pairs_hook=_reject_duplicates)
    except json.JSONDecodeError as exc:
        raise ContractError("document", f"not valid JSON (line {exc.lineno})") from None
    except RecursionError:
        raise ContractError("document", "not valid JSON (nested too deeply)") from None


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + "..."


def _object(value: Any, path: str, allowed: set[str] | Sequence[str]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ContractError(path, "must be an object")
    for key in value:
        if key not in allowed:
            raise ContractError(_join(path, key), "unknown field")
    return value


def _join(path: str, key: str) -> str:
    return key if path == "document" else f"{path}.{key}"


def _list(value: Any, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise ContractError(path, "must be a list")
    return value


def _required(obj: Mapping[str, Any], key: str, path: str) -> Any:
    if key not in obj:
        raise ContractError(_join(path, key), "required")
    return obj[key]


def _name(value: Any, path: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ContractError(path, "must be a non-empty string")
    return value


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _positive(obj: Mapping[str, Any], key: str, path: str) -> float:
    if key not in obj:
        return 1.0
    value = obj[key]
    if not _number(value) or value <= 0:
        raise ContractError(_join(path, key), "must be a positive number")
    return float(value)


def _boolean(obj: Mapping[str, Any], key: str, path: str) -> bool:
    value = obj.get(key, False)
    if not isinstance(value, bool):
        raise ContractError(_join(path, key), "must be true or false")
    return value


def _rating_value(value: Any, path: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 4:
        raise ContractError(path, f"must be an integer 1–4 or null, got {_shown(value)}")
    return value


def _policy(value: Any) -> Policy:
    if value is None:
        return Policy()
    obj = _object(value, "policy", _POLICY_FIELDS)
    defaults = Policy()
    numbers: dict[str, float] = {}
    for key in _POLICY_FIELDS:
        number = obj.get(key, getattr(defaults, key))
        if not _number(number):
            raise ContractError(f"policy.{key}", "must be a number")
        numbers[key] = float(number)
    for key in ("strong_hire", "hire", "lean_no", "hurdle_min"):
        if not 1 <= numbers[key] <= 4:
            raise ContractError(f"policy.{key}", "must be a number from 1 to 4")
    if not 0 <= numbers["coverage_min"] <= 1:
        raise ContractError("policy.coverage_min", "must be a number from 0 to 1")
    if not 0 < numbers["r1"] <= 1:
        raise ContractError("policy.r1", "must be a number above 0 and at most 1")
    if numbers["hire"] > numbers["strong_hire"]:
        raise ContractError("policy.hire", "must not be above policy.strong_hire")
    if numbers["lean_no"] > numbers["hire"]:
        raise ContractError("policy.lean_no", "must not be above policy.hire")
    return Policy(**numbers)


def _rounds(value: Any) -> tuple[RoundSpec, ...]:
    items = _list(value, "rounds")
    if not items:
        raise ContractError("rounds", "must not be empty")
    rounds: list[RoundSpec] = []
    round_keys: set[str] = set()
    criterion_keys: set[str] = set()
    for r, item in enumerate(items):
        path = f"rounds[{r}]"
        obj = _object(item, path, _ROUND_FIELDS)
        key = _name(_required(obj, "key", path), f"{path}.key")
        if key in round_keys:
            raise ContractError(f"{path}.key", f"duplicate round key {key}")
        round_keys.add(key)
        weight = _positive(obj, "weight", path)
        criteria_items = _list(_required(obj, "criteria", path), f"{path}.criteria")
        if not criteria_items:
            raise ContractError(f"{path}.criteria", "must not be empty")
        criteria: list[CriterionSpec] = []
        for c, citem in enumerate(criteria_items):
            cpath = f"{path}.criteria[{c}]"
            cobj = _object(citem, cpath, _CRITERION_FIELDS)
            ckey = _name(_required(cobj, "key", cpath), f"{cpath}.key")
            if ckey in criterion_keys:
                raise ContractError(f"{cpath}.key", f"duplicate criterion key {ckey}")
            criterion_keys.add(ckey)
            criteria.append(
                CriterionSpec(
                    key=ckey,
                    weight=_positive(cobj, "weight", cpath),
                    must_have=_boolean(cobj, "must_have", cpath),
                    veto=_boolean(cobj, "veto", cpath),
                )
            )
        rounds.append(RoundSpec(key=key, weight=weight, criteria=tuple(criteria)))
    return tuple(rounds)


def _scorecards(value: Any, rounds: Sequence[RoundSpec]) -> tuple[ScorecardInput, ...]:
    items = _list(value, "scorecards")
    criteria = {spec.key: {c.key for c in spec.criteria} for spec in rounds}
    seen: set[tuple[str, str]] = set()
    cards: list[ScorecardInput] = []
    for s, item in enumerate(items):
        path = f"scorecards[{s}]"
        obj = _object(item, path, _SCORECARD_FIELDS)
        interviewer = _name(_required(obj, "interviewer", path), f"{path}.interviewer")
        round_key = _required(obj, "round", path)
        if not isinstance(round_key, str):
            raise ContractError(f"{path}.round", "must be a string")
        if round_key not in criteria:
            raise ContractError(f"{path}.round", f"unknown round {round_key}")
        if (round_key, interviewer) in seen:
            raise ContractError(
                path, f"duplicate scorecard for interviewer {interviewer} in round {round_key}"
            )
        seen.add((round_key, interviewer))
        overall = _rating_value(obj.get("overall"), f"{path}.overall")
        red_flags = _red_flags(obj.get("red_flags", []), f"{path}.red_flags")
        ratings_obj = _required(obj, "ratings", path)
        if not isinstance(ratings_obj, dict):
            raise ContractError(f"{path}.ratings", "must be an object")
        ratings: dict[str, RatingInput] = {}
        for ckey, rating in ratings_obj.items():
            rpath = f"{path}.ratings.{ckey}"
            if ckey not in criteria[round_key]:
                raise ContractError(rpath, f"unknown criterion for round {round_key}")
            robj = _object(rating, rpath, _RATING_FIELDS)
            rvalue = _rating_value(_required(robj, "value", rpath), f"{rpath}.value")
            note = robj.get("note", "")
            if note is None:
                note = ""
            if not isinstance(note, str):
                raise ContractError(f"{rpath}.note", "must be a string")
            ratings[ckey] = RatingInput(rvalue, note)
        cards.append(ScorecardInput(interviewer, round_key, overall, red_flags, ratings))
    return tuple(cards)


def _red_flags(value: Any, path: str) -> tuple[str, ...]:
    items = _list(value, path)
    out: list[str] = []
    for n, item in enumerate(items):
        name = _name(item, f"{path}[{n}]")
        if name in out:
            raise ContractError(f"{path}[{n}]", f"duplicate red flag {name}")
        out.append(name)
    return tuple(out)


def parse_recommend_document(
    obj: Any,
) -> tuple[tuple[RoundSpec, ...], tuple[ScorecardInput, ...], Policy]:
    """Validate a parsed `flask recommend` document into engine inputs, or raise ContractError."""
    doc = _object(obj, "document", _TOP_FIELDS)
    policy = _policy(doc.get("policy"))
    rounds = _rounds(_required(doc, "rounds", "document"))
    scorecards = _scorecards(_required(doc, "scorecards", "document"), rounds)
    return rounds, scorecards, policy


def _r4(value: float | None) -> float | None:
    return None if value is None else round(value, 4) + 0.0


def flag_json(flag: Flag) -> dict[str, Any]:
    """A flag as the contract shows it: kind, round, criterion or red flag, interviewers."""
    out: dict[str, Any] = {"kind": flag.kind}
    if flag.criterion is not None:
        out["criterion"] = flag.criterion
    if flag.red_flag is not None:
        out["red_flag"] = flag.red_flag
    out["round"] = flag.round
    out["interviewers"] = list(flag.interviewers)
    return out


def _summary(result: Result | RoundResult) -> dict[str, Any]:
    return {
        "recommendation": result.recommendation,
        "score": _r4(result.score),
        "coverage": _r4(result.coverage),
        "confidence": result.confidence,
        "reliability": _r4(result.reliability),
        "raters": result.raters,
        "flags": [flag_json(f) for f in result.flags],
        "reasons": [r.text for r in result.reasons],
    }


def _criterion_json(criterion: CriterionResult) -> dict[str, Any]:
    return {
        "round": criterion.round,
        "score": _r4(criterion.score),
        "ratings": criterion.ratings,
        "spread": criterion.spread,
    }


def result_json(result: Result) -> dict[str, Any]:
    """The contract's output object for an evaluated application."""
    out = _summary(result)
    out["rounds"] = {key: _summary(r) for key, r in result.rounds.items()}
    out["criteria"] = {key: _criterion_json(c) for key, c in result.criteria.items()}
    return out


def recommend_json(text: str) -> str:
    """Run `flask recommend` on a JSON document and return the JSON result."""
    rounds, scorecards, policy = parse_recommend_document(_load(text))
    return json.dumps(result_json(evaluate(rounds, scorecards, policy)), ensure_ascii=False)


def parse_agreement_document(obj: Any) -> tuple[tuple[RatingRecord, ...], dict[str, float]]:
    """Validate a parsed `flask agreement` document into rating rows and weights."""
    doc = _object(obj, "document", _AGREEMENT_FIELDS)
    items = _list(_required(doc, "ratings", "document"), "ratings")
    seen: set[tuple[str, str, str]] = set()
    records: list[RatingRecord] = []
    for n, item in enumerate(items):
        path = f"ratings[{n}]"
        row = _object(item, path, _AGREEMENT_RATING_FIELDS)
        candidate = _name(_required(row, "candidate", path), f"{path}.candidate")
        interviewer = _name(_required(row, "interviewer", path), f"{path}.interviewer")
        criterion = _name(_required(row, "criterion", path), f"{path}.criterion")
        value = _rating_value(_required(row, "value", path), f"{path}.value")
        triple = (candidate, interviewer, criterion)
        if triple in seen:
            raise ContractError(
                path,
                f"duplicate rating for candidate {candidate}, interviewer {interviewer}, "
                f"criterion {criterion}",
            )
        seen.add(triple)
        records.append(RatingRecord(candidate, interviewer, criterion, value))
    weights_obj = doc.get("weights", {})
    if not isinstance(weights_obj, dict):
        raise ContractError("weights", "must be an object")
    weights = {key: _positive(weights_obj, key, "weights") for key in weights_obj}
    return tuple(records), weights


def agreement_json(text: str) -> str:
    """Run `flask agreement` on a JSON document and return the JSON figures."""
    records, weights = parse_agreement_document(_load(text))
    report = agreement(records, weights)
    out = {
        "candidates": report.candidates,
        "sufficient": report.sufficient,
        "k0": _r4(report.icc.k0),
        "icc1": _r4(report.icc.icc1),
        "icck": _r4(report.icc.icck),
        "alpha": {key: _r4(value) for key, value in report.alpha.items()},
        "leniency": {
            name: {
                "n": info.n,
                "mean": _r4(info.mean),
                "adjustment": _r4(info.adjustment),
                "stable": info.stable,
            }
            for name, info in report.leniency.items()
            if info.shown
        },
    }
    return json.dumps(out, ensure_ascii=False)
