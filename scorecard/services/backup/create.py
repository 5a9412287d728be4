"""Writing a backup (`flask backup`): the figures and the payload copied from one snapshot,
the copy checked, the archive put in place whole; and pruning old backups."""

from __future__ import annotations

import io
import json
import os
import socket
import sqlite3
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.engine import URL

from .archive import (
    FILE_PREFIX,
    FILE_SUFFIX,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    PAYLOADS,
    BackupError,
    _sha256_file,
)
from .databases import (
    _kind,
    _pg_args,
    _pg_engine,
    _pg_tool,
    _revision_in,
    _run,
    _sqlite_engine,
    _sqlite_path,
    app_version,
    database_url,
)
from .digests import Snapshot, snapshot_of


@dataclass(frozen=True)
class BackupResult:
    path: Path
    manifest: dict[str, Any]
    snapshot: Snapshot


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
