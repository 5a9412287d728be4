"""Benchmark the comparison matrix page and its CSV export against one raw SQL aggregate.

Builds a database (a temporary SQLite file, or --database-url, e.g. PostgreSQL) with the
real migrations, seeds two benchmark jobs with `scorecard.seed.bench` (the code behind
`flask seed-bench`): SMALL (100) and LARGE (1,000) candidates × 3 rounds × 3 interviewers ×
10 criteria, all submitted. It signs in as the benchmark HR user through the real login form
and measures, through the WSGI app (the page's real server time: routing, permissions,
scoring or cache lookup, rendering; no network):

    queries        SQL statements per request (page and CSV), at both sizes: must be ≤ 10
                   and the same at both sizes (constant, whatever the number of candidates)
    page_vs_sql    matrix page (warm) / one raw aggregate over the same ratings
                   (AVG(value) GROUP BY application, criterion), at LARGE: target ≤ 4
    scale          page(LARGE) / page(SMALL), warm: linear is ≤ LARGE/SMALL = 10 (target
                   ≤ 12: 20 % for timing noise)
    csv_vs_sql     the same ratio for the CSV export (printed, not a check)

Warm times are the median of N requests (the minimum is printed too), interleaved so that
other load on the machine hits all figures alike; each ratio is the median of the per-round
ratios. "Cold" is the first
request after the per-job score cache was cleared: every snapshot parsed and every
application evaluated by the engine. The cache is checked against the job's setup and each
application's submitted scorecards on every request; after a new submission only that
application is scored again ("page after one changed scorecard").

Run: .venv/bin/python scripts/bench_compare.py [--large 1000] [--small 100] [--repeats 15]
     [--database-url postgresql+psycopg://...]   (exit status 1 when a check fails)
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

QUERY_LIMIT = 10
RATIO_LIMIT = 4.0
SCALE_SLACK = 1.2  # linear growth is large/small; allow 20 % for timing noise
RAW_SQL = """
SELECT i.application_id, r.criterion_id, AVG(r.value)
FROM ratings AS r
JOIN scorecards AS s ON s.id = r.scorecard_id
JOIN interviews AS i ON i.id = s.interview_id
JOIN applications AS a ON a.id = i.application_id
WHERE a.job_id = :job
GROUP BY i.application_id, r.criterion_id
"""


def timed(fn: Callable[[], object], repeats: int) -> tuple[float, float]:
    """(median, min) seconds of `repeats` calls."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--large", type=int, default=1000)
    parser.add_argument("--small", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="bench-compare-")
    url = args.database_url or f"sqlite:///{tmp}/bench.db"
    os.environ["DATABASE_URL"] = url

    import sqlalchemy as sa
    from flask_migrate import upgrade

    from config import Config
    from scorecard import create_app
    from scorecard.extensions import db
    from scorecard.models import Application, Interview
    from scorecard.seed.bench import BENCH_PASSWORD, seed_bench
    from scorecard.services import matrix as matrix_service

    class BenchConfig(Config):
        SQLALCHEMY_DATABASE_URI = url
        TRUSTED_HOSTS = None

    app = create_app(BenchConfig)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        upgrade()
        jobs = {}
        for size in (args.small, args.large):
            t0 = time.perf_counter()
            made = seed_bench(size)
            db.session.commit()
            jobs[size] = made.job.id
            print(
                f"seeded {size} candidates in {time.perf_counter() - t0:.1f} s (job #{made.job.id})"
            )
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.exec_driver_sql("ANALYZE")
        dialect = db.engine.dialect.name

    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = client.post(
        "/login",
        data={"email": "bench-hr@bench.test", "password": BENCH_PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302, "bench HR could not sign in"

    counter = {"n": 0}

    with app.app_context():
        engine = db.engine

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _count(*_args, **_kwargs):
        counter["n"] += 1

    def get(path: str) -> None:
        r = client.get(path)
        assert r.status_code == 200, f"{path}: HTTP {r.status_code}"

    def count(path: str) -> int:
        get(path)  # warm
        counter["n"] = 0
        get(path)
        return counter["n"]

    def raw(job_id: int) -> None:
        with app.app_context():
            db.session.execute(sa.text(RAW_SQL), {"job": job_id}).all()
            db.session.rollback()

    urls = {size: (f"/jobs/{j}/matrix", f"/jobs/{j}/matrix.csv") for size, j in jobs.items()}
    figures: dict[int, dict[str, float]] = {size: {} for size in jobs}
    for size, job_id in jobs.items():
        f = figures[size]
        page_url, csv_url = urls[size]
        raw(job_id)
        matrix_service.clear_cache()
        f["page_cold"] = timed(lambda u=page_url: get(u), 1)[0]
        matrix_service.clear_cache()
        f["csv_cold"] = timed(lambda u=csv_url: get(u), 1)[0]
        f["page_queries"] = count(page_url)
        f["csv_queries"] = count(csv_url)
    # After one scorecard changes (an interview cancelled, then booked again): only that
    # application is scored again.
    large_job = jobs[args.large]
    with app.app_context():
        iv_id = db.session.scalar(
            sa.select(Interview.id)
            .join(Application, Application.id == Interview.application_id)
            .where(Application.job_id == large_job)
            .order_by(Interview.id)
            .limit(1)
        )
        db.session.rollback()
    get(urls[args.large][0])
    partial = []
    for status in ("cancelled", "scheduled") * 3:
        with app.app_context():
            db.session.execute(
                sa.update(Interview).where(Interview.id == iv_id).values(status=status)
            )
            db.session.commit()
        partial.append(timed(lambda: get(urls[args.large][0]), 1)[0])
    figures[args.large]["page_partial"] = statistics.median(partial)

    # Warm timings interleaved (raw, page, CSV; small, large) so that load from other
    # processes on the machine hits every figure alike; ratios are per repetition.
    samples: dict[tuple[int, str], list[float]] = {}
    for _ in range(args.repeats):
        for size, job_id in jobs.items():
            page_url, csv_url = urls[size]
            for kind, fn in (
                ("raw", lambda j=job_id: raw(j)),
                ("page", lambda u=page_url: get(u)),
                ("csv", lambda u=csv_url: get(u)),
            ):
                samples.setdefault((size, kind), []).append(timed(fn, 1)[0])
    for (size, kind), values in samples.items():
        figures[size][kind] = statistics.median(values)
        figures[size][f"{kind}_min"] = min(values)

    def median_ratio(a: tuple[int, str], b: tuple[int, str]) -> float:
        return statistics.median(x / y for x, y in zip(samples[a], samples[b], strict=True))

    print(f"\ndatabase: {dialect}; median of {args.repeats} (min in brackets), seconds")
    print(
        f"{'candidates':>10} {'raw SQL':>16} {'page warm':>16} {'page cold':>10} "
        f"{'CSV warm':>16} {'CSV cold':>9} {'queries page/CSV':>17}"
    )
    for size, f in figures.items():
        print(
            f"{size:>10} {f['raw']:>8.4f} ({f['raw_min']:.4f}) {f['page']:>8.4f} "
            f"({f['page_min']:.4f}) {f['page_cold']:>10.3f} {f['csv']:>8.4f} ({f['csv_min']:.4f})"
            f" {f['csv_cold']:>9.3f} {int(f['page_queries']):>8}/{int(f['csv_queries'])}"
        )

    large, small = figures[args.large], figures[args.small]
    ratio = median_ratio((args.large, "page"), (args.large, "raw"))
    ratio_csv = median_ratio((args.large, "csv"), (args.large, "raw"))
    scale = median_ratio((args.large, "page"), (args.small, "page"))
    cold_ratio = large["page_cold"] / large["raw"]
    query_counts = [int(f[k]) for f in figures.values() for k in ("page_queries", "csv_queries")]
    constant = (
        large["page_queries"] == small["page_queries"]
        and large["csv_queries"] == small["csv_queries"]
    )
    scale_limit = SCALE_SLACK * args.large / args.small
    checks = [
        (
            f"queries per request ≤ {QUERY_LIMIT} and constant: {query_counts}",
            max(query_counts) <= QUERY_LIMIT and constant,
        ),
        (f"page_vs_sql = {ratio:.2f} (target ≤ {RATIO_LIMIT:g})", ratio <= RATIO_LIMIT),
        (
            f"scale {args.small}→{args.large} = {scale:.2f} (linear ≤ {args.large / args.small:g};"
            f" target ≤ {scale_limit:g})",
            scale <= scale_limit,
        ),
    ]
    print(f"csv_vs_sql = {ratio_csv:.2f} (CSV export, warm)")
    print(f"cold page / raw SQL = {cold_ratio:.1f} (first view of the job in this process)")
    partial_ratio = large["page_partial"] / large["raw"]
    print(
        f"page after one changed scorecard = {large['page_partial']:.4f} s, "
        f"{partial_ratio:.2f} × raw SQL (only that application is scored again)"
    )
    failed = False
    for text, ok in checks:
        print(("PASS " if ok else "FAIL ") + text)
        failed |= not ok
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
