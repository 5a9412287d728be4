"""The job summary: funnel per round, pass rates, dimension averages, overdue, feedback speed."""

import html as html_lib
import json
import re
from datetime import timedelta

import sqlalchemy as sa

from scorecard.extensions import db as _db
from scorecard.models import Role, utcnow
from scorecard.services import decisions
from scorecard.services.job_summary import build_job_summary
from tests.web import compare_support
from tests.web.compare_support import app_of, medical_job, round_of, sign_in, without_decisions

demo = compare_support.demo  # the fixture


def _cells(html: str, round_key: str) -> dict[str, str]:
    row = html[html.index(f'<tr data-round="{round_key}">') :]
    row = row[: row.index("</tr>")]
    return dict(re.findall(r'data-col="([^"]+)">([^<]*)<', row))


def test_funnel_counts_the_demo(client, demo, db):
    job = medical_job()
    sign_in(client, demo["manager"])
    response = client.get(f"/jobs/{job.id}/summary")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    # HR screen: 10 candidates booked (罗敏's is cancelled, 周婷 has none), 8 scored
    # (孙磊's two drafts are overdue), 7 advanced and 林晓 rejected.
    hr = _cells(html, "hr_screen")
    assert (hr["scheduled"], hr["scored"], hr["advanced"], hr["rejected"]) == ("10", "8", "7", "1")
    assert hr["pass"] == "88%" and hr["overdue"] == "2"
    # Technical: 郑洁 today (one scorecard in), 高原 next week; 马骏 rejected.
    tech = _cells(html, "technical")
    assert (tech["scheduled"], tech["scored"]) == ("7", "6")
    assert (tech["advanced"], tech["rejected"], tech["pass"]) == ("4", "1", "80%")
    # Executive: 钱芳 and 梁宇 advanced, 何静 rejected (veto), 冯超 not decided yet.
    execu = _cells(html, "executive")
    assert (execu["scheduled"], execu["scored"]) == ("4", "4")
    assert (execu["advanced"], execu["rejected"], execu["pass"]) == ("2", "1", "67%")
    assert "孙磊" in html[html.index('id="overdue"') :]
    chart = re.search(r'id="funnel-chart"[^>]*data-chart="([^"]+)"', html)
    data = json.loads(html_lib.unescape(chart.group(1)))
    assert data["labels"] == ["HR screen", "Technical interview", "Executive interview"]
    assert data["datasets"][0]["data"] == [10, 7, 4]
    dims = re.search(r'id="dimension-chart"[^>]*data-chart="([^"]+)"', html)
    data = json.loads(html_lib.unescape(dims.group(1)))
    assert [d["label"] for d in data["datasets"]][0] == "Technical depth"
    assert data["datasets"][1]["data"][0] is None  # no business criteria in the HR screen
    assert "<script>" not in html
    assert "not in this round" in html


def test_decisions_feed_the_funnel_and_pass_rate(app, client, demo, db):
    job = medical_job()
    without_decisions()  # from a funnel nobody has decided on
    hr_round = round_of(job, "hr_screen")
    with app.test_request_context():
        for name in ("钱芳", "冯超", "梁宇"):
            decisions.decide_round(app_of(name), hr_round, "advance", "", demo["manager"])
        decisions.decide_round(app_of("林晓"), hr_round, "reject", "", demo["manager"])
        # A revision counts once, as its latest decision.
        decisions.decide_round(app_of("何静"), hr_round, "hold", "", demo["manager"])
        decisions.decide_round(app_of("何静"), hr_round, "advance", "Checked.", demo["manager"])
    _db.session.commit()
    with app.test_request_context():
        summary = build_job_summary(job, demo["manager"])
    funnel = summary.rounds[0]
    assert (funnel.advanced, funnel.held, funnel.rejected) == (4, 0, 1)
    assert funnel.pass_rate == 0.8
    sign_in(client, demo["hr"])
    html = client.get(f"/jobs/{job.id}/summary").get_data(as_text=True)
    assert _cells(html, "hr_screen")["pass"] == "80%"


def test_median_time_to_feedback_and_averages(app, demo, db):
    job = medical_job()
    with app.test_request_context():
        summary = build_job_summary(job, demo["hr"], now=utcnow() + timedelta(days=1))
    for funnel in summary.rounds:
        assert funnel.median_hours is not None and funnel.median_hours >= 0
        assert funnel.average is not None and 1 <= funnel.average <= 4
        assert funnel.dimensions["attitude"] is not None
    assert summary.rounds[0].dimensions["business"] is None  # not part of the HR screen
    assert "business" not in summary.rounds[0].configured
    assert summary.median_hours is not None
    assert summary.applications == 12


def test_only_reviewers(client, demo, db, make_user):
    job = medical_job()
    sign_in(client, demo["interviewer3"])
    assert client.get(f"/jobs/{job.id}/summary").status_code == 404
    stranger = make_user(Role.MANAGER)
    from tests.conftest import TEST_PASSWORD

    sign_in(client, stranger, password=TEST_PASSWORD)
    assert client.get(f"/jobs/{job.id}/summary").status_code == 404
    assert _db.session.scalar(sa.select(sa.func.count()).select_from(type(job))) == 2
