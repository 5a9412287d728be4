"""Prometheus metrics through prometheus_client, multi-process aware (gunicorn workers).

With PROMETHEUS_MULTIPROC_DIR set (before the app is imported), every worker writes its
samples to files in that folder and /metrics aggregates them all (prometheus_client's
multi-process mode); deploy/gunicorn.conf.py removes a dead worker's live gauges. Without
it, one process's own registry is served (development).

Request figures are taken in one after-request hook, per endpoint (never per path: ids in
paths would make a series per candidate). App figures that live in the database (job runs)
are read at scrape time by a collector.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

from flask import Flask, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

REQUESTS = Counter(
    "scorecard_http_requests",
    "HTTP requests answered, by endpoint, method and status.",
    ["endpoint", "method", "status"],
)
LATENCY = Histogram(
    "scorecard_http_request_duration_seconds",
    "Time to answer a request, by endpoint and method.",
    ["endpoint", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
AUTOSAVES = Counter("scorecard_autosaves", "Scorecard autosaves acknowledged.")
SUBMISSIONS = Counter("scorecard_submissions", "Scorecard submissions acknowledged.")
CONFLICTS = Counter("scorecard_conflicts", "Saves refused as stale (409 conflict).")
ERRORS = Counter("scorecard_errors", "Requests answered with a server error (5xx).", ["endpoint"])
JOB_RUNS = Counter(
    "scorecard_job_run_outcomes", "Scheduled job runs finished by this process.", ["job", "status"]
)

# Which endpoints are autosaves and submissions (the kit's JSON and the API's).
AUTOSAVE_ENDPOINTS = frozenset({"interviews.save", "api.autosave"})
SUBMIT_ENDPOINTS = frozenset({"interviews.submit", "api.submit"})


def job_finished(job: str, status: str) -> None:
    JOB_RUNS.labels(job=job, status=status).inc()


def _start() -> None:
    g._metrics_started = time.perf_counter()


def _observe(response):
    started = g.pop("_metrics_started", None)
    endpoint = request.endpoint or "(unmatched)"
    if endpoint == "ops.metrics":
        return response  # scrapes would drown the figures they read
    method = request.method
    status = response.status_code
    REQUESTS.labels(endpoint=endpoint, method=method, status=str(status)).inc()
    if started is not None:
        LATENCY.labels(endpoint=endpoint, method=method).observe(time.perf_counter() - started)
    if status == 409:
        CONFLICTS.inc()
    elif 200 <= status < 300 and method == "POST":
        if endpoint in AUTOSAVE_ENDPOINTS:
            AUTOSAVES.inc()
        elif endpoint in SUBMIT_ENDPOINTS:
            SUBMISSIONS.inc()
    if status >= 500:
        ERRORS.labels(endpoint=endpoint).inc()
    return response


class DatabaseCollector(Collector):
    """Figures kept in the database, read when /metrics is scraped."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def collect(self) -> Iterator[CounterMetricFamily | GaugeMetricFamily]:
        import sqlalchemy as sa

        from scorecard.extensions import db
        from scorecard.models.operations import JobRun, JobRunStatus

        runs = CounterMetricFamily(
            "scorecard_job_runs",
            "Scheduled job runs recorded, by job and status.",
            labels=["job", "status"],
        )
        last_ok = GaugeMetricFamily(
            "scorecard_job_last_success_timestamp_seconds",
            "When each job last finished successfully (Unix time).",
            labels=["job"],
        )
        with self.app.app_context():
            rows = db.session.execute(
                sa.select(JobRun.job, JobRun.status, sa.func.count()).group_by(
                    JobRun.job, JobRun.status
                )
            ).all()
            for job, status, count in rows:
                runs.add_metric([job, JobRunStatus(status).value], count)
            finished = db.session.execute(
                sa.select(JobRun.job, sa.func.max(JobRun.finished_at))
                .where(JobRun.status == "succeeded")
                .group_by(JobRun.job)
            ).all()
            for job, at in finished:
                if at is not None:
                    last_ok.add_metric([job], at.timestamp() if at.tzinfo else _utc_ts(at))
            db.session.remove()
        yield runs
        yield last_ok


def _utc_ts(naive_utc) -> float:
    from datetime import UTC

    return naive_utc.replace(tzinfo=UTC).timestamp()


def exposition(app: Flask) -> tuple[bytes, str]:
    """The text exposition of every process's metrics plus the database's figures."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    else:
        for collector in (REQUESTS, LATENCY, AUTOSAVES, SUBMISSIONS, CONFLICTS, ERRORS, JOB_RUNS):
            registry.register(collector)
    registry.register(DatabaseCollector(app))
    return generate_latest(registry), CONTENT_TYPE_LATEST


def init_metrics(app: Flask) -> None:
    app.before_request(_start)
    app.after_request(_observe)
