"""R16 (reliability.md): a backup taken while the app writes restores to exactly that moment.

    python scripts/backup_under_load.py --database-url sqlite:////tmp/r16.db --duration 60
    python scripts/backup_under_load.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/x

Steps: start scripts/load_autosave.py (gunicorn, K interviewers autosaving and submitting for
T s) on the source database; `--backup-at` seconds in, back it up with the same code as
`flask backup`, keeping a digest of every row read in the backup's snapshot; let the load
finish; restore the file into a fresh database (a new SQLite file, or a new PostgreSQL
database on the same server) with the code of `flask restore`; compare every row of the
restored database with the snapshot. Prints per-table checksums, rows compared and differing
rows, and how many source rows changed after the backup (the proof it was taken mid-write).
Exit status 0 only when 0 rows differ, the load itself passed and the source did change.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from config import Config  # noqa: E402
from scorecard import create_app  # noqa: E402


def app_for(url: str):
    config = type("BackupConfig", (Config,), {"SQLALCHEMY_DATABASE_URI": url})
    return create_app(config)


def fresh_target(source_url: str, folder: Path) -> tuple[str, str | None]:
    """A new empty database beside the source: (url, PostgreSQL database name to drop)."""
    url = make_url(source_url)
    if url.get_backend_name() == "sqlite":
        return f"sqlite:///{folder / 'restored.db'}", None
    name = f"scorecard_r16_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine.dispose()
    return url.set(database=name).render_as_string(hide_password=False), name


def drop_database(source_url: str, name: str) -> None:
    engine = sa.create_engine(make_url(source_url), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    engine.dispose()


def wait_for_writes(source_app, load: subprocess.Popen, timeout: float = 300) -> float:
    """Seconds until the load's first autosaves land (gunicorn may take a while to start)."""
    from scorecard.extensions import db

    def saves() -> int:  # every acknowledged save raises its scorecard's lock_version
        with source_app.app_context():
            total = db.session.scalar(sa.text("SELECT sum(lock_version) FROM scorecards"))
            db.session.remove()
            return int(total or 0)

    t0 = time.monotonic()
    before = saves()
    while saves() == before:
        if load.poll() is not None or time.monotonic() - t0 > timeout:
            load.kill()
            rest = load.stdout.read() if load.stdout else ""
            raise SystemExit(f"{rest}\nthe load run never wrote (status {load.poll()})")
        time.sleep(0.25)
    return time.monotonic() - t0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--backup-at", type=float, default=None, help="default: half-way")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args(argv)
    backup_at = args.backup_at if args.backup_at is not None else args.duration / 2

    from scorecard.services.backup import differing_rows, restore_backup, snapshot_of

    src_url = args.database_url
    with tempfile.TemporaryDirectory(prefix="scorecard-r16-") as tmp:
        folder = Path(tmp)
        load = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                str(ROOT / "scripts" / "load_autosave.py"),
                "--database-url",
                src_url,
                "--duration",
                str(args.duration),
                "--clients",
                str(args.clients),
                "--workers",
                str(args.workers),
                "--r4",
                "0",
                "--r5",
                "0",
            ],
            cwd=ROOT,
            env={**os.environ, "REQUEST_LOG": "0"},  # the figures, not a line per request
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        # The load script prints "set-up: ..." once migrated and seeded; the clock starts then.
        assert load.stdout is not None
        lines: list[str] = []
        for line in load.stdout:
            lines.append(line)
            if line.startswith("set-up:"):
                break
        source_app = app_for(src_url)
        started = wait_for_writes(source_app, load)
        print(f"load writing after {started:.1f} s of gunicorn start-up", flush=True)
        time.sleep(backup_at)
        with source_app.app_context():
            from scorecard.services.backup import create_backup

            t0 = time.monotonic()
            made = create_backup(folder / "r16.backup.tar.gz", keep_rows=True)
            took = time.monotonic() - t0
        print(
            f"backup {backup_at:g} s into the load: {made.path.stat().st_size} bytes in "
            f"{took:.2f} s",
            flush=True,
        )
        rest, _ = load.communicate(timeout=args.duration + 300)
        lines.append(rest)
        load_out = "".join(lines)
        print(load_out.strip())

        target_url, pg_name = fresh_target(src_url, folder)
        try:
            target_app = app_for(target_url)
            with target_app.app_context():
                restored_info = restore_backup(made.path)
                from scorecard.extensions import db

                with db.engine.connect() as conn:
                    restored = snapshot_of(conn, keep_rows=True)
                    conn.rollback()
                db.engine.dispose()
            with source_app.app_context():
                from scorecard.extensions import db

                with db.engine.connect() as conn:
                    now = snapshot_of(conn, keep_rows=True)
                    conn.rollback()
                db.engine.dispose()
        finally:
            if pg_name:
                drop_database(src_url, pg_name)

    compared = sum(len(rows) for rows in made.snapshot.rows.values())
    print(f"{'table':<28} {'rows':>8}  backup sha256     restored sha256")
    for name, digest in sorted(made.snapshot.tables.items()):
        other = restored.tables.get(name)
        print(
            f"{name:<28} {digest.rows:>8}  {digest.checksum[:16]}  "
            f"{other.checksum[:16] if other else '(missing)'}"
        )
    differing = differing_rows(made.snapshot, restored)
    changed_after = differing_rows(made.snapshot, now)
    print(
        f"R16: {make_url(src_url).get_backend_name()}: {compared} rows compared in "
        f"{len(made.snapshot.tables)} tables, {differing} differing rows "
        f"(restored {restored_info.rows} rows); {changed_after} source rows changed after "
        f"the backup's moment"
    )
    ok = load.returncode == 0 and differing == 0 and changed_after > 0 and compared > 0
    if load.returncode != 0:
        print(f"the load run failed (status {load.returncode})")
    if changed_after == 0:
        print("no write happened after the backup: it was not taken under load")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
