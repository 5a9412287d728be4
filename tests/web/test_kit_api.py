"""The kit's JSON endpoints: autosave with lock_version, submit once, edit with a reason."""

import pytest
import sqlalchemy as sa

from scorecard.models import (
    AuditEvent,
    Criterion,
    Interview,
    InterviewStatus,
    Question,
    Rating,
    RedFlag,
    Scorecard,
    ScorecardStatus,
    ScorecardSubmission,
    scorecard_red_flags,
)
from scorecard.services import scorecards as service
from scorecard.services.scorecards import submission as submission_service
from tests.web import kit_support
from tests.web.kit_support import Kit, card, card_of, complete, sign_in, zheng_draft

demo = kit_support.demo
kit1 = kit_support.kit1


def test_autosave_stores_every_kind_of_field_and_bumps_the_lock(kit1: Kit, db):
    draft = card(kit1.card_id)
    crit = draft.version.criteria[4]
    star_q = next(q for q in draft.version.questions if q.star)
    flag = draft.interview.application.job.red_flags[1]
    before = draft.lock_version
    changes = {
        f"rating.{crit.id}.value": 4,
        f"rating.{crit.id}.note": "带过两次数据迁移，回滚演练完整。",
        f"star.{star_q.id}.situation": "三甲医院门诊上线",
        f"star.{star_q.id}.result": "提前两周上线，满意度95%",
        f"flag.{flag.id}": True,
        "takeaways": "Strong on migrations.",
        "overall": 3,
    }
    response = kit1.save(changes, lock=before)
    assert response.status_code == 200
    assert response.get_json()["lock_version"] == before + 1
    state = kit1.state()
    assert state["lock_version"] == before + 1
    for key, value in changes.items():
        assert state["fields"][key] == value, key
    assert state["fields"][f"star.{star_q.id}.task"] == ""
    # Unticking removes the row; "not assessed" is stored as NULL.
    kit1.save({f"flag.{flag.id}": False, f"rating.{crit.id}.value": None})
    state = kit1.state()
    assert state["fields"][f"flag.{flag.id}"] is False
    assert state["fields"][f"rating.{crit.id}.value"] is None
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).where(scorecard_red_flags.c.scorecard_id == kit1.card_id)
        )
        == 0
    )


def test_a_stale_lock_version_is_a_conflict_with_the_server_state(kit1: Kit):
    draft = card(kit1.card_id)
    crit = draft.version.criteria[5]
    lock = draft.lock_version
    assert kit1.save({f"rating.{crit.id}.value": 3}, lock=lock).status_code == 200
    stale = kit1.save({f"rating.{crit.id}.value": 1}, lock=lock)
    assert stale.status_code == 409
    error = stale.get_json()["error"]
    assert error["code"] == "conflict"
    assert error["message"]
    assert error["state"]["lock_version"] == lock + 1
    assert error["state"]["fields"][f"rating.{crit.id}.value"] == 3
    assert card(kit1.card_id).lock_version == lock + 1
    assert kit1.state()["fields"][f"rating.{crit.id}.value"] == 3


def _other_version_criterion(draft: Scorecard) -> int:
    """A criterion of another round of the same job."""
    other_round = next(
        r for r in draft.interview.application.job.rounds if r.id != draft.interview.round_id
    )
    return other_round.current_version.criteria[0].id


BAD = [
    ("rating_5", lambda d: {f"rating.{d.version.criteria[0].id}.value": 5}, 422, "value"),
    ("rating_0", lambda d: {f"rating.{d.version.criteria[0].id}.value": 0}, 422, "value"),
    ("rating_str", lambda d: {f"rating.{d.version.criteria[0].id}.value": "3"}, 422, "value"),
    ("rating_bool", lambda d: {f"rating.{d.version.criteria[0].id}.value": True}, 422, "value"),
    ("rating_float", lambda d: {f"rating.{d.version.criteria[0].id}.value": 2.5}, 422, "value"),
    (
        "note_too_long",
        lambda d: {f"rating.{d.version.criteria[0].id}.note": "x" * 5001},
        422,
        "note",
    ),
    ("note_not_text", lambda d: {f"rating.{d.version.criteria[0].id}.note": ["x"]}, 422, "note"),
    ("note_nul", lambda d: {f"rating.{d.version.criteria[0].id}.note": "a\x00b"}, 422, "note"),
    ("takeaways_too_long", lambda d: {"takeaways": "长" * 5001}, 422, "takeaways"),
    ("overall_9", lambda d: {"overall": 9}, 422, "overall"),
    ("other_round", lambda d: {f"rating.{_other_version_criterion(d)}.value": 3}, 422, "value"),
    ("no_such_criterion", lambda d: {"rating.999999.value": 3}, 422, "value"),
    ("unknown_field", lambda d: {"interviewer_id": 3}, 422, "interviewer_id"),
    ("superscript_digit_key", lambda d: {"rating.\u00b2.value": 3}, 422, None),
    (
        "flag_not_bool",
        lambda d: {f"flag.{d.interview.application.job.red_flags[0].id}": 1},
        422,
        "flag",
    ),
    ("flag_other_job", lambda d: {"flag.999999": True}, 422, "flag"),
    (
        "star_on_plain_question",
        lambda d: {f"star.{next(q for q in d.version.questions if not q.star).id}.situation": "x"},
        422,
        "star",
    ),
    ("star_bad_part", lambda d: {f"star.{d.version.questions[0].id}.outcome": "x"}, 422, "star"),
    ("empty", lambda d: {}, 422, None),
    ("not_a_map", lambda d: ["overall", 3], 422, None),
]


def test_bad_input_is_refused_with_a_clear_error_and_nothing_stored(kit1: Kit):
    draft = card(kit1.card_id)
    good = f"rating.{draft.version.criteria[1].id}.note"
    for name, make, status, field_part in BAD:
        lock = card(kit1.card_id).lock_version
        changes = make(card(kit1.card_id))
        if isinstance(changes, dict) and changes:
            changes = {good: "must not be stored", **changes}  # one bad field spoils it all
        response = kit1.save(changes, lock=lock)
        assert response.status_code == status, (name, response.get_data(as_text=True))
        error = response.get_json()["error"]
        assert set(error) >= {"code", "message", "field"}, name
        assert error["code"] == "invalid", name
        assert error["message"] and "Traceback" not in error["message"], name
        if field_part:
            assert field_part in (error["field"] or ""), (name, error)
        assert card(kit1.card_id).lock_version == lock, name
        assert kit1.state()["fields"].get(good, "") != "must not be stored", name


def test_bad_json_and_missing_lock_version(kit1: Kit):
    response = kit1.client.post(
        f"/kit/{kit1.card_id}/save",
        data="{not json",
        headers={"X-CSRFToken": kit1.token, "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_request"
    response = kit1.post("save", {"changes": {"overall": 3}})
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == "lock_version"
    response = kit1.post("save", {"lock_version": True, "changes": {"overall": 3}})
    assert response.status_code == 422


def test_messages_are_translated(kit1: Kit):
    kit1.client.post(
        "/language", data={"lang": "zh_CN", "csrf_token": kit1.token}, follow_redirects=False
    )
    response = kit1.save({"overall": 7})
    message = response.get_json()["error"]["message"]
    assert response.status_code == 422
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message


def test_another_interviewers_scorecard_is_404_everywhere(kit1: Kit):
    theirs = card_of("interviewer2", "郑洁", "technical")
    lock = theirs.lock_version
    assert kit1.client.get(f"/kit/{theirs.id}").status_code == 404
    for action, body in (
        ("save", {"lock_version": lock, "changes": {"overall": 1}}),
        ("submit", {"submission_key": "abcdefgh12345"}),
        ("edit", {"lock_version": lock, "changes": {"overall": 1}, "reason": "x"}),
    ):
        response = kit1.post(action, body, card_id=theirs.id)
        assert response.status_code == 404, action
        assert response.get_json()["error"]["code"] == "not_found"
    state = kit1.client.get(f"/kit/{theirs.id}/state", headers={"Accept": "application/json"})
    assert state.status_code == 404
    assert kit1.client.get("/kit/987654").status_code == 404
    assert card(theirs.id).lock_version == lock


def test_signed_out_json_is_401_not_a_redirect(client, demo):
    draft = zheng_draft()
    response = client.get(f"/kit/{draft.id}/state", headers={"Accept": "application/json"})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "signed_out"
    assert client.get(f"/kit/{draft.id}").status_code == 302  # the page asks to sign in


def test_cancelled_interview_refuses_saves_and_submit(client, demo, db):
    cancelled = db.session.scalar(
        sa.select(Scorecard)
        .join(Interview, Scorecard.interview_id == Interview.id)
        .where(Interview.status == InterviewStatus.CANCELLED)
    )
    owner = cancelled.interviewer.email
    token = sign_in(client, owner)
    kit = Kit(client, token, cancelled.id)
    lock = cancelled.lock_version
    response = kit.save({"takeaways": "late note"}, lock=lock)
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "cancelled"
    complete_changes = {f"rating.{c.id}.value": 3 for c in cancelled.version.criteria}
    response = kit.submit("cancelled-key-1", lock=lock)
    assert response.status_code == 409, complete_changes
    assert response.get_json()["error"]["code"] == "cancelled"
    assert "cancelled" in response.get_json()["error"]["message"]
    assert card(cancelled.id).status == ScorecardStatus.DRAFT
    assert (
        db.session.scalar(
            sa.select(ScorecardSubmission).where(ScorecardSubmission.scorecard_id == cancelled.id)
        )
        is None
    )
    page = client.get(f"/kit/{cancelled.id}")
    assert page.status_code == 200
    assert 'data-mode="cancelled"' in page.text


def test_submit_points_at_every_missing_item(kit1: Kit, db):
    draft = card(kit1.card_id)
    must = [c for c in draft.version.criteria if c.must_have]
    plain = [c for c in draft.version.criteria if not c.must_have]
    # Clear everything, then leave a 1 and a 4 without notes.
    changes = {f"rating.{c.id}.value": None for c in draft.version.criteria}
    changes.update({f"rating.{c.id}.note": "" for c in draft.version.criteria})
    changes.update({f"rating.{plain[0].id}.value": 1, f"rating.{plain[1].id}.value": 4})
    changes["overall"] = None
    assert kit1.save(changes).status_code == 200
    response = kit1.submit("missing-key-01")
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "incomplete"
    fields = [p["field"] for p in error["problems"]]
    expected = [f"rating.{c.id}.value" for c in must] + [
        f"rating.{plain[0].id}.note",
        f"rating.{plain[1].id}.note",
        "overall",
    ]
    assert sorted(fields) == sorted(expected)
    assert all(p["message"] for p in error["problems"])
    assert card(kit1.card_id).status == ScorecardStatus.DRAFT
    assert (
        db.session.scalar(
            sa.select(ScorecardSubmission).where(ScorecardSubmission.scorecard_id == kit1.card_id)
        )
        is None
    )


def test_submit_once_however_often_it_is_sent(kit1: Kit, db):
    draft = card(kit1.card_id)
    complete(kit1, draft)
    lock = card(kit1.card_id).lock_version
    first = kit1.submit("double-key-0001", lock=lock)
    assert first.status_code == 200, first.get_json()
    again = kit1.submit("double-key-0001", lock=lock)  # the retry of a timed-out request
    other = kit1.submit("double-key-0002")  # a second click on a fresh page
    assert again.status_code == other.status_code == 200
    ids = {r.get_json()["submission"]["id"] for r in (first, again, other)}
    assert len(ids) == 1
    rows = db.session.scalars(
        sa.select(ScorecardSubmission).where(ScorecardSubmission.scorecard_id == kit1.card_id)
    ).all()
    assert len(rows) == 1
    assert rows[0].submission_key == "double-key-0001"
    assert rows[0].snapshot["overall"] == 3
    submitted = card(kit1.card_id)
    assert submitted.status == ScorecardStatus.SUBMITTED and submitted.submitted_at
    audits = db.session.scalars(
        sa.select(AuditEvent).where(
            AuditEvent.action == "scorecard.submit", AuditEvent.object_id == kit1.card_id
        )
    ).all()
    assert len(audits) == 1
    # Autosave on a submitted scorecard is refused: edits need a reason.
    response = kit1.save({"overall": 4})
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "submitted"


def test_a_racing_duplicate_insert_returns_the_winner_not_a_500(kit1: Kit, db, monkeypatch):
    """Both requests passed the 'already submitted?' check: the unique constraint decides."""
    draft = card(kit1.card_id)
    complete(kit1, draft)
    first = kit1.submit("race-key-00001")
    assert first.status_code == 200
    db.session.commit()
    # Make the service blind to the existing row, as a request that read before the
    # winner committed would be; the draft status is forced back too.
    db.session.execute(
        sa.update(Scorecard).where(Scorecard.id == kit1.card_id).values(status="draft")
    )
    db.session.commit()
    real = submission_service.existing_submission
    calls = {"n": 0}

    def blind_once(card_id):
        calls["n"] += 1
        return None if calls["n"] == 1 else real(card_id)

    monkeypatch.setattr(submission_service, "existing_submission", blind_once)
    second = kit1.submit("race-key-00002")
    assert second.status_code == 200, second.get_data(as_text=True)
    assert second.get_json()["submission"]["submission_key"] == "race-key-00001"
    count = db.session.scalar(
        sa.select(sa.func.count()).where(ScorecardSubmission.scorecard_id == kit1.card_id)
    )
    assert count == 1


def test_submission_key_must_be_valid(kit1: Kit):
    complete(kit1, card(kit1.card_id))
    for key in (None, "short", "x" * 65, "bad key with spaces", 12345678):
        response = kit1.post("submit", {"submission_key": key})
        assert response.status_code == 422, key
        assert response.get_json()["error"]["field"] == "submission_key"
    assert card(kit1.card_id).status == ScorecardStatus.DRAFT


def test_edit_after_submit_needs_the_author_and_a_reason_and_is_audited(kit1: Kit, db):
    draft = card(kit1.card_id)
    complete(kit1, draft)
    assert kit1.submit("edit-key-000001").status_code == 200
    submitted = card(kit1.card_id)
    crit = submitted.version.criteria[2]
    lock = submitted.lock_version
    snapshot_before = dict(submitted.submission.snapshot)

    no_reason = kit1.post("edit", {"lock_version": lock, "changes": {"overall": 4}, "reason": " "})
    assert no_reason.status_code == 422
    assert no_reason.get_json()["error"]["field"] == "reason"
    assert card(kit1.card_id).overall == 3

    incomplete = kit1.post(
        "edit", {"lock_version": lock, "changes": {"overall": None}, "reason": "oops"}
    )
    assert incomplete.status_code == 422
    assert incomplete.get_json()["error"]["code"] == "incomplete"
    assert card(kit1.card_id).overall == 3

    changes = {f"rating.{crit.id}.value": 4, f"rating.{crit.id}.note": "Re-read my notes."}
    response = kit1.post(
        "edit", {"lock_version": lock, "changes": changes, "reason": "Typo in my rating"}
    )
    assert response.status_code == 200, response.get_json()
    edited = card(kit1.card_id)
    assert edited.edited_at is not None
    assert edited.status == ScorecardStatus.SUBMITTED
    event = db.session.scalar(
        sa.select(AuditEvent).where(
            AuditEvent.action == "scorecard.edit", AuditEvent.object_id == kit1.card_id
        )
    )
    assert event.before["fields"][f"rating.{crit.id}.value"] == 3
    assert event.after["fields"][f"rating.{crit.id}.value"] == 4
    assert event.after["reason"] == "Typo in my rating"
    assert event.actor_id == edited.interviewer_id
    # The engine keeps scoring the first submission.
    assert edited.submission.snapshot == snapshot_before
    # A stale second edit is a conflict.
    stale = kit1.post("edit", {"lock_version": lock, "changes": {"overall": 2}, "reason": "x"})
    assert stale.status_code == 409
    page = kit1.client.get(f"/kit/{kit1.card_id}").text
    assert 'id="kit-edited"' in page


def test_edit_of_a_draft_is_refused(kit1: Kit):
    lock = card(kit1.card_id).lock_version
    response = kit1.post("edit", {"lock_version": lock, "changes": {"overall": 2}, "reason": "x"})
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "draft"


def test_set_rating_keeps_working_for_seeding(kit1: Kit, db):
    draft = card(kit1.card_id)
    crit = draft.version.criteria[0]
    rating = service.set_rating(draft, crit.id, 2, "seeded")
    db.session.commit()
    assert (rating.value, rating.note) == (2, "seeded")
    with pytest.raises(service.InvalidField):
        service.set_rating(draft, crit.id, 5)
    db.session.rollback()
    other = db.session.scalar(
        sa.select(Criterion.id).where(Criterion.version_id != draft.version_id)
    )
    with pytest.raises(service.InvalidField):
        service.set_rating(draft, other, 3)
    db.session.rollback()
    assert (
        db.session.scalar(
            sa.select(Rating.value).where(
                Rating.scorecard_id == draft.id, Rating.criterion_id == crit.id
            )
        )
        == 2
    )
    assert db.session.scalar(sa.select(sa.func.count(Question.id))) > 0
    assert db.session.scalar(sa.select(sa.func.count(RedFlag.id))) > 0
