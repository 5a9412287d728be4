"""Claiming outbox rows (e-mail notices, webhook deliveries) so that a row is sent by one
worker at a time, however many run, and a worker that dies only delays its rows.

A worker takes a *lease*: one conditional UPDATE per row sets `lease_until` and a random
`lease_token`, and succeeds only while nobody else holds an unexpired lease. On PostgreSQL
the candidate rows are first selected `FOR UPDATE SKIP LOCKED`, so concurrent workers pick
different rows instead of queueing behind each other; SQLite's BEGIN IMMEDIATE already
serialises the claims. The outcome is written only by the lease holder (`finish` checks the
token), so a worker whose lease ran out cannot overwrite the one that took over.

The lease must outlast one send (webhook timeouts, SMTP's 10 s): OUTBOX_LEASE_S (120 s by
default) is well above both.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app

from scorecard.extensions import db

LEASE = timedelta(seconds=120)
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_MAX = timedelta(hours=2)


def backoff(
    attempts: int, base: timedelta = BACKOFF_BASE, cap: timedelta = BACKOFF_MAX
) -> timedelta:
    """Exponential back-off after `attempts` failed tries (1 → ~base), with ±20 % jitter."""
    delay = min(base * (2 ** max(attempts - 1, 0)), cap)
    return delay * random.uniform(0.8, 1.2)  # noqa: S311 - jitter, not a secret


def claim(
    model: Any,
    pending: Any,
    now: datetime,
    limit: int,
    where: Sequence[sa.ColumnElement[bool]] = (),
    lease: timedelta | None = None,
) -> list[tuple[int, str]]:
    """Lease up to `limit` due rows of `model`; returns (id, token) pairs and commits."""
    if lease is None:
        lease = timedelta(seconds=float(current_app.config.get("OUTBOX_LEASE_S", 120)))
    free = sa.or_(model.lease_until.is_(None), model.lease_until < now)
    due = (
        sa.select(model.id)
        .where(model.status == pending, model.next_attempt_at <= now, free, *where)
        .order_by(model.next_attempt_at, model.id)
        .limit(limit)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(of=model, skip_locked=True)
    owned = []
    for row_id in db.session.scalars(due).all():
        token = secrets.token_hex(16)
        done = db.session.execute(
            sa.update(model)
            .where(model.id == row_id, model.status == pending, free)
            .values(lease_until=now + lease, lease_token=token, attempts=model.attempts + 1)
            .execution_options(synchronize_session=False)
        )
        if done.rowcount == 1:
            owned.append((row_id, token))
    db.session.commit()
    return owned


def finish(model: Any, row_id: int, token: str, **values: Any) -> bool:
    """Record an attempt's outcome if we still hold the lease; commits. False: lease lost."""
    done = db.session.execute(
        sa.update(model)
        .where(model.id == row_id, model.lease_token == token)
        .values(lease_until=None, lease_token=None, **values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return done.rowcount == 1
