"""R13: erasure really erases — a full dump finds none of the candidate's strings afterwards."""

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa

from scorecard.extensions import db as _db
from scorecard.models import (
    Application,
    ApplicationStatus,
    AuditEvent,
    Candidate,
    Rating,
    Scorecard,
    ScorecardSubmission,
    utcnow,
)
from scorecard.services import audit, privacy
from tests.conftest import csrf_from
from tests.web.trust_figures import report
from tests.web.trust_world import build_world, marker, sign_in

PERSONAL_KINDS = (
    "name",
    "email",
    "source",
    "resume",
    "note",
    "takeaway",
    "situation",
    "task",
    "action",
    "result",
    "rationale",
)


def dump_database() -> str:
    """Every row of every table, every column as text (and SQLite's iterdump too)."""
    parts = []
    engine = _db.engine
    with engine.connect() as conn:
        for table in _db.metadata.sorted_tables:
            for row in conn.execute(sa.select(table)):
                parts.append(
                    json.dumps(
                        [table.name, [None if v is None else str(v) for v in row]],
                        ensure_ascii=False,
                    )
                )
        if engine.dialect.name == "sqlite":
            raw = conn.connection.driver_connection
            parts.extend(raw.iterdump())
        else:
            # Tables unknown to the models (e.g. added by a migration only) are dumped too.
            names = conn.exec_driver_sql(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            ).scalars()
            for name in names:
                for row in conn.exec_driver_sql(f'SELECT * FROM "{name}"'):  # noqa: S608
                    parts.append(json.dumps([name, [str(v) for v in row]], ensure_ascii=False))
    return "\n".join(parts)


def _found(dump: str, scope: str) -> list[str]:
    """Marker strings of `scope` present in the dump, raw or as JSON escapes."""
    hits = []
    for kind in PERSONAL_KINDS:
        text = marker(kind, scope)
        if text in dump or text.lower() in dump or json.dumps(text)[1:-1] in dump:
            hits.append(kind)
    return hits


def _ratings(scope_job_id: int) -> tuple[int, list[int | None]]:
    values = _db.session.scalars(
        sa.select(Rating.value)
        .join(Scorecard, Rating.scorecard_id == Scorecard.id)
        .join(Scorecard.interview)
        .join(Application)
        .where(Application.job_id == scope_job_id)
        .order_by(Rating.id)
    ).all()
    return len(values), list(values)


@pytest.fixture
def world(app, db):
    w = build_world(decisions=True)
    # Audit rows that carry the candidate's texts, as other services write them.
    own = w.scopes["own"]
    with app.test_request_context():
        audit.record(
            "candidate.update",
            "candidate",
            own.candidate.id,
            job_id=own.job.id,
            before={"name": "Previous " + marker("name", "own"), "email": "x@example.com"},
            after={"name": own.candidate.name, "note": own.candidate.note},
        )
        audit.record(
            "scorecard.edit",
            "scorecard",
            own.submitted_card.id,
            job_id=own.job.id,
            before={"fields": {"takeaways": "Earlier " + marker("takeaway", "own")}},
            after={"fields": {"takeaways": own.submitted_card.takeaways}, "reason": "typo"},
        )
        audit.record(
            "job.note",
            "job",
            own.job.id,
            job_id=own.job.id,
            after={"comment": f"Talked to {own.candidate.name} about the offer"},
        )
    # A draft of another panel member with texts about the candidate.
    draft = own.draft_card
    draft.takeaways = "Draft thoughts " + marker("takeaway", "own")
    for r in draft.ratings:
        r.note = "Draft " + marker("note", "own")
    db.session.commit()
    return w


def test_erasure_leaves_no_trace_in_a_full_dump(app, client, db, world, request):
    own = world.scopes["own"]
    before_dump = dump_database()
    assert set(_found(before_dump, "own")) == set(PERSONAL_KINDS)  # the check can fail
    n_ratings, values = _ratings(own.job.id)
    n_submissions = db.session.scalar(sa.select(sa.func.count(ScorecardSubmission.id)))

    admin = sign_in(app, world.users["admin"])
    page = admin.get(f"/admin/candidates/{own.candidate.id}")
    assert page.status_code == 200 and marker("name", "own") in page.get_data(as_text=True)
    response = admin.post(
        f"/admin/candidates/{own.candidate.id}/erase",
        data={
            "reason": f"Request of {own.candidate.name} by e-mail",
            "confirm": "y",
            "csrf_token": csrf_from(page.get_data(as_text=True)),
        },
    )
    assert response.status_code == 302
    db.session.expire_all()

    dump = dump_database()
    hits = _found(dump, "own")
    assert hits == [], f"still in the database after erasure: {hits}"
    assert set(_found(dump, "other")) == set(PERSONAL_KINDS)  # nobody else was touched
    assert _ratings(own.job.id) == (n_ratings, values)  # the scores remain
    assert db.session.scalar(sa.select(sa.func.count(ScorecardSubmission.id))) == n_submissions

    cand = db.session.get(Candidate, own.candidate.id)
    assert cand.erased_at is not None and cand.name == f"Erased candidate #{cand.id}"
    assert cand.email is None and cand.phone is None and cand.source is None and cand.note == ""
    (event,) = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "candidate.erase")
    ).all()
    assert event.actor_id == world.users["admin"].id
    assert event.after["reason"] == "Request of [erased] by e-mail"
    assert event.after["ratings_kept"] == sum(v is not None for v in values)
    submitted = db.session.get(Scorecard, own.submitted_card.id)
    assert submitted.overall == 4 and submitted.takeaways == ""
    assert all(r.value is not None and r.note == "" for r in submitted.ratings)
    snap = submitted.submission.snapshot
    assert snap["overall"] == 4 and all(r["note"] == "" for r in snap["ratings"].values())
    report(
        request.config,
        "R13",
        f"R13: after erasure, {len(hits)} of {len(PERSONAL_KINDS)} marker kinds in a full dump "
        f"({len(dump.splitlines())} lines); {n_ratings} of {n_ratings} ratings kept",
    )

    again = admin.post(
        f"/admin/candidates/{own.candidate.id}/erase",
        data={"reason": "twice", "confirm": "y", "csrf_token": csrf_from(page.get_data(True))},
    )
    assert again.status_code in (302, 400)


@pytest.mark.parametrize(
    ("data", "message"),
    [({"reason": "", "confirm": "y"}, "This field is required"), ({"reason": "x"}, "Tick the box")],
)
def test_erasure_needs_a_reason_and_a_confirmation(app, client, db, world, data, message):
    own = world.scopes["own"]
    admin = sign_in(app, world.users["admin"])
    page = admin.get(f"/admin/candidates/{own.candidate.id}")
    response = admin.post(
        f"/admin/candidates/{own.candidate.id}/erase",
        data={**data, "csrf_token": csrf_from(page.get_data(as_text=True))},
    )
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert db.session.get(Candidate, own.candidate.id).erased_at is None


def test_erasure_is_admin_only(app, client, db, world):
    own = world.scopes["own"]
    for actor in ("hr", "manager"):
        c = sign_in(app, world.users[actor])
        token = csrf_from(c.get("/settings").get_data(as_text=True))
        response = c.post(
            f"/admin/candidates/{own.candidate.id}/erase",
            data={"reason": "x", "confirm": "y", "csrf_token": token},
        )
        assert response.status_code == 404
    assert db.session.get(Candidate, own.candidate.id).erased_at is None


def test_candidate_search(app, client, db, world):
    admin = sign_in(app, world.users["admin"])
    html = admin.get("/admin/candidates?q=" + marker("email", "own").lower()).get_data(True)
    assert marker("name", "own") in html and marker("name", "other") not in html
    assert admin.get("/admin/candidates?q=" + "x" * 300).status_code == 200


def test_scrubbing_keeps_json_valid_for_awkward_needles(app, db):
    values = {"a": 'say "hi"\\n and \\u4e2d', "b": ["x\\y", {"c": "tab\there"}], "n": 3}
    needles = privacy.needles_from(['"hi"', "\\", "tab\t", "中"])
    scrubbed = privacy._scrub_json(values, needles)
    assert json.loads(json.dumps(scrubbed)) == scrubbed
    assert scrubbed["n"] == 3 and '"hi"' not in scrubbed["a"]


# --- retention ------------------------------------------------------------------------------


def _close(application: Application, days_ago: int) -> None:
    application.status = ApplicationStatus.REJECTED
    application.closed_at = utcnow() - timedelta(days=days_ago)


def test_retention_erases_only_what_is_due(app, db, world, request):
    own, other = world.scopes["own"], world.scopes["other"]
    own.job.retention_days = 30
    other.job.retention_days = 30
    _close(own.application, 31)  # due
    _close(other.application, 10)  # closed, not yet due
    db.session.commit()

    runner = app.test_cli_runner()
    dry = runner.invoke(args=["apply-retention", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert f"would erase candidate #{own.candidate.id}" in dry.output
    assert "1 candidate(s) due; nothing changed" in dry.output
    assert marker("name", "own") not in dry.output
    db.session.expire_all()
    assert db.session.get(Candidate, own.candidate.id).erased_at is None

    done = runner.invoke(args=["apply-retention"])
    assert done.exit_code == 0, done.output
    assert f"erased candidate #{own.candidate.id}" in done.output
    assert "1 candidate(s) erased." in done.output
    db.session.expire_all()
    assert db.session.get(Candidate, own.candidate.id).erased_at is not None
    assert db.session.get(Candidate, other.candidate.id).erased_at is None
    assert _found(dump_database(), "own") == []
    again = runner.invoke(args=["apply-retention"])
    assert "0 candidate(s) erased." in again.output
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "candidate.erase")
    ).one()
    assert event.actor_id is None and event.after["reason"].startswith("retention: 30 days")


def test_retention_keeps_open_applications_and_jobs_without_a_setting(app, db, world):
    own, other = world.scopes["own"], world.scopes["other"]
    _close(own.application, 400)  # closed long ago, but its job keeps candidates
    own.job.retention_days = None
    other.job.retention_days = 1  # open application: never due
    # The own candidate also applied to the other job, still open: keep them whole.
    db.session.add(Application(candidate=own.candidate, job=other.job))
    db.session.commit()
    assert privacy.due_for_retention() == []
    own.job.retention_days = 30
    db.session.commit()
    assert privacy.due_for_retention() == []  # the second application is still open


def test_retention_page_sets_days_and_lists_what_is_due(app, client, db, world):
    own = world.scopes["own"]
    _close(own.application, 100)
    db.session.commit()
    admin = sign_in(app, world.users["admin"])
    page = admin.get("/admin/retention")
    assert page.status_code == 200 and "Nothing is due." in page.get_data(as_text=True)
    token = csrf_from(page.get_data(as_text=True))
    bad = admin.post(
        f"/admin/jobs/{own.job.id}/retention",
        data={f"job{own.job.id}-retention_days": "-5", f"job{own.job.id}-csrf_token": token},
    )
    assert bad.status_code == 400 and "Number must be between" in bad.get_data(as_text=True)
    ok = admin.post(
        f"/admin/jobs/{own.job.id}/retention",
        data={f"job{own.job.id}-retention_days": "90", f"job{own.job.id}-csrf_token": token},
    )
    assert ok.status_code == 302
    db.session.expire_all()
    assert own.job.retention_days == 90
    html = admin.get("/admin/retention").get_data(as_text=True)
    assert f"/admin/candidates/{own.candidate.id}" in html
    assert marker("name", "own") not in html  # the list names ids, not people
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "job.retention")
    ).one()
    assert event.before == {"retention_days": None} and event.after == {"retention_days": 90}
    cleared = admin.post(
        f"/admin/jobs/{own.job.id}/retention",
        data={f"job{own.job.id}-retention_days": "", f"job{own.job.id}-csrf_token": token},
    )
    assert cleared.status_code == 302
    db.session.expire_all()
    assert own.job.retention_days is None
