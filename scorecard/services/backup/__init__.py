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

The pieces: `archive` (the file's format), `digests` (the per-table figures), `databases`
(reaching SQLite and PostgreSQL, schema revisions), `create` (backup and pruning), `restore`.
"""

from .archive import (
    FILE_PREFIX,
    FILE_SUFFIX,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    PAYLOADS,
    BackupError,
)
from .create import (
    BackupResult,
    backup_file_name,
    create_backup,
    default_backup_dir,
    prune_backups,
)
from .databases import PG_BIN_DEFAULT, app_version, database_url, head_revision
from .digests import Snapshot, TableDigest, differing_rows, snapshot_of
from .restore import RestoreResult, check_revision, read_archive, restore_backup

__all__ = [
    "FILE_PREFIX",
    "FILE_SUFFIX",
    "FORMAT",
    "FORMAT_VERSION",
    "MANIFEST",
    "PAYLOADS",
    "PG_BIN_DEFAULT",
    "BackupError",
    "BackupResult",
    "RestoreResult",
    "Snapshot",
    "TableDigest",
    "app_version",
    "backup_file_name",
    "check_revision",
    "create_backup",
    "database_url",
    "default_backup_dir",
    "differing_rows",
    "head_revision",
    "prune_backups",
    "read_archive",
    "restore_backup",
    "snapshot_of",
]
