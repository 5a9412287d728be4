"""The stored form of a result reads back equal to it (numbers unrounded, flags, reasons)."""

import json
from typing import Any

from hypothesis import given, settings

from scorecard.scoring import Policy, evaluate
from scorecard.scoring.store import result_from_data, result_to_data
from tests.unit.scoring.test_properties import cases


@settings(max_examples=200, deadline=None)
@given(cases())
def test_round_trip_through_json_is_exact(case: Any) -> None:
    specs, scorecards = case
    result = evaluate(specs, scorecards, Policy())
    data = json.loads(json.dumps(result_to_data(result)))
    back = result_from_data(data)
    assert back == result
    assert list(back.rounds) == list(result.rounds)
    assert [r.text for r in back.reasons] == [r.text for r in result.reasons]
