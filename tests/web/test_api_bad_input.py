"""Bad input to the API: the error shape with a clear message, and nothing stored."""

import pytest
import sqlalchemy as sa

from scorecard.extensions import db as _db
from scorecard.models import AuditEvent, HireDecision, Rating, RoundDecision, Scorecard
from tests.conftest import count_rows
from tests.web.api_support import assert_error, make_api


@pytest.fixture
def api(client):
    return make_api(client)


ME = "interviewer_panel"


def _stored() -> tuple:
    _db.session.expire_all()
    return (
        count_rows(RoundDecision),
        count_rows(HireDecision),
        _db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action.not_like("api_token.%"))
        ),
        tuple(
            _db.session.execute(
                sa.select(
                    Rating.scorecard_id, Rating.criterion_id, Rating.value, Rating.note
                ).order_by(Rating.id)
            ).all()
        ),
        tuple(_db.session.execute(sa.select(Scorecard.id, Scorecard.lock_version)).all()),
    )


def test_malformed_json_and_non_objects_are_400(api):
    card = api.world.scopes["own"].draft_card
    before = _stored()
    for data in (b"{", b"{'a': 1}", b"", b"\xff\xfe", b"[1, 2]", b'"text"', b"null", b"1e999x"):
        response = api.call(
            ME,
            "PATCH",
            f"/scorecards/{card.id}",
            data=data,
            headers={"Content-Type": "application/json"},
        )
        error = assert_error(response, 400, "bad_json", None)
        assert "JSON" in error["message"]
    lone_surrogate = b'{"lock_version": 1, "changes": {"takeaways": "\\ud800"}}'
    response = api.call(
        ME, "PATCH", f"/scorecards/{card.id}", data=lone_surrogate, content_type="application/json"
    )
    assert_error(response, 400, "bad_json")
    assert _stored() == before


def test_wrong_types_and_unknown_fields_are_422_naming_the_field(api):
    own = api.world.scopes["own"]
    card = own.draft_card
    before = _stored()
    cases = [
        ({"lock_version": "1", "changes": {"overall": 3}}, "lock_version", "whole number"),
        ({"lock_version": 1.5, "changes": {"overall": 3}}, "lock_version", "whole number"),
        ({"lock_version": True, "changes": {"overall": 3}}, "lock_version", "whole number"),
        ({"lock_version": 1}, "changes", "required"),
        ({"lock_version": 1, "changes": {}}, "changes", "at least 1"),
        ({"lock_version": 1, "changes": {"overall": 3}, "extra": 1}, "extra", "Unknown field"),
        ({"lock_version": 1, "changes": {"nonsense": 3}}, "changes.nonsense", "wrong format"),
        ({"lock_version": 1, "changes": {"overall": 3.0}}, "changes.overall", None),
        ({"lock_version": 1, "changes": {"overall": [3]}}, "changes.overall", None),
        ({"lock_version": 1, "changes": "overall=3"}, "changes", "JSON object"),
    ]
    for body, field, words in cases:
        error = assert_error(api.call(ME, "PATCH", f"/scorecards/{card.id}", json=body), 422)
        assert error["code"] == "invalid"
        assert error["field"] == field, (body, error)
        assert field in error["message"]
        if words:
            assert words in error["message"], error["message"]
        assert error["problems"] and error["problems"][0]["field"] == field
    assert _stored() == before


def test_decision_bodies_are_checked(api):
    own = api.world.scopes["own"]
    path = f"/applications/{own.application.id}/rounds/{own.interview.round_id}/decision"
    before = _stored()
    for body, field in (
        ({"decision": "promote", "rationale": "x"}, "decision"),
        ({"decision": "advance", "rationale": 5}, "rationale"),
        ({"decision": "advance", "rationale": "x" * 4001}, "rationale"),
        ({"rationale": "x"}, "decision"),
        ({"decision": "advance", "rationale": "ok", "by": "me"}, "by"),
    ):
        error = assert_error(api.call("manager", "POST", path, json=body), 422, "invalid")
        assert error["field"] == field, (body, error)
    # A valid shape the service refuses: a revision must say what changed (same rationale).
    same = {"decision": "advance", "rationale": own.round_decision.rationale}
    assert_error(api.call("manager", "POST", path, json=same), 422, field="rationale")
    assert _stored() == before


def test_ids_of_other_jobs_are_404(api):
    own, other = api.world.scopes["own"], api.world.scopes["other"]
    before = _stored()
    # A round of another job under this application.
    mixed = f"/applications/{own.application.id}/rounds/{other.interview.round_id}"
    assert_error(api.get("manager", f"{mixed}/recommendation"), 404, "not_found")
    response = api.call(
        "manager", "POST", f"{mixed}/decision", json={"decision": "hold", "rationale": "x"}
    )
    assert_error(response, 404, "not_found")
    # The other job's application, interview, scorecard: not the caller's to see.
    for path in (
        f"/applications/{other.application.id}/recommendation",
        f"/interviews/{other.interview.id}/scorecards",
        f"/scorecards/{other.submitted_card.id}",
        f"/jobs/{other.job.id}/calibration",
    ):
        assert_error(api.get("manager", path), 404, "not_found")
    response = api.call(
        "manager",
        "POST",
        f"/applications/{other.application.id}/hire-decision",
        json={"decision": "hire", "rationale": "x"},
    )
    assert_error(response, 404, "not_found")
    assert _stored() == before


def test_pagination_and_query_limits(api):
    error = assert_error(api.get("admin", "/jobs?per_page=10000"), 422, "invalid", "per_page")
    assert "500" in error["message"] and "per_page" in error["message"]
    assert_error(api.get("admin", "/jobs?per_page=0"), 422, field="per_page")
    assert_error(api.get("admin", "/jobs?page=0"), 422, field="page")
    assert_error(api.get("admin", "/jobs?page=abc"), 422, field="page")
    assert_error(api.get("admin", "/jobs?status=maybe"), 422, field="status")
    assert_error(api.get("admin", "/jobs?sort=name"), 422, field="sort")
    error = assert_error(api.get("admin", "/jobs?updated_since=yesterday"), 422)
    assert error["field"] == "updated_since" and "ISO 8601" in error["message"]
    assert_error(api.get("admin", "/jobs?updated_since=0001-01-01T00:00:00%2B05:00"), 422)
    page = api.ok("admin", "/jobs?per_page=1&page=2")
    assert page["total"] == 2 and len(page["items"]) == 1 and page["per_page"] == 1
    assert api.ok("admin", "/jobs?per_page=1&page=3")["items"] == []
    assert api.ok("admin", "/jobs?updated_since=2999-01-01T00:00:00Z")["total"] == 0
    assert api.ok("admin", "/jobs?updated_since=2000-01-01T00:00:00")["total"] == 2


def test_unknown_urls_methods_and_huge_ids(api):
    assert_error(api.get("admin", "/nothing-here"), 404, "not_found")
    assert_error(api.get("admin", "/jobs/99999999999"), 404, "not_found")
    assert_error(api.get("admin", "/jobs/2147483648"), 404, "not_found")
    assert_error(api.get("admin", "/jobs/0"), 404, "not_found")
    assert_error(api.get("admin", "/jobs/-1"), 404, "not_found")
    assert_error(api.call("admin", "DELETE", "/jobs"), 405, "method_not_allowed")


def test_messages_follow_the_users_language(api):
    """The token user's language, else Accept-Language (catalogued messages shown here)."""
    card = api.world.scopes["own"].draft_card
    crit = card.version.criteria[0].id
    api.world.users[ME].locale = "zh_CN"
    _db.session.commit()
    body = {"lock_version": card.lock_version, "changes": {f"rating.{crit}.value": 5}}
    error = assert_error(api.call(ME, "PATCH", f"/scorecards/{card.id}", json=body), 422)
    assert error["message"] == "评分须为 1 到 4，或选择“未评估”。"
    unknown = api.get(None, "/no-such-thing", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert assert_error(unknown, 404, "not_found")["message"] == "该页面不存在，或您无权查看。"
