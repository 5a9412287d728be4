"""Backups that restore exactly (reliability.md R16): `flask backup` and `flask restore`.

A backup is one gzip'd tar file holding two members:

- ``manifest.json``: format, time, schema revision, application version, database kind, the
  payload's SHA-256, and per table its row count and a checksum over every row;
- the payload: ``database.sqlite`` (SQLite's online backup API: a consistent copy while the
  app keeps writing) or ``database.pgdump`` (``pg_dump`` custom format).

The manifest's figures are read from the *source*, inside the same snapshot the payload is
copied from (SQLite: one read transaction that also runs the backup; PostgreSQL: an exported
snapshot handed to ``pg_dump --snapshot``), so "restored == manifest" means "restored == the
source at the backup's moment".

Restoring checks everything it can before it touches the target (archive readable, manifest
ours, payload checksum, schema revision known, target empty unless ``force``); it then
restores, compares every table with the manifest, and upgrades an older schema to head.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from importlib import metadata
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.pool import NullPool

FORMAT = "scorecard-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
PAYLOADS = {"sqlite": "database.sqlite", "postgresql": "database.pgdump"}
FILE_PREFIX = "scorecard-"
FILE_SUFFIX = ".backup.tar.gz"
PG_BIN_DEFAULT = "/usr/lib/postgresql/15/bin"


class BackupError(Exception):
    """A backup or restore refused or failed; the message says why, for the operator."""


@dataclass(frozen=True)
class TableDigest:
    rows: int
    checksum: str


@dataclass
class Snapshot:
    """Per-table figures of a database, and per-row digests to count differing rows."""

    tables: dict[str, TableDigest]
    rows: dict[str, dict[str, str]] = field(default_factory=dict)  # table → key → digest

    def manifest_tables(self) -> dict[str, dict[str, Any]]:
        return {
            name: {"rows": d.rows, "sha256": d.checksum} for name, d in sorted(self.tables.items())
        }


@dataclass(frozen=True)
class BackupResult:
    path: Path
    manifest: dict[str, Any]
    snapshot: Snapshot


@dataclass(frozen=True)
class RestoreResult:
    manifest: dict[str, Any]
    tables: int
    rows: int
    upgraded_from: str | None  # the backup's revision when it was upgraded to head


# --- row digests ------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """A JSON-able, type-stable form of one column value."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    return str(value)


def snapshot_of(conn: Connection, keep_rows: bool = False) -> Snapshot:
    """Row count and SHA-256 over every row (in primary-key order) of every table."""
    meta = sa.MetaData()
    meta.reflect(bind=conn)
    tables: dict[str, TableDigest] = {}
    rows: dict[str, dict[str, str]] = {}
    for table in sorted(meta.tables.values(), key=lambda t: t.name):
        key_cols = list(table.primary_key.columns)
        order = key_cols + [c for c in table.columns if c not in key_cols]
        total = hashlib.sha256()
        count = 0
        per_row: dict[str, str] = {}
        encoded = (
            json.dumps([_plain(v) for v in row], ensure_ascii=False, separators=(",", ":"))
            for row in conn.execute(sa.select(*order).order_by(*key_cols))
        )
        if not key_cols:
            # No primary key (and JSON columns have no SQL ordering): sort the encoded rows.
            key_cols = order
            encoded = iter(sorted(encoded))
        for text in encoded:
            digest = hashlib.sha256(text.encode()).hexdigest()
            total.update(digest.encode())
            count += 1
            if keep_rows:
                values = json.loads(text)
                per_row[json.dumps(values[: len(key_cols)], ensure_ascii=False)] = digest
        tables[table.name] = TableDigest(count, total.hexdigest())
        if keep_rows:
            rows[table.name] = per_row
    return Snapshot(tables, rows)


def differing_rows(a: Snapshot, b: Snapshot) -> int:
    """Rows present in one snapshot and not the other, or present in both with other values."""
    count = 0
    for table in set(a.rows) | set(b.rows):
        left, right = a.rows.get(table, {}), b.rows.get(table, {})
        count += sum(1 for k in set(left) | set(right) if left.get(k) != right.get(k))
    return count


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


# --- backup -----------------------------------------------------------------------------------


def default_backup_dir() -> Path:
    configured = current_app.config.get("BACKUP_DIR")
    if configured:
        return Path(configured)
    return Path(current_app.root_path).parent / "instance" / "backups"


def backup_file_name(now: datetime) -> str:
    return f"{FILE_PREFIX}{now:%Y%m%dT%H%M%S%fZ}{FILE_SUFFIX}"


def create_backup(target: Path | None = None, keep_rows: bool = False) -> BackupResult:
    """Write a backup of the app's database to `target` (a file, or a directory for a
    time-stamped file; default BACKUP_DIR) and return its manifest."""
    from scorecard.models import utcnow

    url = database_url()
    kind = _kind(url)
    now = utcnow()
    target = target or default_backup_dir()
    if target.is_dir() or not target.suffix:
        target.mkdir(parents=True, exist_ok=True)
        target = target / backup_file_name(now)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".backup-") as tmp:
        payload = Path(tmp) / PAYLOADS[kind]
        if kind == "sqlite":
            snapshot, revision = _backup_sqlite(_sqlite_path(url), payload, keep_rows)
        else:
            snapshot, revision = _backup_postgresql(url, payload, keep_rows)
        if revision is None:
            raise BackupError("the database has no schema revision: run `flask db upgrade` first")
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "application": "scorecard",
            "app_version": app_version(),
            "created_at": now.isoformat() + "Z",
            "host": socket.gethostname(),
            "database": kind,
            "schema_revision": revision,
            "payload": {"name": payload.name, "sha256": _sha256_file(payload)},
            "tables": snapshot.manifest_tables(),
        }
        partial = Path(tmp) / "archive.tar.gz"
        with tarfile.open(partial, "w:gz") as tar:
            data = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            info.mtime = int(now.timestamp())
            tar.addfile(info, io.BytesIO(data))
            tar.add(payload, arcname=payload.name)
        os.replace(partial, target)  # a reader never sees half a backup under the final name
    return BackupResult(target, manifest, snapshot)


def _backup_sqlite(source: Path, payload: Path, keep_rows: bool) -> tuple[Snapshot, str | None]:
    if not source.exists():
        raise BackupError(f"{source}: no such database file")
    with _sqlite_engine(source) as engine, engine.connect() as conn:
        with conn.begin():
            # The reads fix the WAL snapshot; the backup API then copies that same snapshot.
            snapshot = snapshot_of(conn, keep_rows)
            revision = _revision_in(conn)
            dest = sqlite3.connect(str(payload))
            try:
                raw = conn.connection.dbapi_connection
                assert raw is not None
                raw.backup(dest)  # type: ignore[attr-defined]
            finally:
                dest.close()
    # The copy is checked against the figures before it is called a backup.
    with _sqlite_engine(payload) as engine, engine.connect() as conn:
        copied = snapshot_of(conn)
        conn.rollback()
    if copied.tables != snapshot.tables:
        raise BackupError("the copy does not match the source's checksums; nothing written")
    return snapshot, revision


def _backup_postgresql(url: URL, payload: Path, keep_rows: bool) -> tuple[Snapshot, str | None]:
    args, env = _pg_args(url)
    engine = _pg_engine(url)
    try:
        with engine.connect() as conn:
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                snapshot_id = conn.execute(sa.text("SELECT pg_export_snapshot()")).scalar()
                snapshot = snapshot_of(conn, keep_rows)
                revision = _revision_in(conn)
                # pg_dump reads the very snapshot the figures were taken in.
                _run(
                    [
                        _pg_tool("pg_dump"),
                        *args,
                        "--format=custom",
                        f"--snapshot={snapshot_id}",
                        "--no-owner",
                        "--no-privileges",
                        "--file",
                        str(payload),
                    ],
                    env,
                    "pg_dump",
                )
    finally:
        engine.dispose()
    return snapshot, revision


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def prune_backups(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` backups in `folder`; returns what was deleted."""
    if keep < 1:
        raise BackupError("keep at least one backup")
    files = sorted(
        p for p in folder.glob(f"{FILE_PREFIX}*{FILE_SUFFIX}") if p.is_file()
    )  # time-stamped names sort by time
    doomed = files[:-keep]
    for path in doomed:
        path.unlink()
    return doomed


# --- restore ----------------------------------------------------------------------------------


def read_archive(path: Path, workdir: Path) -> tuple[dict[str, Any], Path]:
    """Open a backup, check it is ours and whole, and extract its payload into `workdir`."""
    if not path.is_file():
        raise BackupError(f"{path}: no such file")
    try:
        with tarfile.open(path, "r:gz") as tar:
            members = {m.name: m for m in tar.getmembers()}
            if MANIFEST not in members:
                raise BackupError(f"{path}: not a Scorecard backup (no {MANIFEST})")
            fh = tar.extractfile(members[MANIFEST])
            assert fh is not None
            try:
                manifest = json.loads(fh.read().decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise BackupError(f"{path}: not a Scorecard backup (unreadable manifest)") from exc
            if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
                raise BackupError(f"{path}: not a Scorecard backup (the manifest is another's)")
            if manifest.get("format_version") != FORMAT_VERSION:
                raise BackupError(
                    f"{path}: backup format {manifest.get('format_version')!r} is not supported "
                    f"by this version (it reads format {FORMAT_VERSION})"
                )
            payload_info = manifest.get("payload") or {}
            name = payload_info.get("name")
            if name not in PAYLOADS.values() or name not in members or not members[name].isfile():
                raise BackupError(f"{path}: the backup's database file is missing")
            payload = workdir / name
            src = tar.extractfile(members[name])
            assert src is not None
            with payload.open("wb") as out:
                shutil.copyfileobj(src, out)
    except (tarfile.TarError, EOFError, OSError, ValueError) as exc:
        raise BackupError(
            f"{path}: not a readable Scorecard backup (truncated or damaged: {exc})"
        ) from exc
    if _sha256_file(payload) != payload_info.get("sha256"):
        raise BackupError(f"{path}: the database file's checksum does not match (damaged)")
    return manifest, payload


def check_revision(revision: str) -> str | None:
    """None when the backup is at head; its revision when it is older; refuse a newer one."""
    known = _known_revisions()
    if revision not in known:
        raise BackupError(
            f"the backup's schema revision {revision!r} is newer than this version of Scorecard "
            f"knows (head {known[-1]}): upgrade Scorecard before restoring it"
        )
    return None if revision == known[-1] else revision


def _compare(manifest: dict[str, Any], restored: Snapshot) -> None:
    expected = {
        name: TableDigest(int(v["rows"]), str(v["sha256"]))
        for name, v in manifest["tables"].items()
    }
    if expected == restored.tables:
        return
    bad = sorted(
        name
        for name in set(expected) | set(restored.tables)
        if expected.get(name) != restored.tables.get(name)
    )
    raise BackupError("the restored data does not match the manifest in: " + ", ".join(bad))


def restore_backup(path: Path, force: bool = False) -> RestoreResult:
    """Restore a backup into the app's database (empty, or replaced with `force`)."""
    url = database_url()
    kind = _kind(url)
    with tempfile.TemporaryDirectory(prefix="scorecard-restore-") as tmp:
        manifest, payload = read_archive(path, Path(tmp))
        if manifest.get("database") != kind:
            raise BackupError(
                f"this is a {manifest.get('database')} backup; the configured database is {kind}"
            )
        revision = str(manifest.get("schema_revision"))
        older = check_revision(revision)
        if kind == "sqlite":
            _restore_sqlite(manifest, payload, _sqlite_path(url), force)
        else:
            _restore_postgresql(manifest, payload, url, force)
    from scorecard.extensions import db

    db.engine.dispose()  # no pooled connection keeps the schema from before the restore
    if older:
        from flask_migrate import upgrade

        upgrade()
    totals = manifest["tables"].values()
    return RestoreResult(manifest, len(totals), sum(int(t["rows"]) for t in totals), older)


def _has_tables(conn: Connection) -> list[str]:
    return sorted(sa.inspect(conn).get_table_names())


def _restore_sqlite(manifest: dict[str, Any], payload: Path, target: Path, force: bool) -> None:
    # Verify the payload itself first: a mismatch is refused before the target is touched.
    with _sqlite_engine(payload) as engine, engine.connect() as conn:
        _compare(manifest, snapshot_of(conn))
        conn.rollback()
    if target.exists():
        with _sqlite_engine(target) as engine, engine.connect() as conn:
            present = _has_tables(conn)
            conn.rollback()
        if present and not force:
            raise BackupError(
                f"{target} is not empty ({len(present)} tables): restore into an empty "
                "database, or pass --force to replace its contents"
            )
    target.parent.mkdir(parents=True, exist_ok=True)
    src = _raw_sqlite(payload)
    dest = _raw_sqlite(target)
    try:
        src.backup(dest)  # page by page under SQLite's own locking, so WAL readers stay sane
    finally:
        src.close()
        dest.close()
    with _sqlite_engine(target) as engine, engine.connect() as conn:
        _compare(manifest, snapshot_of(conn))
        conn.rollback()


def _restore_postgresql(manifest: dict[str, Any], payload: Path, url: URL, force: bool) -> None:
    args, env = _pg_args(url)
    # pg_restore --list reads the whole table of contents: a damaged dump fails here.
    _run([_pg_tool("pg_restore"), "--list", str(payload)], env, "reading the dump")
    engine = _pg_engine(url)
    try:
        with engine.connect() as conn:
            present = _has_tables(conn)
            conn.rollback()
        if present and not force:
            raise BackupError(
                f"database {url.database} is not empty ({len(present)} tables): restore into "
                "an empty database, or pass --force to replace its contents"
            )
        if present:
            with engine.begin() as conn:
                conn.exec_driver_sql("DROP SCHEMA public CASCADE")
                conn.exec_driver_sql("CREATE SCHEMA public")
        _run(
            [
                _pg_tool("pg_restore"),
                *args,
                "--single-transaction",
                "--exit-on-error",
                "--no-owner",
                "--no-privileges",
                str(payload),
            ],
            env,
            "pg_restore",
        )
        with engine.connect() as conn:
            restored = snapshot_of(conn)
            conn.rollback()
        try:
            _compare(manifest, restored)
        except BackupError:
            # Leave the database as empty as it was rather than half-trusted.
            with engine.begin() as conn:
                conn.exec_driver_sql("DROP SCHEMA public CASCADE")
                conn.exec_driver_sql("CREATE SCHEMA public")
            raise
    finally:
        engine.dispose()
