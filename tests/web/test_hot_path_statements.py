"""The interviewer's hot paths stay within their statement budgets (scripts/bench_kit.py).

An autosave of a field whose row exists costs at most 4 statements and a kit page view at
most 8 (BEGIN / COMMIT not counted): the user with the two-factor policy, the guard's owner
check, then the work itself. A change that adds a query per request fails here, not only
in a benchmark nobody runs.
"""

import re
import time

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from scorecard.extensions import db
from scorecard.models import SiteSetting
from tests.web import kit_support
from tests.web.kit_support import Kit, card

demo = kit_support.demo
kit1 = kit_support.kit1

TX_CONTROL = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b", re.I)
AUTOSAVE_MAX = 4
KIT_PAGE_MAX = 8


@pytest.fixture
def statements(app):
    seen: list[str] = []

    def note(_conn, _cursor, statement, _params, _context, _many):
        if not TX_CONTROL.match(statement):
            seen.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", note)
    yield seen
    event.remove(engine, "before_cursor_execute", note)


def test_autosave_of_an_existing_field_takes_at_most_4_statements(kit1: Kit, statements):
    field = f"rating.{card(kit1.card_id).version.criteria[0].id}.note"
    assert kit1.save({field: "first"}).status_code == 200  # the row is created
    lock = card(kit1.card_id).lock_version
    statements.clear()
    response = kit1.save({field: "second"}, lock=lock)
    assert response.status_code == 200
    assert response.get_json()["lock_version"] == lock + 1
    assert len(statements) <= AUTOSAVE_MAX, "\n".join(statements)
    assert card(kit1.card_id).ratings[0].note == "second"


def test_a_stale_autosave_still_answers_409_and_writes_nothing(kit1: Kit):
    crit = card(kit1.card_id).version.criteria[0]
    lock = card(kit1.card_id).lock_version
    assert kit1.save({f"rating.{crit.id}.note": "mine"}, lock=lock).status_code == 200
    response = kit1.save({f"rating.{crit.id}.note": "stale"}, lock=lock)
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "conflict"
    assert card(kit1.card_id).lock_version == lock + 1


def test_kit_page_takes_at_most_8_statements(kit1: Kit, statements):
    assert kit1.client.get(f"/kit/{kit1.card_id}").status_code == 200
    statements.clear()
    page = kit1.client.get(f"/kit/{kit1.card_id}")
    assert page.status_code == 200
    assert 'data-field="rating.' in page.text
    assert len(statements) <= KIT_PAGE_MAX, "\n".join(statements)


def test_two_factor_policy_read_with_the_user_is_fresh_on_every_request(kit1: Kit):
    """The policy comes with the user's query and is kept for one request only: an admin's
    change (here written straight to the table, as another worker would) applies at once."""
    assert kit1.client.get(f"/kit/{kit1.card_id}").status_code == 200
    db.session.merge(SiteSetting(key="two_factor_policy", value="everyone"))
    db.session.commit()
    response = kit1.client.get(f"/kit/{kit1.card_id}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/settings/two-factor")
    db.session.execute(sa.delete(SiteSetting).where(SiteSetting.key == "two_factor_policy"))
    db.session.commit()
    assert kit1.client.get(f"/kit/{kit1.card_id}").status_code == 200


@pytest.fixture
def sqlite_only(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's write lock: PostgreSQL locks rows, not the database")


@pytest.fixture
def sqlite_trace(app):
    """What SQLite itself executes on the pooled connections (transaction control too)."""
    seen: list[str] = []

    def trace(dbapi_connection, _record, _proxy):
        dbapi_connection.set_trace_callback(lambda sql: seen.append(" ".join(sql.split())[:40]))

    event.listen(db.engine, "checkout", trace)
    yield seen
    event.remove(db.engine, "checkout", trace)
    db.engine.dispose()  # no connection keeps the callback


def test_an_autosave_holds_sqlites_write_lock_for_its_own_writes_only(
    kit1: Kit, sqlite_only, sqlite_trace
):
    """Who is asking and what they may do are read without a transaction before the view;
    the view's statements run in BEGIN IMMEDIATE (scorecard/database.py)."""
    field = f"rating.{card(kit1.card_id).version.criteria[0].id}.note"
    assert kit1.save({field: "first"}).status_code == 200
    lock = card(kit1.card_id).lock_version
    db.session.remove()
    sqlite_trace.clear()
    assert kit1.save({field: "second"}, lock=lock).status_code == 200
    seen = [s for s in sqlite_trace if not s.startswith("PRAGMA")]
    begins = [i for i, s in enumerate(seen) if s.startswith("BEGIN")]
    assert [seen[i] for i in begins] == ["BEGIN IMMEDIATE"], seen
    reads, writes = seen[: begins[0]], seen[begins[0] + 1 :]
    assert len(reads) == 2 and all(s.startswith("SELECT") for s in reads), seen
    assert writes[0].startswith("UPDATE scorecards") and writes[-1] == "COMMIT", seen


def test_a_keep_alive_takes_no_transaction_at_all(kit1: Kit, sqlite_only, sqlite_trace):
    assert kit1.client.post("/kit/ping", headers={"X-CSRFToken": kit1.token}).status_code == 200
    sqlite_trace.clear()
    assert kit1.client.post("/kit/ping", headers={"X-CSRFToken": kit1.token}).status_code == 200
    assert sqlite_trace and all(s.startswith("SELECT") for s in sqlite_trace), sqlite_trace


def test_a_writing_request_that_writes_nothing_does_not_queue_behind_a_writer(
    kit1: Kit, sqlite_only, app
):
    """While another connection holds the write lock, the kit's keep-alive (a POST whose
    hooks only read) answers at once instead of waiting out the busy timeout."""
    import sqlite3
    import time

    other = sqlite3.connect(db.engine.url.database, isolation_level=None, timeout=1)
    other.execute("BEGIN IMMEDIATE")
    try:
        began = time.perf_counter()
        response = kit1.client.post("/kit/ping", headers={"X-CSRFToken": kit1.token})
        waited = time.perf_counter() - began
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert response.status_code == 200, response.text[:300]
    assert waited < 2.0, f"waited {waited:.1f} s for another writer"


@pytest.fixture
def postgres_only(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("psycopg's prepared statements: PostgreSQL only")


@pytest.fixture
def endings(app):
    seen: list[str] = []
    listeners = [
        (name, lambda _conn, name=name: seen.append(name)) for name in ("commit", "rollback")
    ]
    for name, fn in listeners:
        event.listen(db.engine, name, fn)
    yield seen
    for name, fn in listeners:
        event.remove(db.engine, name, fn)


def test_a_page_view_that_only_read_ends_with_commit_and_keeps_prepared_statements(
    kit1: Kit, postgres_only, endings
):
    """psycopg forgets its prepared statements on ROLLBACK; a reading request commits, so
    the kit page's statements are prepared after a few views instead of planned anew."""
    used = []

    def note(conn, _cursor, statement, _params, _context, _many):
        if "FROM scorecards JOIN interviews" in statement:
            used.append(conn.connection.dbapi_connection)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        # Enough views that each pooled connection the pool rotates through serves the
        # page more often than psycopg's prepare threshold (5).
        for _ in range(30):
            assert kit1.client.get(f"/kit/{kit1.card_id}").status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    assert endings.count("commit") >= 30 and "rollback" not in endings, endings
    prepared = 0
    for raw in {id(r): r for r in used}.values():
        prepared += raw.execute(
            "SELECT count(*) FROM pg_prepared_statements "
            "WHERE statement LIKE '%%FROM scorecards JOIN interviews%%'"
        ).fetchone()[0]
        raw.commit()  # leave the pooled connection as the pool left it: idle
    assert prepared >= 1


def test_a_reading_request_that_wrote_still_rolls_back(kit1: Kit, app, postgres_only):
    from scorecard.database import _end_reading_request
    from scorecard.models import Scorecard

    lock = card(kit1.card_id).lock_version
    db.session.remove()
    with app.test_request_context(f"/kit/{kit1.card_id}", method="GET"):
        db.session.execute(
            sa.update(Scorecard).where(Scorecard.id == kit1.card_id).values(lock_version=lock + 9)
        )
        _end_reading_request(None)
        db.session.remove()
    assert card(kit1.card_id).lock_version == lock


@pytest.fixture
def transaction_states(app):
    """For each statement: whether its connection was in autocommit, and whether a
    transaction was open on it once the statement had run."""
    from psycopg.pq import TransactionStatus

    seen: list[tuple[str, bool, bool]] = []

    def note(_conn, cursor, statement, _params, _context, _many):
        raw = cursor.connection
        in_transaction = raw.info.transaction_status != TransactionStatus.IDLE
        seen.append((statement, raw.autocommit, in_transaction))

    event.listen(db.engine, "after_cursor_execute", note)
    yield seen
    event.remove(db.engine, "after_cursor_execute", note)


def test_a_page_view_reads_without_begin_or_commit(kit1: Kit, postgres_only, transaction_states):
    """Under READ COMMITTED a transaction gives a reading request nothing; BEGIN and COMMIT
    were two of the kit page's eight round trips."""
    assert kit1.client.get(f"/kit/{kit1.card_id}").status_code == 200
    assert len(transaction_states) >= 3
    assert all(auto and not open_ for _s, auto, open_ in transaction_states), transaction_states
    transaction_states.clear()
    field = f"rating.{card(kit1.card_id).version.criteria[0].id}.note"
    assert kit1.save({field: "a write"}).status_code == 200
    assert all(not auto and open_ for _s, auto, open_ in transaction_states), transaction_states


def test_a_write_inside_a_reading_request_runs_in_a_transaction(
    kit1: Kit, app, postgres_only, transaction_states
):
    """A GET that writes (an export's audit row) gets a transaction before its first write:
    rolled back on error, committed with the request."""
    from scorecard.models import Scorecard

    lock = card(kit1.card_id).lock_version
    bump = sa.update(Scorecard).where(Scorecard.id == kit1.card_id)
    db.session.remove()
    for commit in (False, True):
        with app.test_request_context(f"/kit/{kit1.card_id}", method="GET"):
            transaction_states.clear()
            db.session.scalar(sa.select(Scorecard.lock_version).where(Scorecard.id == 1))
            db.session.execute(bump.values(lock_version=lock + 9))
            (_read, read_auto, read_open), (_write, _auto, write_open) = transaction_states
            assert read_auto and not read_open and write_open
            if commit:
                db.session.commit()
            db.session.remove()
        assert card(kit1.card_id).lock_version == (lock + 9 if commit else lock)
        db.session.remove()
    with app.test_request_context(f"/kit/{kit1.card_id}", method="GET"):
        transaction_states.clear()
        db.session.execute(sa.select(Scorecard.id).with_for_update())  # locks: needs one
        assert transaction_states[-1][2], transaction_states
        db.session.remove()


def test_a_pooled_connection_the_server_ended_is_replaced_not_a_500(kit1: Kit, postgres_only):
    """No pre-ping round trip: a connection whose server session ended (a restart,
    pg_terminate_backend) is found on checkout by its socket and replaced."""
    field = f"rating.{card(kit1.card_id).version.criteria[0].id}.note"
    for attempt in range(2):
        assert kit1.client.get(f"/kit/{kit1.card_id}").status_code == 200
        assert kit1.save({field: f"before {attempt}"}).status_code == 200
        db.session.remove()
        others = (
            "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        with _raw_connection() as raw:  # outside the pool: every pooled one is ended
            ended = raw.execute(f"SELECT count(pg_terminate_backend(pid)) {others}").fetchone()
            for _ in range(100):  # until the sessions have gone, as after a restart
                if raw.execute(f"SELECT count(*) {others}").fetchone()[0] == 0:
                    break
                time.sleep(0.02)
        assert ended[0] >= 1
        assert kit1.client.get(f"/kit/{kit1.card_id}").status_code == 200
        lock = card(kit1.card_id).lock_version
        assert kit1.save({field: f"after {attempt}"}, lock=lock).status_code == 200
        assert card(kit1.card_id).ratings[0].note == f"after {attempt}"


def _raw_connection():
    import psycopg

    url = db.engine.url.set(drivername="postgresql")
    return psycopg.connect(url.render_as_string(hide_password=False), autocommit=True)


def test_connection_alive_tells_an_ended_session_without_a_round_trip(db, postgres_only):
    from scorecard.database import connection_alive

    raw = _raw_connection()
    try:
        assert connection_alive(db.engine, raw, ping=False)
        assert connection_alive(db.engine, raw, ping=True)
        pid = raw.info.backend_pid
        with _raw_connection() as other:
            other.execute("SELECT pg_terminate_backend(%s)", (pid,))
        deadline = 50
        while connection_alive(db.engine, raw, ping=False) and deadline:
            deadline -= 1
            time.sleep(0.02)  # the server's last message reaches the socket
        assert not connection_alive(db.engine, raw, ping=False)
    finally:
        raw.close()


def _busy_timeout(raw) -> int:
    return raw.execute("PRAGMA busy_timeout").fetchone()[0]


def _lock_held_by_another(path: str):
    import sqlite3

    other = sqlite3.connect(path, isolation_level=None, timeout=1, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    return other


def _write_transaction_in_a_request(app):
    """A writing request's first statement: BEGIN IMMEDIATE (scorecard/database.py)."""
    with app.test_request_context("/kit/ping", method="POST"):
        db.session.execute(sa.text("SELECT 1"))
        raw = db.session.connection().connection.dbapi_connection
        state = raw.in_transaction, _busy_timeout(raw)
        db.session.remove()
    return state


def test_a_writer_waiting_for_sqlites_lock_gets_it_when_it_is_freed(app, db, sqlite_only):
    """The wait for the write lock: short waits in fine steps, long ones in SQLite's own
    handler under the busy timeout; the busy timeout is left as it was."""
    import threading

    from scorecard.database import _FINE_WAIT_S

    db.session.remove()
    for hold_s in (0.005, _FINE_WAIT_S * 3):
        other = _lock_held_by_another(db.engine.url.database)
        release = threading.Timer(hold_s, lambda o=other: o.execute("ROLLBACK"))
        began = time.perf_counter()
        release.start()
        try:
            in_transaction, busy_timeout = _write_transaction_in_a_request(app)
            waited = time.perf_counter() - began
        finally:
            release.join()
            other.close()
        assert in_transaction and busy_timeout == app.config["SQLITE_BUSY_TIMEOUT_MS"]
        assert waited >= hold_s * 0.9, (hold_s, waited)


def test_a_writer_still_times_out_on_a_lock_never_freed(app, db, sqlite_only):
    db.session.remove()
    db.engine.dispose()
    with db.engine.connect() as conn:  # the pool's one connection, with a short timeout
        conn.connection.dbapi_connection.execute("PRAGMA busy_timeout=200")
    other = _lock_held_by_another(db.engine.url.database)
    try:
        began = time.perf_counter()
        with pytest.raises(sa.exc.OperationalError, match="locked"):
            _write_transaction_in_a_request(app)
        assert 0.2 <= time.perf_counter() - began < 5
    finally:
        other.execute("ROLLBACK")
        other.close()
        db.session.remove()
        db.engine.dispose()
