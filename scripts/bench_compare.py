"""Benchmark the score surfaces through HTTP on gunicorn (one worker) against one raw SQL query.

Issue 11's benchmark. It builds one database — a temporary SQLite file, `--database-url`
(PostgreSQL: its public schema is dropped and rebuilt!), or `--postgres` (a throwaway
PostgreSQL 15 cluster on 127.0.0.1 started and stopped by this script) — with the real
migrations, seeds two benchmark jobs with `scorecard.seed.bench.seed_bench` (the code behind
`flask seed-bench`): SMALL (1,000) and LARGE (5,000) candidates × 3 rounds × 3 interviewers
× 10 criteria, all submitted, and prints how long seeding took. Then it starts
`gunicorn -w 1 wsgi:app` on 127.0.0.1 (development settings, TRUSTED_HOSTS=127.0.0.1, one
fixed SECRET_KEY so that the session survives restarts), signs in once as the benchmark HR
user through the real login form (CSRF token read from the page) and times real HTTP
requests, body included.

The baseline is ONE raw SQL query on the same database, sent through the same driver
(sqlite3 / psycopg) from this process, that computes every candidate's weighted overall score
of the job exactly as scoring.md S2 defines it: criterion score = mean of its non-null
ratings on submitted scorecards of interviews not cancelled, round score = Σ w·S / Σ w over
scored criteria, overall = Σ v·R / Σ v over scored rounds. (`--baseline flat` uses the
flat form Σ value·w·v / Σ w·v over all ratings instead; both are timed once and printed at
the start.) Every request is
timed between two runs of that query; its ratio is request time / mean of those two, and
each figure is the median of those interleaved ratios:

    matrix first    the first request of a freshly started worker (gunicorn restarted for
                    every trial; only /healthz answered before), results already stored by
                    an earlier worker: must not score again (checked in the table) ≤ 4
    matrix cold     the same after DELETE FROM application_results (printed, no target)
    matrix warm     ≤ 2     recommendations, candidate page ≤ 4     matrix XLSX ≤ 8
                    (all at SMALL, warm)
    growth          matrix page and recommendations page, warm, time at LARGE / time at
                    SMALL, paired per repetition (linear is LARGE/SMALL = 5) ≤ 6
    memory          VmRSS of a worker (the gunicorn master's child, /proc/<pid>/status)
                    serving from stored results, after the LARGE matrix and its XLSX
                    ≤ 150 MB, and ≤ 5 % growth over five more XLSX exports; the RSS of the
                    worker that scored the LARGE job cold is printed beside it

PASS/FAIL is printed per figure; exit status 1 when one fails. gunicorn (and the PostgreSQL
cluster of --postgres) is stopped on every exit.

Run: .venv/bin/python scripts/bench_compare.py [--small 1000] [--large 5000] [--repeats 9]
     [--trials 5] [--cold-trials 3] [--postgres | --database-url postgresql+psycopg://...]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from serve import free_port, stop, worker_pids  # noqa: E402

HOST = "127.0.0.1"
PGBIN = Path("/usr/lib/postgresql/15/bin")
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')

# scoring.md S2 in one statement: criterion means → round scores → overall score.
RAW_SQL = """
WITH crit AS (
  SELECT i.application_id AS app, i.round_id AS rnd, r.criterion_id AS crit,
         AVG(r.value) AS s
  FROM ratings AS r
  JOIN scorecards AS s ON s.id = r.scorecard_id
  JOIN interviews AS i ON i.id = s.interview_id
  JOIN applications AS a ON a.id = i.application_id
  WHERE a.job_id = {job} AND s.status = 'submitted' AND i.status <> 'cancelled'
    AND r.value IS NOT NULL
  GROUP BY i.application_id, i.round_id, r.criterion_id
), rnd AS (
  SELECT crit.app, crit.rnd, SUM(c.weight * crit.s) / SUM(c.weight) AS score
  FROM crit JOIN criteria AS c ON c.id = crit.crit
  GROUP BY crit.app, crit.rnd
)
SELECT rnd.app, SUM(rd.weight * rnd.score) / SUM(rd.weight) AS overall
FROM rnd JOIN rounds AS rd ON rd.id = rnd.rnd
GROUP BY rnd.app
"""
FLAT_SQL = """
SELECT i.application_id, SUM(r.value * c.weight * rd.weight) / SUM(c.weight * rd.weight)
FROM ratings AS r
JOIN scorecards AS s ON s.id = r.scorecard_id
JOIN interviews AS i ON i.id = s.interview_id
JOIN applications AS a ON a.id = i.application_id
JOIN criteria AS c ON c.id = r.criterion_id
JOIN rounds AS rd ON rd.id = i.round_id
WHERE a.job_id = {job} AND s.status = 'submitted' AND i.status <> 'cancelled'
  AND r.value IS NOT NULL
GROUP BY i.application_id
"""

TARGETS = {
    "matrix first (fresh worker)": 4.0,
    "matrix warm": 2.0,
    "recommendations warm": 4.0,
    "candidate page warm": 4.0,
    "matrix XLSX warm": 8.0,
    "growth matrix": 6.0,
    "growth recommendations": 6.0,
}
RSS_LIMIT_MB = 150.0
RSS_GROWTH_LIMIT = 0.05


# --- servers this script starts --------------------------------------------------------------


@contextlib.contextmanager
def postgres_cluster(workdir: Path) -> Iterator[str]:
    """A throwaway PostgreSQL 15 cluster on 127.0.0.1 (as .ci/run starts it); its URL."""
    if not (PGBIN / "initdb").exists():
        raise SystemExit(f"--postgres needs PostgreSQL 15 in {PGBIN}")
    data = workdir / "pg"
    data.mkdir()
    shutil.chown(workdir, "postgres")
    shutil.chown(data, "postgres", "postgres")
    port = free_port()
    as_pg = ["runuser", "-u", "postgres", "--"]
    subprocess.run(  # noqa: S603
        [*as_pg, PGBIN / "initdb", "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    opts = f"-c listen_addresses={HOST} -c port={port} -c unix_socket_directories={data}"
    subprocess.run(  # noqa: S603
        [
            *as_pg,
            PGBIN / "pg_ctl",
            "-D",
            data,
            "-l",
            data / "server.log",
            "-w",
            "-o",
            opts,
            "start",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    try:
        subprocess.run(  # noqa: S603
            [*as_pg, PGBIN / "createdb", "-h", HOST, "-p", str(port), "bench"], check=True
        )
        yield f"postgresql+psycopg://postgres@{HOST}:{port}/bench"
    finally:
        subprocess.run(  # noqa: S603
            [*as_pg, PGBIN / "pg_ctl", "-D", data, "-m", "fast", "-w", "stop"],
            check=False,
            stdout=subprocess.DEVNULL,
        )


class Gunicorn:
    """`gunicorn -w 1 wsgi:app` on a free port; restartable; stopped by its process group."""

    def __init__(self, url: str, secret: str, log: Path) -> None:
        self.url, self.secret, self.log = url, secret, log
        self.proc: subprocess.Popen | None = None
        self.port = 0

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self, session) -> None:  # noqa: ANN001 - a requests.Session
        self.port = free_port()
        env = dict(
            os.environ,
            DATABASE_URL=self.url,
            SECRET_KEY=self.secret,
            TRUSTED_HOSTS=HOST,
            PYTHONPATH=str(ROOT),
        )
        env.pop("SCORECARD_ENV", None)
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        exe = Path(sys.executable).with_name("gunicorn")
        command = [str(exe)] if exe.exists() else [sys.executable, "-m", "gunicorn"]
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(  # noqa: S603
                [
                    *command,
                    "-w",
                    "1",
                    "-b",
                    f"{HOST}:{self.port}",
                    "--timeout",
                    "600",
                    "--log-level",
                    "warning",
                    "wsgi:app",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}; see {self.log}")
            try:
                if session.get(self.base + "/healthz", timeout=5).status_code == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError("gunicorn did not answer /healthz within 90 s")

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None:
            stop(proc)

    def worker_pid(self) -> int:
        assert self.proc is not None
        pids = worker_pids(self.proc.pid)
        if not pids:
            raise RuntimeError("no gunicorn worker found")
        return pids[0]

    def worker_rss_mb(self) -> float:
        status = Path(f"/proc/{self.worker_pid()}/status").read_text()
        kb = int(re.search(r"^VmRSS:\s+(\d+) kB", status, re.M).group(1))
        return kb / 1024


# --- the database ------------------------------------------------------------------------------


@dataclass
class Seeded:
    jobs: dict[int, int]  # candidates → job id
    candidate_app: int  # one application of the small job (for the candidate page)
    seconds: dict[int, float]


def build_database(url: str, sizes: tuple[int, int]) -> Seeded:
    """Migrations and the two benchmark jobs, in this process (then its engine is closed)."""
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from config import Config
    from scorecard import create_app
    from scorecard.extensions import db
    from scorecard.models import Application
    from scorecard.seed.bench import seed_bench

    class BenchConfig(Config):
        SQLALCHEMY_DATABASE_URI = url
        TRUSTED_HOSTS = None

    app = create_app(BenchConfig)
    jobs, seconds = {}, {}
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        upgrade()
        for size in sizes:
            t0 = time.perf_counter()
            made = seed_bench(size)
            db.session.commit()
            seconds[size] = time.perf_counter() - t0
            jobs[size] = made.job.id
            print(f"seeded {size} candidates in {seconds[size]:.1f} s (job #{made.job.id})")
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")
        first_app = db.session.scalar(
            sa.select(sa.func.min(Application.id)).where(Application.job_id == jobs[sizes[0]])
        )
        db.session.rollback()
        db.engine.dispose()
    return Seeded(jobs, first_app, seconds)


class Raw:
    """The baseline query through the plain driver connection (sqlite3 / psycopg)."""

    def __init__(self, url: str, baseline: str = RAW_SQL) -> None:
        import sqlalchemy as sa

        self.baseline = baseline
        self.engine = sa.create_engine(url)
        self.conn = self.engine.raw_connection()
        self.dialect = self.engine.dialect.name

    def _run(self, sql: str) -> list:
        cur = self.conn.cursor()
        cur.execute(sql)
        rows = cur.fetchall()
        cur.close()
        return rows

    def time(self, job: int, sql: str | None = None) -> float:
        start = time.perf_counter()
        rows = self._run((sql or self.baseline).format(job=int(job)))
        elapsed = time.perf_counter() - start
        self.conn.rollback()
        assert rows, "the raw query returned no rows"
        return elapsed

    def execute(self, sql: str) -> None:
        self.conn.cursor().execute(sql)
        self.conn.commit()

    def results_state(self, job: int) -> tuple:
        cur = self.conn.cursor()
        cur.execute(
            f"SELECT COUNT(*), MAX(computed_at) FROM application_results WHERE job_id = {int(job)}"
        )
        row = tuple(cur.fetchone())
        cur.close()
        self.conn.rollback()
        return row

    def close(self) -> None:
        self.conn.close()
        self.engine.dispose()


# --- measuring ---------------------------------------------------------------------------------


@dataclass
class Figures:
    ratios: dict[str, list[float]] = field(default_factory=dict)
    times: dict[str, list[float]] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, seconds: float, ratio: float, size: int) -> None:
        self.times.setdefault(name, []).append(seconds)
        self.ratios.setdefault(name, []).append(ratio)
        self.sizes[name] = size


def sign_in(session, server: Gunicorn) -> None:  # noqa: ANN001
    from scorecard.seed.bench import BENCH_PASSWORD

    page = session.get(server.base + "/login", timeout=30)
    token = CSRF.search(page.text).group(1)
    response = session.post(
        server.base + "/login",
        data={"email": "bench-hr@bench.test", "password": BENCH_PASSWORD, "csrf_token": token},
        allow_redirects=False,
        timeout=30,
    )
    if response.status_code != 302:
        raise RuntimeError(f"bench HR could not sign in: HTTP {response.status_code}")


def fetch(session, server: Gunicorn, path: str) -> tuple[float, int]:  # noqa: ANN001
    """Seconds for one GET (body read) and the body's size; anything but 200 stops the run."""
    start = time.perf_counter()
    response = session.get(server.base + path, allow_redirects=False, timeout=600)
    body = response.content
    elapsed = time.perf_counter() - start
    if response.status_code != 200:
        raise RuntimeError(f"GET {path}: HTTP {response.status_code}")
    return elapsed, len(body)


def between(
    raw: Raw, job: int, request: Callable[[], tuple[float, int]]
) -> tuple[float, float, int]:
    """(request seconds, ratio to the mean raw time just before and after, body size)."""
    before = raw.time(job)
    seconds, size = request()
    after = raw.time(job)
    return seconds, seconds / ((before + after) / 2), size


def median(values: list[float]) -> float:
    return statistics.median(values)


def code_version() -> str:
    """The commit measured, and how many files under scorecard/ and templates/ differ from it."""
    try:
        head = subprocess.run(  # noqa: S603
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(  # noqa: S603
            [
                "git",
                "status",
                "--porcelain",
                "--",
                "scorecard",
                "templates",
                "wsgi.py",
                "config.py",
            ],  # noqa: S607
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (no git)"
    return head + (f" plus {len(dirty)} uncommitted file(s)" if dirty else " (clean)")


def run(url: str, args: argparse.Namespace, workdir: Path) -> int:
    import requests

    print(f"code: {code_version()}")

    small, large = args.small, args.large
    seeded = build_database(url, (small, large))
    raw = Raw(url, FLAT_SQL if args.baseline == "flat" else RAW_SQL)
    dialect = raw.dialect
    server = Gunicorn(url, secrets.token_hex(32), workdir / "gunicorn.log")
    session = requests.Session()
    figures = Figures()
    notes: list[str] = []
    first_rss: dict[str, list[float]] = {}
    try:
        job_s, job_l = seeded.jobs[small], seeded.jobs[large]
        for size, job in seeded.jobs.items():
            s2 = median([raw.time(job, RAW_SQL) for _ in range(5)])
            flat = median([raw.time(job, FLAT_SQL) for _ in range(5)])
            print(
                f"raw SQL at {size}: S2 query {s2 * 1000:.1f} ms, flat Σ v·w·value / Σ v·w "
                f"{flat * 1000:.1f} ms (the baseline is the {args.baseline} query)"
            )
        matrix_s, matrix_l = f"/jobs/{job_s}/matrix", f"/jobs/{job_l}/matrix"

        def first_request(label: str, delete: bool) -> None:
            if delete:
                raw.execute("DELETE FROM application_results")
            server.stop()
            server.start(session)
            state = raw.results_state(job_s)
            seconds, ratio, size = between(raw, job_s, lambda: fetch(session, server, matrix_s))
            figures.add(label, seconds, ratio, size)
            after = raw.results_state(job_s)
            if not delete and after != state:
                notes.append(f"{label}: results rows rewritten ({state} → {after})")
            first_rss.setdefault(label, []).append(server.worker_rss_mb())

        server.start(session)
        sign_in(session, server)
        # Truly cold: nothing stored (right after seeding, then after DELETE): the whole job
        # is scored by the fresh worker's first request.
        for _ in range(args.cold_trials):
            first_request("matrix cold (fresh worker, no stored results)", delete=True)
        # Results stored by an earlier worker: the first request of a fresh one reads them.
        for _ in range(args.trials):
            first_request("matrix first (fresh worker)", delete=False)
        server.stop()
        server.start(session)
        # The large job's first view (scores and stores it), printed once.
        seconds, ratio, size = between(raw, job_l, lambda: fetch(session, server, matrix_l))
        figures.add(f"matrix at {large}, first view (scores the job)", seconds, ratio, size)

        warm = [
            ("matrix warm", job_s, matrix_s),
            ("recommendations warm", job_s, f"/jobs/{job_s}/recommendations"),
            ("candidate page warm", job_s, f"/applications/{seeded.candidate_app}"),
            ("matrix XLSX warm", job_s, f"/jobs/{job_s}/matrix.xlsx"),
            (f"matrix warm at {large}", job_l, matrix_l),
            (f"recommendations warm at {large}", job_l, f"/jobs/{job_l}/recommendations"),
        ]
        for _name, _job, path in warm:  # one untimed round: templates, caches, connections
            fetch(session, server, path)
        for _ in range(args.repeats):
            for name, job, path in warm:
                seconds, ratio, size = between(raw, job, lambda p=path: fetch(session, server, p))
                figures.add(name, seconds, ratio, size)
        growth = {
            "growth matrix": [
                b / a
                for a, b in zip(
                    figures.times["matrix warm"],
                    figures.times[f"matrix warm at {large}"],
                    strict=True,
                )
            ],
            "growth recommendations": [
                b / a
                for a, b in zip(
                    figures.times["recommendations warm"],
                    figures.times[f"recommendations warm at {large}"],
                    strict=True,
                )
            ],
        }

        # Memory. The worker that served everything above (it scored the large job cold on
        # its first view) after the large matrix and XLSX: printed. Then the target's case, a
        # worker serving the large matrix and its XLSX from stored results (every worker but
        # the one that scored a job first): fresh, after them, and after five more exports.
        xlsx_l = f"/jobs/{job_l}/matrix.xlsx"
        fetch(session, server, matrix_l)
        seconds, ratio, size = between(raw, job_l, lambda: fetch(session, server, xlsx_l))
        figures.add(f"matrix XLSX at {large}", seconds, ratio, size)
        rss_served = server.worker_rss_mb()
        server.stop()
        server.start(session)
        rss_fresh = server.worker_rss_mb()
        fetch(session, server, matrix_l)
        seconds, ratio, size = between(raw, job_l, lambda: fetch(session, server, xlsx_l))
        figures.add(f"matrix XLSX at {large}", seconds, ratio, size)
        rss_after = server.worker_rss_mb()
        for _ in range(5):
            seconds, ratio, size = between(raw, job_l, lambda: fetch(session, server, xlsx_l))
            figures.add(f"matrix XLSX at {large}", seconds, ratio, size)
        rss_more = server.worker_rss_mb()
    finally:
        server.stop()
        session.close()
        raw.close()

    print(
        f"\ndatabase: {dialect}; gunicorn -w 1 over HTTP; baseline {args.baseline}; "
        f"seeding {small}: {seeded.seconds[small]:.1f} s, {large}: {seeded.seconds[large]:.1f} s"
    )
    print(f"{'surface':<50} {'n':>3} {'median s':>9} {'min s':>8} {'ratio':>7} {'body':>10}")
    for name, ratios in figures.ratios.items():
        times = figures.times[name]
        print(
            f"{name:<50} {len(times):>3} {median(times):>9.4f} {min(times):>8.4f} "
            f"{median(ratios):>6.2f}× {figures.sizes[name]:>10,}"
        )
    for name, values in growth.items():
        print(f"{name + f' {small}→{large}':<50} {len(values):>3} {median(values):>25.2f}×")
    print(
        f"worker RSS, the worker that scored the {large} job cold and served every figure "
        f"above, after the {large} matrix and XLSX: {rss_served:.1f} MB (no target)"
    )
    print(
        f"worker RSS, stored results: fresh {rss_fresh:.1f} MB; after the {large} matrix and "
        f"XLSX {rss_after:.1f} MB; after five more exports {rss_more:.1f} MB"
    )
    for name, values in first_rss.items():
        print(f"worker RSS after {name}: median {median(values):.1f} MB")
    for note in notes:
        print("NOTE " + note)

    checks = []
    for name, limit in TARGETS.items():
        value = median(growth[name]) if name in growth else median(figures.ratios[name])
        checks.append((f"{name} = {value:.2f}× (target ≤ {limit:g}×)", value <= limit))
    checks.append(
        (
            f"first request of a fresh worker reads stored results (no rows rewritten in "
            f"{args.trials} trials)",
            not notes,
        )
    )
    checks.append(
        (
            f"worker RSS after the {large} matrix and XLSX = {rss_after:.1f} MB "
            f"(target ≤ {RSS_LIMIT_MB:g} MB)",
            rss_after <= RSS_LIMIT_MB,
        )
    )
    growth_rss = rss_more / rss_after - 1
    checks.append(
        (
            f"worker RSS growth over five more exports = {growth_rss * 100:+.1f} % "
            f"(target ≤ {RSS_GROWTH_LIMIT * 100:g} %)",
            growth_rss <= RSS_GROWTH_LIMIT,
        )
    )
    failed = False
    for text, ok in checks:
        print(("PASS " if ok else "FAIL ") + text)
        failed |= not ok
    return 1 if failed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--large", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=9, help="warm repetitions")
    parser.add_argument("--trials", type=int, default=5, help="fresh-worker restarts")
    parser.add_argument("--cold-trials", type=int, default=3, help="restarts with no results")
    parser.add_argument(
        "--baseline",
        choices=("s2", "flat"),
        default="s2",
        help="s2: scoring.md's criterion → round → overall means (default); flat: one "
        "Σ value·w·v / Σ w·v per application",
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--database-url", default=None, help="its public schema is rebuilt")
    where.add_argument(
        "--postgres", action="store_true", help="start a throwaway PostgreSQL 15 cluster"
    )
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # progress lines appear as they happen
    if args.small >= args.large:
        parser.error("--small must be below --large")

    workdir = Path(tempfile.mkdtemp(prefix="bench-compare-"))
    try:
        if args.postgres:
            with postgres_cluster(workdir) as url:
                return run(url, args, workdir)
        return run(args.database_url or f"sqlite:///{workdir}/bench.db", args, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
