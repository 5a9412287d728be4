"""A webhook receiver on 127.0.0.1 for the tests and the R17 script: records every POST,
checks its signature, and can fail on purpose (HTTP 500 or answering too late)."""

from __future__ import annotations

import json
import random
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from scorecard.services.webhooks import SIGNATURE_HEADER, verify


@dataclass
class Received:
    event_id: str
    event_type: str
    body: dict
    signature_ok: bool


@dataclass
class Receiver:
    secret: str = ""
    fail_ratio: float = 0.0  # share of requests that fail (half 500s, half too slow)
    slow_s: float = 0.0  # how long a "too slow" answer takes
    plan: list[str] = field(default_factory=list)  # forced outcomes first: "500", "slow", "ok"
    seed: int = 17
    got: list[Received] = field(default_factory=list)  # answered 2xx
    attempts: int = 0
    failures: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    slow_started: threading.Event = field(default_factory=threading.Event)  # one is hanging

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args) -> None:  # quiet
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                outcome = receiver._next_outcome()
                if outcome == "slow":
                    receiver.slow_started.set()
                    time.sleep(receiver.slow_s)
                if outcome != "ok":
                    try:
                        self.send_response(500)
                        self.end_headers()
                        self.wfile.write(b"try again")
                    except OSError:
                        pass  # the sender gave up waiting
                    return
                ok = verify(receiver.secret, self.headers.get(SIGNATURE_HEADER, ""), body)
                data = json.loads(body)
                with receiver.lock:
                    receiver.got.append(
                        Received(self.headers.get("Scorecard-Event-Id", ""), data["type"], data, ok)
                    )
                self.send_response(204)
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _next_outcome(self) -> str:
        with self.lock:
            self.attempts += 1
            if self.plan:
                outcome = self.plan.pop(0)
            elif self.rng.random() < self.fail_ratio:
                outcome = "500" if self.rng.random() < 0.5 else "slow"
            else:
                outcome = "ok"
            if outcome != "ok":
                self.failures += 1
            return outcome

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/hook"

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def event_ids(self) -> set[str]:
        with self.lock:
            return {r.event_id for r in self.got}
