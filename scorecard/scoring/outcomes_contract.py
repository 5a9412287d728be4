"""JSON contracts of `flask validity` and `flask adverse-impact` (issue 14), like `flask
agreement`: a document in, one JSON result out, a one-line error naming the field otherwise.

`flask validity PATH` reads
``{"method": "spearman", "min_n": 30, "pairs": [{"score": 3.2, "outcome": 4}, ...],
"all_scores": [2.1, 3.2, ...]}`` (method ``spearman`` for a 1-4 rating, ``pearson`` for a
pass (1) / fail (0) outcome, i.e. point-biserial; `min_n` and `all_scores` optional) and prints
``{"method", "n", "r", "ci": [low, high], "u", "corrected", "corrected_ci", "sufficient",
"reason"}``.

`flask adverse-impact PATH` reads ``{"min_group": 5, "groups": {"a": {"considered": 40,
"selected": 12}, ...}}`` and prints ``{"reference", "note", "groups": {...}}`` where a group
under `min_group` is only ``{"reportable": false}``.
"""

from __future__ import annotations

import json
import math
from typing import Any

from .adverse_impact import MIN_GROUP, impact_json, impact_table
from .contract import ContractError, _load
from .validity import MIN_N, correlate, correlation_json


def _number(value: Any, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ContractError(path, "must be a finite number")
    return float(value)


def _count(value: Any, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ContractError(path, "must be a whole number ≥ 0")
    return value


def validity_json(text: str) -> str:
    """Run `flask validity` on a JSON document and return the JSON figure."""
    doc = _load(text)
    if not isinstance(doc, dict):
        raise ContractError("document", "must be an object")
    method = doc.get("method", "spearman")
    if method not in ("spearman", "pearson"):
        raise ContractError("method", 'must be "spearman" or "pearson"')
    min_n = _count(doc.get("min_n", MIN_N), "min_n")
    pairs = doc.get("pairs")
    if not isinstance(pairs, list):
        raise ContractError("pairs", "must be a list of {score, outcome}")
    xs: list[float] = []
    ys: list[float] = []
    for n, pair in enumerate(pairs):
        if not isinstance(pair, dict):
            raise ContractError(f"pairs[{n}]", "must be an object")
        xs.append(_number(pair.get("score"), f"pairs[{n}].score"))
        ys.append(_number(pair.get("outcome"), f"pairs[{n}].outcome"))
    all_scores = doc.get("all_scores")
    everyone = None
    if all_scores is not None:
        if not isinstance(all_scores, list):
            raise ContractError("all_scores", "must be a list of numbers")
        everyone = [_number(v, f"all_scores[{n}]") for n, v in enumerate(all_scores)]
    result = correlate(xs, ys, method, everyone, min_n)
    return json.dumps(correlation_json(result), ensure_ascii=False)


def adverse_impact_json(text: str) -> str:
    """Run `flask adverse-impact` on a JSON document and return the JSON table."""
    doc = _load(text)
    if not isinstance(doc, dict):
        raise ContractError("document", "must be an object")
    min_group = _count(doc.get("min_group", MIN_GROUP), "min_group")
    groups = doc.get("groups")
    if not isinstance(groups, dict):
        raise ContractError("groups", "must be an object of {considered, selected}")
    counts: dict[str, tuple[int, int]] = {}
    for name, value in groups.items():
        if not isinstance(value, dict):
            raise ContractError(f"groups.{name}", "must be an object")
        considered = _count(value.get("considered"), f"groups.{name}.considered")
        selected = _count(value.get("selected"), f"groups.{name}.selected")
        if selected > considered:
            raise ContractError(f"groups.{name}.selected", "must not exceed considered")
        counts[str(name)] = (considered, selected)
    return json.dumps(impact_json(impact_table(counts, min_group)), ensure_ascii=False)
