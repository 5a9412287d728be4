"""R3's interviewers as locust users, run headless: `python scripts/load_interviewers.py PLAN OUT`.

Started as its own process by scripts/load_autosave.py (locust monkey-patches the standard
library with gevent on import, so it never runs inside another program). PLAN is a JSON file:
ports, people (e-mail and scorecards), duration, think time, seed, a request cap per user
and, optionally, a gunicorn master whose worker to SIGKILL some seconds in. Each user signs
in, works through its scorecards in equal slices of the time — autosaving random changes with
the lock_version, like the kit's script — then finishes each card and submits it twice with
one key (a retry). It keeps a ledger of what the server acknowledged. When every user has
finished (or a hard deadline has passed) this process writes OUT: the ledgers, the status
counts, locust's latency figures and any errors, and exits.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import gevent
from locust import FastHttpUser, events, task
from locust.env import Environment
from locust.exception import StopUser
from serve import HOST, PASSWORD, form_csrf, page_values, worker_pids

GRACE_S = 60.0  # past the duration, for the last cards' final save and submits
PLAN: dict[str, Any] = {}
RUN: dict[str, Any] = {
    "ledgers": {},
    "statuses": Counter(),
    "dropped": 0,
    "conflicts": 0,
    "acked_saves": 0,
    "acked_changes": 0,
    "errors": [],
    "fault": {},
    "finished": 0,
}


def fail(message: str) -> None:
    if len(RUN["errors"]) < 50:
        RUN["errors"].append(message)


@events.request.add_listener
def _count_status(response: Any = None, **_kw: Any) -> None:
    status = getattr(response, "status_code", 0) or 0
    if status:  # 0: the connection dropped; counted where it is recovered
        RUN["statuses"][status] += 1


class Interviewer(FastHttpUser):
    """One interviewer: sign in, then autosave (one save per task) card after card."""

    host = f"http://{HOST}"  # each request names its instance's port
    network_timeout = 30.0
    connection_timeout = 10.0
    max_retries = 0  # a dropped request is looked into by the script, never resent blindly

    def wait_time(self) -> float:
        return self.rng.uniform(0, 2 * PLAN["think"])

    def on_start(self) -> None:
        person = PLAN["people"][RUN["started"]]
        RUN["started"] += 1
        self.email, self.todo = person["email"], list(person["cards"])
        self.rng = random.Random(person["seed"])
        self.sent = self.serial = 0
        self.slice_s = max(1.0, (PLAN["deadline"] - time.monotonic()) / len(self.todo))
        self.token, self.card = "", None  # signed in by the first task: errors stop it there

    def on_stop(self) -> None:
        RUN["finished"] += 1

    def guard(self, step: Any) -> Any:
        """Run one step; any crash or refusal is a failure of the run and stops this user."""
        try:
            return step()
        except StopUser:
            raise
        except Exception as exc:  # noqa: BLE001 - reported, and the run fails
            fail(f"{self.email}: {exc!r}")
            raise StopUser() from exc

    # --- requests --------------------------------------------------------------------------

    def call(self, method: str, path: str, name: str, body: Any = None, form: Any = None) -> Any:
        ports = PLAN["ports"]
        port = ports[self.sent % len(ports)]  # alternate between the app instances
        self.sent += 1
        headers = {"Accept": "application/json" if body is not None else "text/html"}
        data = None
        if body is not None:
            headers["X-CSRFToken"] = self.token
        elif form is not None:
            data = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        url = f"http://{HOST}:{port}{path}"
        return self.client.request(
            method, url, name=name, json=body, data=data, headers=headers, allow_redirects=False
        )

    def get(self, path: str, name: str) -> Any:
        """A GET; one whose connection drops (a killed worker) is sent again."""
        for attempt in range(5):
            response = self.call("GET", path, name)
            if response.status_code:
                return response
            gevent.sleep(0.2 * (attempt + 1))
        raise RuntimeError(f"GET {path}: the connection dropped 5 times")

    def sign_in(self) -> None:
        page = self.get("/login", "login page").content
        form = {"email": self.email, "password": PASSWORD, "csrf_token": form_csrf(page)}
        status = self.call("POST", "/login", "sign in", form=form).status_code
        if status != 302:
            raise RuntimeError(f"sign-in failed with {status}")

    # --- the work ------------------------------------------------------------------------

    def next_card(self) -> None:
        """Open the next scorecard's kit like a browser: token, lock_version, criteria."""
        if not self.todo or self.sent >= PLAN["max_requests"]:
            raise StopUser()
        self.card = self.todo.pop(0)
        self.ledger = RUN["ledgers"][self.card] = {
            "fields": {},
            "writes": 0,
            "submitted": False,
            "submission_id": None,
        }
        response = self.get(f"/kit/{self.card}", "kit page")
        if response.status_code != 200:
            raise RuntimeError(f"kit {self.card}: {response.status_code}")
        found = page_values(response.content)
        self.token, self.lock, self.criteria = found.meta_csrf[0], found.lock, found.criteria
        self.card_deadline = min(PLAN["deadline"], time.monotonic() + self.slice_s)

    @task
    def autosave(self) -> None:
        if self.card is None:
            self.guard(self.sign_in)
            self.guard(self.next_card)
        elif time.monotonic() < self.card_deadline - 0.3 and self.sent < PLAN["max_requests"]:
            self.guard(lambda: self.save(self.random_changes()))
        else:
            self.guard(self.finish_card)
            self.guard(self.next_card)

    def random_changes(self) -> dict[str, Any]:
        self.serial += 1
        rng, changes = self.rng, {}
        for _ in range(rng.choice((1, 1, 2, 3))):
            roll, crit = rng.random(), rng.choice(self.criteria)
            if roll < 0.6:
                changes[f"rating.{crit}.value"] = rng.choice((1, 2, 3, 4, None))
            elif roll < 0.85:
                note = "笔记" * rng.randint(1, 40)
                changes[f"rating.{crit}.note"] = f"{self.email} #{self.serial} {note}"
            elif roll < 0.95:
                changes["takeaways"] = f"take-away {self.serial}"
            else:
                changes["overall"] = rng.choice((1, 2, 3, 4, None))
        return changes

    def acknowledged(self, changes: dict[str, Any], lock: int) -> None:
        self.ledger["fields"].update(changes)
        self.ledger["writes"] += 1
        RUN["acked_saves"] += 1
        RUN["acked_changes"] += len(changes)
        self.lock = lock

    def save(self, changes: dict[str, Any]) -> None:
        """One autosave; on success the ledger takes the acknowledged values."""
        path = f"/kit/{self.card}/save"
        response = self.call("POST", path, "save", {"lock_version": self.lock, "changes": changes})
        status = response.status_code
        if status == 0:
            return self.recover(changes)
        if status == 200:
            return self.acknowledged(changes, response.json()["lock_version"])
        if status == 409:  # only this user writes this card: a conflict means a lost ack
            RUN["conflicts"] += 1
        raise RuntimeError(f"save {self.card}: {status} {response.content[:200]!r}")

    def recover(self, changes: dict[str, Any]) -> None:
        """The connection dropped (a killed worker): did the save land? Ask, like the kit does.

        If the server's lock moved on by one and holds our values, the write landed: it counts
        as acknowledged now. If the lock did not move, nothing landed: send it again.
        """
        RUN["dropped"] += 1
        state = self.get(f"/kit/{self.card}/state", "state").json()["state"]
        fields = state.get("fields", {})
        if state["lock_version"] == self.lock + 1 and all(
            fields.get(k) == v for k, v in changes.items()
        ):
            return self.acknowledged(changes, self.lock + 1)
        if state["lock_version"] == self.lock:
            return self.save(changes)
        raise RuntimeError(f"save {self.card}: after a dropped connection the lock is {state}")

    def finish_card(self) -> None:
        """Rate every criterion (2s and 3s need no note), then submit twice with one key."""
        final: dict[str, Any] = {
            f"rating.{c}.value": self.rng.choice((2, 3)) for c in self.criteria
        }
        final["overall"] = 3
        self.save(final)
        body = {"submission_key": uuid.uuid4().hex, "lock_version": self.lock}
        ids = set()
        for _attempt in range(2):
            for _retry in range(4):  # a dropped connection is retried with the same key
                response = self.call("POST", f"/kit/{self.card}/submit", "submit", body)
                if response.status_code:
                    break
                RUN["dropped"] += 1
                gevent.sleep(0.2)
            if response.status_code != 200:
                raise RuntimeError(f"submit {self.card}: {response.status_code}")
            ids.add(response.json()["submission"]["id"])
        if len(ids) != 1:
            raise RuntimeError(f"submit {self.card}: two answers named different submissions {ids}")
        self.ledger.update(submitted=True, submission_id=ids.pop())
        self.ledger["writes"] += 1


def kill_a_worker(master: int, after: float) -> None:
    """SIGKILL one worker of `master` (gunicorn starts a new one)."""
    pids = worker_pids(master)
    if pids:
        os.kill(pids[0], signal.SIGKILL)
        RUN["fault"] = {"killed": pids[0], "at": after}


def latency(env: Environment, name: str, method: str = "POST") -> dict[str, float]:
    entry = env.stats.get(name, method)
    ms = entry.get_response_time_percentile
    return {"count": entry.num_requests, "p50_ms": ms(0.5), "p95_ms": ms(0.95)}


def main(plan_path: str, out_path: str) -> int:
    PLAN.update(json.loads(Path(plan_path).read_text()))
    RUN["started"] = 0
    env = Environment(user_classes=[Interviewer], events=events)
    runner = env.create_local_runner()
    people = len(PLAN["people"])
    start = time.monotonic()
    PLAN["deadline"] = start + PLAN["duration"]
    if PLAN.get("kill"):
        gevent.spawn_later(PLAN["kill"]["after"], kill_a_worker, **PLAN["kill"])
    runner.start(people, spawn_rate=people)
    hard_stop = PLAN["deadline"] + GRACE_S
    parent = os.getppid()
    while RUN["finished"] < people and time.monotonic() < hard_stop and os.getppid() == parent:
        gevent.sleep(0.1)  # stops early if the script that started it has gone
    elapsed = time.monotonic() - start
    if RUN["finished"] < people:
        fail(f"{people - RUN['finished']} interviewers still busy at the hard stop")
    runner.quit()
    total = env.stats.total
    figures = {
        **{k: v for k, v in RUN.items() if k not in ("started", "finished")},
        "elapsed_s": elapsed,
        "save": latency(env, "save"),
        "submit": latency(env, "submit"),
        "requests": total.num_requests,
        "locust_failures": total.num_failures,
    }
    Path(out_path).write_text(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
