"""Command-line tools: create-user, seed-demo (idempotent)."""

import sqlalchemy as sa

from scorecard.models import (
    Application,
    Interview,
    Job,
    Role,
    Scorecard,
    ScorecardStatus,
    ScorecardSubmission,
    User,
)


def test_create_user_with_password_file(app, db, tmp_path):
    secret = tmp_path / "pw"
    secret.write_text("a long enough password\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(
        args=["create-user", "New@Example.test", "--role", "hr", "--password-file", str(secret)]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.email == "new@example.test"))
    assert user.role == Role.HR and user.check_password("a long enough password")


def test_create_user_unknown_role_is_one_line_and_exit_2(app, db):
    result = app.test_cli_runner().invoke(
        args=["create-user", "x@example.test", "--role", "boss"], input="whatever-password\n"
    )
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0
    assert "unknown role 'boss'" in result.output
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def test_create_user_short_password_and_duplicate(app, db):
    runner = app.test_cli_runner()
    short = runner.invoke(args=["create-user", "a@example.test", "--role", "hr"], input="short\n")
    assert short.exit_code == 2 and "12 to 128" in short.output
    ok = runner.invoke(
        args=["create-user", "a@example.test", "--role", "hr"], input="twelve chars ok\n"
    )
    assert ok.exit_code == 0, ok.output
    dup = runner.invoke(
        args=["create-user", "A@example.test", "--role", "admin"], input="twelve chars ok\n"
    )
    assert dup.exit_code == 2 and "already exists" in dup.output


def _counts(db) -> tuple[int, ...]:
    return tuple(
        db.session.scalar(sa.select(sa.func.count()).select_from(m))
        for m in (User, Job, Application, Interview, Scorecard, ScorecardSubmission)
    )


def test_seed_demo_is_complete_and_idempotent(app, db):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "interviewer4@demo.test" in first.output and "scorecard-demo" in first.output
    counts = _counts(db)
    assert counts[0] == 7 and counts[1] == 2 and counts[2] >= 12
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0 and "already present" in second.output
    assert _counts(db) == counts


def test_demo_has_todays_interview_for_interviewer1_with_a_submitted_colleague(app, db):
    from scorecard.seed.demo import seed_demo
    from scorecard.timeutil import today_bounds_utc

    with app.test_request_context():
        seed_demo(lambda _m: None)
        db.session.commit()
        start, end = today_bounds_utc()
    iv1 = db.session.scalar(sa.select(User).where(User.email == "interviewer1@demo.test"))
    todays = db.session.scalars(
        sa.select(Scorecard)
        .join(Interview)
        .where(
            Scorecard.interviewer_id == iv1.id,
            Interview.starts_at >= start,
            Interview.starts_at < end,
            Scorecard.status == ScorecardStatus.DRAFT,
        )
    ).all()
    assert todays, "interviewer1 needs a draft scorecard today"
    colleagues = [c for c in todays[0].interview.scorecards if c.interviewer_id != iv1.id]
    assert any(
        c.status == ScorecardStatus.SUBMITTED and any(r.note for r in c.ratings) for c in colleagues
    )
    job2 = db.session.scalar(
        sa.select(Job).where(Job.title_en == "Hospital IT Operations Engineer")
    )
    assert "interviewer4@demo.test" not in {m.user.email for m in job2.members}


CASE_A = {
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
        {
            "interviewer": "u1",
            "round": "tech",
            "overall": 4,
            "ratings": {
                "coding": {"value": 4, "note": "tuned a slow query"},
                "design": {"value": 3},
            },
        },
        {
            "interviewer": "u2",
            "round": "tech",
            "overall": 3,
            "ratings": {"coding": {"value": 3}, "design": {"value": 3}},
        },
        {
            "interviewer": "u3",
            "round": "values",
            "overall": 3,
            "ratings": {"collaboration": {"value": 3}, "integrity": {"value": 3}},
        },
        {
            "interviewer": "u4",
            "round": "values",
            "overall": 3,
            "ratings": {"collaboration": {"value": 4, "note": "calm"}, "integrity": {"value": 3}},
        },
    ],
}


def test_flask_recommend_prints_the_contract(app, tmp_path):
    import json

    path = tmp_path / "case.json"
    path.write_text(json.dumps(CASE_A), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["recommend", str(path)])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert (out["recommendation"], out["score"], out["confidence"]) == ("hire", 3.2917, "high")
    from_stdin = app.test_cli_runner().invoke(args=["recommend", "-"], input=json.dumps(CASE_A))
    assert json.loads(from_stdin.output) == out


def test_flask_recommend_refuses_malformed_input_with_one_line(app, tmp_path):
    import copy
    import json

    bad = copy.deepcopy(CASE_A)
    bad["scorecards"][0]["ratings"]["coding"]["value"] = 5
    for document, field in (
        (bad, "scorecards[0].ratings.coding.value"),
        ({"scorecards": []}, "rounds"),
        ("{not json", "document"),
    ):
        text = document if isinstance(document, str) else json.dumps(document)
        result = app.test_cli_runner().invoke(args=["recommend", "-"], input=text)
        assert result.exit_code == 2
        assert result.output.startswith(f"error: {field}")
        assert result.output.count("\n") == 1 and "Traceback" not in result.output
    missing = app.test_cli_runner().invoke(args=["recommend", str(tmp_path / "nope.json")])
    assert missing.exit_code == 2 and "cannot read" in missing.output


def test_flask_agreement_contract_and_errors(app):
    import json

    ratings = [
        {"candidate": f"c{c}", "interviewer": f"u{i}", "criterion": "sql", "value": 1 + (c + i) % 4}
        for c in range(6)
        for i in range(3)
    ]
    result = app.test_cli_runner().invoke(
        args=["agreement", "-"], input=json.dumps({"ratings": ratings})
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["candidates"] == 6 and out["sufficient"] is False and "sql" in out["alpha"]
    bad = app.test_cli_runner().invoke(
        args=["agreement", "-"], input=json.dumps({"ratings": [{"candidate": "c"}]})
    )
    assert bad.exit_code == 2 and bad.output.startswith("error: ratings[0]")
