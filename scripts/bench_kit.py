"""Benchmark the interview kit against bare baselines served by the same gunicorn (2 workers).

    .venv/bin/python scripts/bench_kit.py [--seconds 8] [--clients 16]

Builds a throw-away SQLite (WAL) database with a round of 15 criteria and 10 questions and
one draft per simulated interviewer, starts `gunicorn --workers 2 bench_baseline_app:app`
on a free 127.0.0.1 port (the Scorecard app plus the /_baseline endpoints), and measures,
in this run, with N concurrent clients (threads, one connection per request), each endpoint
in alternating short slices with its baseline so background load weighs on both alike:

    autosave     POST /kit/<id>/save (own scorecard, current lock_version)
    upsert       POST /_baseline/upsert: one row upserted with raw sqlite3, BEGIN IMMEDIATE
    kit page     GET  /kit/<id> (15 criteria, 10 questions)
    hello        GET  /_baseline/hello: a short string

Targets (ratios from this one run; the verdict uses the median of the paired slices, the
overall ratio is printed too):
    autosave throughput ≥ 30 % of upsert, and autosave p95 < 50 ms at 16 clients
    kit page throughput ≥ 10 % of hello

Prints each figure and PASS/FAIL; exits 1 if a target is missed. Stops gunicorn itself.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from load_autosave import PASSWORD, Client, migrate, pct, start_gunicorn, stop  # noqa: E402

CRITERIA = 15
QUESTIONS = 10


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
    out = []
    with app.app_context():
        hr = User(email="hr@bench.test", name="HR", role=Role.HR)
        hr.set_password(PASSWORD)
        db.session.add(hr)
        db.session.flush()
        job = create_job_from_template(bench_template(), hr)
        add_member(job, hr, JobRole.RECRUITER, hr)
        rnd = job.rounds[0]
        for i in range(clients):
            user = User(email=f"iv{i}@bench.test", name=f"Interviewer {i}", role=Role.INTERVIEWER)
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


def measure_pair(clients: list, seconds: float, slices: int, subject, baseline) -> list[dict]:
    """Alternate short slices of the subject and its baseline, so that whatever else runs on
    the machine weighs on both alike; return the totals of each, with the median of the
    per-pair throughput ratios (robust to a burst of outside load hitting one slice)."""
    totals = {name: ([], 0, 0.0) for name, _work in (subject, baseline)}
    ratios = []
    for _ in range(slices):
        rates = []
        for name, work in (subject, baseline):
            lat, failed, elapsed = run_slice(clients, seconds / slices, work)
            old = totals[name]
            totals[name] = (old[0] + lat, old[1] + failed, old[2] + elapsed)
            rates.append(len(lat) / elapsed)
        ratios.append(rates[0] / rates[1] if rates[1] else 0.0)
    results = []
    for name, (lat, failed, elapsed) in totals.items():
        result = {
            "name": name,
            "requests": len(lat),
            "rps": len(lat) / elapsed,
            "p50": pct(lat, 0.5),
            "p95": pct(lat, 0.95),
            "failures": failed,
            "median_ratio": statistics.median(ratios),
        }
        print(
            f"  {name:<10} {result['rps']:8.0f} req/s   p50 {result['p50']:6.1f} ms   "
            f"p95 {result['p95']:6.1f} ms   ({result['requests']} requests, "
            f"{result['failures']} not 200)",
            flush=True,
        )
        results.append(result)
    print(
        f"  {subject[0]} / {baseline[0]}: {results[0]['rps'] / results[1]['rps']:.1%} overall, "
        f"{statistics.median(ratios):.1%} median of {slices} paired slices "
        f"(min {min(ratios):.1%}, max {max(ratios):.1%})",
        flush=True,
    )
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=8.0, help="per endpoint measured")
    parser.add_argument("--slices", type=int, default=8, help="alternations per pair")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (target: 2)")
    args = parser.parse_args(argv)
    if not (0 < args.seconds <= 120 and 0 < args.clients <= 64):
        parser.error("--seconds in (0, 120] and --clients in 1..64")

    tmp = Path(tempfile.mkdtemp(prefix="bench-kit-"))
    database_url = f"sqlite:///{tmp / 'app.db'}"
    migrate(database_url)
    people = seed(database_url, args.clients)
    proc, port = start_gunicorn(
        database_url,
        args.workers,
        app="bench_baseline_app:app",
        extra_env={"BENCH_SQLITE_PATH": str(tmp / "baseline.db")},
    )
    print(
        f"bench_kit: gunicorn {args.workers} workers on 127.0.0.1:{port}, {args.clients} clients, "
        f"{args.seconds:g} s each, SQLite (WAL); round of {CRITERIA} criteria, "
        f"{QUESTIONS} questions",
        flush=True,
    )
    try:
        clients = []
        for email, card_id in people:
            c = Client(port)
            c.sign_in(email)
            lock, criteria = c.open_kit(card_id)
            c.card_id, c.lock, c.criteria = card_id, lock, criteria
            clients.append(c)
        rng = random.Random(7)

        def autosave(i: int, c: Client):
            field = f"rating.{rng.choice(c.criteria)}.note"
            status, body, elapsed = c.request(
                "POST",
                f"/kit/{c.card_id}/save",
                {"lock_version": c.lock, "changes": {field: f"note {rng.random():.6f}"}},
            )
            if status == 200:
                c.lock = json.loads(body)["lock_version"]
            return status, elapsed

        def upsert(i: int, c: Client):
            status, _b, elapsed = c.request(
                "POST", "/_baseline/upsert", {"key": f"k{i}", "value": f"note {rng.random():.6f}"}
            )
            return status, elapsed

        def kit_page(i: int, c: Client):
            status, _b, elapsed = c.request("GET", f"/kit/{c.card_id}")
            return status, elapsed

        def hello(i: int, c: Client):
            status, _b, elapsed = c.request("GET", "/_baseline/hello")
            return status, elapsed

        for work in (autosave, upsert, kit_page, hello):
            run_slice(clients[:4], 1.0, work)  # warm-up: connections, caches, JIT-less paths
        print(f"measured ({args.slices} alternating slices each):", flush=True)
        r_save, r_upsert = measure_pair(
            clients, args.seconds, args.slices, ("autosave", autosave), ("upsert", upsert)
        )
        r_kit, r_hello = measure_pair(
            clients, args.seconds, args.slices, ("kit page", kit_page), ("hello", hello)
        )
    finally:
        stop(proc)
        shutil.rmtree(tmp, ignore_errors=True)

    # The verdict uses the median of the paired slices: this machine is shared, and a burst
    # of someone else's work during one slice must not decide it either way.
    save_ratio = r_save["median_ratio"]
    kit_ratio = r_kit["median_ratio"]
    checks = [
        (
            "autosave throughput / raw sqlite3 upsert (median)",
            f"{save_ratio:.1%}",
            "≥ 30 %",
            save_ratio >= 0.30,
        ),
        (
            f"autosave p95 at {args.clients} clients",
            f"{r_save['p95']:.1f} ms",
            "< 50 ms",
            r_save["p95"] < 50,
        ),
        (
            "kit page throughput / bare hello (median)",
            f"{kit_ratio:.1%}",
            "≥ 10 %",
            kit_ratio >= 0.10,
        ),
        (
            "requests that were not 200",
            str(sum(r["failures"] for r in (r_upsert, r_save, r_hello, r_kit))),
            "0",
            all(r["failures"] == 0 for r in (r_upsert, r_save, r_hello, r_kit)),
        ),
    ]
    for label, figure, target, ok in checks:
        print(f"{label:<50} {figure:>10}  target {target:<8} {'PASS' if ok else 'FAIL'}")
    return 0 if all(ok for *_x, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
