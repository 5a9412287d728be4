"""The decision rules (services/decisions.py): rationale, stage moves, revisions, who decides."""

import pytest
import sqlalchemy as sa

from scorecard.extensions import db as _db
from scorecard.models import (
    ApplicationStatus,
    AuditEvent,
    HireDecision,
    JobRole,
    Role,
    RoundDecision,
)
from scorecard.services import decisions
from scorecard.services.errors import DomainError
from scorecard.services.setup.team import add_member
from tests.web import compare_support
from tests.web.compare_support import app_of, medical_job, round_of, without_decisions

demo = compare_support.demo  # the fixture


def _count(model) -> int:
    return _db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _refuse(fn, field: str, text: str) -> None:
    """The call raises a DomainError on `field`, and nothing at all is stored."""
    counts = (_count(RoundDecision), _count(HireDecision), _count(AuditEvent))
    with pytest.raises(DomainError) as caught:
        fn()
    _db.session.rollback()
    assert caught.value.field == field
    assert text in caught.value.message
    assert (_count(RoundDecision), _count(HireDecision), _count(AuditEvent)) == counts


def test_advance_with_the_recommendation_needs_no_rationale(app, demo, db):
    job = medical_job()
    without_decisions("钱芳")
    app_row = app_of("钱芳")
    hr_round = round_of(job, "hr_screen")
    app_row.current_round = hr_round  # as if the later rounds were not booked yet
    _db.session.commit()
    with app.test_request_context():
        assert decisions.round_recommendation(app_row, hr_round) in ("hire", "strong_hire")
        row = decisions.decide_round(app_row, hr_round, "advance", "", demo["manager"])
    _db.session.commit()
    assert app_row.current_round.key == "technical"
    assert app_row.status == ApplicationStatus.ACTIVE
    assert row.recommendation in ("hire", "strong_hire") and row.rationale == ""
    event = _db.session.scalar(
        sa.select(AuditEvent).where(
            AuditEvent.action == "decision.round", AuditEvent.object_id == row.id
        )
    )
    assert event.object_type == "round_decision" and event.object_id == row.id
    assert event.before["current_round_id"] == hr_round.id
    assert event.after["decision"] == "advance"


def test_against_the_recommendation_needs_a_rationale(app, demo, db):
    job = medical_job()
    without_decisions("马骏", "梁宇", "冯超")
    weak = app_of("马骏")  # technical round: must-have database below the hurdle (no_hire)
    tech = round_of(job, "technical")
    strong = app_of("梁宇")
    with app.test_request_context():
        assert decisions.round_recommendation(weak, tech) == "no_hire"
        _refuse(
            lambda: decisions.decide_round(weak, tech, "advance", "  ", demo["manager"]),
            "rationale",
            "goes against the recommendation (No hire)",
        )
        _refuse(
            lambda: decisions.decide_round(strong, tech, "reject", "", demo["manager"]),
            "rationale",
            "goes against the recommendation",
        )
        # With a rationale both are fine; hold never needs one.
        decisions.decide_round(weak, tech, "advance", "Database gap is teachable.", demo["manager"])
        decisions.decide_round(strong, tech, "reject", "Salary out of range.", demo["manager"])
        decisions.decide_round(app_of("冯超"), tech, "hold", "", demo["manager"])
    _db.session.commit()
    assert weak.current_round.key == "executive" and weak.status == ApplicationStatus.ACTIVE
    assert strong.status == ApplicationStatus.REJECTED and strong.closed_at is not None
    assert app_of("冯超").status == ApplicationStatus.ON_HOLD


def test_nothing_submitted_means_a_rationale_to_advance_or_reject(app, demo, db):
    job = medical_job()
    new = app_of("周婷")
    hr_round = round_of(job, "hr_screen")
    with app.test_request_context():
        assert decisions.round_recommendation(new, hr_round) is None
        _refuse(
            lambda: decisions.decide_round(new, hr_round, "reject", "", demo["manager"]),
            "rationale",
            "no complete recommendation",
        )
        decisions.decide_round(new, hr_round, "hold", "", demo["manager"])


def test_advance_on_the_last_round_waits_for_the_hire_decision(app, demo, db):
    job = medical_job()
    without_decisions("梁宇")
    app_row = app_of("梁宇")
    last = round_of(job, "executive")
    with app.test_request_context():
        decisions.decide_round(app_row, last, "advance", "", demo["manager"])
        # Deciding on an earlier round never moves the candidate back.
        decisions.decide_round(app_row, round_of(job, "hr_screen"), "advance", "", demo["manager"])
    _db.session.commit()
    assert app_row.current_round_id == last.id and app_row.status == ApplicationStatus.ACTIVE


def test_a_revision_needs_a_new_rationale_and_keeps_history(app, demo, db):
    job = medical_job()
    without_decisions("钱芳")
    app_row = app_of("钱芳")
    tech = round_of(job, "technical")
    with app.test_request_context():
        decisions.decide_round(app_row, tech, "hold", "Waiting for references.", demo["manager"])
        _db.session.commit()
        _refuse(
            lambda: decisions.decide_round(app_row, tech, "advance", "", demo["manager"]),
            "rationale",
            "A revision needs a new rationale",
        )
        _refuse(
            lambda: decisions.decide_round(
                app_row, tech, "advance", " Waiting for references. ", demo["manager"]
            ),
            "rationale",
            "A revision needs a new rationale",
        )
        decisions.decide_round(app_row, tech, "advance", "References are fine.", demo["manager"])
    _db.session.commit()
    history = decisions.round_history(app_row.id, tech.id)
    assert [d.decision.value for d in history] == ["hold", "advance"]
    assert app_row.status == ApplicationStatus.ACTIVE
    revise = _db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "decision.round.revise")
    )
    assert revise.before["decision"] == "hold" and revise.after["decision"] == "advance"
    assert revise.before["rationale"] == "Waiting for references."


def test_only_the_hiring_manager_or_an_admin_decides(app, demo, db, make_user):
    job = medical_job()
    without_decisions("钱芳")
    app_row = app_of("钱芳")
    tech = round_of(job, "technical")
    manager_as_interviewer = make_user(Role.MANAGER)
    add_member(job, manager_as_interviewer, JobRole.INTERVIEWER, None)
    _db.session.commit()
    with app.test_request_context():
        for user in (demo["hr"], demo["interviewer1"], manager_as_interviewer):
            _refuse(
                lambda u=user: decisions.decide_round(app_row, tech, "advance", "ok", u),
                "decision",
                "Only the job's hiring manager or an admin",
            )
            _refuse(
                lambda u=user: decisions.decide_hire(app_row, "hire", "ok", u),
                "decision",
                "Only the job's hiring manager or an admin",
            )
        decisions.decide_round(app_row, tech, "advance", "", demo["admin"])


def test_bad_decision_values_are_refused(app, demo, db):
    job = medical_job()
    app_row = app_of("钱芳")
    tech = round_of(job, "technical")
    other_round = compare_support.ops_job().rounds[0]
    with app.test_request_context():
        for value in ("promote", "", None, "hire"):
            _refuse(
                lambda v=value: decisions.decide_round(app_row, tech, v, "x", demo["manager"]),
                "decision",
                "Choose advance, hold or reject.",
            )
        _refuse(
            lambda: decisions.decide_round(app_row, other_round, "hold", "x", demo["manager"]),
            "decision",
            "another job",
        )
        _refuse(
            lambda: decisions.decide_hire(app_row, "advance", "x", demo["manager"]),
            "decision",
            "Choose hire or no hire.",
        )
        _refuse(
            lambda: decisions.decide_round(app_row, tech, "hold", "x" * 4001, demo["manager"]),
            "rationale",
            "too long",
        )


def test_hire_decision_always_needs_a_rationale_and_closes(app, demo, db):
    job = medical_job()
    without_decisions("梁宇")
    app_row = app_of("梁宇")
    with app.test_request_context():
        _refuse(
            lambda: decisions.decide_hire(app_row, "hire", "", demo["manager"]),
            "rationale",
            "Give a rationale for the hire decision.",
        )
        row = decisions.decide_hire(app_row, "hire", "Best of the panel.", demo["manager"])
    _db.session.commit()
    assert row.recommendation == "strong_hire"
    assert app_row.status == ApplicationStatus.HIRED and app_row.closed_at is not None
    with app.test_request_context():
        # A hired candidate takes no more round decisions.
        _refuse(
            lambda: decisions.decide_round(
                app_row, round_of(job, "executive"), "reject", "x", demo["manager"]
            ),
            "decision",
            "closed",
        )
        _refuse(
            lambda: decisions.decide_hire(
                app_row, "no_hire", "Best of the panel.", demo["manager"]
            ),
            "rationale",
            "A revision needs a new rationale",
        )
        decisions.decide_hire(app_row, "no_hire", "Offer declined.", demo["manager"])
    _db.session.commit()
    assert app_row.status == ApplicationStatus.REJECTED
    assert [d.decision.value for d in decisions.hire_history(app_row.id)] == ["hire", "no_hire"]
    actions = _db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.action.like("decision.hire%"))
    ).all()
    assert sorted(actions) == ["decision.hire", "decision.hire.revise"]
