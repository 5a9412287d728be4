"""The exact-concurrency trials of the load run: R4 triple submits, R5 stale pairs, R15 lock-out.

Each trial fires its few requests together from threads behind a barrier (a load generator
cannot time them this closely); scripts/load_autosave.py runs them after the interviewers.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from serve import PASSWORD, Client, form_csrf


def at_once(shots: list) -> list:
    """Call every function in `shots` from its own thread, all released together."""
    barrier = threading.Barrier(len(shots))

    def run(shot):  # noqa: ANN001, ANN202
        barrier.wait(timeout=30)
        return shot()

    with ThreadPoolExecutor(len(shots)) as pool:
        return list(pool.map(run, shots, timeout=90))


def r4_double_submit(port: int | list[int], email: str, card_ids: list[int], parallel: int) -> dict:
    """Each complete scorecard submitted by 3 identical concurrent requests (one key)."""
    client = Client(port)
    client.sign_in(email)
    client.open_kit(card_ids[0])
    statuses: Counter = Counter()
    lock = threading.Lock()

    def one_card(card_id: int) -> int:
        body = {"submission_key": uuid.uuid4().hex}
        path = f"/kit/{card_id}/submit"
        answers = at_once([lambda: client.request("POST", path, body)] * 3)
        with lock:
            statuses.update(status for status, _b, _t in answers)
        ids = {json.loads(b)["submission"]["id"] for s, b, _t in answers if s == 200}
        return len(ids) != 1  # answered with different submissions (or none)

    with ThreadPoolExecutor(parallel) as pool:
        disagreements = sum(pool.map(one_card, card_ids, timeout=600))
    return {"statuses": dict(sorted(statuses.items())), "disagreements": disagreements}


def r5_stale_pairs(port: int | list[int], email: str, card_ids: list[int], trials: int) -> dict:
    """Two devices of one interviewer save with the same lock_version at once: one must win."""
    tabs = [Client(port), Client(port)]
    for tab in tabs:
        tab.sign_in(email)
    criteria = tabs[0].open_kit(card_ids[0])[1]
    tabs[1].open_kit(card_ids[0])
    exactly_one = both = neither = fivexx = 0
    for trial in range(trials):
        card_id = card_ids[trial % len(card_ids)]
        _status, body, _t = tabs[0].request("GET", f"/kit/{card_id}/state")
        lock = json.loads(body)["state"]["lock_version"]
        name = f"rating.{criteria[trial % len(criteria)]}.value"

        def shot(i: int, card_id: int = card_id, lock: int = lock, name: str = name):  # noqa: ANN202
            save = {"lock_version": lock, "changes": {name: i + 2}}
            return tabs[i].request("POST", f"/kit/{card_id}/save", save)[0]

        results = at_once([lambda: shot(0), lambda: shot(1)])
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


def lockout_across(ports: list[int], email: str) -> dict:
    """5 wrong passwords spread over the instances, then the right one on each: all refused."""
    client = Client(ports)
    for _ in range(5):
        _s, page, _t = client.request("GET", "/login")
        form = {"email": email, "password": "wrong-" + PASSWORD, "csrf_token": form_csrf(page)}
        client.request("POST", "/login", form=form)
    locked = logged_in = 0
    for port in ports:
        other = Client(port)
        _s, page, _t = other.request("GET", "/login")
        form = {"email": email, "password": PASSWORD, "csrf_token": form_csrf(page)}
        status, _b, _t = other.request("POST", "/login", form=form)
        locked += status == 429
        logged_in += status == 302
    return {"instances": len(ports), "locked": locked, "logged_in": logged_in}
