"""The round summary page and the decision forms on it (and on the hire decision page)."""

import re

import sqlalchemy as sa

from scorecard.extensions import db as _db
from scorecard.models import (
    ApplicationStatus,
    AuditEvent,
    Interview,
    Rating,
    RoundDecision,
    Scorecard,
)
from scorecard.services import scorecards as card_service
from tests.web import compare_support
from tests.web.compare_support import (
    alerts,
    app_of,
    medical_job,
    ops_job,
    page_token,
    put_on_panel,
    round_of,
    sign_in,
    without_decisions,
)

demo = compare_support.demo  # the fixture


def _url(app_row, rnd) -> str:
    return f"/applications/{app_row.id}/rounds/{rnd.id}"


def test_manager_sees_the_grid_the_disagreement_and_the_reasons(client, demo, db):
    job = medical_job()
    fc, tech = app_of("冯超"), round_of(job, "technical")
    sign_in(client, demo["manager"])
    response = client.get(_url(fc, tech))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    # Criteria × interviewers, from the submitted snapshot.
    assert html.count('class="interviewer"') == 2
    assert "张伟 Zhang Wei" in html and "刘洋 Liu Yang" in html
    assert html.count("<tr class=") >= len(tech.current_version.criteria)
    row = html[html.index('data-key="technical:integration"') :]
    row = row[: row.index("</tr>")]
    assert 'class="disagree"' in html[html.index('data-key="technical:integration"') - 30 :][:60]
    assert "disagreement: talk it through" in row
    assert 'class="rating r4"' in row and 'class="rating r1"' in row
    # The engine's round recommendation with its reasons, and the versions used.
    assert 'data-rec="hire"' in html
    assert "Score 2.92" in html
    assert "must-have Database skills" in html
    assert html.count("version 1") == 2
    assert "Overall recommendation" in html
    # Decision form for the hiring manager, under the demo's decision and its rationale.
    assert 'id="decision-history"' in html and "Panel split on integration" in html
    assert 'id="no-decision"' not in html and 'name="rationale"' in html


def test_edited_after_submit_is_shown_and_the_snapshot_kept(client, demo, db):
    job = medical_job()
    fc, tech = app_of("冯超"), round_of(job, "technical")
    card = _db.session.scalar(
        sa.select(Scorecard)
        .join(Interview)
        .where(
            Interview.application_id == fc.id,
            Interview.round_id == tech.id,
            Scorecard.interviewer_id == demo["interviewer2"].id,
        )
    )
    rating = _db.session.scalar(
        sa.select(Rating)
        .where(Rating.scorecard_id == card.id)
        .where(Rating.criterion_id.in_([c.id for c in tech.current_version.criteria]))
        .order_by(Rating.criterion_id)
    )
    card_service.edit_submitted(
        card,
        card.lock_version,
        {f"rating.{rating.criterion_id}.note": "EDITED-NOTE-MARKER"},
        "typo",
        demo["interviewer2"],
    )
    _db.session.commit()
    sign_in(client, demo["hr"])
    html = client.get(_url(fc, tech)).get_data(as_text=True)
    assert "edited after submit" in html
    assert "EDITED-NOTE-MARKER" not in html  # the page shows what was submitted
    # HR sees the page but gets no decision form.
    assert 'name="rationale"' not in html
    assert "Only the job’s hiring manager or an admin records decisions." in html


def test_pending_scorecards_show_without_their_content(client, demo, db):
    job = medical_job()
    zj, tech = app_of("郑洁"), round_of(job, "technical")
    draft = _db.session.scalar(
        sa.select(Scorecard)
        .join(Interview)
        .where(Interview.application_id == zj.id, Interview.round_id == tech.id)
        .where(Scorecard.interviewer_id == demo["interviewer1"].id)
    )
    draft.takeaways = "DRAFT-TAKEAWAY-MARKER"
    _db.session.commit()
    sign_in(client, demo["manager"])
    html = client.get(_url(zj, tech)).get_data(as_text=True)
    assert 'id="pending"' in html and "张伟 Zhang Wei" in html
    assert "DRAFT-TAKEAWAY-MARKER" not in html
    assert html.count('class="interviewer"') == 1


def test_blind_rule_on_the_round_summary(client, demo, db):
    job = medical_job()
    qf = app_of("钱芳")
    put_on_panel(job, demo["manager"], qf, "executive")
    sign_in(client, demo["manager"])
    html = client.get(_url(qf, round_of(job, "executive"))).get_data(as_text=True)
    assert "Hidden until you submit your own scorecard" in html
    assert 'class="interviewer"' not in html
    # Another round of the same candidate stays visible.
    html = client.get(_url(qf, round_of(job, "technical"))).get_data(as_text=True)
    assert html.count('class="interviewer"') == 2


def test_wrong_round_wrong_job_and_interviewers_get_404(client, demo, db):
    job = medical_job()
    fc = app_of("冯超")
    sign_in(client, demo["manager"])
    assert client.get(_url(fc, ops_job().rounds[0])).status_code == 404
    assert client.get(f"/applications/{fc.id}/rounds/999999").status_code == 404
    assert client.get(f"/applications/999999/rounds/{job.rounds[0].id}").status_code == 404
    sign_in(client, demo["interviewer1"])
    assert client.get(_url(fc, job.rounds[1])).status_code == 404
    assert client.get(f"/applications/{fc.id}/decision").status_code == 404


def test_manager_records_advance_and_the_stage_changes(client, demo, db):
    job = medical_job()
    fc, tech = app_of("冯超"), round_of(job, "technical")
    fc.current_round = tech
    _db.session.commit()
    sign_in(client, demo["manager"])
    token = page_token(client, _url(fc, tech))
    response = client.post(
        _url(fc, tech),
        data={"csrf_token": token, "decision": "advance", "rationale": "Split is on HL7 only."},
    )
    assert response.status_code == 302
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Decision recorded." in html
    assert 'data-decision="advance"' in html and "Split is on HL7 only." in html
    _db.session.expire_all()
    assert app_of("冯超").current_round.key == "executive"
    # The application page links the summaries and shows the decision.
    page = client.get(f"/applications/{fc.id}").get_data(as_text=True)
    assert _url(fc, tech) in page and 'data-decision="advance"' in page


def _decision_audits() -> int:
    return _db.session.scalar(
        sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action.like("decision%"))
    )


def test_bad_posts_change_nothing_and_say_why(client, demo, db, make_user):
    job = medical_job()
    without_decisions("马骏")
    weak, tech = app_of("马骏"), round_of(job, "technical")
    decided = _db.session.scalar(sa.select(sa.func.count(RoundDecision.id)))
    audits = _decision_audits()
    sign_in(client, demo["manager"])
    token = page_token(client, _url(weak, tech))
    cases = [
        ({"decision": "advance", "rationale": ""}, "goes against the recommendation"),
        ({"decision": "promote", "rationale": "x"}, "Not a valid choice"),
        ({"rationale": "x"}, "Choose advance, hold or reject."),
        ({"decision": "hold", "rationale": "x" * 4001}, "Field cannot be longer than 4000"),
    ]
    for data, message in cases:
        response = client.post(_url(weak, tech), data={"csrf_token": token, **data})
        assert response.status_code == 400, data
        assert message in response.get_data(as_text=True), data
    # Without a CSRF token: refused.
    assert client.post(_url(weak, tech), data={"decision": "hold"}).status_code == 400
    # HR sees the page; a forged decision post gets the rule's message.
    sign_in(client, demo["hr"])
    token = page_token(client, _url(weak, tech))
    response = client.post(
        _url(weak, tech), data={"csrf_token": token, "decision": "hold", "rationale": "x"}
    )
    assert response.status_code == 400
    assert any(
        "Only the job's hiring manager" in m for m in alerts(response.get_data(as_text=True))
    )
    _db.session.expire_all()
    assert _db.session.scalar(sa.select(sa.func.count(RoundDecision.id))) == decided
    assert app_of("马骏").status == ApplicationStatus.ACTIVE
    assert _decision_audits() == audits
    # In Chinese, the message is translated.
    sign_in(client, demo["manager"])
    token = page_token(client, _url(weak, tech))
    response = client.post(
        _url(weak, tech),
        data={"csrf_token": token, "decision": "advance", "rationale": ""},
        headers={"Accept-Language": "zh-CN"},
    )
    assert response.status_code == 400


def test_hire_decision_page(client, demo, db):
    without_decisions("梁宇")
    ly = app_of("梁宇")
    sign_in(client, demo["manager"])
    url = f"/applications/{ly.id}/decision"
    html = client.get(url).get_data(as_text=True)
    assert 'data-rec="strong_hire"' in html and 'name="rationale"' in html
    token = page_token(client, url)
    bad = client.post(url, data={"csrf_token": token, "decision": "hire", "rationale": ""})
    assert bad.status_code == 400
    assert "Give a rationale for the hire decision." in bad.get_data(as_text=True)
    good = client.post(
        url, data={"csrf_token": token, "decision": "hire", "rationale": "Led EMR go-lives."}
    )
    assert good.status_code == 302
    html = client.get(url).get_data(as_text=True)
    assert "Hire decision recorded." in html and "Led EMR go-lives." in html
    assert re.search(r'id="stage">\s*Hired', html)
    _db.session.expire_all()
    assert app_of("梁宇").status == ApplicationStatus.HIRED
