"""Load test of live scoring (reliability.md R3–R5) against gunicorn with 4 workers.

    python scripts/load_autosave.py --database-url sqlite:////tmp/load.db --duration 60 --clients 50
    python scripts/load_autosave.py --database-url postgresql+psycopg://postgres@127.0.0.1:55432/x

Steps: `flask db upgrade` on the target database; seed its own users, a job from the default
template and interviews (unique per run, so a database can be reused); start gunicorn on a
free 127.0.0.1 port; then

  R3  K simulated interviewers autosave (with lock_version, like the kit's script) and
      submit (each submit sent twice with one key, like a retry) for T seconds. Every
      client keeps a ledger of the changes the server acknowledged; afterwards the database
      must hold each field's last acknowledged value, each scorecard's lock_version must be
      1 + its acknowledged writes, and each submitted scorecard has exactly one submission.
  R4  N complete scorecards are each submitted by 3 identical concurrent requests:
      exactly N submissions.
  R5  M trials of two saves carrying the same (then stale) lock_version, sent together:
      exactly one wins, the other gets 409.

Traffic goes to 127.0.0.1 only; every loop is bounded in time and count, and the script
stops gunicorn itself. Exit status 0 only if every check holds; 0 5xx is one of them.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "load-test-password-not-secret"  # noqa: S105 - throw-away users of a load run
HOST = "127.0.0.1"
MAX_REQUESTS_PER_CLIENT = 20_000  # a hard stop besides the clock

META_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
FORM_CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
CRITERIA = re.compile(r'data-field="rating\.(\d+)\.value"')
LOCK = re.compile(r'data-lock="(\d+)"')


# --- a tiny HTTP client: one connection per request, cookies kept per client ---------------


class Client:
    """A signed-in browser stand-in: cookies, CSRF token, timings."""

    def __init__(self, port: int | list[int], timeout: float = 30.0) -> None:
        # Several ports = several app instances: requests alternate between them, so one
        # session cookie is used on every instance (R15).
        self.ports = [port] if isinstance(port, int) else list(port)
        self._sent = 0
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self.token = ""
        self._lock = threading.Lock()

    def request(
        self, method: str, path: str, body: Any = None, form: dict | None = None
    ) -> tuple[int, bytes, float]:
        """One request; a GET whose connection drops (a killed worker) is sent again."""
        for attempt in range(5):
            try:
                return self._request(method, path, body, form)
            except (OSError, http.client.HTTPException):
                if method != "GET" or attempt == 4:
                    raise
                time.sleep(0.2 * (attempt + 1))
        raise AssertionError("unreachable")

    def _request(
        self, method: str, path: str, body: Any = None, form: dict | None = None
    ) -> tuple[int, bytes, float]:
        headers = {"Accept": "application/json" if body is not None else "text/html"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
            headers["X-CSRFToken"] = self.token
        elif form is not None:
            data = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        with self._lock:
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        with self._lock:
            port = self.ports[self._sent % len(self.ports)]
            self._sent += 1
        conn = http.client.HTTPConnection(HOST, port, timeout=self.timeout)
        started = time.perf_counter()
        try:
            conn.request(method, path, body=data, headers=headers)
            response = conn.getresponse()
            payload = response.read()
            elapsed = time.perf_counter() - started
            cookies = SimpleCookie()
            for value in response.headers.get_all("Set-Cookie") or []:
                cookies.load(value)
            with self._lock:
                for name, morsel in cookies.items():
                    self.cookies[name] = morsel.value
            return response.status, payload, elapsed
        finally:
            conn.close()

    def sign_in(self, email: str) -> None:
        status, page, _t = self.request("GET", "/login")
        token = FORM_CSRF.search(page.decode()).group(1)
        status, _b, _t = self.request(
            "POST", "/login", form={"email": email, "password": PASSWORD, "csrf_token": token}
        )
        if status != 302:
            raise RuntimeError(f"sign-in of {email} failed with {status}")

    def open_kit(self, card_id: int) -> tuple[int, list[int]]:
        """Load the kit page like a browser: token, lock_version and the criterion ids."""
        status, page, _t = self.request("GET", f"/kit/{card_id}")
        if status != 200:
            raise RuntimeError(f"kit {card_id}: {status}")
        html = page.decode()
        self.token = META_CSRF.search(html).group(1)
        ids = sorted({int(x) for x in CRITERIA.findall(html)})
        return int(LOCK.search(html).group(1)), ids


# --- set-up: migrate, seed, serve ----------------------------------------------------------


def migrate(database_url: str) -> None:
    env = dict(os.environ, DATABASE_URL=database_url, FLASK_APP="scorecard:create_app")
    subprocess.run(
        [sys.executable, "-m", "flask", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )


@dataclass
class Seeded:
    load_users: list[str]
    load_cards: list[list[int]]  # per client, the scorecards it works through
    r4_user: str
    r4_cards: list[int]
    r5_user: str
    r5_cards: list[int]
    tag: str


def seed(database_url: str, clients: int, cards_per_client: int, r4: int, r5_cards: int) -> Seeded:
    """Create users, one job from the default template and interviews, via the services."""
    os.environ["DATABASE_URL"] = database_url
    from config import Config
    from scorecard import create_app
    from scorecard.extensions import db
    from scorecard.models import (
        Application,
        Candidate,
        JobRole,
        Rating,
        Role,
        Scorecard,
        User,
        utcnow,
    )
    from scorecard.services import jobs, scheduling

    class SeedConfig(Config):
        SQLALCHEMY_DATABASE_URI = database_url
        # Throw-away users: a fast hash keeps set-up and 50 sign-ins quick; the hash names
        # its own method, so the server checks it as usual.
        PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"

    app = create_app(SeedConfig)
    tag = uuid.uuid4().hex[:8]
    with app.app_context():

        def person(name: str, role: Role = Role.INTERVIEWER) -> User:
            user = User(email=f"{name}-{tag}@load.test", name=f"{name} {tag}", role=role)
            user.set_password(PASSWORD)
            db.session.add(user)
            return user

        hr = person("hr", Role.HR)
        db.session.flush()
        job = jobs.create_job_from_template(jobs.default_template(), hr)
        jobs.add_member(job, hr, JobRole.RECRUITER, hr)
        rnd = next(r for r in job.rounds if r.key == "technical")
        start = utcnow()

        def interview_for(user: User, n: int) -> int:
            cand = Candidate(name=f"Load {tag} {n}", note="load test")
            application = Application(candidate=cand, job=job, current_round=rnd)
            db.session.add_all([cand, application])
            db.session.flush()
            iv = scheduling.schedule_interview(application, rnd, start, [user], hr)
            return iv.scorecards[0].id

        users, load_cards, n = [], [], 0
        for i in range(clients):
            user = person(f"iv{i}")
            db.session.flush()
            jobs.add_member(job, user, JobRole.INTERVIEWER, hr)
            users.append(user.email)
            row = []
            for _ in range(cards_per_client):
                n += 1
                row.append(interview_for(user, n))
            load_cards.append(row)
        r4_user = person("r4")
        r5_user = person("r5")
        db.session.flush()
        jobs.add_member(job, r4_user, JobRole.INTERVIEWER, hr)
        jobs.add_member(job, r5_user, JobRole.INTERVIEWER, hr)
        r4_cards = []
        for _ in range(r4):
            n += 1
            card_id = interview_for(r4_user, n)
            card = db.session.get(Scorecard, card_id)
            for crit in card.version.criteria:
                db.session.add(Rating(scorecard_id=card_id, criterion_id=crit.id, value=3))
            card.overall = 3
            r4_cards.append(card_id)
        r5 = []
        for _ in range(r5_cards):
            n += 1
            r5.append(interview_for(r5_user, n))
        db.session.commit()
        result = Seeded(users, load_cards, r4_user.email, r4_cards, r5_user.email, r5, tag)
        db.engine.dispose()
    return result


def free_port() -> int:
    """A free 127.0.0.1 port: from LOAD_PORTS ("56300-56399") when set, else any."""
    low, _sep, high = os.environ.get("LOAD_PORTS", "").partition("-")
    candidates = range(int(low), int(high or low) + 1) if low else [0]
    for port in candidates:
        with socket.socket() as s:
            try:
                s.bind((HOST, port))
            except OSError:
                continue
            return s.getsockname()[1]
    raise RuntimeError(f"no free port in LOAD_PORTS={os.environ['LOAD_PORTS']}")


def start_gunicorn(
    database_url: str,
    workers: int,
    app: str = "wsgi:app",
    extra_env: dict | None = None,
    secret: str | None = None,
) -> tuple[subprocess.Popen, int]:
    """gunicorn on a free 127.0.0.1 port; returns once it answers."""
    port = free_port()
    env = dict(
        os.environ,
        DATABASE_URL=database_url,
        SECRET_KEY=secret or secrets.token_hex(32),
        PYTHONPATH=f"{ROOT}{os.pathsep}{ROOT / 'scripts'}",
        **(extra_env or {}),
    )
    env.pop("SCORECARD_ENV", None)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            str(workers),
            "--bind",
            f"{HOST}:{port}",
            "--log-level",
            "warning",
            "--timeout",
            "60",
            app,
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {proc.returncode}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/login")
            conn.getresponse().read()
            conn.close()
            return proc, port
        except OSError:
            time.sleep(0.2)
    stop(proc)
    raise RuntimeError("gunicorn did not answer within 60 s")


def stop(proc: subprocess.Popen) -> None:
    """Stop the gunicorn this script started (its own process group only)."""
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


# --- R3: interviewers autosaving and submitting ------------------------------------------


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    statuses: dict[int, int] = field(default_factory=dict)
    acked_changes: int = 0
    acked_saves: int = 0
    conflicts: int = 0
    dropped: int = 0  # connections cut by a killed worker, then recovered
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, kind: str, status: int, elapsed: float) -> None:
        with self.lock:
            self.latencies.setdefault(kind, []).append(elapsed)
            self.statuses[status] = self.statuses.get(status, 0) + 1

    def fail(self, message: str) -> None:
        with self.lock:
            if len(self.errors) < 50:
                self.errors.append(message)


@dataclass
class Ledger:
    """What the server acknowledged for one scorecard: each field's last value, write count."""

    fields: dict[str, Any] = field(default_factory=dict)
    writes: int = 0
    submission_id: int | None = None
    submitted: bool = False


def interviewer(*args: Any) -> None:
    """One simulated interviewer; any crash is recorded as a failure of the run."""
    stats: Stats = args[5]
    try:
        _interviewer(*args)
    except Exception as exc:  # noqa: BLE001
        stats.fail(f"client crashed: {exc!r}")


def _interviewer(
    port: int | list[int],
    email: str,
    card_ids: list[int],
    deadline: float,
    think: float,
    stats: Stats,
    ledgers: dict[int, Ledger],
    rng: random.Random,
) -> None:
    client = Client(port)
    try:
        client.sign_in(email)
    except Exception as exc:  # noqa: BLE001 - reported, and the run fails
        stats.fail(f"{email}: {exc}")
        return
    slice_s = max(1.0, (deadline - time.monotonic()) / len(card_ids))
    requests = 0
    for card_id in card_ids:
        ledger = ledgers[card_id]
        try:
            lock, criteria = client.open_kit(card_id)
        except Exception as exc:  # noqa: BLE001 - reported, and the run fails
            stats.fail(f"{email}: {exc}")
            return
        card_deadline = min(deadline, time.monotonic() + slice_s)
        serial = 0
        while time.monotonic() < card_deadline - 0.3 and requests < MAX_REQUESTS_PER_CLIENT:
            serial += 1
            changes: dict[str, Any] = {}
            for _ in range(rng.choice((1, 1, 2, 3))):
                roll = rng.random()
                crit = rng.choice(criteria)
                if roll < 0.6:
                    changes[f"rating.{crit}.value"] = rng.choice((1, 2, 3, 4, None))
                elif roll < 0.85:
                    changes[f"rating.{crit}.note"] = (
                        f"{email} #{serial} {'笔记' * rng.randint(1, 40)}"
                    )
                elif roll < 0.95:
                    changes["takeaways"] = f"take-away {serial}"
                else:
                    changes["overall"] = rng.choice((1, 2, 3, 4, None))
            lock = save(client, card_id, lock, changes, ledger, stats)
            requests += 1
            if lock is None:
                return
            time.sleep(rng.uniform(0, 2 * think))
        # Finish the card (2s and 3s need no note) and submit it, then once more as a retry.
        final = {f"rating.{c}.value": rng.choice((2, 3)) for c in criteria}
        final["overall"] = 3
        lock = save(client, card_id, lock, final, ledger, stats)
        if lock is None:
            return
        key = uuid.uuid4().hex
        ids = set()
        for _attempt in range(2):
            status, body, elapsed = submit_with_retry(client, card_id, key, lock, stats)
            stats.note("submit", status, elapsed)
            if status != 200:
                stats.fail(f"submit {card_id}: {status} {body[:200]!r}")
                return
            ids.add(json.loads(body)["submission"]["id"])
        if len(ids) != 1:
            stats.fail(f"submit {card_id}: two answers named different submissions {ids}")
        ledger.submitted = True
        ledger.submission_id = ids.pop()
        ledger.writes += 1


def submit_with_retry(
    client: Client, card_id: int, key: str, lock: int, stats: Stats
) -> tuple[int, bytes, float]:
    """Submit; a dropped connection is retried with the same key (that is what it is for)."""
    for attempt in range(4):
        try:
            return client.request(
                "POST", f"/kit/{card_id}/submit", {"submission_key": key, "lock_version": lock}
            )
        except (OSError, http.client.HTTPException):
            if attempt == 3:
                raise
            with stats.lock:
                stats.dropped += 1
            time.sleep(0.2)
    raise AssertionError("unreachable")


def save(
    client: Client, card_id: int, lock: int, changes: dict, ledger: Ledger, stats: Stats
) -> int | None:
    """One autosave; on success the ledger takes the acknowledged values."""
    try:
        status, body, elapsed = client.request(
            "POST", f"/kit/{card_id}/save", {"lock_version": lock, "changes": changes}
        )
    except (OSError, http.client.HTTPException):
        return recover(client, card_id, lock, changes, ledger, stats)
    stats.note("save", status, elapsed)
    if status == 200:
        ledger.fields.update(changes)
        ledger.writes += 1
        with stats.lock:
            stats.acked_saves += 1
            stats.acked_changes += len(changes)
        return json.loads(body)["lock_version"]
    if status == 409:
        # Only this client writes this scorecard: a conflict means a lost acknowledgement.
        with stats.lock:
            stats.conflicts += 1
        stats.fail(f"save {card_id}: unexpected 409 {body[:200]!r}")
        return None
    stats.fail(f"save {card_id}: {status} {body[:200]!r}")
    return None if status >= 500 or status in (401, 403, 404) else lock


def recover(
    client: Client, card_id: int, lock: int, changes: dict, ledger: Ledger, stats: Stats
) -> int | None:
    """The connection dropped (a killed worker): did the save land? Ask, like the kit does.

    If the server's lock moved on by one and holds our values, the write landed: it counts as
    acknowledged now. If the lock did not move, nothing landed: send it again.
    """
    with stats.lock:
        stats.dropped += 1
    _status, body, _t = client.request("GET", f"/kit/{card_id}/state")
    state = json.loads(body)["state"]
    fields = state.get("fields", {})
    if state["lock_version"] == lock + 1 and all(fields.get(k) == v for k, v in changes.items()):
        ledger.fields.update(changes)
        ledger.writes += 1
        with stats.lock:
            stats.acked_saves += 1
            stats.acked_changes += len(changes)
        return lock + 1
    if state["lock_version"] == lock:
        return save(client, card_id, lock, changes, ledger, stats)
    stats.fail(f"save {card_id}: after a dropped connection the lock is {state['lock_version']}")
    return None


def check_ledgers(database_url: str, ledgers: dict[int, Ledger]) -> dict[str, int]:
    """Compare every client's ledger with the database."""
    os.environ["DATABASE_URL"] = database_url
    import sqlalchemy as sa

    from config import Config
    from scorecard import create_app
    from scorecard.extensions import db
    from scorecard.models import Rating, Scorecard, ScorecardSubmission

    class CheckConfig(Config):
        SQLALCHEMY_DATABASE_URI = database_url

    app = create_app(CheckConfig)
    missing = wrong_lock = duplicates = fields = 0
    with app.app_context():
        ids = list(ledgers)
        cards = {
            c.id: c for c in db.session.scalars(sa.select(Scorecard).where(Scorecard.id.in_(ids)))
        }
        ratings = {
            (r.scorecard_id, r.criterion_id): r
            for r in db.session.scalars(sa.select(Rating).where(Rating.scorecard_id.in_(ids)))
        }
        subs: dict[int, list[ScorecardSubmission]] = {}
        for sub in db.session.scalars(
            sa.select(ScorecardSubmission).where(ScorecardSubmission.scorecard_id.in_(ids))
        ):
            subs.setdefault(sub.scorecard_id, []).append(sub)
        for card_id, ledger in ledgers.items():
            card = cards[card_id]
            for key, value in ledger.fields.items():
                fields += 1
                if key == "takeaways":
                    stored = card.takeaways
                elif key == "overall":
                    stored = card.overall
                else:
                    _kind, crit, part = key.split(".")
                    row = ratings.get((card_id, int(crit)))
                    stored = getattr(row, part) if row else None
                if stored != value:
                    missing += 1
            if card.lock_version != 1 + ledger.writes:
                wrong_lock += 1
            found = subs.get(card_id, [])
            if len(found) > 1:
                duplicates += len(found) - 1
            if ledger.submitted and (len(found) != 1 or found[0].id != ledger.submission_id):
                missing += 1
            if not ledger.submitted and found:
                duplicates += 1
        db.engine.dispose()
    return {"fields": fields, "missing": missing, "wrong_lock": wrong_lock, "dup": duplicates}


# --- R4: the same submit three times at once -------------------------------------------------


def r4_double_submit(
    port: int | list[int], email: str, card_ids: list[int], parallel: int
) -> dict[str, int]:
    client = Client(port)
    client.sign_in(email)
    client.open_kit(card_ids[0])
    statuses: dict[int, int] = {}
    disagreements = 0
    lock = threading.Lock()
    gate = threading.Semaphore(parallel)

    def one_card(card_id: int) -> None:
        nonlocal disagreements
        key = uuid.uuid4().hex
        barrier = threading.Barrier(3)
        answers: list[tuple[int, bytes]] = []

        def shoot() -> None:
            barrier.wait(timeout=30)
            status, body, _t = client.request(
                "POST", f"/kit/{card_id}/submit", {"submission_key": key}
            )
            with lock:
                answers.append((status, body))
                statuses[status] = statuses.get(status, 0) + 1

        threads = [threading.Thread(target=shoot) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        ids = {json.loads(b)["submission"]["id"] for s, b in answers if s == 200}
        if len(ids) != 1:
            with lock:
                disagreements += 1
        gate.release()

    workers = []
    for card_id in card_ids:
        gate.acquire()
        t = threading.Thread(target=one_card, args=(card_id,))
        t.start()
        workers.append(t)
    for t in workers:
        t.join(timeout=120)
    return {"statuses": statuses, "disagreements": disagreements}


def count_submissions(database_url: str, card_ids: list[int]) -> int:
    import sqlalchemy as sa

    from config import Config
    from scorecard import create_app
    from scorecard.extensions import db
    from scorecard.models import ScorecardSubmission

    class CheckConfig(Config):
        SQLALCHEMY_DATABASE_URI = database_url

    app = create_app(CheckConfig)
    with app.app_context():
        n = db.session.scalar(
            sa.select(sa.func.count()).where(ScorecardSubmission.scorecard_id.in_(card_ids))
        )
        db.engine.dispose()
    return int(n or 0)


# --- R5: two stale saves at once --------------------------------------------------------------


def r5_stale_pairs(
    port: int | list[int], email: str, card_ids: list[int], trials: int
) -> dict[str, int]:
    tabs = [Client(port), Client(port)]  # two devices of the same interviewer
    for tab in tabs:
        tab.sign_in(email)
        tab.open_kit(card_ids[0])
    criteria = tabs[0].open_kit(card_ids[0])[1]
    tabs[1].open_kit(card_ids[0])
    exactly_one = both = neither = fivexx = 0
    for trial in range(trials):
        card_id = card_ids[trial % len(card_ids)]
        status, body, _t = tabs[0].request("GET", f"/kit/{card_id}/state")
        lock = json.loads(body)["state"]["lock_version"]
        field_name = f"rating.{criteria[trial % len(criteria)]}.value"
        barrier = threading.Barrier(2)
        results: list[int] = [0, 0]

        def shoot(
            i: int, barrier=barrier, card_id=card_id, lock=lock, name=field_name, out=results
        ) -> None:
            barrier.wait(timeout=30)
            status, _b, _t = tabs[i].request(
                "POST",
                f"/kit/{card_id}/save",
                {"lock_version": lock, "changes": {name: i + 2}},
            )
            out[i] = status

        threads = [threading.Thread(target=shoot, args=(i,)) for i in (0, 1)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        if sorted(results) == [200, 409]:
            exactly_one += 1
        elif results == [200, 200]:
            both += 1
        else:
            neither += 1
        fivexx += sum(1 for s in results if s >= 500)
    return {
        "trials": trials,
        "exactly_one": exactly_one,
        "both": both,
        "neither": neither,
        "5xx": fivexx,
    }


# --- R15: lock-out shared by every instance; a worker killed mid-load ------------------------


def lockout_across(ports: list[int], email: str, database_url: str) -> dict[str, int]:
    """5 wrong passwords spread over the instances, then the right one on each: all refused."""
    client = Client(ports)
    for _ in range(5):
        _s, page, _t = client.request("GET", "/login")
        token = FORM_CSRF.search(page.decode()).group(1)
        client.request(
            "POST",
            "/login",
            form={"email": email, "password": "wrong-" + PASSWORD, "csrf_token": token},
        )
    locked = logged_in = 0
    for port in ports:
        other = Client(port)
        _s, page, _t = other.request("GET", "/login")
        token = FORM_CSRF.search(page.decode()).group(1)
        status, _b, _t = other.request(
            "POST", "/login", form={"email": email, "password": PASSWORD, "csrf_token": token}
        )
        locked += status == 429
        logged_in += status == 302
    forget_failures(database_url, email)
    return {"instances": len(ports), "locked": locked, "logged_in": logged_in}


def forget_failures(database_url: str, email: str) -> None:
    """Remove this run's failed sign-ins, so 127.0.0.1 is not left locked for 15 minutes."""
    os.environ["DATABASE_URL"] = database_url
    import sqlalchemy as sa

    from config import Config
    from scorecard import create_app
    from scorecard.extensions import db
    from scorecard.models import LoginFailure

    class CleanConfig(Config):
        SQLALCHEMY_DATABASE_URI = database_url

    app = create_app(CleanConfig)
    with app.app_context():
        db.session.execute(sa.delete(LoginFailure).where(LoginFailure.email == email))
        db.session.commit()
        db.engine.dispose()


def worker_pids(master: int) -> list[int]:
    """The gunicorn workers of a master process (from /proc)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdecimal():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:
            pids.append(int(entry.name))
    return sorted(pids)


def kill_a_worker_later(master: int, after: float, report: dict) -> threading.Thread:
    """SIGKILL one worker of `master` after `after` seconds (gunicorn starts a new one)."""

    def run() -> None:
        time.sleep(after)
        pids = worker_pids(master)
        if pids:
            os.kill(pids[0], signal.SIGKILL)
            report["killed"] = pids[0]
            report["at"] = after

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


# --- main --------------------------------------------------------------------------------------


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] * 1000


def main(argv: list[str] | None = None) -> int:
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
    args = parser.parse_args(argv)
    if not args.database_url:
        parser.error("--database-url (or DATABASE_URL) is required")
    if not (0 < args.duration <= 600 and 0 < args.clients <= 200):
        parser.error("--duration must be in (0, 600] s and --clients in 1..200")
    if not 1 <= args.instances <= 3:
        parser.error("--instances must be 1, 2 or 3")

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
    servers = [start_gunicorn(url, args.workers, secret=secret) for _ in range(args.instances)]
    procs = [proc for proc, _port in servers]
    port = [p for _proc, p in servers]
    kill_report: dict = {}
    stats = Stats()
    ledgers = {c: Ledger() for row in seeded.load_cards for c in row}
    try:
        rng = random.Random(args.seed)
        start = time.monotonic()
        deadline = start + args.duration
        threads = [
            threading.Thread(
                target=interviewer,
                args=(
                    port,
                    email,
                    cards,
                    deadline,
                    args.think_ms / 1000,
                    stats,
                    ledgers,
                    random.Random(rng.random()),
                ),
                daemon=True,
            )
            for email, cards in zip(seeded.load_users, seeded.load_cards, strict=True)
        ]
        for t in threads:
            t.start()
        if args.kill_worker_after > 0:
            kill_a_worker_later(procs[0].pid, args.kill_worker_after, kill_report)
        for t in threads:
            t.join(timeout=args.duration + 120)
        elapsed = time.monotonic() - start
        r4 = (
            r4_double_submit(port, seeded.r4_user, seeded.r4_cards, parallel=8) if args.r4 else None
        )
        r5 = r5_stale_pairs(port, seeded.r5_user, seeded.r5_cards, args.r5) if args.r5 else None
        r15 = lockout_across(port, seeded.r5_user, url) if args.instances > 1 else None
    finally:
        for proc in procs:
            stop(proc)

    check = check_ledgers(url, ledgers)
    saves = stats.latencies.get("save", [])
    submits = stats.latencies.get("submit", [])
    fivexx = sum(n for s, n in stats.statuses.items() if s >= 500)
    submitted = sum(1 for led in ledgers.values() if led.submitted)
    print(
        f"R3 load: {len(saves)} saves + {len(submits)} submits in {elapsed:.1f} s = "
        f"{len(saves) / elapsed:.0f} saves/s; save latency p50 {pct(saves, 0.5):.1f} ms, "
        f"p95 {pct(saves, 0.95):.1f} ms; submit p50 {pct(submits, 0.5):.1f} ms, "
        f"p95 {pct(submits, 0.95):.1f} ms"
    )
    print(f"R3 statuses: {dict(sorted(stats.statuses.items()))}")
    print(
        f"R3: {stats.acked_changes} acknowledged changes in {stats.acked_saves} saves "
        f"({check['fields']} fields checked), {check['missing']} missing, "
        f"{check['wrong_lock']} lock mismatches, {check['dup']} duplicate submissions "
        f"({submitted} submitted), {fivexx} 5xx, {stats.conflicts} unexpected conflicts"
    )
    ok = (
        check["missing"] == 0
        and check["wrong_lock"] == 0
        and check["dup"] == 0
        and fivexx == 0
        and not stats.errors
        and stats.acked_saves > 0
        and submitted > 0
    )
    if r4 is not None:
        n = count_submissions(url, seeded.r4_cards)
        r4_5xx = sum(c for s, c in r4["statuses"].items() if s >= 500)
        print(
            f"R4: {len(seeded.r4_cards)} scorecards × 3 identical concurrent submits: "
            f"{n} submissions, statuses {r4['statuses']}, {r4_5xx} 5xx, "
            f"{r4['disagreements']} answered with different ids"
        )
        ok = ok and n == len(seeded.r4_cards) and r4_5xx == 0 and r4["disagreements"] == 0
        ok = ok and set(r4["statuses"]) == {200}
    if r5 is not None:
        print(
            f"R5: {r5['trials']} trials of two stale-version saves: exactly one won in "
            f"{r5['exactly_one']}, both in {r5['both']}, neither in {r5['neither']}, "
            f"{r5['5xx']} 5xx"
        )
        ok = ok and r5["exactly_one"] == r5["trials"]
    if args.kill_worker_after > 0:
        print(
            f"Fault: worker {kill_report.get('killed', '—')} killed with SIGKILL "
            f"{kill_report.get('at', 0):g} s into the load; {stats.dropped} dropped connections "
            f"recovered; acknowledged saves lost: {check['missing']}"
        )
        ok = ok and "killed" in kill_report
    if r15 is not None:
        print(
            f"R15: {r15['instances']} app instances on one database: every session alternated "
            f"between them; after 5 failures spread over them, the right password was refused "
            f"(429) on {r15['locked']} of {r15['instances']} instances, {r15['logged_in']} "
            f"logins while locked"
        )
        ok = ok and r15["locked"] == r15["instances"] and r15["logged_in"] == 0
    for message in stats.errors[:10]:
        print(f"  error: {message}")
    print(f"RESULT: {'PASS' if ok else 'FAIL'} ({time.monotonic() - t0:.1f} s in all)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
