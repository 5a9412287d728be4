"""R6 for the API: schemathesis fuzzes every operation of the OpenAPI document (WSGI, no server).

Per operation at least 100 generated requests (schema-valid ones with real ids of the caller's
job, schema-valid ones with any ids, and schema-invalid ones), sent with a real personal
token. Checks on every answer: no 5xx, a documented status, content type and body matching
the document, schema-invalid requests refused; afterwards, every stored value is valid.
Prints: "API fuzz: N operations, M requests, F failures".
"""

from __future__ import annotations

import time
from collections import Counter

import pytest
import schemathesis
import sqlalchemy as sa
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from scorecard.extensions import db as _db
from scorecard.models import (
    HireDecision,
    Rating,
    RoundDecision,
    Scorecard,
    ScorecardStatus,
    ScorecardSubmission,
    StarEvidence,
)
from scorecard.services import api_tokens
from scorecard.services.scorecards import TEXT_MAX
from tests.web.trust_figures import report
from tests.web.trust_world import build_world, url_values

EXAMPLES = 100  # per operation, the floor
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
# Scorecard writes and reads as the draft's own interviewer; everything else as the job's
# hiring manager (who may read results and record decisions).
INTERVIEWER_TAG = "Scorecards"


def _stored_values_are_valid() -> list[str]:
    """Every value the fuzzing could have written, checked against the rules."""
    bad = []
    session = _db.session
    for rating in session.scalars(sa.select(Rating)):
        if rating.value is not None and not 1 <= rating.value <= 4:
            bad.append(f"rating {rating.id} value {rating.value}")
        if len(rating.note) > TEXT_MAX or "\x00" in rating.note:
            bad.append(f"rating {rating.id} note")
    for star in session.scalars(sa.select(StarEvidence)):
        for part in ("situation", "task", "action", "result"):
            text = getattr(star, part)
            if len(text) > TEXT_MAX or "\x00" in text:
                bad.append(f"star {star.id} {part}")
    for card in session.scalars(sa.select(Scorecard)):
        if card.overall is not None and not 1 <= card.overall <= 4:
            bad.append(f"scorecard {card.id} overall {card.overall}")
        if len(card.takeaways) > TEXT_MAX or "\x00" in card.takeaways:
            bad.append(f"scorecard {card.id} takeaways")
        submitted = session.scalar(
            sa.select(ScorecardSubmission.id).where(ScorecardSubmission.scorecard_id == card.id)
        )
        if (card.status == ScorecardStatus.SUBMITTED) != (submitted is not None):
            bad.append(f"scorecard {card.id} status {card.status} vs submission {submitted}")
    for row in [
        *session.scalars(sa.select(RoundDecision)),
        *session.scalars(sa.select(HireDecision)),
    ]:
        if len(row.rationale) > 4000 or "\x00" in row.rationale:
            bad.append(f"decision {row.id} rationale")
    return bad


def _other_job_state(world) -> tuple:
    """What the fuzzing must never touch: the other job's decisions and scorecards."""
    scope = world.scopes["other"]
    _db.session.expire_all()
    decisions = _db.session.scalar(
        sa.select(sa.func.count())
        .select_from(RoundDecision)
        .where(RoundDecision.application_id == scope.application.id)
    )
    cards = _db.session.execute(
        sa.select(Scorecard.id, Scorecard.lock_version, Scorecard.status, Scorecard.overall)
        .where(Scorecard.interview_id == scope.interview.id)
        .order_by(Scorecard.id)
    ).all()
    return decisions, tuple(tuple(c) for c in cards)


def _card_bodies(card: Scorecard) -> dict[str, st.SearchStrategy]:
    """Body strategies for the scorecard writes, keyed by operation, using real field keys."""
    keys = [f"rating.{c.id}.value" for c in card.version.criteria]
    keys += [f"rating.{c.id}.note" for c in card.version.criteria]
    keys += [f"star.{q.id}.situation" for q in card.version.questions if q.star]
    keys += [f"flag.{f.id}" for f in card.interview.application.job.red_flags]
    keys += ["overall", "takeaways"]
    wild = st.one_of(
        st.none(), st.integers(-1, 6), st.booleans(), st.text(max_size=40), st.just("x" * 5001)
    )

    def value_for(key: str) -> st.SearchStrategy:
        # Mostly a value of the field's kind (so that saves get through), sometimes anything.
        if key == "overall" or key.endswith(".value"):
            good = st.one_of(st.none(), st.integers(1, 4))
        elif key.startswith("flag."):
            good = st.booleans()
        else:
            good = st.text(max_size=60)
        return st.one_of(good, good, good, wild)

    changes = st.lists(st.sampled_from(keys), min_size=1, max_size=6, unique=True).flatmap(
        lambda chosen: st.fixed_dictionaries({k: value_for(k) for k in chosen})
    )
    card_id = card.id

    def current_lock() -> int:
        _db.session.commit()  # end the read: the next request writes
        return _db.session.scalar(sa.select(Scorecard.lock_version).where(Scorecard.id == card_id))

    # Mostly the scorecard's current lock_version (read when the request is made), so that
    # writes get through to the service's rules; sometimes a stale or made-up one.
    lock = st.one_of(st.builds(current_lock), st.builds(current_lock), st.integers(1, 8))
    label = "/api/v1/scorecards/{scorecard_id}"
    return {
        f"PATCH {label}": st.fixed_dictionaries({"lock_version": lock, "changes": changes}),
        f"POST {label}/submit": st.fixed_dictionaries(
            {"submission_key": st.from_regex(r"\A[a-z0-9]{8,12}\Z"), "lock_version": lock}
        ),
        f"POST {label}/edit": st.fixed_dictionaries(
            {"lock_version": lock, "changes": changes, "reason": st.text(min_size=1, max_size=30)}
        ),
    }


def _document(app) -> dict:
    return app.test_client().get("/api/v1/openapi.json").get_json()


def _fuzz(op, auth: dict[str, str], strategies: list, statuses: Counter) -> tuple[int, list[str]]:
    """Send at least EXAMPLES generated requests to one operation; (requests, failures)."""
    count = {"n": 0}
    errors: list[str] = []

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=st.one_of(strategies))
    def run(case):
        count["n"] += 1
        try:
            # Under TESTING an unhandled exception propagates instead of becoming a 500:
            # it counts as a server error.
            response = case.call(headers=auth)
        except Exception as exc:  # noqa: BLE001 - every failure is counted and shown
            statuses[500] += 1
            errors.append(f"{op.label}: 5xx {exc!r}"[:800] + f"\n{case.as_curl_command()}")
            return
        statuses[response.status_code] += 1
        try:
            case.validate_response(response, checks=CHECKS)
        # Several failures come as a FailureGroup, a BaseExceptionGroup.
        except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - all counted and shown
            errors.append(f"{op.label}: {str(exc)[:800]}\n{case.as_curl_command()}")

    run()
    # Hypothesis stops early when an operation has few distinct inputs (no parameters):
    # run again until the operation got its hundred requests.
    while count["n"] < EXAMPLES:
        run()
    return count["n"], errors


@pytest.mark.filterwarnings("ignore")
def test_fuzz_every_operation(app, db, request):
    world = build_world(decisions=True)
    tokens = {}
    for actor in ("manager", "interviewer_panel"):
        _row, tokens[actor] = api_tokens.create_token(world.users[actor], "fuzz")
    db.session.commit()
    ids = url_values(world, "own")
    other_before = _other_job_state(world)

    card_bodies = _card_bodies(world.scopes["own"].draft_card)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    # Submit before edit: editing needs a submitted scorecard.
    operations = sorted(
        (result.ok() for result in schema.get_all_operations()),
        key=lambda op: op.label.endswith("/edit"),
    )
    totals = {"operations": 0, "requests": 0, "failures": 0}
    failures: list[str] = []
    statuses: Counter = Counter()
    writes: dict[str, Counter] = {}
    started = time.monotonic()
    for op in operations:
        actor = "interviewer_panel" if INTERVIEWER_TAG in op.tags else "manager"
        auth = {"Authorization": f"Bearer {tokens[actor]}"}
        names = [p.name for p in op.path_parameters]
        real = {name: ids[name] for name in names}
        # The token goes in as a fixed header, so that no schema-invalid variant is made by
        # dropping it (a missing token is tested in test_api_tokens.py).
        strategies = [op.as_strategy(GenerationMode.POSITIVE, path_parameters=real, headers=auth)]
        if names:
            strategies.append(op.as_strategy(GenerationMode.POSITIVE, headers=auth))
        if op.query or op.body or names:
            strategies.append(
                op.as_strategy(GenerationMode.NEGATIVE, path_parameters=real or None, headers=auth)
            )
        if op.label in card_bodies:
            # Bodies with the draft's real field keys, so that saves, submits and edits
            # really happen (random keys are refused before anything is written).
            strategies += 2 * [
                card_bodies[op.label].flatmap(
                    lambda body, op=op, real=real, auth=auth: op.as_strategy(
                        GenerationMode.POSITIVE, path_parameters=real, headers=auth, body=body
                    )
                )
            ]
        op_statuses: Counter = Counter()
        requests, errors = _fuzz(op, auth, strategies, op_statuses)
        statuses.update(op_statuses)
        if op.method.upper() != "GET":
            writes[op.label] = op_statuses
        totals["requests"] += requests
        totals["failures"] += len(errors)
        failures.extend(errors[: max(0, 20 - len(failures))])
        totals["operations"] += 1
    elapsed = time.monotonic() - started
    invalid = _stored_values_are_valid()
    line = (
        f"API fuzz: {totals['operations']} operations, {totals['requests']} requests, "
        f"{totals['failures']} failures, {len(invalid)} invalid values stored ({elapsed:.0f} s; "
        + ", ".join(f"{code}×{n}" for code, n in sorted(statuses.items()))
        + ")"
    )
    report(request.config, "R6-api", line)
    print(line)
    for label, counts in writes.items():
        print(f"  {label}: " + ", ".join(f"{c}×{n}" for c, n in sorted(counts.items())))
    documented = sum(len(item) for item in _document(app)["paths"].values())
    assert totals["operations"] == documented - 1  # all but the document itself
    assert not failures, "\n\n".join(failures)
    assert not invalid, invalid
    # Whatever ids were generated, nothing of the other job changed.
    assert _other_job_state(world) == other_before
