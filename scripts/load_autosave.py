"""Load test of live scoring (reliability.md R3–R5, R15) against gunicorn with 4 workers.

    python scripts/load_autosave.py --database-url sqlite:////tmp/load.db --duration 60 --clients 50
    python scripts/load_autosave.py --database-url postgresql+psycopg://postgres@127.0.0.1:55432/x \
        --json figures.json

Steps: `flask db upgrade` on the target database; seed its own users, a job from the default
template and interviews (unique per run, so a database can be reused); start gunicorn on a
free 127.0.0.1 port (one per `--instances`, sharing one secret key); then

  R3  K interviewers, locust users (scripts/load_interviewers.py, its own process), autosave
      with the lock_version like the kit's script and submit (each submit sent twice with
      one key, like a retry) for T seconds. Each keeps a ledger of the changes the server
      acknowledged; afterwards the database must hold each field's last acknowledged value,
      each scorecard's lock_version must be 1 + its acknowledged writes, and each submitted
      scorecard has exactly one submission. `--kill-worker-after S` SIGKILLs a gunicorn
      worker S seconds in; the dropped requests are recovered, and nothing may be lost.
  R4  N complete scorecards are each submitted by 3 identical concurrent requests:
      exactly N submissions.
  R5  M trials of two saves carrying the same (then stale) lock_version, sent together:
      exactly one wins, the other gets 409.
  R15 (with 2+ instances) every session alternates between them; 5 failed sign-ins spread
      over them lock the account on every instance.

Traffic goes to 127.0.0.1 only; every loop is bounded in time and count, and the script
stops gunicorn and the locust process itself. It prints the figures and, with `--json PATH`,
writes them there. Exit status 0 only if every check holds; 0 5xx is one of them.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from load_trials import lockout_across, r4_double_submit, r5_stale_pairs  # noqa: E402
from load_world import check_ledgers, count_submissions, forget_failures, seed  # noqa: E402
from serve import migrate, start_gunicorn, stop  # noqa: E402

MAX_REQUESTS_PER_CLIENT = 20_000  # a hard stop besides the clock


def run_interviewers(plan: dict, timeout: float) -> dict:
    """R3's locust users in their own process; returns what it wrote (ledgers, figures)."""
    with tempfile.TemporaryDirectory(prefix="scorecard-load-") as tmp:
        plan_path, out_path = Path(tmp, "plan.json"), Path(tmp, "out.json")
        plan_path.write_text(json.dumps(plan))
        proc = subprocess.Popen(  # noqa: S603 - our own interpreter and script
            [sys.executable, str(HERE / "load_interviewers.py"), str(plan_path), str(out_path)],
            cwd=HERE.parent,
            stdin=subprocess.DEVNULL,
        )
        try:
            proc.wait(timeout=timeout)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)
        if proc.returncode != 0 or not out_path.exists():
            raise RuntimeError(f"the locust process failed (status {proc.returncode})")
        run = json.loads(out_path.read_text())
    run["ledgers"] = {int(k): v for k, v in run["ledgers"].items()}
    run["statuses"] = {
        int(k): v for k, v in sorted(run["statuses"].items(), key=lambda i: int(i[0]))
    }
    return run


def r3_figures(run: dict, check: dict) -> dict:
    ledgers = run["ledgers"].values()
    return {
        "saves": run["save"]["count"],
        "submits": run["submit"]["count"],
        "elapsed_s": run["elapsed_s"],
        "saves_per_s": run["save"]["count"] / run["elapsed_s"],
        "save_ms": {"p50": run["save"]["p50_ms"], "p95": run["save"]["p95_ms"]},
        "submit_ms": {"p50": run["submit"]["p50_ms"], "p95": run["submit"]["p95_ms"]},
        "statuses": run["statuses"],
        "acknowledged_changes": run["acked_changes"],
        "acknowledged_saves": run["acked_saves"],
        "fields_checked": check["fields"],
        "missing": check["missing"],
        "lock_mismatches": check["wrong_lock"],
        "duplicate_submissions": check["dup"],
        "submitted": sum(1 for led in ledgers if led["submitted"]),
        "5xx": sum(n for s, n in run["statuses"].items() if s >= 500),
        "unexpected_conflicts": run["conflicts"],
        "requests": run["requests"],
        "errors": run["errors"],
    }


def verdicts(figures: dict) -> dict[str, bool]:
    """Which promises held in this run."""
    r3 = figures["r3"]
    held = {
        "r3": r3["missing"]
        == r3["lock_mismatches"]
        == r3["duplicate_submissions"]
        == r3["5xx"]
        == 0
        and not r3["errors"]
        and r3["acknowledged_saves"] > 0
        and r3["submitted"] > 0
    }
    if r4 := figures.get("r4"):
        held["r4"] = r4["submissions"] == r4["scorecards"] and set(r4["statuses"]) == {200}
        held["r4"] = held["r4"] and r4["5xx"] == 0 and r4["disagreements"] == 0
    if r5 := figures.get("r5"):
        held["r5"] = r5["exactly_one"] == r5["trials"]
    if fault := figures.get("fault"):
        held["fault"] = fault["worker"] is not None
    if r15 := figures.get("r15"):
        held["r15"] = r15["locked"] == r15["instances"] and r15["logged_in"] == 0
    return held


def report(figures: dict) -> None:
    """The figures, human readable."""
    r3 = figures["r3"]
    print(
        f"R3 load: {r3['saves']} saves + {r3['submits']} submits in {r3['elapsed_s']:.1f} s = "
        f"{r3['saves_per_s']:.0f} saves/s; save latency p50 {r3['save_ms']['p50']:.1f} ms, "
        f"p95 {r3['save_ms']['p95']:.1f} ms; submit p50 {r3['submit_ms']['p50']:.1f} ms, "
        f"p95 {r3['submit_ms']['p95']:.1f} ms"
    )
    print(f"R3 statuses: {r3['statuses']}")
    print(
        f"R3: {r3['acknowledged_changes']} acknowledged changes in {r3['acknowledged_saves']} "
        f"saves ({r3['fields_checked']} fields checked), {r3['missing']} missing, "
        f"{r3['lock_mismatches']} lock mismatches, {r3['duplicate_submissions']} duplicate "
        f"submissions ({r3['submitted']} submitted), {r3['5xx']} 5xx, "
        f"{r3['unexpected_conflicts']} unexpected conflicts"
    )
    if r4 := figures.get("r4"):
        print(
            f"R4: {r4['scorecards']} scorecards × 3 identical concurrent submits: "
            f"{r4['submissions']} submissions, statuses {r4['statuses']}, {r4['5xx']} 5xx, "
            f"{r4['disagreements']} answered with different ids"
        )
    if r5 := figures.get("r5"):
        print(
            f"R5: {r5['trials']} trials of two stale-version saves: exactly one won in "
            f"{r5['exactly_one']}, both in {r5['both']}, neither in {r5['neither']}, "
            f"{r5['5xx']} 5xx"
        )
    if fault := figures.get("fault"):
        print(
            f"Fault: worker {fault['worker'] or '—'} killed with SIGKILL {fault['at']:g} s into "
            f"the load; {fault['dropped']} dropped connections recovered; acknowledged saves "
            f"lost: {fault['lost']}"
        )
    if r15 := figures.get("r15"):
        print(
            f"R15: {r15['instances']} app instances on one database: every session alternated "
            f"between them; after 5 failures spread over them, the right password was refused "
            f"(429) on {r15['locked']} of {r15['instances']} instances, {r15['logged_in']} "
            f"logins while locked"
        )
    for message in r3["errors"][:10]:
        print(f"  error: {message}")
    verdict = "PASS" if figures["passed"] else "FAIL"
    print(f"RESULT: {verdict} ({figures['seconds']:.1f} s in all)")


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of R3 load")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--cards-per-client", type=int, default=3)
    parser.add_argument("--think-ms", type=float, default=150.0, help="mean pause between saves")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--r4", type=int, default=300, help="scorecards submitted 3× at once")
    parser.add_argument("--r5", type=int, default=200, help="trials of two stale saves")
    parser.add_argument("--seed", type=int, default=20261129)
    parser.add_argument(
        "--instances", type=int, default=1, help="app instances (separate gunicorns) sharing it"
    )
    parser.add_argument(
        "--kill-worker-after",
        type=float,
        default=0.0,
        help="SIGKILL one gunicorn worker this many seconds into the load (0: never)",
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    if not args.database_url:
        parser.error("--database-url (or DATABASE_URL) is required")
    if not (0 < args.duration <= 600 and 0 < args.clients <= 200):
        parser.error("--duration must be in (0, 600] s and --clients in 1..200")
    if not 1 <= args.instances <= 3:
        parser.error("--instances must be 1, 2 or 3")
    return args


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    url = args.database_url
    dialect = url.split(":", 1)[0].split("+", 1)[0]
    print(
        f"load_autosave: {dialect}, {args.clients} clients × {args.duration:g} s, "
        f"{args.instances} instance(s) of gunicorn with {args.workers} workers",
        flush=True,
    )
    t0 = time.monotonic()
    migrate(url)
    seeded = seed(url, args.clients, args.cards_per_client, args.r4, max(1, args.r5 // 20))
    print(
        f"set-up: migrated and seeded in {time.monotonic() - t0:.1f} s (run {seeded.tag})",
        flush=True,
    )
    secret = secrets.token_hex(32)  # shared, so a session cookie works on every instance
    servers = []
    figures: dict = {
        "database": dialect,
        "run": seeded.tag,
        "clients": args.clients,
        "duration_s": args.duration,
        "instances": args.instances,
        "workers": args.workers,
        "r3": {},  # filled once the database is checked; first in the file
    }
    try:
        servers = [start_gunicorn(url, args.workers, secret=secret) for _ in range(args.instances)]
        ports = [port for _proc, port in servers]
        people = zip(seeded.load_users, seeded.load_cards, strict=True)
        plan = {
            "ports": ports,
            "people": [
                {"email": email, "cards": cards, "seed": args.seed + i}
                for i, (email, cards) in enumerate(people)
            ],
            "duration": args.duration,
            "think": args.think_ms / 1000,
            "max_requests": MAX_REQUESTS_PER_CLIENT,
        }
        if args.kill_worker_after > 0:
            plan["kill"] = {"master": servers[0][0].pid, "after": args.kill_worker_after}
        run = run_interviewers(plan, timeout=args.duration + 180)
        if args.r4:
            figures["r4"] = r4_double_submit(ports, seeded.r4_user, seeded.r4_cards, parallel=8)
        if args.r5:
            figures["r5"] = r5_stale_pairs(ports, seeded.r5_user, seeded.r5_cards, args.r5)
        if args.instances > 1:
            try:
                figures["r15"] = lockout_across(ports, seeded.r5_user)
            finally:
                forget_failures(url, seeded.r5_user)
    finally:
        for proc, _port in servers:
            stop(proc)

    check = check_ledgers(url, run["ledgers"])
    figures["r3"] = r3_figures(run, check)
    if r4 := figures.get("r4"):
        r4["scorecards"] = len(seeded.r4_cards)
        r4["submissions"] = count_submissions(url, seeded.r4_cards)
        r4["5xx"] = sum(n for s, n in r4["statuses"].items() if s >= 500)
    if args.kill_worker_after > 0:
        fault = run["fault"]
        figures["fault"] = {
            "worker": fault.get("killed"),
            "at": fault.get("at", 0),
            "dropped": run["dropped"],
            "lost": check["missing"],
        }
    figures["verdicts"] = verdicts(figures)
    figures["passed"] = all(figures["verdicts"].values())
    figures["seconds"] = time.monotonic() - t0
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n")
    report(figures)
    return 0 if figures["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
