"""Restoring a backup (`flask restore`): the archive checked before the target is touched,
the restore, every table compared with the manifest, an older schema upgraded to head."""

from __future__ import annotations

import json
import shutil
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection

from .archive import FORMAT, FORMAT_VERSION, MANIFEST, PAYLOADS, BackupError, _sha256_file
from .databases import (
    _kind,
    _known_revisions,
    _pg_args,
    _pg_engine,
    _pg_tool,
    _raw_sqlite,
    _run,
    _sqlite_engine,
    _sqlite_path,
    database_url,
)
from .digests import Snapshot, TableDigest, snapshot_of


@dataclass(frozen=True)
class RestoreResult:
    manifest: dict[str, Any]
    tables: int
    rows: int
    upgraded_from: str | None  # the backup's revision when it was upgraded to head


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
