"""Engine set-up per database: SQLite gets WAL, a busy timeout and BEGIN IMMEDIATE writes;
PostgreSQL gets its just-in-time compiler switched off."""

from flask import Flask, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

from scorecard.extensions import db

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def configure_engine(app: Flask) -> None:
    """Attach the SQLite pragmas and transaction mode, or PostgreSQL's session settings."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "postgresql":
        _configure_postgresql(engine)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(
            engine,
            app.config["SQLITE_BUSY_TIMEOUT_MS"],
            app.config.get("SQLITE_IMMEDIATE_OUTSIDE_REQUESTS", True),
        )


def _configure_postgresql(engine: Engine) -> None:
    # PostgreSQL compiles a query to machine code once its estimated cost passes
    # jit_above_cost. The matrix's one query over 5,000 applications (two correlated
    # subqueries per row) crosses it: measured, 448 ms of compiling for a 100 ms query, and
    # nothing below the threshold at 1,000. Short interactive queries never win it back.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        cursor = dbapi_connection.cursor()
        cursor.execute("SET jit = off")
        cursor.close()
        dbapi_connection.commit()


def _configure_sqlite(engine: Engine, busy_timeout_ms: int, immediate_outside: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        # Let SQLAlchemy, not the driver, decide when a transaction begins.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # type: ignore[no-untyped-def]
        # A deferred BEGIN that later writes fails with "database is locked" under
        # concurrent workers (reliability.md); reads stay deferred so they never queue.
        if conn.get_execution_options().get("scorecard_write"):
            read_only = False  # a write of its own inside a reading request (results store)
        elif has_request_context():
            read_only = request.method in READ_ONLY_METHODS
        else:
            read_only = not immediate_outside
        if read_only:
            conn.exec_driver_sql("BEGIN")
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
