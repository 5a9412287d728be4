"""The JSON contracts: `flask recommend` and `flask agreement` documents in and out."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

from scorecard.scoring import (
    ContractError,
    Policy,
    agreement_json,
    parse_agreement_document,
    parse_recommend_document,
    recommend_json,
)

EXAMPLE = """{
  "policy": {"strong_hire": 3.5, "hire": 2.75, "lean_no": 2.25,
             "coverage_min": 0.75, "hurdle_min": 2.5, "r1": 0.44},
  "rounds": [
    {"key": "tech", "weight": 1, "criteria": [
      {"key": "sql", "weight": 2, "must_have": true, "veto": false},
      {"key": "design", "weight": 1}]}],
  "scorecards": [
    {"interviewer": "u1", "round": "tech", "overall": 3, "red_flags": ["no_detail"],
     "ratings": {"sql": {"value": 4, "note": "tuned a slow HIS query"}, "design": {"value": null}}}]
}"""

TOP_KEYS = {
    "recommendation",
    "score",
    "coverage",
    "confidence",
    "reliability",
    "raters",
    "flags",
    "reasons",
    "rounds",
    "criteria",
}
ROUND_KEYS = TOP_KEYS - {"rounds", "criteria"}


def case_a_document() -> dict[str, Any]:
    """Worked case A as a contract document."""

    def rating(value: int) -> dict[str, Any]:
        return {"value": value, "note": "evidence"}

    return {
        "rounds": [
            {
                "key": "tech",
                "criteria": [{"key": "coding", "weight": 2, "must_have": True}, {"key": "design"}],
            },
            {
                "key": "values",
                "criteria": [
                    {"key": "collaboration", "must_have": True},
                    {"key": "integrity", "veto": True},
                ],
            },
        ],
        "scorecards": [
            {"interviewer": "a", "round": "tech", "overall": 3,
             "ratings": {"coding": rating(4), "design": rating(3)}},
            {"interviewer": "b", "round": "tech", "overall": 3,
             "ratings": {"coding": rating(3), "design": rating(3)}},
            {"interviewer": "c", "round": "values", "overall": 3,
             "ratings": {"collaboration": rating(3), "integrity": rating(3)}},
            {"interviewer": "d", "round": "values", "overall": 4,
             "ratings": {"collaboration": rating(4), "integrity": rating(3)}},
        ],
    }  # fmt: skip


def test_example_document() -> None:
    out = json.loads(recommend_json(EXAMPLE))
    assert set(out) == TOP_KEYS
    assert out["score"] == 4.0
    assert out["coverage"] == pytest.approx(0.6667)
    assert out["recommendation"] == "incomplete"
    assert out["reasons"] == ["incomplete: coverage 0.6667 < 0.75"]
    assert out["raters"] == 1 and out["confidence"] == "low" and out["reliability"] == 0.44
    assert out["criteria"] == {
        "sql": {"round": "tech", "score": 4.0, "ratings": 1, "spread": 0},
        "design": {"round": "tech", "score": None, "ratings": 0, "spread": None},
    }
    assert set(out["rounds"]) == {"tech"}
    assert set(out["rounds"]["tech"]) == ROUND_KEYS


def test_case_a_output() -> None:
    out = json.loads(recommend_json(json.dumps(case_a_document())))
    assert out["recommendation"] == "hire"
    assert out["score"] == 3.2917
    assert out["coverage"] == 1.0
    assert out["confidence"] == "high"
    assert out["reliability"] == 0.7586
    assert out["raters"] == 4
    assert out["flags"] == []
    assert out["reasons"] == ["score 3.2917 ≥ 2.75: hire"]
    assert out["rounds"]["tech"]["score"] == 3.3333
    assert out["rounds"]["tech"]["confidence"] == "medium"
    assert out["criteria"]["coding"] == {"round": "tech", "score": 3.5, "ratings": 2, "spread": 1}


def test_flags_show_only_relevant_keys_and_interviewers() -> None:
    doc = case_a_document()
    doc["scorecards"][1]["ratings"]["design"] = {"value": 1, "note": "no idea"}
    doc["scorecards"][2]["overall"] = 2
    doc["scorecards"][2]["red_flags"] = ["vague"]
    doc["scorecards"][3]["red_flags"] = ["vague"]
    out = json.loads(recommend_json(json.dumps(doc)))
    assert out["flags"] == [
        {"kind": "low_rating", "criterion": "design", "round": "tech", "interviewers": ["b"]},
        {"kind": "disagreement", "criterion": "design", "round": "tech",
         "interviewers": ["a", "b"]},
        {"kind": "overall_disagreement", "round": "values", "interviewers": ["c", "d"]},
        {"kind": "red_flag", "red_flag": "vague", "round": "values", "interviewers": ["c", "d"]},
    ]  # fmt: skip
    assert out["confidence"] == "medium"
    assert out["rounds"]["values"]["flags"] == out["flags"][2:]


def test_defaults_and_optional_fields() -> None:
    doc = {
        "rounds": [{"key": "r", "criteria": [{"key": "a"}]}],
        "scorecards": [{"interviewer": "u", "round": "r", "ratings": {"a": {"value": 3}}}],
    }
    rounds, cards, policy = parse_recommend_document(doc)
    assert policy == Policy()
    assert rounds[0].weight == 1.0 and rounds[0].criteria[0].weight == 1.0
    assert not rounds[0].criteria[0].must_have and not rounds[0].criteria[0].veto
    assert cards[0].overall is None and cards[0].red_flags == ()
    assert cards[0].ratings["a"].note == ""


def test_scorecards_may_be_empty() -> None:
    doc = {"rounds": [{"key": "r", "criteria": [{"key": "a"}]}], "scorecards": []}
    out = json.loads(recommend_json(json.dumps(doc)))
    assert out["recommendation"] == "incomplete" and out["score"] is None


def test_policy_is_used() -> None:
    doc = case_a_document()
    doc["policy"] = {"hire": 3.3, "lean_no": 3.0}
    assert json.loads(recommend_json(json.dumps(doc)))["recommendation"] == "lean_no"


def _base() -> dict[str, Any]:
    return {
        "rounds": [
            {"key": "tech", "criteria": [{"key": "sql", "weight": 2}, {"key": "design"}]},
            {"key": "values", "criteria": [{"key": "ethics", "veto": True}]},
        ],
        "scorecards": [
            {"interviewer": "u1", "round": "tech", "ratings": {"sql": {"value": 3}}},
            {"interviewer": "u2", "round": "tech", "ratings": {"sql": {"value": 3}}},
            {"interviewer": "u3", "round": "values", "ratings": {"ethics": {"value": 3}}},
        ],
    }


def _set(path: list[Any], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        target = doc
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value

    return change


def _drop(path: list[Any]) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        target = doc
        for step in path[:-1]:
            target = target[step]
        del target[path[-1]]

    return change


MALFORMED = [
    (_set(["scorecards", 0, "ratings", "sql", "value"], 5),
     "scorecards[0].ratings.sql.value: must be an integer 1–4 or null, got 5"),
    (_set(["scorecards", 0, "ratings", "sql", "value"], True),
     "scorecards[0].ratings.sql.value: must be an integer 1–4 or null, got true"),
    (_set(["scorecards", 0, "ratings", "sql", "value"], 3.0),
     "scorecards[0].ratings.sql.value: must be an integer 1–4 or null, got 3.0"),
    (_set(["scorecards", 0, "ratings", "sql", "value"], "3"),
     'scorecards[0].ratings.sql.value: must be an integer 1–4 or null, got "3"'),
    (_drop(["scorecards", 0, "ratings", "sql", "value"]),
     "scorecards[0].ratings.sql.value: required"),
    (_drop(["rounds"]), "rounds: required"),
    (_drop(["scorecards"]), "scorecards: required"),
    (_set(["rounds"], {}), "rounds: must be a list"),
    (_set(["rounds"], []), "rounds: must not be empty"),
    (_set(["rounds", 0, "criteria", 1, "weight"], 0),
     "rounds[0].criteria[1].weight: must be a positive number"),
    (_set(["rounds", 0, "criteria", 1, "weight"], -2),
     "rounds[0].criteria[1].weight: must be a positive number"),
    (_set(["rounds", 0, "criteria", 1, "weight"], True),
     "rounds[0].criteria[1].weight: must be a positive number"),
    (_set(["rounds", 0, "criteria", 1, "weight"], "2"),
     "rounds[0].criteria[1].weight: must be a positive number"),
    (_set(["rounds", 1, "weight"], False), "rounds[1].weight: must be a positive number"),
    (_set(["rounds", 0, "criteria", 0, "must_have"], 1),
     "rounds[0].criteria[0].must_have: must be true or false"),
    (_set(["rounds", 1, "criteria", 0, "veto"], "yes"),
     "rounds[1].criteria[0].veto: must be true or false"),
    (_set(["rounds", 0, "criteria", 0, "wieght"], 2),
     "rounds[0].criteria[0].wieght: unknown field"),
    (_set(["rounds", 0, "criteria"], []), "rounds[0].criteria: must not be empty"),
    (_drop(["rounds", 0, "criteria"]), "rounds[0].criteria: required"),
    (_drop(["rounds", 0, "key"]), "rounds[0].key: required"),
    (_set(["rounds", 0, "key"], ""), "rounds[0].key: must be a non-empty string"),
    (_set(["rounds", 1, "key"], "tech"), "rounds[1].key: duplicate round key tech"),
    (_set(["rounds", 1, "criteria", 0, "key"], "sql"),
     "rounds[1].criteria[0].key: duplicate criterion key sql"),
    (_set(["rounds", 0, "criteria", 0], "sql"), "rounds[0].criteria[0]: must be an object"),
    (_set(["scorecards", 2, "ratings", "foo"], {"value": 3}),
     "scorecards[2].ratings.foo: unknown criterion for round values"),
    (_set(["scorecards", 0, "ratings", "ethics"], {"value": 3}),
     "scorecards[0].ratings.ethics: unknown criterion for round tech"),
    (_set(["scorecards", 0, "round"], "x"), "scorecards[0].round: unknown round x"),
    (_drop(["scorecards", 0, "round"]), "scorecards[0].round: required"),
    (_drop(["scorecards", 1, "interviewer"]), "scorecards[1].interviewer: required"),
    (_set(["scorecards", 1, "interviewer"], 7),
     "scorecards[1].interviewer: must be a non-empty string"),
    (_set(["scorecards", 1, "interviewer"], "u1"),
     "scorecards[1]: duplicate scorecard for interviewer u1 in round tech"),
    (_set(["scorecards", 0, "overall"], 0),
     "scorecards[0].overall: must be an integer 1–4 or null, got 0"),
    (_set(["scorecards", 0, "red_flags"], "vague"), "scorecards[0].red_flags: must be a list"),
    (_set(["scorecards", 0, "red_flags"], ["vague", 3]),
     "scorecards[0].red_flags[1]: must be a non-empty string"),
    (_set(["scorecards", 0, "red_flags"], ["vague", "vague"]),
     "scorecards[0].red_flags[1]: duplicate red flag vague"),
    (_set(["scorecards", 0, "ratings"], []), "scorecards[0].ratings: must be an object"),
    (_drop(["scorecards", 0, "ratings"]), "scorecards[0].ratings: required"),
    (_set(["scorecards", 0, "ratings", "sql"], 3), "scorecards[0].ratings.sql: must be an object"),
    (_set(["scorecards", 0, "ratings", "sql", "note"], 5),
     "scorecards[0].ratings.sql.note: must be a string"),
    (_set(["scorecards", 0, "ratings", "sql", "comment"], "x"),
     "scorecards[0].ratings.sql.comment: unknown field"),
    (_set(["scorecards", 0, "score"], 3), "scorecards[0].score: unknown field"),
    (_set(["scorecards"], None), "scorecards: must be a list"),
    (_set(["scorecards", 0], []), "scorecards[0]: must be an object"),
    (_set(["extra"], 1), "extra: unknown field"),
    (_set(["policy"], []), "policy: must be an object"),
    (_set(["policy"], {"hire": "3"}), "policy.hire: must be a number"),
    (_set(["policy"], {"hire": True}), "policy.hire: must be a number"),
    (_set(["policy"], {"hire": 5}), "policy.hire: must be a number from 1 to 4"),
    (_set(["policy"], {"hire": 3.6}), "policy.hire: must not be above policy.strong_hire"),
    (_set(["policy"], {"lean_no": 3}), "policy.lean_no: must not be above policy.hire"),
    (_set(["policy"], {"coverage_min": 1.5}),
     "policy.coverage_min: must be a number from 0 to 1"),
    (_set(["policy"], {"r1": 0}), "policy.r1: must be a number above 0 and at most 1"),
    (_set(["policy"], {"veto": 1}), "policy.veto: unknown field"),
]  # fmt: skip


@pytest.mark.parametrize(("change", "message"), MALFORMED, ids=[m for _, m in MALFORMED])
def test_malformed_documents(change: Callable[[dict[str, Any]], None], message: str) -> None:
    doc = copy.deepcopy(_base())
    json.loads(recommend_json(json.dumps(doc)))  # the base is valid
    change(doc)
    with pytest.raises(ContractError) as info:
        recommend_json(json.dumps(doc))
    assert str(info.value) == message
    assert "\n" not in str(info.value)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{\n  "rounds": [\n    {"key": }\n]}', "document: not valid JSON (line 3)"),
        ("", "document: not valid JSON (line 1)"),
        ("[1, 2]", "document: must be an object"),
        ('{"rounds": [], "rounds": []}', 'document: duplicate key "rounds"'),
        ('{"rounds": NaN}', "rounds: must be a list"),
    ],
)
def test_malformed_text(text: str, message: str) -> None:
    with pytest.raises(ContractError) as info:
        recommend_json(text)
    assert str(info.value) == message


def test_nan_weight_is_not_a_number() -> None:
    text = json.dumps(_base()).replace('"weight": 2', '"weight": NaN')
    with pytest.raises(
        ContractError, match=r"rounds\[0\].criteria\[0\].weight: must be a positive"
    ):
        recommend_json(text)


# The agreement contract -------------------------------------------------------------------


def _agreement_doc(candidates: int) -> dict[str, Any]:
    ratings = []
    for c in range(candidates):
        for n, who in enumerate(("u1", "u2", "u3")[: 2 + c % 2]):
            for crit in ("sql", "design"):
                value = 1 + (c + n * (c % 3 == 0) + (crit == "sql")) % 4
                ratings.append(
                    {"candidate": f"c{c}", "interviewer": who, "criterion": crit, "value": value}
                )
    return {"ratings": ratings, "weights": {"sql": 2}}


def test_agreement_output_shape() -> None:
    out = json.loads(agreement_json(json.dumps(_agreement_doc(24))))
    assert list(out) == ["candidates", "sufficient", "k0", "icc1", "icck", "alpha", "leniency"]
    assert out["candidates"] == 24 and out["sufficient"] is True
    assert out["k0"] == round((60 - (12 * 4 + 12 * 9) / 60) / 23, 4)
    assert set(out["alpha"]) == {"design", "sql"}
    assert set(out["leniency"]) == {"u1", "u2"}  # u3 rated 12 candidates: not shown
    assert set(out["leniency"]["u1"]) == {"n", "mean", "adjustment", "stable"}
    assert out["leniency"]["u1"]["n"] == 24 and out["leniency"]["u1"]["stable"] is False
    for value in [out["k0"], out["icc1"], out["icck"], *out["alpha"].values()]:
        assert value == round(value, 4)


def test_agreement_insufficient_data() -> None:
    out = json.loads(agreement_json(json.dumps(_agreement_doc(3))))
    assert out["candidates"] == 3 and out["sufficient"] is False
    assert out["leniency"] == {}


def test_agreement_undefined_figures_are_null() -> None:
    doc = {"ratings": [{"candidate": "c", "interviewer": "u", "criterion": "a", "value": None}]}
    out = json.loads(agreement_json(json.dumps(doc)))
    assert out == {
        "candidates": 0,
        "sufficient": False,
        "k0": None,
        "icc1": None,
        "icck": None,
        "alpha": {"a": None},
        "leniency": {},
    }


AGREEMENT_MALFORMED = [
    ({}, "ratings: required"),
    ({"ratings": {}}, "ratings: must be a list"),
    ({"ratings": [], "weights": []}, "weights: must be an object"),
    ({"ratings": [], "weights": {"sql": 0}}, "weights.sql: must be a positive number"),
    ({"ratings": [], "extra": 1}, "extra: unknown field"),
    ({"ratings": [3]}, "ratings[0]: must be an object"),
    (
        {"ratings": [{"candidate": "c", "interviewer": "u", "criterion": "a", "value": 7}]},
        "ratings[0].value: must be an integer 1–4 or null, got 7",
    ),
    (
        {"ratings": [{"candidate": "c", "interviewer": "u", "criterion": "a"}]},
        "ratings[0].value: required",
    ),
    (
        {"ratings": [{"candidate": 1, "interviewer": "u", "criterion": "a", "value": 1}]},
        "ratings[0].candidate: must be a non-empty string",
    ),
    (
        {"ratings": [{"candidate": "c", "interviewer": "u", "criterion": "a", "value": 1}] * 2},
        "ratings[1]: duplicate rating for candidate c, interviewer u, criterion a",
    ),
]


@pytest.mark.parametrize(("doc", "message"), AGREEMENT_MALFORMED)
def test_agreement_malformed(doc: dict[str, Any], message: str) -> None:
    with pytest.raises(ContractError) as info:
        agreement_json(json.dumps(doc))
    assert str(info.value) == message


def test_parse_agreement_document() -> None:
    records, weights = parse_agreement_document(_agreement_doc(2))
    assert weights == {"sql": 2.0}
    assert records[0].candidate == "c0" and records[0].criterion == "sql"
