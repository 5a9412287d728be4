"""Baselines for scripts/bench_kit.py, served by the same gunicorn as the Scorecard app.

`app` is the Scorecard app with two bare Flask endpoints mounted under /_baseline:

    GET  /_baseline/hello    a short string: what Flask plus gunicorn cost at the least
    POST /_baseline/upsert   one row upserted with raw sqlite3 (WAL, BEGIN IMMEDIATE), or
                             with raw psycopg when BENCH_PG_DSN is set (the app's
                             PostgreSQL database, a table of its own): the least a durable
                             autosave can cost on this machine

Run by bench_kit.py as `gunicorn --workers 2 bench_baseline_app:app` with DATABASE_URL and
BENCH_SQLITE_PATH or BENCH_PG_DSN set; never part of the product.
"""

import os
import sqlite3
import threading

from flask import Flask, request
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from config import Config
from scorecard import create_app

baseline = Flask("baseline")
_local = threading.local()


def _connection() -> sqlite3.Connection:
    conn = getattr(_local, "conn", None)
    if conn is None:
        conn = sqlite3.connect(os.environ["BENCH_SQLITE_PATH"], isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA busy_timeout=15000")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute(
            "CREATE TABLE IF NOT EXISTS notes (key TEXT PRIMARY KEY, value TEXT, version INTEGER)"
        )
        _local.conn = conn
    return conn


_PG_UPSERT = (
    "INSERT INTO bench_baseline_notes (key, value, version) VALUES (%s, %s, 1) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value, "
    "version = bench_baseline_notes.version + 1"
)


def _pg_connection():
    conn = getattr(_local, "pg", None)
    if conn is None:
        import psycopg

        conn = psycopg.connect(os.environ["BENCH_PG_DSN"])
        try:
            with conn.transaction():
                conn.execute(
                    "CREATE TABLE IF NOT EXISTS bench_baseline_notes "
                    "(key TEXT PRIMARY KEY, value TEXT, version INTEGER)"
                )
        except psycopg.errors.UniqueViolation:
            pass  # another worker's first request created it at the same moment
        _local.pg = conn
    return conn


@baseline.get("/hello")
def hello() -> str:
    return "ok"


@baseline.post("/upsert")
def upsert():
    data = request.get_json(silent=True) or {}
    if os.environ.get("BENCH_PG_DSN"):
        conn = _pg_connection()
        with conn.transaction():
            conn.execute(_PG_UPSERT, (str(data.get("key", "k")), str(data.get("value", ""))))
        return {"ok": True}
    conn = _connection()
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute(
            "INSERT INTO notes (key, value, version) VALUES (?, ?, 1) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value, version = version + 1",
            (str(data.get("key", "k")), str(data.get("value", ""))),
        )
        conn.execute("COMMIT")
    except Exception:
        conn.execute("ROLLBACK")
        raise
    return {"ok": True}


app = DispatcherMiddleware(create_app(Config), {"/_baseline": baseline})
