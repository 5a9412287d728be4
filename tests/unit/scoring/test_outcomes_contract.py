"""`flask validity` and `flask adverse-impact`: the JSON contracts, their errors, the CLI."""

from __future__ import annotations

import json

import pytest
from scipy import stats

from scorecard.scoring.contract import ContractError
from scorecard.scoring.outcomes_contract import adverse_impact_json, validity_json


def test_validity_contract_matches_scipy() -> None:
    scores = [2.0, 2.5, 3.0, 3.2, 3.4, 3.9, 2.2, 3.1]
    outcomes = [1, 2, 3, 3, 4, 4, 2, 2]
    doc = {
        "method": "spearman",
        "min_n": 5,
        "pairs": [{"score": s, "outcome": o} for s, o in zip(scores, outcomes, strict=True)],
        "all_scores": [1.0, 1.5, *scores],
    }
    out = json.loads(validity_json(json.dumps(doc)))
    assert out["n"] == 8 and out["sufficient"]
    assert out["r"] == pytest.approx(stats.spearmanr(scores, outcomes)[0], abs=1e-4)
    assert out["ci"][0] < out["r"] < out["ci"][1]
    assert out["corrected"] > out["r"] > 0


@pytest.mark.parametrize(
    ("doc", "path"),
    [
        ("[]", "document"),
        ('{"pairs": 3}', "pairs"),
        ('{"method": "kendall", "pairs": []}', "method"),
        ('{"pairs": [{"score": "x", "outcome": 1}]}', "pairs[0].score"),
        ('{"pairs": [], "min_n": -1}', "min_n"),
    ],
)
def test_validity_contract_errors_name_the_field(doc: str, path: str) -> None:
    with pytest.raises(ContractError) as err:
        validity_json(doc)
    assert err.value.path == path


def test_adverse_impact_contract() -> None:
    doc = {
        "groups": {
            "a": {"considered": 80, "selected": 48},
            "b": {"considered": 40, "selected": 12},
            "c": {"considered": 3, "selected": 1},
        }
    }
    out = json.loads(adverse_impact_json(json.dumps(doc)))
    assert out["reference"] == "a"
    assert out["groups"]["b"]["impact_ratio"] == 0.5 and out["groups"]["b"]["four_fifths"]
    assert out["groups"]["b"]["p_value"] == pytest.approx(
        stats.fisher_exact([[12, 28], [48, 32]])[1], abs=1e-4
    )
    assert out["groups"]["c"] == {"reportable": False}
    with pytest.raises(ContractError) as err:
        adverse_impact_json('{"groups": {"a": {"considered": 2, "selected": 3}}}')
    assert err.value.path == "groups.a.selected"


def test_cli_commands(app) -> None:
    runner = app.test_cli_runner()
    ok = runner.invoke(
        args=["adverse-impact", "-"],
        input=json.dumps({"groups": {"a": {"considered": 10, "selected": 5}}}),
    )
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.output)["note"] == "one_group_only"
    bad = runner.invoke(args=["validity", "-"], input='{"pairs": 1}')
    assert bad.exit_code == 2 and bad.output.startswith("error: pairs")
