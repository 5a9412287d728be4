"""The backup file's format: its name, its two members, the error every step raises, and
the payload checksum."""

from __future__ import annotations

import hashlib
from pathlib import Path

FORMAT = "scorecard-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
PAYLOADS = {"sqlite": "database.sqlite", "postgresql": "database.pgdump"}
FILE_PREFIX = "scorecard-"
FILE_SUFFIX = ".backup.tar.gz"


class BackupError(Exception):
    """A backup or restore refused or failed; the message says why, for the operator."""


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
