"""Outgoing webhooks: endpoints admins register, events (an outbox), one delivery per pair.

Events are written in the transaction of the change that causes them, with one delivery row
per subscribed endpoint; a worker sends the deliveries later (scorecard/services/webhooks.py).
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scorecard.extensions import db
from scorecard.models.base import enum_column, utcnow
from scorecard.models.user import User


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for its (next) attempt
    DELIVERED = "delivered"  # the receiver answered 2xx
    FAILED = "failed"  # every attempt failed; a re-send puts it back to pending


class WebhookEndpoint(db.Model):
    """A receiver's URL, the events it wants and the secret its signatures are made with."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(sa.String(500))
    description: Mapped[str] = mapped_column(sa.String(200), default="")
    # The HMAC key: kept in the clear because every delivery is signed with it.
    secret: Mapped[str] = mapped_column(sa.String(100))
    events: Mapped[list] = mapped_column(sa.JSON, default=list)
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True, server_default=sa.true())
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    created_by: Mapped[User | None] = relationship()


class WebhookEvent(db.Model):
    """One thing that happened, as the JSON body every endpoint receives."""

    __tablename__ = "webhook_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(sa.String(36), unique=True)  # the id receivers see
    type: Mapped[str] = mapped_column(sa.String(40), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    payload: Mapped[dict] = mapped_column(sa.JSON)


class WebhookDelivery(db.Model):
    """One event on its way to one endpoint: attempts, back-off and the outcome."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(
        sa.ForeignKey("webhook_events.id", ondelete="CASCADE"), index=True
    )
    endpoint_id: Mapped[int] = mapped_column(
        sa.ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[DeliveryStatus] = mapped_column(
        enum_column(DeliveryStatus), default=DeliveryStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    lease_until: Mapped[datetime | None]  # a worker owns the attempt until then
    lease_token: Mapped[str | None] = mapped_column(sa.String(32))
    last_attempt_at: Mapped[datetime | None]
    last_status: Mapped[int | None]  # the receiver's HTTP status
    last_error: Mapped[str] = mapped_column(sa.String(500), default="")
    delivered_at: Mapped[datetime | None]

    event: Mapped[WebhookEvent] = relationship()
    endpoint: Mapped[WebhookEndpoint] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("event_id", "endpoint_id"),
        sa.Index("ix_webhook_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
    )
