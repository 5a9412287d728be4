"""Per-table figures of a database (row count and a checksum over every row), and the
count of rows two snapshots differ in: what 'restored exactly' is measured with."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection


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
