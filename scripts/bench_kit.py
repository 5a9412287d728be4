"""Benchmark the interview kit against bare baselines served by the same gunicorn (2 workers).

    .venv/bin/python scripts/bench_kit.py [--seconds 10] [--clients 16,64]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:PORT/NAME] [--profile]

Builds a round of 15 criteria and 10 questions and one draft per simulated interviewer (in a
throw-away SQLite (WAL) database, or in the database given), starts
`gunicorn --workers 2 bench_baseline_app:app` on a free 127.0.0.1 port (the Scorecard app plus
the /_baseline endpoints) and measures, in this one run:

    autosave     POST /kit/<id>/save (own scorecard, current lock_version)
    upsert       POST /_baseline/upsert: one row upserted with the raw driver (sqlite3 with
                 BEGIN IMMEDIATE, or psycopg): the least a durable autosave can cost here
    kit page     GET  /kit/<id> (15 criteria, 10 questions)
    hello        GET  /_baseline/hello: a short string

Load comes from wrk (scripts/bench_kit.lua): one thread and one connection per interviewer,
each tracking its own lock_version from the answers. First the generators are compared on
the baselines — Python threads (the former generator), wrk with half as many threads as
connections, and wrk with a thread per connection as used below (twice the capacity; the
figures must agree within 10 % for wrk not to be the bottleneck). Then each endpoint runs
in alternating short slices with its baseline, so background load weighs on both alike; the
verdict uses the median of the paired ratios.
Then the largest group of interviewers saves once more at the kit's own pace (each waits
600 ms ± 1/6 between saves, as the kit's autosave debounce does; Python threads that
connect when they send): the latency an interviewer feels at that crowd, printed beside
the targets (it is not one of them).
Every acknowledged autosave is checked against the database afterwards (R3's ledger check):
each field holds its last acknowledged value and each lock_version is its start plus the
acknowledged saves (0 lost, 0 duplicated).

Before the load, one autosave and one kit page are run in-process with the statements
counted and the time split into database (driver execute and commit) and Python;
`--profile` adds the cProfile functions that cost the most.

Targets: autosave ≥ 30 % of upsert with p95 < 50 ms at each client count; kit page ≥ 10 % of
hello; 0 requests that were not 200; 0 lost or duplicated changes; statements per autosave
≤ 4 and per kit page ≤ 8 (transaction control not counted). Prints each figure and
PASS/FAIL; exits 1 if a target is missed. Stops gunicorn itself.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import logging
import os
import pstats
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from serve import PASSWORD, Client, migrate, start_gunicorn, stop  # noqa: E402

CRITERIA = 15
QUESTIONS = 10
PACE_MS = 600  # the kit's autosave debounce (static/js/kit/transport.js DEBOUNCE_MS)


def bench_template() -> dict:
    """A job whose one round has 15 criteria and 10 questions (every third one STAR)."""
    dims = ("technical", "business", "attitude", "etiquette")
    criteria = [
        {
            "key": f"c{i}",
            "dimension": dims[i % 4],
            "weight": 1 + i % 3,
            "must_have": i % 5 == 0,
            "name": {"zh": f"标准{i}", "en": f"Criterion {i}"},
            "description": {"zh": "说明" * 10, "en": "What this criterion covers. " * 3},
            "anchors": {
                str(p): {"zh": f"锚点{p}" * 8, "en": f"Anchor {p}: what a {p} looks like. " * 3}
                for p in (1, 2, 3, 4)
            },
        }
        for i in range(CRITERIA)
    ]
    questions = [
        {
            "key": f"q{i}",
            "criterion": f"c{i}",
            "star": i % 3 == 0,
            "text": {"zh": f"问题{i}" * 5, "en": f"Question {i}: tell us about a project. " * 2},
            "guidance": {"zh": "好的回答" * 10, "en": "A good answer shows concrete detail. " * 3},
        }
        for i in range(QUESTIONS)
    ]
    return {
        "job": {"title": {"zh": "基准职位", "en": "Benchmark job"}},
        "rounds": [
            {
                "key": "bench",
                "weight": 1,
                "name": {"zh": "基准轮", "en": "Benchmark round"},
                "focus": {"zh": "基准", "en": "Benchmark focus"},
                "criteria": criteria,
                "questions": questions,
            }
        ],
        "red_flags": [
            {"key": f"f{i}", "label": {"zh": f"红旗{i}", "en": f"Red flag {i}"}} for i in range(5)
        ],
    }


def seed(database_url: str, clients: int) -> list[tuple[str, int]]:
    """HR, a job from bench_template() and one interview (one draft) per interviewer."""
    os.environ["DATABASE_URL"] = database_url
    from config import Config
    from scorecard import create_app
    from scorecard.extensions import db
    from scorecard.models import Application, Candidate, JobRole, Role, User, utcnow
    from scorecard.services import scheduling
    from scorecard.services.setup.job_template import create_job_from_template
    from scorecard.services.setup.team import add_member

    class SeedConfig(Config):
        SQLALCHEMY_DATABASE_URI = database_url
        PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"

    app = create_app(SeedConfig)
    tag = uuid.uuid4().hex[:8]  # a given database can be used again
    out = []
    with app.app_context():
        hr = User(email=f"hr-{tag}@bench.test", name="HR", role=Role.HR)
        hr.set_password(PASSWORD)
        db.session.add(hr)
        db.session.flush()
        job = create_job_from_template(bench_template(), hr)
        add_member(job, hr, JobRole.RECRUITER, hr)
        rnd = job.rounds[0]
        for i in range(clients):
            user = User(
                email=f"iv{i}-{tag}@bench.test", name=f"Interviewer {i}", role=Role.INTERVIEWER
            )
            user.set_password(PASSWORD)
            db.session.add(user)
            db.session.flush()
            add_member(job, user, JobRole.INTERVIEWER, hr)
            cand = Candidate(name=f"候选人 {i}", note="十年医疗信息化经验。" * 5)
            application = Application(candidate=cand, job=job, current_round=rnd)
            db.session.add_all([cand, application])
            db.session.flush()
            iv = scheduling.schedule_interview(application, rnd, utcnow(), [user], hr)
            out.append((user.email, iv.scorecards[0].id))
        db.session.commit()
        db.engine.dispose()
    return out


# --- statements and time of one request, in-process ----------------------------------------

PROFILE_FILTER = [r"scorecard|templates|jinja2/environment|sqlalchemy/orm/session", 25]
TX_CONTROL = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b", re.I)


def profile_paths(database_url: str, email: str, card_id: int, show_profile: bool) -> dict:
    """One autosave and one kit page through the app in this process: statements, then the
    mean time of 200 of each split into database (driver execute + commit) and Python."""
    import sqlalchemy as sa
    from sqlalchemy import event

    from config import Config
    from scorecard import create_app
    from scorecard.extensions import db

    class ProfileConfig(Config):
        SQLALCHEMY_DATABASE_URI = database_url

    app = create_app(ProfileConfig)
    logging.disable(logging.INFO)  # the request log of 440 requests
    statements: list[str] = []
    db_time = [0.0]
    marks: list[float] = []

    def before_execute(conn, cursor, statement, params, context, many):
        statements.append(statement)
        marks.append(time.perf_counter())

    def after_execute(conn, cursor, statement, params, context, many):
        db_time[0] += time.perf_counter() - marks.pop()

    def before_commit(conn):
        marks.append(time.perf_counter())

    def after_commit(session):
        if marks:
            db_time[0] += time.perf_counter() - marks.pop()

    with app.app_context():
        engine = db.engine
        event.listen(engine, "before_cursor_execute", before_execute)
        event.listen(engine, "after_cursor_execute", after_execute)
        event.listen(engine, "commit", before_commit)
        event.listen(sa.orm.Session, "after_commit", after_commit)
    client = app.test_client()
    page = client.get("/login").text
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
    client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    html = client.get(f"/kit/{card_id}").text
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', html).group(1)
    lock = [int(re.search(r'data-lock="(\d+)"', html).group(1))]
    crit = sorted({int(x) for x in re.findall(r'data-field="rating\.(\d+)\.value"', html)})
    n = [0]

    def autosave():
        n[0] += 1
        r = client.post(
            f"/kit/{card_id}/save",
            json={
                "lock_version": lock[0],
                "changes": {f"rating.{crit[n[0] % 3]}.note": f"profile {n[0]}"},
            },
            headers={"X-CSRFToken": token},
        )
        assert r.status_code == 200, r.text
        lock[0] = r.json["lock_version"]

    def kit_page():
        r = client.get(f"/kit/{card_id}")
        assert r.status_code == 200

    out = {}
    for name, work in (("autosave", autosave), ("kit page", kit_page)):
        for _ in range(20):
            work()  # warm-up; autosave's rows exist from here on (the steady state)
        statements.clear()
        work()
        data = [s for s in statements if not TX_CONTROL.match(s)]
        control = len(statements) - len(data)
        runs = 200
        profiler = cProfile.Profile() if show_profile else None
        db_time[0] = 0.0
        began = time.perf_counter()
        if profiler:
            profiler.enable()
        for _ in range(runs):
            work()
        if profiler:
            profiler.disable()
        wall = (time.perf_counter() - began) / runs * 1000
        database = db_time[0] / runs * 1000
        out[name] = {"statements": len(data), "control": control, "sql": data}
        print(
            f"  {name:<9} {len(data)} statements (+{control} transaction control); "
            f"{wall:.2f} ms per request in-process{' under cProfile' if profiler else ''}: "
            f"database {database:.2f} ms, Python {wall - database:.2f} ms",
            flush=True,
        )
        for sql in data:
            print(f"      {' '.join(sql.split())[:110]}")
        if profiler:
            text = io.StringIO()
            pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(
                *PROFILE_FILTER
            )
            print("\n".join("      " + line for line in text.getvalue().splitlines()[6:]))
    with app.app_context():
        db.engine.dispose()
    logging.disable(logging.NOTSET)
    return out


# --- the former generator: Python threads --------------------------------------------------


def run_slice(clients: list, seconds: float, work) -> tuple[list[float], int, float]:
    """Run `work(client_index, client)` in a loop on every client for `seconds`."""
    latencies: list[list[float]] = [[] for _ in clients]
    failures = [0]
    lock = threading.Lock()
    start_gate = threading.Barrier(len(clients) + 1)
    deadline = [0.0]

    def loop(i: int) -> None:
        start_gate.wait()
        count = 0
        while time.perf_counter() < deadline[0] and count < 200_000:
            count += 1
            status, elapsed = work(i, clients[i])
            if status != 200:
                with lock:
                    failures[0] += 1
            latencies[i].append(elapsed)

    threads = [threading.Thread(target=loop, args=(i,), daemon=True) for i in range(len(clients))]
    for t in threads:
        t.start()
    deadline[0] = time.perf_counter() + seconds
    began = time.perf_counter()
    start_gate.wait()
    for t in threads:
        t.join(timeout=seconds + 60)
    return [x for row in latencies for x in row], failures[0], time.perf_counter() - began


# --- wrk -----------------------------------------------------------------------------------

LUA = Path(__file__).resolve().parent / "bench_kit.lua"


@dataclass
class Interviewer:
    """A signed-in interviewer's connection state and ledger of acknowledged changes."""

    client: Client
    card_id: int
    lock: int
    start_lock: int
    criteria: list[int]
    acks: int = 0
    fields: dict[str, str] = field(default_factory=dict)


@dataclass
class Slice:
    requests: int
    seconds: float
    p50: float
    p95: float
    not_ok: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


class Wrk:
    """Runs wrk slices against one server for a list of interviewers."""

    def __init__(self, port: int, people: list[Interviewer], workdir: Path) -> None:
        self.port, self.people, self.workdir = port, people, workdir
        self.problems: list[str] = []
        self.statuses: dict[tuple[str, int], int] = {}  # (mode, status or 0: socket error)

    def run(self, mode: str, clients: int, seconds: float, threads: int | None = None) -> Slice:
        """One slice of `seconds`: `clients` connections, one wrk thread each unless given."""
        data, out = self.workdir / "clients.lua", self.workdir / "out.txt"
        group = self.people[:clients]
        data.write_text(
            "return {clients = {\n"
            + "".join(
                f'{{card={p.card_id}, lock={p.lock}, cookie="{_cookie(p.client)}", '
                f'token="{p.client.token}", crits={{{",".join(map(str, p.criteria))}}}}},\n'
                for p in group
            )
            + "}}\n"
        )
        out.unlink(missing_ok=True)
        cmd = [
            "wrk",
            f"-t{threads or clients}",
            f"-c{clients}",
            f"-d{max(1, round(seconds))}s",  # wrk takes whole seconds
            "--timeout",
            "30s",
            "-s",
            str(LUA),
            f"http://127.0.0.1:{self.port}",
            "--",
            mode,
            str(data),
            str(out),
        ]
        done = subprocess.run(
            cmd,
            capture_output=True,
            text=True,
            timeout=seconds + 120,
            env=dict(os.environ, BENCH_KIT_OUT=str(out)),
        )
        if done.returncode != 0 or not out.exists():
            raise RuntimeError(f"wrk failed: {done.stdout}\n{done.stderr}")
        if done.stderr and os.environ.get("BENCH_KIT_DEBUG"):
            print(done.stderr[:3000])
        lines = [line.split(" ") for line in out.read_text().splitlines()]
        summary = lines[0]
        requests, duration = int(summary[1]), int(summary[2]) / 1e6
        socket_errors = sum(int(x) for x in summary[3:6]) + int(summary[7])
        status_errors = int(summary[6])
        for row in lines[1:]:
            if row[0] == "status":
                self.statuses[(mode, int(row[2]))] = self.statuses.get(
                    (mode, int(row[2])), 0
                ) + int(row[3])
        if socket_errors:
            self.statuses[(mode, 0)] = self.statuses.get((mode, 0), 0) + socket_errors
        if mode == "save":
            self._reconcile(group, lines[1:])
        return Slice(
            requests=requests,
            seconds=duration,
            p50=float(summary[8]) / 1000,
            p95=float(summary[9]) / 1000,
            not_ok=status_errors + socket_errors,
        )

    def _reconcile(self, group: list[Interviewer], lines: list[list[str]]) -> None:
        """Take the slice's acknowledged saves into each ledger; settle the one in flight."""
        by_id = {i + 1: p for i, p in enumerate(group)}
        pending: dict[int, tuple[str, str]] = {}
        for row in lines:
            if row[0] == "client":
                person = by_id[int(row[1])]
                person.lock, person.acks = int(row[2]), person.acks + int(row[3])
                if row[5]:
                    pending[int(row[1])] = (row[5], row[6])
            elif row[0] == "field":
                by_id[int(row[1])].fields[row[2]] = row[3]
        # wrk stopped with these saves sent and their answers not read: the server may or
        # may not have stored them. Each scorecard's state says which (like a page reloading
        # after a cut); a save still queued or being served shows a moment later, so look
        # again for a while at those whose lock has not moved.
        states: dict[int, dict] = {}
        waiting = set(pending)
        for _round in range(8):
            if not waiting:
                break
            time.sleep(0.25)
            for thread_id in sorted(waiting):
                person = by_id[thread_id]
                _s, body, _t = person.client.request("GET", f"/kit/{person.card_id}/state")
                states[thread_id] = json.loads(body)["state"]
                if states[thread_id]["lock_version"] != person.lock:
                    waiting.discard(thread_id)
        for thread_id, (name, value) in pending.items():
            person, state = by_id[thread_id], states[thread_id]
            if state["lock_version"] == person.lock + 1 and state["fields"].get(name) == value:
                person.lock, person.acks = person.lock + 1, person.acks + 1
                person.fields[name] = value
            elif state["lock_version"] != person.lock:
                self.problems.append(
                    f"scorecard {person.card_id}: lock {state['lock_version']} on the server, "
                    f"{person.lock} acknowledged"
                )
                person.lock = state["lock_version"]


def paced_saves(people: list[Interviewer], seconds: float, pace_ms: int) -> Slice:
    """Each interviewer saves one note, waits `pace_ms` ± 1/6, and again, for `seconds`.

    Python threads (`run_slice`), not wrk: wrk opens a connection as soon as the last one
    closes and then waits out its delay on it, which holds a sync gunicorn worker reading an
    idle socket (nginx in front of a real deployment never hands a worker a request until
    it has all of it). These clients connect when they send. Each acknowledged save goes
    into the interviewer's ledger, checked with the others afterwards.
    """
    rngs = [random.Random(i) for i in range(len(people))]
    sent = [0] * len(people)

    def save(i: int, person: Interviewer) -> tuple[int, float]:
        time.sleep(rngs[i].uniform(pace_ms * 5 / 6, pace_ms * 7 / 6) / 1000)
        sent[i] += 1
        name = f"rating.{person.criteria[sent[i] % len(person.criteria)]}.note"
        value = f"paced-{i}-{sent[i]}"
        status, body, elapsed = person.client.request(
            "POST",
            f"/kit/{person.card_id}/save",
            {"lock_version": person.lock, "changes": {name: value}},
        )
        if status == 200:
            person.lock = json.loads(body)["lock_version"]
            person.acks += 1
            person.fields[name] = value
        return status, elapsed

    latencies, failed, elapsed = run_slice(people, seconds, save)
    ordered = sorted(latencies) or [0.0]
    return Slice(
        requests=len(latencies),
        seconds=elapsed,
        p50=ordered[len(ordered) // 2] * 1000,
        p95=ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] * 1000,
        not_ok=failed,
    )


def _cookie(client: Client) -> str:
    return "; ".join(f"{k}={v}" for k, v in client.cookies.items())


def paired(wrk: Wrk, clients: int, seconds: float, slices: int, subject: str, baseline: str):
    """Alternate slices of the subject and its baseline; totals and the median pair ratio."""
    runs: dict[str, list[Slice]] = {subject: [], baseline: []}
    ratios = []
    for i in range(slices):
        order = (subject, baseline) if i % 2 == 0 else (baseline, subject)
        got = {mode: wrk.run(mode, clients, seconds / slices) for mode in order}
        for mode, result in got.items():
            runs[mode].append(result)
        ratios.append(got[subject].rps / got[baseline].rps if got[baseline].rps else 0.0)
    return runs, ratios


def summarise(runs: list[Slice]) -> dict:
    requests = sum(r.requests for r in runs)
    seconds = sum(r.seconds for r in runs)
    return {
        "rps": requests / seconds if seconds else 0.0,
        "median_rps": statistics.median(r.rps for r in runs),
        # wrk reports percentiles per slice; the median slice's p95 and the worst one
        "p50": statistics.median(r.p50 for r in runs),
        "p95": statistics.median(r.p95 for r in runs),
        "p95_max": max(r.p95 for r in runs),
        "requests": requests,
        "not_ok": sum(r.not_ok for r in runs),
    }


# --- checking the ledgers --------------------------------------------------------------------


def check_ledgers(database_url: str, people: list[Interviewer]) -> dict[str, int]:
    """Each acknowledged field's last value stored; each lock_version = start + acks."""
    import sqlalchemy as sa

    from config import Config
    from scorecard import create_app
    from scorecard.extensions import db
    from scorecard.models import Rating, Scorecard

    class CheckConfig(Config):
        SQLALCHEMY_DATABASE_URI = database_url

    app = create_app(CheckConfig)
    ids = [p.card_id for p in people]
    with app.app_context():
        locks = dict(
            db.session.execute(
                sa.select(Scorecard.id, Scorecard.lock_version).where(Scorecard.id.in_(ids))
            ).all()
        )
        notes = {
            (card, crit): note
            for card, crit, note in db.session.execute(
                sa.select(Rating.scorecard_id, Rating.criterion_id, Rating.note).where(
                    Rating.scorecard_id.in_(ids)
                )
            )
        }
        db.engine.dispose()
    lost = sum(
        notes.get((p.card_id, int(name.split(".")[1]))) != value
        for p in people
        for name, value in p.fields.items()
    )
    lock_mismatch = sum(
        locks[p.card_id] != p.start_lock + p.acks or p.lock != locks[p.card_id] for p in people
    )
    return {
        "saves": sum(p.acks for p in people),
        "fields": sum(len(p.fields) for p in people),
        "lost": lost,
        "lock_mismatch": lock_mismatch,
    }


# --- the run -------------------------------------------------------------------------------


def generator_check(wrk: Wrk, people: list[Interviewer], clients: int, rounds: int) -> dict:
    """Baselines from Python threads, and from wrk with half as many threads as connections
    and with one thread per connection (as measured below: twice the capacity), interleaved.

    Returns the median of each figure, and per baseline the median of the rounds' own
    full / half ratios (the two slices of a round run back to back, so outside load weighs
    on both alike).
    """
    rng = random.Random(7)

    def hello(i: int, p: Interviewer):
        status, _b, elapsed = p.client.request("GET", "/_baseline/hello")
        return status, elapsed

    def upsert(i: int, p: Interviewer):
        status, _b, elapsed = p.client.request(
            "POST", "/_baseline/upsert", {"key": f"k{i}", "value": f"v {rng.random():.6f}"}
        )
        return status, elapsed

    figures: dict[tuple[str, str], list[float]] = {}
    group = people[:clients]
    for n in range(rounds):
        for mode, work in (("hello", hello), ("upsert", upsert)):
            lat, _failed, elapsed = run_slice(group, 2.0, work)
            figures.setdefault((mode, "python"), []).append(len(lat) / elapsed)
            got = {}
            half = max(1, clients // 2)
            for threads in (half, clients) if n % 2 == 0 else (clients, half):
                name = "full" if threads == clients else "half"
                got[name] = wrk.run(mode, clients, 2, threads=threads).rps
                figures.setdefault((mode, name), []).append(got[name])
            figures.setdefault((mode, "doubled"), []).append(
                got["full"] / got["half"] if got["half"] else 0.0
            )
    return {key: statistics.median(values) for key, values in figures.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="per endpoint and count")
    parser.add_argument("--slices", type=int, default=5, help="alternations per pair")
    parser.add_argument("--clients", default="16,64", help="interviewer counts for autosave")
    parser.add_argument("--kit-clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (target: 2)")
    parser.add_argument("--database-url", help="default: a throw-away SQLite (WAL) database")
    parser.add_argument("--profile", action="store_true", help="cProfile one of each path")
    parser.add_argument("--generator-rounds", type=int, default=4)
    parser.add_argument("--ports", help="where gunicorn may listen, e.g. 56300-56399")
    args = parser.parse_args(argv)
    counts = [int(x) for x in args.clients.split(",")]
    if not (0 < args.seconds <= 120 and all(0 < c <= 64 for c in counts + [args.kit_clients])):
        parser.error("--seconds in (0, 120] and client counts in 1..64")
    if shutil.which("wrk") is None:
        parser.error("wrk is not installed")

    if args.ports:
        os.environ["SCORECARD_PORTS"] = args.ports
    tmp = Path(tempfile.mkdtemp(prefix="bench-kit-"))
    database_url = args.database_url or f"sqlite:///{tmp / 'app.db'}"
    postgres = database_url.startswith("postgresql")
    migrate(database_url)
    most = max(counts + [args.kit_clients])
    seeded = seed(database_url, most + 1)
    profile_email, profile_card = seeded.pop()  # its own scorecard: the load's stay untouched
    kind = "PostgreSQL" if postgres else "SQLite (WAL)"
    print(
        f"bench_kit: {kind}; round of {CRITERIA} criteria, {QUESTIONS} questions; "
        f"gunicorn {args.workers} workers",
        flush=True,
    )
    print("one request of each, in-process (statements exclude BEGIN/COMMIT):", flush=True)
    counted = profile_paths(database_url, profile_email, profile_card, args.profile)
    extra = {"BENCH_SQLITE_PATH": str(tmp / "baseline.db")}
    if postgres:
        extra = {"BENCH_PG_DSN": database_url.replace("postgresql+psycopg://", "postgresql://")}
    proc, port = start_gunicorn(
        database_url, args.workers, app="bench_baseline_app:app", extra_env=extra
    )
    print(f"gunicorn on 127.0.0.1:{port}", flush=True)
    results: dict[int, dict] = {}
    try:
        people = []
        for email, card_id in seeded:
            c = Client(port)
            c.sign_in(email)
            lock, criteria = c.open_kit(card_id)
            people.append(Interviewer(c, card_id, lock, lock, criteria))
        wrk = Wrk(port, people, tmp)
        for mode in ("save", "upsert", "kit", "hello"):
            wrk.run(mode, 4, 1.0)  # warm-up: connections, caches, both workers
        base_clients = args.kit_clients
        print(
            f"\nbaselines by generator ({base_clients} connections, medians of "
            f"{args.generator_rounds} interleaved rounds of 2 s slices):",
            flush=True,
        )
        gen = generator_check(wrk, people, base_clients, args.generator_rounds)
        half = max(1, base_clients // 2)
        print(
            f"  {'':<8} {'Python threads':>15} {f'wrk {half} threads':>14} "
            f"{f'wrk {base_clients} threads':>15}  {base_clients} / {half} threads "
            "(median of rounds)"
        )
        gen_ok = True
        for mode in ("hello", "upsert"):
            one, two = gen[(mode, "half")], gen[(mode, "full")]
            change = gen[(mode, "doubled")] - 1
            gen_ok = gen_ok and abs(change) <= 0.10
            print(
                f"  {mode:<8} {gen[(mode, 'python')]:>11.0f} r/s {one:>10.0f} r/s "
                f"{two:>11.0f} r/s  {change:+.1%}"
            )
        print(
            f"\nmeasured with wrk, one thread and connection per interviewer "
            f"({args.slices} alternating slices of {args.seconds / args.slices:g} s each):",
            flush=True,
        )
        header = (
            f"  {'endpoint':<9} {'clients':>7} {'req/s':>8} {'p50 ms':>7} {'p95 ms':>7} "
            f"{'worst p95':>9} {'not 200':>7}  ratio (median of pairs, min–max)"
        )
        print(header)
        pairs = [(n, "save", "upsert") for n in counts] + [(args.kit_clients, "kit", "hello")]
        for n, subject, baseline in pairs:
            runs, ratios = paired(wrk, n, args.seconds, args.slices, subject, baseline)
            s, b = summarise(runs[subject]), summarise(runs[baseline])
            results[(subject, n)] = {
                "subject": s,
                "baseline": b,
                "ratio": statistics.median(ratios),
            }
            for name, fig in ((subject, s), (baseline, b)):
                label = {"save": "autosave", "kit": "kit page"}.get(name, name)
                print(
                    f"  {label:<9} {n:>7} {fig['rps']:>8.0f} {fig['p50']:>7.1f} "
                    f"{fig['p95']:>7.1f} {fig['p95_max']:>9.1f} {fig['not_ok']:>7}"
                    + (
                        f"  {statistics.median(ratios):.1%} ({min(ratios):.1%}–{max(ratios):.1%})"
                        if name == subject
                        else ""
                    ),
                    flush=True,
                )
        # What an interviewer feels: the same interviewers, each saving at the kit's own
        # pace (its autosave waits 600 ms after the last keystroke, one save in flight).
        crowd = max(counts)
        paced = paced_saves(people[:crowd], args.seconds, PACE_MS)
        print(
            f"\n{crowd} interviewers at the kit's pace (one save per {PACE_MS} ms ± 1/6 each, "
            f"{args.seconds:g} s, each connecting when it sends): {paced.rps:.0f} saves/s, "
            f"p50 {paced.p50:.1f} ms, p95 {paced.p95:.1f} ms, {paced.not_ok} not 200",
            flush=True,
        )
    finally:
        stop(proc)
    ledger = check_ledgers(database_url, people)
    shutil.rmtree(tmp, ignore_errors=True)
    print(
        f"\nledger: {ledger['saves']} acknowledged saves of {ledger['fields']} fields: "
        f"{ledger['lost']} lost, {ledger['lock_mismatch']} lock mismatches "
        f"(a save applied twice or not at all); {len(wrk.problems)} other problems",
        flush=True,
    )
    if wrk.statuses:
        print(
            "not 200: "
            + ", ".join(
                f"{mode} {status or 'socket error'} ×{n}"
                for (mode, status), n in sorted(wrk.statuses.items())
            )
        )
    for problem in wrk.problems[:10]:
        print(f"  {problem}")

    checks = [
        (
            "wrk 2× threads: baselines within 10 %",
            "yes" if gen_ok else "no",
            "yes",
            gen_ok,
        )
    ]
    for n in counts:
        r = results[("save", n)]
        checks.append(
            (
                f"autosave / raw upsert, {n} clients",
                f"{r['ratio']:.1%}",
                "≥ 30 %",
                r["ratio"] >= 0.30,
            )
        )
        checks.append(
            (
                f"autosave p95, {n} clients (median slice)",
                f"{r['subject']['p95']:.1f} ms",
                "< 50 ms",
                r["subject"]["p95"] < 50,
            )
        )
    kit = results[("kit", args.kit_clients)]
    checks.append(("kit page / hello", f"{kit['ratio']:.1%}", "≥ 10 %", kit["ratio"] >= 0.10))
    not_ok = paced.not_ok + sum(
        r["subject"]["not_ok"] + r["baseline"]["not_ok"] for r in results.values()
    )
    checks.append(("requests that were not 200", str(not_ok), "0", not_ok == 0))
    bad = ledger["lost"] + ledger["lock_mismatch"] + len(wrk.problems)
    checks.append(("changes lost or duplicated", str(bad), "0", bad == 0))
    for name, aim in (("autosave", 4), ("kit page", 8)):
        got = counted[name]["statements"]
        checks.append((f"statements per {name}", str(got), f"≤ {aim}", got <= aim))
    print()
    for label, figure, target, ok in checks:
        print(f"{label:<44} {figure:>10}  target {target:<8} {'PASS' if ok else 'FAIL'}")
    return 0 if all(ok for *_x, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
