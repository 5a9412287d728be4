"""The comparison matrix: what HR sees, sorting, filtering, bad input, blind rule, queries."""

import sqlalchemy as sa

from scorecard.extensions import db as _db
from scorecard.models import ApplicationResult, Job, Role
from scorecard.seed.bench import seed_bench
from scorecard.services import results
from tests.conftest import TEST_PASSWORD
from tests.web import compare_support
from tests.web.compare_support import (
    alerts,
    app_of,
    medical_job,
    ops_job,
    put_on_panel,
    row_ids,
    sign_in,
)

demo = compare_support.demo  # the fixture


def _summaries(job):
    return results.job_summaries(job)


def _forget_results() -> None:
    """Empty the stored results: the next read scores every application afresh (cold)."""
    _db.session.execute(sa.delete(ApplicationResult))
    _db.session.commit()


def test_hr_sees_every_candidate_with_scores_and_not_assessed(client, demo, db):
    job = medical_job()
    sign_in(client, demo["hr"])
    html = client.get(f"/jobs/{job.id}/matrix").get_data(as_text=True)
    assert len(row_ids(html)) == 12
    assert "梁宇" in html and "周婷" in html
    # 郑洁's executive round is not scored: "not assessed", never 0.
    zj = app_of("郑洁")
    row = html[html.index(f'data-application="{zj.id}"') :]
    row = row[: row.index("</tr>")]
    assert 'data-col="round-executive"><span class="na">not assessed' in row
    assert ">0<" not in row
    # Nothing submitted yet: said so.
    zt = app_of("周婷")
    row = html[html.index(f'data-application="{zt.id}"') :]
    assert "No submitted scorecards yet" in row[: row.index("</tr>")]
    # Shading by band classes only: the page has no inline style attribute.
    assert "style=" not in html
    assert 'class="num band-4"' in html


def test_sort_by_technical_both_ways_missing_last(client, demo, db):
    job = medical_job()
    sign_in(client, demo["hr"])
    summaries = _summaries(job)
    tech = {a: s.dimensions["technical"] for a, s in summaries.items()}
    html = client.get(f"/jobs/{job.id}/matrix?sort=technical&dir=desc").get_data(as_text=True)
    ids = row_ids(html)
    scored = [i for i in ids if tech.get(i) is not None]
    assert [tech[i] for i in scored] == sorted((tech[i] for i in scored), reverse=True)
    assert ids[: len(scored)] == scored  # not assessed / unscored rows come last
    assert 'aria-sort="descending"' in html
    html = client.get(f"/jobs/{job.id}/matrix?sort=technical&dir=asc").get_data(as_text=True)
    ids = row_ids(html)
    scored = [i for i in ids if tech.get(i) is not None]
    assert [tech[i] for i in scored] == sorted(tech[i] for i in scored)
    assert ids[: len(scored)] == scored
    # Each round column sorts too, and the name column.
    html = client.get(f"/jobs/{job.id}/matrix?sort=round-technical").get_data(as_text=True)
    rounds = {a: s.rounds["technical"].score for a, s in summaries.items()}
    got = [rounds[i] for i in row_ids(html) if rounds.get(i) is not None]
    assert got == sorted(got, reverse=True)
    html = client.get(f"/jobs/{job.id}/matrix?sort=name").get_data(as_text=True)
    assert len(row_ids(html)) == 12
    rank = {"high": 2, "medium": 1, "low": 0}
    html = client.get(f"/jobs/{job.id}/matrix?sort=confidence").get_data(as_text=True)
    got = [rank[summaries[i].confidence] for i in row_ids(html) if i in summaries]
    assert got == sorted(got, reverse=True) and len(got) == 8


def test_filters_and_search(client, demo, db):
    job = medical_job()
    sign_in(client, demo["hr"])
    summaries = _summaries(job)
    html = client.get(f"/jobs/{job.id}/matrix?rec=hire").get_data(as_text=True)
    ids = row_ids(html)
    assert ids and all(summaries[i].recommendation == "hire" for i in ids)
    html = client.get(f"/jobs/{job.id}/matrix?rec=positive").get_data(as_text=True)
    names = {app_of(n).id for n in ("梁宇", "钱芳", "冯超")}
    assert set(row_ids(html)) == names
    html = client.get(f"/jobs/{job.id}/matrix?flag=veto").get_data(as_text=True)
    assert row_ids(html) == [app_of("何静").id]
    html = client.get(f"/jobs/{job.id}/matrix?stage=rejected").get_data(as_text=True)
    assert set(row_ids(html)) == {app_of(n).id for n in ("林晓", "何静", "马骏")}
    html = client.get(f"/jobs/{job.id}/matrix?stage=hr_screen").get_data(as_text=True)
    assert app_of("周婷").id in row_ids(html) and app_of("梁宇").id not in row_ids(html)
    html = client.get(f"/jobs/{job.id}/matrix?q=梁").get_data(as_text=True)
    assert row_ids(html) == [app_of("梁宇").id]
    html = client.get(f"/jobs/{job.id}/matrix?rec=none").get_data(as_text=True)
    assert app_of("周婷").id in row_ids(html) and app_of("梁宇").id not in row_ids(html)
    html = client.get(f"/jobs/{job.id}/matrix?q=nobody-at-all").get_data(as_text=True)
    assert "No candidate matches these filters." in html


def test_bad_arguments_get_a_message_not_a_500(client, demo, db):
    job = medical_job()
    sign_in(client, demo["hr"])
    response = client.get(
        f"/jobs/{job.id}/matrix?sort=salary&dir=sideways&stage=moon&rec=maybe&flag=pink"
        "&q=" + "x" * 500
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    messages = alerts(html)
    assert any("no column “salary”" in m for m in messages)
    assert any("ascending or descending" in m for m in messages)
    assert any("no stage “moon”" in m for m in messages)
    assert any("no recommendation “maybe”" in m for m in messages)
    assert any("no flag “pink”" in m for m in messages)
    # Sorted by the default (overall score) instead.
    assert 'data-col="score" aria-sort="descending"' in html
    # A hostile value is escaped, never markup.
    html = client.get(f"/jobs/{job.id}/matrix?sort=<script>x</script>").get_data(as_text=True)
    assert "<script>x</script>" not in html
    # In Chinese too.
    zh = client.get(f"/jobs/{job.id}/matrix?sort=salary", headers={"Accept-Language": "zh-CN"})
    assert zh.status_code == 200


def test_only_reviewers_of_the_job_see_it(client, demo, db, make_user):
    job, other = medical_job(), ops_job()
    sign_in(client, demo["interviewer1"])
    assert client.get(f"/jobs/{job.id}/matrix").status_code == 404
    outsider = make_user(Role.HR)
    sign_in(client, outsider, password=TEST_PASSWORD)
    assert client.get(f"/jobs/{job.id}/matrix").status_code == 404
    assert client.get("/jobs/999999/matrix").status_code == 404
    sign_in(client, demo["manager"])
    assert client.get(f"/jobs/{other.id}/matrix").status_code == 200


def test_blind_rule_hides_a_panelist_managers_candidate(client, demo, db):
    """The hiring manager sits on a panel and has not submitted: that candidate is hidden."""
    job = medical_job()
    target = app_of("钱芳")
    put_on_panel(job, demo["manager"], target, "executive")
    sign_in(client, demo["manager"])
    html = client.get(f"/jobs/{job.id}/matrix").get_data(as_text=True)
    row = html[html.index(f'data-application="{target.id}"') :]
    row = row[: row.index("</tr>")]
    assert "Hidden until you submit your own scorecard" in row
    assert "band-" not in row and 'class="rec ' not in row
    csv_text = client.get(f"/jobs/{job.id}/matrix.csv").get_data().decode("utf-8-sig")
    line = next(x for x in csv_text.splitlines() if x.startswith("钱芳"))
    assert "Hidden until you submit" in line and "3." not in line
    # HR is not on that panel: sees the scores.
    sign_in(client, demo["hr"])
    html = client.get(f"/jobs/{job.id}/matrix").get_data(as_text=True)
    row = html[html.index(f'data-application="{target.id}"') :]
    assert "band-" in row[: row.index("</tr>")]


def test_cache_follows_submissions_cancellations_and_policy(client, demo, db):
    job = medical_job()
    sign_in(client, demo["hr"])
    before = client.get(f"/jobs/{job.id}/matrix?rec=hire").get_data(as_text=True)
    assert app_of("钱芳").id in row_ids(before)
    # A policy change (HR raises the hire band) shows at once.
    job.band_hire = 3.45
    job.band_strong_hire = 3.9
    _db.session.commit()
    after = client.get(f"/jobs/{job.id}/matrix?rec=hire").get_data(as_text=True)
    assert app_of("钱芳").id not in row_ids(after)
    # A new submission shows at once: 郑洁's technical draft is submitted.
    from scorecard.models import Interview, Scorecard, ScorecardStatus
    from tests.web.compare_support import submit_card

    zj = app_of("郑洁")
    before = _summaries(job)[zj.id].rounds["technical"].raters
    draft = _db.session.scalar(
        sa.select(Scorecard)
        .join(Interview)
        .where(Interview.application_id == zj.id, Scorecard.status == ScorecardStatus.DRAFT)
    )
    rescored = results.STATS["rescored"]
    submit_card(draft)
    client.get(f"/jobs/{job.id}/matrix")
    assert results.STATS["rescored"] == rescored + 1  # only 郑洁 scored again
    cached = _summaries(job)
    assert results.STATS["rescored"] == rescored + 1  # and stored: read back, not rescored
    assert cached[zj.id].rounds["technical"].raters == before + 1
    _forget_results()
    assert _summaries(job) == cached  # the same as scoring the whole job afresh
    # A cancelled interview drops its scorecards.
    from scorecard.services import scheduling

    liang = app_of("梁宇")
    iv = _db.session.scalar(
        sa.select(Interview).where(
            Interview.application_id == liang.id, Interview.round_id == job.rounds[2].id
        )
    )
    scheduling.cancel_interview(iv, demo["hr"])
    _db.session.commit()
    assert "executive" not in {k for k, f in _summaries(job)[liang.id].rounds.items() if f.raters}


class _Counter:
    def __init__(self):
        self.n = 0

    def __call__(self, *_args, **_kwargs):
        self.n += 1


def test_page_and_csv_run_a_constant_number_of_queries(client, app, db):
    """≤ 10 statements per request, the same at 10 and at 40 candidates, cold and warm."""
    with app.test_request_context():
        small = seed_bench(10)
        large = seed_bench(40)
    db.session.commit()
    sign_in(client, small.hr, password="scorecard-bench")
    counts = {}
    counter = _Counter()
    sa.event.listen(_db.engine, "before_cursor_execute", counter)
    try:
        for label, made in (("10", small), ("40", large)):
            for kind, url in (
                ("page", f"/jobs/{made.job.id}/matrix"),
                ("csv", f"/jobs/{made.job.id}/matrix.csv"),
            ):
                _forget_results()
                counter.n = 0
                assert client.get(url).status_code == 200
                counts[(label, kind, "cold")] = counter.n
                counter.n = 0
                assert client.get(url).status_code == 200
                counts[(label, kind, "warm")] = counter.n
    finally:
        sa.event.remove(_db.engine, "before_cursor_execute", counter)
    print("queries:", counts)
    assert max(v for k, v in counts.items() if k[2] == "warm") <= 10, counts
    # Cold, the shared results are scored and stored once: the snapshots' SELECT, then
    # BEGIN IMMEDIATE and one batched INSERT of their own, and the BEGIN of a fresh read.
    for label in ("10", "40"):
        for kind in ("page", "csv"):
            assert counts[(label, kind, "cold")] <= counts[(label, kind, "warm")] + 4, counts
    for kind in ("page", "csv"):
        for state in ("cold", "warm"):
            assert counts[("10", kind, state)] == counts[("40", kind, state)], counts
    # The two jobs really differ in size.
    assert len(_summaries(_db.session.get(Job, large.job.id))) == 40


def test_seed_bench_command_builds_a_separate_scored_job(app, db):
    from scorecard.models import Rating, ScorecardSubmission

    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-bench", "--candidates", "5"])
    assert result.exit_code == 0, result.output
    assert "Candidates" in result.output  # the progress bar's label
    assert "5 candidates, 45 submitted scorecards, 450 ratings" in result.output
    assert _db.session.scalar(sa.select(sa.func.count(ScorecardSubmission.id))) == 45
    assert _db.session.scalar(sa.select(sa.func.count(Rating.id))) == 450
    job = _db.session.scalar(sa.select(Job).where(Job.title_en == "Benchmark: 5 candidates"))
    assert len(_summaries(job)) == 5
    assert {len(r.current_version.criteria) for r in job.rounds} == {10}
    # A second run makes another job with the same users.
    assert runner.invoke(args=["seed-bench", "--candidates", "2"]).exit_code == 0
    assert _db.session.scalar(sa.select(sa.func.count(Job.id))) == 2
    bad = runner.invoke(args=["seed-bench", "--candidates", "0"])
    assert bad.exit_code == 2 and "--candidates" in bad.output
