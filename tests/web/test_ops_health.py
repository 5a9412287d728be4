"""/healthz, /readyz, /metrics and the request log (docs/deploy.md)."""

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from tests.web.pg_cluster import free_port, throwaway_postgresql
from tests.web.test_backup import app_on, migrated, new_db  # noqa: F401 - new_db: fixture

ROOT = Path(__file__).resolve().parents[2]


def samples(text: str, name: str) -> list:
    return [
        s
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name == name
    ]


def test_healthz_and_readyz(client):
    live = client.get("/healthz")
    assert live.status_code == 200 and live.json == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json["status"] == "ready"
    assert ready.headers["Cache-Control"] == "no-store"


def test_readyz_fails_on_an_old_schema_and_an_unreachable_database(tmp_path, new_db):  # noqa: F811
    old = migrated(new_db(), revision="0004", demo=False)
    answer = old.test_client().get("/readyz")
    assert answer.status_code == 503
    assert answer.json["reason"] == "schema not at head: run flask db upgrade"
    assert answer.json["revision"] == "0004"
    gone = app_on(f"sqlite:///{tmp_path / 'no-such-folder' / 'x.db'}")
    answer = gone.test_client().get("/readyz")
    assert answer.status_code == 503 and answer.json["reason"] == "database unreachable"
    assert gone.test_client().get("/healthz").status_code == 200  # alive all the same


def test_readyz_follows_postgresql_going_down_and_coming_back():
    """A PostgreSQL of its own, stopped and started again under a running app."""
    with throwaway_postgresql() as pg:
        client = migrated(pg.url, demo=False).test_client()
        states = [client.get("/readyz").status_code]
        pg.stop()
        states.append(client.get("/readyz").status_code)
        states.append(client.get("/healthz").status_code)
        pg.start()
        states.append(client.get("/readyz").status_code)
    print(f"readyz while up, down, (healthz down), up again: {states}")
    assert states == [200, 503, 200, 200]


def test_metrics_count_requests_per_endpoint(client, app, db, make_user, login_as):
    login_as(make_user("admin"))
    client.get("/admin/jobs")
    client.get("/no/such/page")
    text = client.get("/metrics").get_data(as_text=True)
    requests = samples(text, "scorecard_http_requests_total")
    endpoints = {(s.labels["endpoint"], s.labels["method"], s.labels["status"]) for s in requests}
    assert ("auth.login", "POST", "302") in endpoints
    assert ("ops.jobs", "GET", "200") in endpoints
    assert ("(unmatched)", "GET", "404") in endpoints
    assert not any(s.labels["endpoint"] == "ops.metrics" for s in requests)
    buckets = samples(text, "scorecard_http_request_duration_seconds_count")
    assert any(s.labels["endpoint"] == "ops.jobs" and s.value >= 1 for s in buckets)


def test_metrics_report_job_runs_from_the_database(client, db):
    from scorecard.services import scheduled

    scheduled.run_due()
    text = client.get("/metrics").get_data(as_text=True)
    runs = {
        (s.labels["job"], s.labels["status"]): s.value
        for s in samples(text, "scorecard_job_runs_total")
    }
    enabled = {j for j in scheduled.JOBS if j != "backup"}  # backup: off without BACKUP_DIR
    assert runs == {(job, "succeeded"): 1.0 for job in enabled}
    last = samples(text, "scorecard_job_last_success_timestamp_seconds")
    assert {s.labels["job"] for s in last} == enabled


def test_metrics_need_the_token_or_a_direct_local_peer(client, app, db, monkeypatch):
    assert client.get("/metrics").status_code == 200  # 127.0.0.1, no proxy
    proxied = {"X-Forwarded-For": "203.0.113.9"}
    assert client.get("/metrics", headers=proxied).status_code == 404
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "198.51.100.7"}).status_code == 404
    monkeypatch.setitem(app.config, "METRICS_TOKEN", "s3cret-metrics-token-0123456789")
    good = {**proxied, "Authorization": "Bearer s3cret-metrics-token-0123456789"}
    assert client.get("/metrics", headers=good).status_code == 200
    bad = {**proxied, "Authorization": "Bearer wrong"}
    assert client.get("/metrics", headers=bad).status_code == 404
    # A wrong token is refused even from the local network.
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 404
    monkeypatch.setitem(app.config, "METRICS_ALLOW", [])
    assert client.get("/metrics").status_code == 404


def test_request_log_has_an_id_and_no_personal_data(client, db, make_user, login_as, capfd):
    user = make_user("admin", email="marker.person@example.test")
    capfd.readouterr()
    login_as(user)
    answer = client.get(
        "/admin/candidates?q=Zhang+Wei+13800138000", headers={"X-Request-ID": "abc-12345678"}
    )
    assert answer.headers["X-Request-ID"] == "abc-12345678"
    other = client.get("/healthz", headers={"X-Request-ID": "bad id with spaces"})
    assert re.fullmatch(r"[0-9a-f]{32}", other.headers["X-Request-ID"])
    err = capfd.readouterr().err
    lines = [line for line in err.splitlines() if "scorecard.request" in line]
    assert len(lines) >= 4, err
    assert any(
        "request_id=abc-12345678" in line and "route=/admin/candidates" in line for line in lines
    )
    assert f"user_id={user.id}" in err
    for marker in ("marker.person", "Zhang", "13800138000", user.session_token, "correct horse"):
        assert marker not in err, marker


def test_request_log_as_json_lines(app, db, capfd, monkeypatch):
    import json

    from scorecard.ops import requestlog

    requestlog._logger("json")
    try:
        capfd.readouterr()
        app.test_client().get("/healthz")
        line = [x for x in capfd.readouterr().err.splitlines() if '"scorecard.request"' in x][-1]
        record = json.loads(line)
        assert record["route"] == "/healthz" and record["status"] == 200
        assert record["endpoint"] == "ops.healthz" and len(record["request_id"]) == 32
    finally:
        requestlog._logger(app.config["LOG_FORMAT"])


def test_metrics_add_up_across_gunicorn_workers(db, tmp_path):
    """prometheus_client's multi-process mode: 3 workers, 30 requests, /metrics counts 30."""
    db.session.commit()
    port = free_port()
    env = dict(
        os.environ,
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "metrics"),
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS="3",
        REQUEST_LOG="0",
    )
    proc = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "wsgi:app"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180  # a busy machine starts workers slowly
        while True:
            try:
                urllib.request.urlopen(f"{base}/metrics", timeout=2).read()
                break
            except OSError:
                assert time.monotonic() < deadline and proc.poll() is None, "gunicorn did not start"
                time.sleep(0.2)
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(6) as pool:
            statuses = list(
                pool.map(lambda _: urllib.request.urlopen(f"{base}/healthz").status, range(30))
            )
        assert statuses == [200] * 30
        text = urllib.request.urlopen(f"{base}/metrics").read().decode()
        health = [
            s
            for s in samples(text, "scorecard_http_requests_total")
            if s.labels["endpoint"] == "ops.healthz"
        ]
        files = list((tmp_path / "metrics").glob("counter_*.db"))
        print(
            f"multi-process metrics: {sum(s.value for s in health):g} of 30 requests counted, "
            f"{len(files)} worker file(s)"
        )
        assert sum(s.value for s in health) == 30
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
