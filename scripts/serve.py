"""Real servers for tests and scripts: free ports, migrate, gunicorn start/stop, a signed-in client.

Used by the load and benchmark scripts (scripts/load_autosave.py, bench_kit.py, webhooks_r17.py)
and by tests that start gunicorn (tests/web/test_log_hygiene.py, test_scheduled_jobs.py,
pg_cluster.py). Values are read out of pages with the standard library's HTML parser.
"""

from __future__ import annotations

import itertools
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
PASSWORD = "load-test-password-not-secret"  # noqa: S105 - throw-away users of a load run


# --- values in a page ----------------------------------------------------------------------


@dataclass
class PageValues:
    """What the scripts read from a page: CSRF tokens, the kit's fields and lock_version."""

    meta_csrf: list[str] = field(default_factory=list)  # <meta name="csrf-token" content=…>
    form_csrf: list[str] = field(default_factory=list)  # <input name="csrf_token" value=…>
    fields: set[str] = field(default_factory=set)  # data-field="…" of the kit's inputs
    lock: int | None = None  # data-lock="…" of the kit

    @property
    def criteria(self) -> list[int]:
        """The criterion ids whose rating the kit page offers."""
        parts = (f.split(".") for f in self.fields)
        return sorted({int(p[1]) for p in parts if len(p) == 3 and p[::2] == ["rating", "value"]})


class _Scanner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found = PageValues()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "meta" and a.get("name") == "csrf-token":
            self.found.meta_csrf.append(a.get("content", ""))
        elif tag == "input" and a.get("name") == "csrf_token":
            self.found.form_csrf.append(a.get("value", ""))
        if "data-field" in a:
            self.found.fields.add(a["data-field"])
        if "data-lock" in a and self.found.lock is None:
            self.found.lock = int(a["data-lock"])


def page_values(page: str | bytes) -> PageValues:
    """Parse an HTML page and return the values above."""
    scanner = _Scanner()
    scanner.feed(page.decode(errors="replace") if isinstance(page, bytes) else page)
    scanner.close()
    return scanner.found


def form_csrf(page: str | bytes) -> str:
    """The CSRF token of the page's first form."""
    tokens = page_values(page).form_csrf
    if not tokens:
        raise ValueError("the page has no form with a csrf_token")
    return tokens[0]


def meta_csrf(page: str | bytes) -> str:
    """The page's CSRF token for JavaScript requests (the csrf-token meta element)."""
    tokens = page_values(page).meta_csrf
    if not tokens:
        raise ValueError("the page has no csrf-token meta element")
    return tokens[0]


def csrf_tokens(page: str | bytes) -> set[str]:
    """Every CSRF token the page carries, in forms and in its meta element."""
    found = page_values(page)
    return {*found.meta_csrf, *found.form_csrf}


# --- a signed-in browser stand-in ---------------------------------------------------------------


class Client:
    """Cookies, the page's CSRF token, timings; several ports = requests alternate between them."""

    def __init__(self, port: int | list[int], timeout: float = 30.0) -> None:
        # Several app instances: one session cookie is used on every instance (R15).
        self.ports = [port] if isinstance(port, int) else list(port)
        self._turn = itertools.count()
        self.timeout = timeout
        self.session = requests.Session()
        self.token = ""

    @property
    def cookies(self) -> dict[str, str]:
        return self.session.cookies.get_dict()

    def request(
        self, method: str, path: str, body: Any = None, form: dict | None = None
    ) -> tuple[int, bytes, float]:
        """One request: (status, body, seconds). A GET whose connection drops is sent again."""
        for attempt in range(5):
            try:
                return self._request(method, path, body, form)
            except requests.RequestException:
                if method != "GET" or attempt == 4:
                    raise
                time.sleep(0.2 * (attempt + 1))
        raise AssertionError("unreachable")

    def _request(
        self, method: str, path: str, body: Any, form: dict | None
    ) -> tuple[int, bytes, float]:
        headers = {"Accept": "application/json" if body is not None else "text/html"}
        if body is not None:
            headers["X-CSRFToken"] = self.token
        port = self.ports[next(self._turn) % len(self.ports)]
        started = time.perf_counter()
        response = self.session.request(
            method,
            f"http://{HOST}:{port}{path}",
            json=body,
            data=form,
            headers=headers,
            timeout=self.timeout,
            allow_redirects=False,
        )
        return response.status_code, response.content, time.perf_counter() - started

    def sign_in(self, email: str, password: str = PASSWORD) -> None:
        _status, page, _t = self.request("GET", "/login")
        form = {"email": email, "password": password, "csrf_token": form_csrf(page)}
        status, _b, _t = self.request("POST", "/login", form=form)
        if status != 302:
            raise RuntimeError(f"sign-in of {email} failed with {status}")

    def open_kit(self, card_id: int) -> tuple[int, list[int]]:
        """Load the kit page like a browser: keeps its token; (lock_version, criterion ids)."""
        status, page, _t = self.request("GET", f"/kit/{card_id}")
        if status != 200:
            raise RuntimeError(f"kit {card_id}: {status}")
        found = page_values(page)
        self.token = found.meta_csrf[0]
        assert found.lock is not None, f"kit {card_id} has no data-lock"
        return found.lock, found.criteria


# --- ports, migrations, gunicorn --------------------------------------------------------------


def free_port() -> int:
    """A free 127.0.0.1 port: from SCORECARD_PORTS (e.g. "56200-56299") if set, else any."""
    first, _, last = os.environ.get("SCORECARD_PORTS", "").partition("-")
    candidates = range(int(first), int(last or first) + 1) if first else [0]
    for port in random.sample(list(candidates), len(candidates)):
        with socket.socket() as s:
            try:
                s.bind((HOST, port))
            except OSError:
                continue
            return s.getsockname()[1]
    raise RuntimeError(f"no free port in SCORECARD_PORTS={os.environ['SCORECARD_PORTS']}")


def migrate(database_url: str) -> None:
    """`flask db upgrade` on the database, once, before any server starts."""
    env = dict(os.environ, DATABASE_URL=database_url, FLASK_APP="scorecard:create_app")
    subprocess.run(
        [sys.executable, "-m", "flask", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )


def start_gunicorn(
    database_url: str,
    workers: int,
    app: str = "wsgi:app",
    extra_env: dict | None = None,
    secret: str | None = None,
) -> tuple[subprocess.Popen, int]:
    """gunicorn on a free 127.0.0.1 port, in its own process group; returns once it answers."""
    port = free_port()
    env = dict(
        os.environ,
        DATABASE_URL=database_url,
        SECRET_KEY=secret or secrets.token_hex(32),
        PYTHONPATH=f"{ROOT}{os.pathsep}{ROOT / 'scripts'}",
        **(extra_env or {}),
    )
    env.pop("SCORECARD_ENV", None)
    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers)]
    command += ["--bind", f"{HOST}:{port}", "--log-level", "warning", "--timeout", "60", app]
    proc = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, start_new_session=True
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {proc.returncode}")
        try:
            requests.get(f"http://{HOST}:{port}/login", timeout=2, allow_redirects=False)
            return proc, port
        except requests.RequestException:
            time.sleep(0.2)
    stop(proc)
    raise RuntimeError("gunicorn did not answer within 60 s")


def stop(proc: subprocess.Popen) -> None:
    """Stop a gunicorn started above (its own process group only)."""
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def worker_pids(master: int) -> list[int]:
    """The gunicorn workers of a master process (its children, from /proc)."""
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
