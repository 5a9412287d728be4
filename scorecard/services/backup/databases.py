"""The database the app is configured with, as backup and restore reach it: SQLite files
and engines, PostgreSQL's client tools and options, and the schema revisions."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.pool import NullPool

from .archive import PAYLOADS, BackupError

PG_BIN_DEFAULT = "/usr/lib/postgresql/15/bin"

# --- the database the app is configured with --------------------------------------------------


def database_url() -> URL:
    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])


def _kind(url: URL) -> str:
    name = url.get_backend_name()
    if name not in PAYLOADS:
        raise BackupError(f"backups support SQLite and PostgreSQL, not {name}")
    return name


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return Path(url.database)


def _raw_sqlite(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), isolation_level=None, timeout=30)
    conn.execute("PRAGMA busy_timeout=30000")
    return conn


@contextmanager
def _sqlite_engine(path: Path) -> Iterator[Engine]:
    """An engine on one SQLite file whose transactions begin deferred (reads never block)."""
    engine = sa.create_engine(f"sqlite:///{path}", poolclass=NullPool)

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA busy_timeout=30000")

    @sa.event.listens_for(engine, "begin")
    def _begin(conn):  # type: ignore[no-untyped-def]
        conn.exec_driver_sql("BEGIN")

    try:
        yield engine
    finally:
        engine.dispose()


def _pg_tool(name: str) -> str:
    """pg_dump / pg_restore: PG_BIN, else Debian's PostgreSQL 15, else the PATH."""
    for folder in (current_app.config.get("PG_BIN") or "", PG_BIN_DEFAULT):
        if folder and (Path(folder) / name).is_file():
            return str(Path(folder) / name)
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} not found: install postgresql-client or set PG_BIN")
    return found


def _pg_args(url: URL) -> tuple[list[str], dict[str, str]]:
    """libpq connection options and environment; the password goes in the environment only."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    args = ["--dbname", str(url.database or "")]
    if url.host:
        args += ["--host", url.host]
    if url.port:
        args += ["--port", str(url.port)]
    if url.username:
        args += ["--username", url.username]
    return args + ["--no-password"], env


def _pg_engine(url: URL) -> Engine:
    return sa.create_engine(url, poolclass=NullPool)


def _run(cmd: list[str], env: dict[str, str], what: str) -> None:
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if proc.returncode != 0:
        detail = (proc.stderr or proc.stdout).strip().splitlines()
        raise BackupError(f"{what} failed: {detail[-1] if detail else proc.returncode}")


# --- schema revisions -------------------------------------------------------------------------


def _script():
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(Path(current_app.root_path).parent / "migrations"))


def head_revision() -> str:
    head = _script().get_current_head()
    assert head is not None
    return head


def _known_revisions() -> list[str]:
    """Every revision this version knows, base first."""
    return [rev.revision for rev in reversed(list(_script().walk_revisions()))]


def _revision_in(snapshot_conn: Connection) -> str | None:
    if not sa.inspect(snapshot_conn).has_table("alembic_version"):
        return None
    return snapshot_conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def app_version() -> str:
    try:
        return metadata.version("scorecard")
    except metadata.PackageNotFoundError:
        return "unknown"
