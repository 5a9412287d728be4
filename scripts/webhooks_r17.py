"""R17 (reliability.md): no event is lost on its way to another system.

    python scripts/webhooks_r17.py --database-url sqlite:////tmp/r17.db --events 200
    python scripts/webhooks_r17.py --database-url postgresql+psycopg://postgres@127.0.0.1:55432/x

Steps: `flask db upgrade`; seed (unique per run) a job, interviewers with API tokens and one
complete draft scorecard per event; register a webhook endpoint at a receiver on 127.0.0.1
that fails 30 % of deliveries (half HTTP 500, half answering after the sender's timeout) and
checks every signature; serve the app with gunicorn (2 workers) and start two
`flask deliver --watch` workers. Clients submit the scorecards through the JSON API (each
submit writes a `scorecard.submitted` event in its own transaction); the first quarter is
submitted before any delivery worker runs. Half-way through, while one worker waits on a
hanging receiver, both workers are SIGKILLed — what they had leased is taken over when the
lease ends — and two fresh ones start. Then the script waits (bounded) for every event.

Figures: events created, delivered (distinct event ids at the receiver), duplicates (at least
once means a receiver may see one twice), signatures verified, the app's 5xx, request
latency (p95, max) against the receiver's delay — no request waits on a delivery. Exit 0
only if every check holds.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from serve import HOST, free_port, start_gunicorn, stop  # noqa: E402

TIMEOUT_S = 1.0  # the sender's timeout; the receiver's slow answers take longer
WORKER_ENV = {
    "WEBHOOK_ALLOW_PRIVATE": "1",  # the receiver is on 127.0.0.1 (allowed for this test only)
    "WEBHOOK_TIMEOUT_S": str(TIMEOUT_S),
    "WEBHOOK_BACKOFF_S": "0.3",
    "OUTBOX_LEASE_S": "4",
}


def migrate(database_url: str) -> None:
    env = dict(os.environ, DATABASE_URL=database_url, FLASK_APP="scorecard:create_app")
    flask = str(Path(sys.executable).with_name("flask"))
    subprocess.run([flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)


def seed(database_url: str, events: int, clients: int, receiver_url: str) -> dict:
    """Users, a job, `events` complete drafts spread over `clients` interviewers, an endpoint."""
    os.environ["DATABASE_URL"] = database_url
    from datetime import timedelta

    from config import Config
    from scorecard import create_app
    from scorecard.extensions import db
    from scorecard.models import (
        Application,
        Candidate,
        JobRole,
        Role,
        User,
        WebhookEndpoint,
        utcnow,
    )
    from scorecard.services import api_tokens, scheduling, webhooks
    from scorecard.services import scorecards as card_service
    from scorecard.services.setup.job_template import create_job_from_template, default_template
    from scorecard.services.setup.team import add_member

    app = create_app(Config)
    tag = uuid.uuid4().hex[:8]
    with app.app_context():

        def user(role: Role, name: str) -> User:
            u = User(email=f"{name}-{tag}@r17.test", name=f"{name} {tag}", role=role)
            u.set_password(uuid.uuid4().hex)
            db.session.add(u)
            return u

        hr = user(Role.HR, "hr")
        interviewers = [user(Role.INTERVIEWER, f"iv{i}") for i in range(clients)]
        db.session.flush()
        job = create_job_from_template(default_template(), hr)
        job.title_en = f"R17 job {tag}"
        add_member(job, hr, JobRole.RECRUITER, None)
        for iv in interviewers:
            add_member(job, iv, JobRole.INTERVIEWER, None)
        rnd = job.rounds[0]
        cards: dict[int, list[int]] = {iv.id: [] for iv in interviewers}
        for n in range(events):
            iv = interviewers[n % clients]
            cand = Candidate(name=f"R17 candidate {tag} {n}")
            application = Application(candidate=cand, job=job)
            db.session.add_all([cand, application])
            db.session.flush()
            interview = scheduling.schedule_interview(
                application, rnd, utcnow() - timedelta(hours=1), [iv], hr
            )
            card = interview.scorecards[0]
            for crit in card.version.criteria:
                card_service.set_rating(card, crit.id, 3, "")
            card.overall = 3
            cards[iv.id].append(card.id)
        tokens = {iv.id: api_tokens.create_token(iv, "r17")[1] for iv in interviewers}
        endpoint = WebhookEndpoint(
            url=receiver_url,
            description=f"R17 {tag}",
            secret=webhooks.new_secret(),
            events=["scorecard.submitted"],
            created_by_id=hr.id,
        )
        db.session.add(endpoint)
        db.session.commit()
        return {
            "tag": tag,
            "endpoint_id": endpoint.id,
            "secret": endpoint.secret,
            "work": [(tokens[uid], ids) for uid, ids in cards.items()],
            "app": app,
        }


def start_worker(database_url: str, smtp_port: int) -> subprocess.Popen:
    env = dict(
        os.environ,
        DATABASE_URL=database_url,
        FLASK_APP="scorecard:create_app",
        SMTP_HOST=HOST,
        SMTP_PORT=str(smtp_port),  # nobody listens: the debrief e-mails fail fast and wait
        **WORKER_ENV,
    )
    flask = str(Path(sys.executable).with_name("flask"))
    return subprocess.Popen(
        [flask, "deliver", "--watch", "--interval", "0.2", "--limit", "20"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def submit_all(port: int, token: str, card_ids: list[int], out: list, lock: threading.Lock):
    import http.client

    for card_id in card_ids:
        body = json.dumps({"submission_key": uuid.uuid4().hex})
        started = time.monotonic()
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        try:
            conn.request(
                "POST",
                f"/api/v1/scorecards/{card_id}/submit",
                body=body,
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            )
            status = conn.getresponse().status
        except OSError:
            status = 599
        finally:
            conn.close()
        with lock:
            out.append((status, time.monotonic() - started))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--fail-ratio", type=float, default=0.3)
    parser.add_argument("--wait", type=float, default=120.0, help="max seconds to wait at the end")
    args = parser.parse_args()
    database_url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/r17.db"
    os.environ["DATABASE_URL"] = database_url  # before config.py is first imported

    from tests.web.receiver import Receiver

    t0 = time.monotonic()
    migrate(database_url)
    receiver = Receiver(fail_ratio=args.fail_ratio, slow_s=TIMEOUT_S + 0.5)
    with receiver:
        world = seed(database_url, args.events, args.clients, receiver.url)
        receiver.secret = world["secret"]
        gunicorn, port = start_gunicorn(database_url, 2, extra_env=WORKER_ENV)
        smtp_port = free_port()
        t_ready = time.monotonic()
        workers: list[subprocess.Popen] = []
        results: list[tuple[int, float]] = []
        lock = threading.Lock()
        leased_at_kill = before_workers = 0
        t_load = t_ready
        try:
            threads = [
                threading.Thread(target=submit_all, args=(port, tok, ids, results, lock))
                for tok, ids in world["work"]
            ]
            for t in threads:
                t.start()
            # The first quarter of the events is created with no delivery worker at all: those
            # requests cannot have waited on a delivery.
            while len(results) < args.events // 4 and any(t.is_alive() for t in threads):
                time.sleep(0.02)
            before_workers = len(results)
            workers = [start_worker(database_url, smtp_port) for _ in range(2)]
            while len(results) < args.events // 2 and any(t.is_alive() for t in threads):
                time.sleep(0.05)
            # SIGKILL both workers while one of them waits on a hanging receiver (so one dies
            # mid-send, holding a lease), then start two fresh ones: the leased deliveries are
            # taken over when their lease ends.
            receiver.slow_started.clear()
            receiver.slow_started.wait(timeout=20)
            for w in workers:
                os.killpg(w.pid, signal.SIGKILL)
                w.wait(timeout=10)
            leased_at_kill = count_leased(world)  # orphaned: their holder is dead
            workers = [start_worker(database_url, smtp_port) for _ in range(2)]
            for t in threads:
                t.join(timeout=300)
            t_load = time.monotonic()
            deadline = time.monotonic() + args.wait
            created = count_events(world)
            while time.monotonic() < deadline and len(receiver.event_ids()) < created:
                time.sleep(0.2)
        finally:
            for w in workers:
                if w.poll() is None:
                    os.killpg(w.pid, signal.SIGTERM)
                    try:
                        w.wait(timeout=15)
                    except subprocess.TimeoutExpired:
                        os.killpg(w.pid, signal.SIGKILL)
            stop(gunicorn)
        t_done = time.monotonic()
        created = count_events(world)
        event_ids = db_event_ids(world)
    got = receiver.got
    delivered = len(receiver.event_ids() & event_ids)
    verified = sum(r.signature_ok for r in got)
    five_xx = sum(1 for s, _t in results if s >= 500)
    ok = sum(1 for s, _t in results if s == 200)
    latencies = sorted(t for _s, t in results)
    p95 = latencies[int(0.95 * (len(latencies) - 1))] if latencies else 0.0
    print(
        f"R17: {created} events created under load ({ok} of {len(results)} submits answered "
        f"200 by gunicorn, {args.clients} clients); {delivered} of {created} delivered "
        f"(by event id), {len(got) - len(receiver.event_ids())} duplicates received; "
        f"{verified} of {len(got)} signatures verify; {five_xx} 5xx"
    )
    print(
        f"R17: receiver failed {receiver.failures} of {receiver.attempts} attempts (HTTP 500 "
        f"or an answer after {TIMEOUT_S + 0.5:.1f} s > the {TIMEOUT_S:.1f} s timeout); both "
        f"delivery workers SIGKILLed mid-run, one of them mid-send ({leased_at_kill} deliveries "
        f"leased at that moment), and replaced"
    )
    print(
        f"R17: {before_workers} of the events were created before any delivery worker ran; "
        f"set-up {t_ready - t0:.1f} s, load {t_load - t_ready:.1f} s, last delivery "
        f"{t_done - t_load:.1f} s after the load"
    )
    print(
        f"R17: request latency p95 {p95 * 1000:.0f} ms, max "
        f"{(latencies[-1] if latencies else 0) * 1000:.0f} ms, median "
        f"{statistics.median(latencies) * 1000 if latencies else 0:.0f} ms (a request only "
        f"writes outbox rows; delivery runs in the workers)"
    )
    checks = [
        created == args.events,
        delivered == created,
        verified == len(got),
        five_xx == 0,
        ok == args.events,
        before_workers > 0,
    ]
    return 0 if all(checks) else 1


def _session(world: dict):
    return world["app"].app_context()


def count_events(world: dict) -> int:
    return len(db_event_ids(world))


def db_event_ids(world: dict) -> set[str]:
    import sqlalchemy as sa

    from scorecard.extensions import db
    from scorecard.models import WebhookDelivery, WebhookEvent

    with _session(world):
        ids = set(
            db.session.scalars(
                sa.select(WebhookEvent.uuid)
                .join(WebhookDelivery, WebhookDelivery.event_id == WebhookEvent.id)
                .where(WebhookDelivery.endpoint_id == world["endpoint_id"])
            )
        )
        db.session.remove()
    return ids


def count_leased(world: dict) -> int:
    import sqlalchemy as sa

    from scorecard.extensions import db
    from scorecard.models import WebhookDelivery

    with _session(world):
        n = db.session.scalar(
            sa.select(sa.func.count(WebhookDelivery.id)).where(
                WebhookDelivery.endpoint_id == world["endpoint_id"],
                WebhookDelivery.lease_until.is_not(None),
            )
        )
        db.session.remove()
    return int(n or 0)


if __name__ == "__main__":
    sys.exit(main())
