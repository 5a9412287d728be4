"""Engine set-up per database: SQLite gets WAL, a busy timeout and BEGIN IMMEDIATE writes;
PostgreSQL gets its just-in-time compiler switched off, a liveness check on checkout that
costs no round trip, and reading requests without BEGIN and COMMIT.

On SQLite a writing request first reads who is asking and what they may do (the session's
user, the permission table's facts) without a transaction, before the view runs: the write
lock is then held for the view's statements only, not for every hook of the request. That
is what PostgreSQL's READ COMMITTED gives each statement anyway; with the lock held from
the first hook, the other worker sat in SQLite's busy handler (which sleeps 1, 2, 5,
10 ms…) for most of each autosave (scripts/bench_kit.py).
"""

import itertools
import select
import sqlite3
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, g, has_request_context, request
from psycopg.pq import ConnStatus, TransactionStatus
from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import CursorResult, Engine
from sqlalchemy.sql import Executable

from scorecard.extensions import db

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def core(statement: Executable, params: dict[str, Any] | None = None) -> CursorResult[Any]:
    """Run a Core statement (a table's SELECT, UPDATE, INSERT, DELETE) on the session's
    connection, in the session's transaction.

    For a statement that loads no model objects it does what `db.session.execute` does,
    without the ORM's execute path: 15 µs instead of 42 µs a statement, on the hot paths
    where a request runs four or five of them (scripts/bench_kit.py).
    """
    return db.session.connection().execute(statement, params)


def commit_keeping_loaded() -> None:
    """Commit the session without expiring what it has loaded: what the request read or
    wrote stays readable without another query (the kit's JSON answers are built from the
    values just written; expiring them re-read the scorecard and the user for the answer
    and the security headers: two queries per autosave)."""
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True


def configure_engine(app: Flask) -> None:
    """Attach the SQLite pragmas and transaction mode, or PostgreSQL's session settings."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "postgresql":
        _configure_postgresql(engine)
        app.teardown_request(_end_reading_request)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(
            engine,
            app.config["SQLITE_BUSY_TIMEOUT_MS"],
            app.config.get("SQLITE_IMMEDIATE_OUTSIDE_REQUESTS", True),
        )
        app.before_request_funcs.setdefault(None, []).insert(0, _start_read_phase)


_READ_PHASE = "_scorecard_read_phase"
_WROTE = "_scorecard_wrote"


def _start_read_phase() -> None:
    if request.method not in READ_ONLY_METHODS:
        setattr(g, _READ_PHASE, True)


def end_read_phase() -> None:
    """End the reading that precedes a writing request's work; its next statement begins
    BEGIN IMMEDIATE. Registered as the last of the application's `before_request` hooks
    (`register_request_hooks`); a hook that writes calls it before its first statement.

    The hooks' reads ran without a transaction (each SELECT on its own snapshot, as
    PostgreSQL's READ COMMITTED gives each statement): nothing to commit, nothing loaded
    expires, and a request whose view reads nothing (the kit's keep-alive) never takes
    the write lock.
    """
    g.pop(_READ_PHASE, None)  # from here a statement without a transaction opens one


# A pooled connection idle longer than this is pinged (one round trip) before it is used:
# what a firewall or NAT may drop silently leaves no trace on the socket.
PING_AFTER_IDLE_S = 60.0
_CHECKED_IN_AT = "scorecard_checked_in_at"


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

    @event.listens_for(engine, "checkin")
    def _on_checkin(dbapi_connection, record) -> None:  # type: ignore[no-untyped-def]
        if dbapi_connection is not None and _idle(dbapi_connection):
            dbapi_connection.autocommit = False  # as the pool hands it out: see _on_begin
        if record is not None:
            record.info[_CHECKED_IN_AT] = time.monotonic()

    # A GET/HEAD request reads in autocommit, without BEGIN and COMMIT. Under READ
    # COMMITTED each statement sees its own snapshot inside a transaction too, so for reads
    # the two round trips bought nothing (the kit page made eight, scripts/bench_kit.py).
    # A statement that may write — anything but a SELECT that locks nothing — first opens a
    # transaction (_before_statement), which the request's commit or rollback ends as usual.
    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # type: ignore[no-untyped-def]
        reading = (
            has_request_context()
            and request.method in READ_ONLY_METHODS
            and not conn.get_execution_options().get("scorecard_write")
        )
        dbapi_connection = conn.connection.dbapi_connection
        if dbapi_connection.autocommit != reading and _idle(dbapi_connection):
            dbapi_connection.autocommit = reading

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection, record, _proxy) -> None:  # type: ignore[no-untyped-def]
        idle = time.monotonic() - record.info.get(_CHECKED_IN_AT, time.monotonic())
        if not connection_alive(engine, dbapi_connection, ping=idle > PING_AFTER_IDLE_S):
            # The pool replaces it, and every connection opened before now (a restart
            # ended them all): the request goes on with a fresh one instead of failing.
            raise sa_exc.InvalidatePoolError("the server closed this pooled connection")

    # A reading request's connection is in autocommit (_on_begin); a statement that may
    # write opens the transaction it needs first.
    @event.listens_for(engine, "before_cursor_execute")
    def _before_statement(conn, cursor, statement, params, context, many) -> None:  # type: ignore[no-untyped-def]  # noqa: ARG001
        if is_plain_read(statement):
            return
        if has_request_context():
            setattr(g, _WROTE, True)
        dbapi_connection = cursor.connection
        if dbapi_connection.autocommit and _idle(dbapi_connection):
            dbapi_connection.execute("BEGIN")


def _idle(dbapi_connection: Any) -> bool:
    """No transaction open on this psycopg connection."""
    return bool(dbapi_connection.info.transaction_status == TransactionStatus.IDLE)


def is_plain_read(statement: str) -> bool:
    """A SELECT that locks nothing (FOR UPDATE, FOR SHARE… lock rows until the end of a
    transaction, so they need one)."""
    return statement.lstrip()[:6].upper() == "SELECT" and " FOR " not in statement


def connection_alive(engine: Engine, dbapi_connection: Any, ping: bool) -> bool:
    """Whether a pooled psycopg connection can be used, without a round trip unless `ping`.

    A server that restarts or ends a session (pg_terminate_backend, idle timeouts) sends a
    last message and closes the socket: an idle connection whose socket has something to
    read is finished. The pool's pre-ping found the same with a round trip on every
    checkout — one of the kit page's eight (scripts/bench_kit.py).
    """
    if dbapi_connection.closed or dbapi_connection.broken:
        return False
    pgconn = dbapi_connection.pgconn
    if pgconn.status != ConnStatus.OK:
        return False
    # Nothing is sent to an idle session that has not asked to LISTEN: whatever waits on
    # the socket is the server's goodbye (FATAL … terminating connection) or its EOF.
    waiting = select.poll()
    waiting.register(pgconn.socket, select.POLLIN | select.POLLERR | select.POLLHUP)
    if waiting.poll(0):
        return False
    if ping:
        try:
            return bool(engine.dialect.do_ping(dbapi_connection))
        except Exception:  # noqa: BLE001 - any driver error: replace the connection
            return False
    return True


def _end_reading_request(exc: BaseException | None) -> None:
    """PostgreSQL: a request that only read ends its transaction with COMMIT.

    psycopg forgets every prepared statement on ROLLBACK (and sends DEALLOCATE ALL), so when
    each page view ended with the session's rollback no statement was ever prepared: the
    kit page's seven-table join was planned anew on every view (0.9 ms of planning for
    0.1 ms of work, scripts/bench_kit.py). A COMMIT of a transaction that only read changes
    nothing; anything else — an error, pending changes, any statement but a SELECT — ends
    with the rollback as before.
    """
    if exc is not None or g.pop(_WROTE, False):
        return
    session = db.session()
    if not session.in_transaction() or session.new or session.dirty or session.deleted:
        return
    try:
        session.commit()
    except Exception:  # noqa: BLE001 - the rollback that follows at teardown settles it
        session.rollback()


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
            if g.get(_READ_PHASE, False):
                return  # the hooks' reads: no transaction (see _before_statement)
            read_only = request.method in READ_ONLY_METHODS
        else:
            read_only = not immediate_outside
        if read_only:
            conn.exec_driver_sql("BEGIN")
        else:
            begin_immediate(conn.connection.dbapi_connection, conn.exec_driver_sql)

    # A writing request's hooks read without a transaction (the session's transaction began
    # in the read phase, see _on_begin); after them, or at a statement that may write
    # before, the first statement outside a transaction opens BEGIN IMMEDIATE.
    @event.listens_for(engine, "before_cursor_execute")
    def _before_statement(conn, cursor, statement, params, context, many) -> None:  # type: ignore[no-untyped-def]  # noqa: ARG001
        if not has_request_context() or request.method in READ_ONLY_METHODS:
            return
        raw = cursor.connection
        if raw.in_transaction or statement.startswith("BEGIN"):
            return
        if g.get(_READ_PHASE, False) and is_plain_read(statement):
            return
        g.pop(_READ_PHASE, None)
        try:
            begin_immediate(raw, raw.execute)
        except sqlite3.Error as error:
            wrapped = sa_exc.DBAPIError.instance("BEGIN IMMEDIATE", None, error, sqlite3.Error)
            raise wrapped from error


# Between tries for SQLite's write lock: 50 µs doubling to 1 ms, for up to 25 ms.
_LOCK_WAITS_S = (0.00005, 0.0001, 0.0002, 0.0004, 0.0008, 0.001)
_FINE_WAIT_S = 0.025


def begin_immediate(raw: Any, execute: Callable[[str], Any]) -> None:
    """BEGIN IMMEDIATE through `execute`, waiting for the write lock in steps of 50 µs to
    1 ms at first.

    SQLite's busy handler sleeps 1, 2, 5, 10, 15… ms between its tries, while the lock an
    autosave waits for is held for a tenth of a millisecond (its two UPDATEs and COMMIT):
    the waiting worker slept ten times longer than it had to (scripts/bench_kit.py). A
    longer wait (a backup, a big import) goes on in SQLite's handler, under the busy
    timeout and with its errors, as before.
    """
    busy_timeout_ms = raw.execute("PRAGMA busy_timeout").fetchone()[0]
    raw.execute("PRAGMA busy_timeout=0")
    try:
        deadline = time.monotonic() + _FINE_WAIT_S
        for tries in itertools.count():
            try:
                execute("BEGIN IMMEDIATE")
                return
            except (sqlite3.OperationalError, sa_exc.OperationalError) as error:
                code = getattr(getattr(error, "orig", error), "sqlite_errorcode", None)
                if code is None or code & 0xFF != sqlite3.SQLITE_BUSY:
                    raise
            if time.monotonic() > deadline:
                break
            time.sleep(_LOCK_WAITS_S[min(tries, len(_LOCK_WAITS_S) - 1)])
    finally:
        raw.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
    execute("BEGIN IMMEDIATE")
