"""Scored results, stored per application and shared by every worker and app instance.

A row is a cache with a proof of freshness: `config_key` digests the job's rounds, versions,
criteria and policy, `fingerprint` digests the application's submitted scorecards. The
results service (`services/results.py`) compares both with the database on every read and
rescores only what changed, so a row is never served stale and a fresh worker or a second
instance reads results instead of scoring the whole job again.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, deferred, mapped_column

from scorecard.extensions import db
from scorecard.models.base import utcnow


class ApplicationResult(db.Model):
    __tablename__ = "application_results"

    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("applications.id", ondelete="CASCADE"), primary_key=True
    )
    job_id: Mapped[int] = mapped_column(sa.ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    config_key: Mapped[str] = mapped_column(sa.String(64))
    fingerprint: Mapped[str] = mapped_column(sa.String(64))
    # What the matrix sorts and filters by, as plain columns (a page of 50 out of 5,000 reads
    # these for every application and decodes `summary` only for the rows it shows).
    score: Mapped[float | None]
    recommendation: Mapped[str | None] = mapped_column(sa.String(20))
    confidence: Mapped[str | None] = mapped_column(sa.String(10))
    flag_count: Mapped[int | None]
    flag_kinds: Mapped[str | None] = mapped_column(sa.String(255))  # "kind kind" (sorted)
    dim_technical: Mapped[float | None]
    dim_business: Mapped[float | None]
    dim_attitude: Mapped[float | None]
    dim_etiquette: Mapped[float | None]
    round_scores: Mapped[dict | None] = mapped_column(sa.JSON)  # round key → round score
    # What lists show (matrix, exports, job summary): small, decoded for the rows shown.
    summary: Mapped[dict] = mapped_column(sa.JSON)
    # Each round's criterion scores: read by the XLSX export's round sheets only.
    criteria: Mapped[dict] = deferred(mapped_column(sa.JSON, nullable=False))
    # The whole engine result with reasons: read only for the applications a page shows.
    result: Mapped[dict] = deferred(mapped_column(sa.JSON, nullable=False))
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
