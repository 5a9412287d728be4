"""R16: `flask backup` / `flask restore` on the suite's database kind (SQLite, or PostgreSQL).

Each test makes its own throw-away databases (SQLite files, or PostgreSQL databases on the
suite's server), so the suite's database is never backed up or replaced. The R16 run itself
(a load run with a backup in the middle, restored and compared row by row) is
scripts/backup_under_load.py at CI size.
"""

import gzip
import io
import json
import os
import re
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from config import TestConfig
from scorecard import create_app
from scorecard.extensions import db as _db
from scorecard.services import backup

ROOT = Path(__file__).resolve().parents[2]
SUITE_URL = make_url(os.environ["DATABASE_URL"])
KIND = SUITE_URL.get_backend_name()


@pytest.fixture
def new_db(tmp_path):
    """A factory of empty databases of the suite's kind: returns their URLs."""
    made: list[str] = []

    def make() -> str:
        if KIND == "sqlite":
            return f"sqlite:///{tmp_path / f'{uuid.uuid4().hex[:8]}.db'}"
        name = f"scorecard_bk_{uuid.uuid4().hex[:10]}"
        engine = sa.create_engine(SUITE_URL, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        engine.dispose()
        made.append(name)
        return SUITE_URL.set(database=name).render_as_string(hide_password=False)

    yield make
    if made:
        engine = sa.create_engine(SUITE_URL, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            for name in made:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        engine.dispose()


def app_on(url: str):
    config = type("OneDbConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url})
    return create_app(config)


def migrated(url: str, revision: str = "head", demo: bool = True):
    from flask_migrate import upgrade

    application = app_on(url)
    with application.app_context():
        upgrade(revision=revision)
        if demo:
            from scorecard.seed.demo import seed_demo

            seed_demo(lambda *_a, **_k: None)
            _db.session.commit()
        _db.session.remove()
        _db.engine.dispose()
    return application


def figures(application, keep_rows: bool = False) -> backup.Snapshot:
    with application.app_context():
        with _db.engine.connect() as conn:
            snap = backup.snapshot_of(conn, keep_rows=keep_rows)
            conn.rollback()
        _db.engine.dispose()
    return snap


def cli(application, *args: str):
    return application.test_cli_runner().invoke(args=list(args))


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    """One seeded source database and a backup of it, shared by the refusal tests."""
    folder = tmp_path_factory.mktemp("backups")
    if KIND == "sqlite":
        url = f"sqlite:///{folder / 'source.db'}"
    else:
        name = f"scorecard_bksrc_{uuid.uuid4().hex[:8]}"
        engine = sa.create_engine(SUITE_URL, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        engine.dispose()
        url = SUITE_URL.set(database=name).render_as_string(hide_password=False)
    application = migrated(url)
    result = cli(application, "backup", str(folder))
    assert result.exit_code == 0, result.output
    path = Path(re.search(r"^backup (\S+):", result.output, re.M).group(1))
    yield application, path
    if KIND != "sqlite":
        engine = sa.create_engine(SUITE_URL, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
        engine.dispose()


def test_backup_then_restore_into_empty_database_is_identical(source, new_db):
    application, path = source
    manifest = json.loads(tarfile.open(path).extractfile("manifest.json").read())
    assert manifest["format"] == "scorecard-backup"
    assert manifest["database"] == KIND
    with application.app_context():
        assert manifest["schema_revision"] == backup.head_revision()
    assert manifest["app_version"] and manifest["created_at"].endswith("Z")
    assert manifest["tables"]["users"]["rows"] == 7  # the demo's users
    target = app_on(new_db())
    result = cli(target, "restore", str(path))
    assert result.exit_code == 0, result.output
    assert "every table's checksum matches the manifest" in result.output
    before, after = figures(application, keep_rows=True), figures(target, keep_rows=True)
    assert after.tables == before.tables
    assert backup.differing_rows(before, after) == 0
    # A restored database is a working one: its users sign in.
    with target.test_client() as client:
        page = client.get("/login")
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)
        answer = client.post(
            "/login",
            data={"email": "hr@demo.test", "password": "scorecard-demo", "csrf_token": token},
        )
        assert answer.status_code == 302 and "/login" not in answer.headers["Location"]


def test_restore_into_a_database_with_data_needs_force(source, new_db):
    _application, path = source
    url = new_db()
    target = migrated(url, demo=False)
    before = figures(target)
    result = cli(target, "restore", str(path))
    assert result.exit_code == 2
    assert "is not empty" in result.output and "--force" in result.output
    assert figures(target) == before
    result = cli(target, "restore", "--force", str(path))
    assert result.exit_code == 0, result.output
    assert figures(target).tables["users"].rows == 7


def _rewrite(path: Path, out: Path, change) -> Path:
    """A copy of a backup whose manifest `change(manifest)` edits."""
    with tarfile.open(path) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
        change(manifest)
        data = json.dumps(manifest).encode()
        payload_name = manifest["payload"]["name"]
        payload = tar.extractfile(payload_name).read()
    with tarfile.open(out, "w:gz") as tar:
        for name, blob in (("manifest.json", data), (payload_name, payload)):
            info = tarfile.TarInfo(name)
            info.size = len(blob)
            tar.addfile(info, io.BytesIO(blob))
    return out


def _foreign(out: Path) -> Path:
    """Another application's backup: a tar.gz with its own manifest and a database file."""
    with tarfile.open(out, "w:gz") as tar:
        for name, blob in (
            ("manifest.json", json.dumps({"app": "frappe", "site": "x"}).encode()),
            ("database.sql", b"CREATE TABLE tabUser (name text);"),
        ):
            info = tarfile.TarInfo(name)
            info.size = len(blob)
            tar.addfile(info, io.BytesIO(blob))
    return out


def _refusals(path: Path, folder: Path) -> dict[str, tuple[Path, str]]:
    data = path.read_bytes()
    truncated = folder / "truncated.backup.tar.gz"
    truncated.write_bytes(data[: len(data) // 2])
    plain = folder / "notes.txt.gz"
    plain.write_bytes(gzip.compress(b"just some notes"))
    return {
        "truncated": (truncated, "truncated or damaged"),
        "foreign": (_foreign(folder / "other.tar.gz"), "not a Scorecard backup"),
        "not a tar": (plain, "not a readable Scorecard backup"),
        "newer schema": (
            _rewrite(
                path,
                folder / "newer.tar.gz",
                lambda m: m.update(schema_revision="0042"),
            ),
            "is newer than this version of Scorecard knows",
        ),
        "damaged payload": (
            _rewrite(
                path,
                folder / "tampered.tar.gz",
                lambda m: m["payload"].update(sha256="0" * 64),
            ),
            "checksum does not match",
        ),
        "other database kind": (
            _rewrite(
                path,
                folder / "kind.tar.gz",
                lambda m: m.update(database="postgresql" if KIND == "sqlite" else "sqlite"),
            ),
            f"the configured database is {KIND}",
        ),
    }


@pytest.mark.parametrize("force", [False, True])
def test_bad_files_are_refused_and_change_nothing(source, new_db, tmp_path, force):
    """Truncated, foreign and newer-schema files: a clear message, the target untouched."""
    _application, path = source
    empty = app_on(new_db())
    full = migrated(new_db(), demo=False)
    for label, (bad, message) in _refusals(path, tmp_path).items():
        for target in (empty, full):
            before = figures(target)
            args = ["restore", *(["--force"] if force else []), str(bad)]
            result = cli(target, *args)
            assert result.exit_code == 2, (label, result.output)
            assert message in result.output, (label, result.output)
            assert result.output.startswith("error: "), label
            assert "Traceback" not in result.output
            assert figures(target) == before, label


def test_backup_from_an_older_schema_is_upgraded(new_db, tmp_path):
    old = migrated(new_db(), revision="0003", demo=False)
    with old.app_context():
        _db.session.execute(
            sa.text(
                "INSERT INTO users (email, name, role, password_hash, session_token, "
                "created_at) VALUES ('old@example.test', 'Old', 'hr', 'x', 'tok', "
                "CURRENT_TIMESTAMP)"
            )
        )
        _db.session.commit()
        _db.engine.dispose()
    made = cli(old, "backup", str(tmp_path / "old.backup.tar.gz"))
    assert made.exit_code == 0, made.output
    assert "schema 0003" in made.output
    target = app_on(new_db())
    result = cli(target, "restore", str(tmp_path / "old.backup.tar.gz"))
    assert result.exit_code == 0, result.output
    assert "upgraded the schema from 0003 to head" in result.output
    with target.app_context():
        assert _db.session.scalar(sa.text("SELECT version_num FROM alembic_version")) == (
            backup.head_revision()
        )
        assert _db.session.scalar(sa.text("SELECT email FROM users")) == "old@example.test"
        _db.session.remove()
        _db.engine.dispose()


def test_backup_keeps_the_newest_n(source, tmp_path):
    application, _path = source
    for _ in range(3):
        result = cli(application, "backup", str(tmp_path), "--keep", "2")
        assert result.exit_code == 0, result.output
    kept = sorted(p.name for p in tmp_path.glob("scorecard-*.backup.tar.gz"))
    assert len(kept) == 2
    assert "deleted old backup" in result.output


@pytest.mark.load
def test_r16_backup_under_load_restores_exactly(db):
    """R16 at CI size: 8 interviewers for 10 s on gunicorn, a backup 4 s in, 0 differing rows."""
    db.session.commit()
    result = subprocess.run(
        [
            sys.executable,
            "scripts/backup_under_load.py",
            "--database-url",
            os.environ["DATABASE_URL"],
            "--duration",
            "10",
            "--backup-at",
            "4",
            "--clients",
            "8",
            "--workers",
            "2",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=400,
    )
    out = result.stdout + result.stderr
    print(out)
    assert result.returncode == 0, out
    figures_line = re.search(
        r"R16: \w+: (\d+) rows compared in (\d+) tables, (\d+) differing rows.*?(\d+) source "
        r"rows changed after",
        out,
    )
    assert figures_line, out
    compared, _tables, differing, changed = map(int, figures_line.groups())
    assert compared > 100 and differing == 0 and changed > 0
