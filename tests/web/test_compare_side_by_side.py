"""Side by side: 2–4 candidates of one job, radar data, every rating, the best marked."""

import html as html_lib
import json
import re

import pytest

from scorecard.services.recommendations import JobScoring
from tests.web import compare_support
from tests.web.compare_support import (
    app_of,
    medical_job,
    sign_in,
)

demo = compare_support.demo  # the fixture


def _compare(client, job_id, ids, follow=False):
    query = "&".join(f"a={i}" for i in ids)
    return client.get(f"/jobs/{job_id}/compare?{query}", follow_redirects=follow)


def test_three_candidates_radar_and_table(client, demo, db):
    job = medical_job()
    picks = [app_of(n) for n in ("梁宇", "钱芳", "冯超")]
    sign_in(client, demo["hr"])
    response = _compare(client, job.id, [a.id for a in picks])
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    chart = re.search(r'id="radar"[^>]*data-chart="([^"]+)"', html, re.S)
    data = json.loads(html_lib.unescape(chart.group(1)))
    assert [d["label"] for d in data["datasets"]] == ["梁宇", "钱芳", "冯超"]
    assert data["labels"] == ["Technical depth", "Business understanding", "Attitude", "Etiquette"]
    scores = JobScoring(job).score_applications([a.id for a in picks])
    for app_row, dataset in zip(picks, data["datasets"], strict=True):
        dims = scores[app_row.id].result.dimensions
        expected = [round(dims[d], 2) for d in ("technical", "business", "attitude", "etiquette")]
        assert dataset["data"] == expected
    # Every interviewer's rating of every criterion, and the best value per row marked.
    assert html.count('<tr class="line-criterion"') == sum(
        len(r.current_version.criteria) for r in job.rounds
    )
    assert "张伟 Zhang Wei:" in html and "刘洋 Liu Yang:" in html
    row = html[html.index('data-key="technical:integration"') :]
    row = row[: row.index("</tr>")]
    assert 'class="rating r1"' in row  # 冯超's split: 4 and 1
    best = re.findall(r'<tr class="line-overall".*?</tr>', html, re.S)[0]
    assert best.count('data-best="1"') == 1  # 梁宇 has the best overall score
    assert "★" in best
    # No inline script; the chart is drawn by static JS.
    assert "<script>" not in html
    assert "vendor/chartjs/chart.umd.min.js" in html and "js/compare-radar.js" in html


@pytest.mark.parametrize(
    ("ids", "message"),
    [
        (lambda a: [a[0]], "Choose at least 2 candidates to compare."),
        (lambda a: a[:5], "Compare at most 4 candidates at a time."),
        (lambda a: [a[0], "x1"], "Choose candidates from the list."),
        (lambda a: [], "Choose at least 2 candidates to compare."),
        (lambda a: [a[0], a[0]], "Choose at least 2 candidates to compare."),
        (lambda a: [a[0], 9999999], "Only candidates of this job can be compared"),
        (lambda a: [a[0], "other"], "Only candidates of this job can be compared"),
    ],
    ids=["one", "five", "not-a-number", "none", "same-twice", "unknown", "other-job"],
)
def test_bad_choices_get_a_clear_message(client, demo, db, ids, message):
    job = medical_job()
    mine = [a.id for a in (app_of(n) for n in ("梁宇", "钱芳", "冯超", "何静", "马骏"))]
    other = app_of("黄磊").id  # the operations job
    chosen = [other if i == "other" else i for i in ids(mine)]
    sign_in(client, demo["hr"])
    response = _compare(client, job.id, chosen)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/jobs/{job.id}/matrix")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert message in page


def test_duplicates_count_once_and_four_is_fine(client, demo, db):
    job = medical_job()
    a = [app_of(n).id for n in ("梁宇", "钱芳", "冯超", "何静")]
    sign_in(client, demo["manager"])
    assert _compare(client, job.id, [a[0], a[1], a[0]]).status_code == 200
    assert _compare(client, job.id, a).status_code == 200


def test_interviewers_get_404(client, demo, db):
    job = medical_job()
    a = [app_of(n).id for n in ("梁宇", "钱芳")]
    sign_in(client, demo["interviewer1"])
    assert _compare(client, job.id, a).status_code == 404
