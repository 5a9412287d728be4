"""Outgoing webhooks: endpoints, the event outbox, signed delivery at least once.

`emit(type, data)` runs inside the transaction of the change it reports and writes one
event plus one delivery per subscribed, active endpoint — so the event commits or rolls back
with the change and a crash cannot lose it. `deliver_due()` (from `flask deliver`, never a
request) sends due deliveries: each is leased by one worker at a time (outbox.claim), signed
with the endpoint's secret, retried with exponential back-off until the receiver answers 2xx
or MAX_ATTEMPTS is reached. Receivers must expect an event more than once (a worker killed
after sending and before recording) and keep the first by its `id`.

Signature (docs/webhooks.md): header `Scorecard-Signature: t=<unix time>,v1=<hex>` where hex
is HMAC-SHA256(secret, "<unix time>.<raw body>").
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import secrets
import socket
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import requests
import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from scorecard.extensions import db
from scorecard.models import (
    DeliveryStatus,
    User,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
    utcnow,
)
from scorecard.services import audit, outbox
from scorecard.services.errors import DomainError

EVENT_TYPES = (
    "scorecard.submitted",
    "scorecard.edited",
    "interview.scheduled",
    "interview.rescheduled",
    "interview.cancelled",
    "round_decision.recorded",
    "hire_decision.recorded",
    "candidate.erased",
)
URL_MAX = 500
DESCRIPTION_MAX = 200
MAX_ATTEMPTS = 10  # 30 s doubling, capped at 2 h: about eight hours of retries
SIGNATURE_HEADER = "Scorecard-Signature"
USER_AGENT = "Scorecard-Webhooks/1"


# --- signing ----------------------------------------------------------------------------


def new_secret() -> str:
    """A fresh endpoint secret (shown to the admin, used as the HMAC key)."""
    return "whsec_" + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The header value for a body sent at `timestamp` (unix seconds)."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(secret: str, header: str, body: bytes, tolerance_s: int = 300) -> bool:
    """What a receiver does (docs/webhooks.md): check the MAC and the timestamp's age."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (ValueError, KeyError):
        return False
    if abs(time.time() - timestamp) > tolerance_s:
        return False
    expected = signature(secret, timestamp, body).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))


# --- where a webhook may go (SSRF guard) ---------------------------------------------------


def _allow_private() -> bool:
    return bool(current_app.config.get("WEBHOOK_ALLOW_PRIVATE", False))


def _refused_address(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def check_url(url: str) -> str:
    """A receiver URL: http(s), a host, no credentials; by default not on loopback or a
    private, link-local or reserved address (WEBHOOK_ALLOW_PRIVATE=1 allows them)."""
    url = (url or "").strip()
    if not url:
        raise DomainError("url", _("Enter the receiver's URL."))
    if len(url) > URL_MAX:
        raise DomainError("url", _("At most %(n)s characters.", n=URL_MAX))
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise DomainError("url", _("This is not a valid URL.")) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DomainError(
            "url", _("A webhook URL starts with https:// or http:// and names a host.")
        )
    if parts.username or parts.password:
        raise DomainError("url", _("Leave user names and passwords out of the URL."))
    if any(ch.isspace() for ch in url):
        raise DomainError("url", _("This is not a valid URL."))
    if not _allow_private():
        problem = _address_problem(parts.hostname, port or (443 if parts.scheme == "https" else 80))
        if problem:
            raise DomainError("url", problem)
    return url


def _address_problem(host: str, port: int) -> str | None:
    """Why the host may not be called (None: it may)."""
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return _("The host %(host)s cannot be found.", host=host)
    if any(_refused_address(info[4][0]) for info in infos):
        return _(
            "%(host)s is on a loopback, private or reserved address: webhooks go to public "
            "receivers only.",
            host=host,
        )
    return None


# --- endpoints ----------------------------------------------------------------------------


def _check_events(events: list[str]) -> list[str]:
    chosen = [e for e in EVENT_TYPES if e in set(events)]
    if not chosen or len(chosen) != len(set(events)):
        raise DomainError("events", _("Choose at least one event."))
    return chosen


def _check_description(text: str) -> str:
    text = (text or "").strip()
    if len(text) > DESCRIPTION_MAX:
        raise DomainError("description", _("At most %(n)s characters.", n=DESCRIPTION_MAX))
    if "\x00" in text:
        raise DomainError("description", _("This text contains a character that cannot be stored."))
    return text


def _snapshot(endpoint: WebhookEndpoint) -> dict[str, Any]:
    return {
        "url": endpoint.url,
        "description": endpoint.description,
        "events": list(endpoint.events),
        "active": endpoint.active,
    }


def create_endpoint(url: str, description: str, events: list[str], actor: User) -> WebhookEndpoint:
    """Register a receiver (its secret is new); audited without the secret."""
    endpoint = WebhookEndpoint(
        url=check_url(url),
        description=_check_description(description),
        events=_check_events(events),
        secret=new_secret(),
        active=True,
        created_by_id=actor.id,
    )
    db.session.add(endpoint)
    db.session.flush()
    audit.record(
        "webhook.create", "webhook_endpoint", endpoint.id, actor=actor, after=_snapshot(endpoint)
    )
    return endpoint


def update_endpoint(
    endpoint: WebhookEndpoint,
    url: str,
    description: str,
    events: list[str],
    active: bool,
    actor: User,
) -> None:
    """Change a receiver's URL, events or state; a disabled endpoint is sent nothing."""
    before = _snapshot(endpoint)
    endpoint.url = check_url(url) if url.strip() != endpoint.url else endpoint.url
    endpoint.description = _check_description(description)
    endpoint.events = _check_events(events)
    endpoint.active = active
    endpoint.updated_at = utcnow()
    db.session.flush()
    audit.record_change(
        "webhook.update",
        "webhook_endpoint",
        endpoint.id,
        actor=actor,
        job_id=None,
        before=before,
        after=_snapshot(endpoint),
    )


def rotate_secret(endpoint: WebhookEndpoint, actor: User) -> str:
    """A new secret: deliveries from now on are signed with it."""
    endpoint.secret = new_secret()
    endpoint.updated_at = utcnow()
    audit.record("webhook.rotate_secret", "webhook_endpoint", endpoint.id, actor=actor)
    return endpoint.secret


def delete_endpoint(endpoint: WebhookEndpoint, actor: User) -> None:
    """Remove a receiver and its delivery log."""
    audit.record(
        "webhook.delete", "webhook_endpoint", endpoint.id, actor=actor, before=_snapshot(endpoint)
    )
    db.session.execute(sa.delete(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id))
    db.session.delete(endpoint)
    db.session.flush()


def resend(delivery: WebhookDelivery, actor: User) -> None:
    """Put a delivery back in the queue for the next worker pass, whatever its outcome was."""
    delivery.status = DeliveryStatus.PENDING
    delivery.next_attempt_at = utcnow()
    delivery.lease_until = None
    delivery.lease_token = None
    audit.record(
        "webhook.resend",
        "webhook_delivery",
        delivery.id,
        actor=actor,
        after={"event": delivery.event.uuid, "endpoint": delivery.endpoint_id},
    )


# --- the outbox ---------------------------------------------------------------------------


def iso(value: datetime | None) -> str | None:
    """Naive UTC → ISO 8601 with a Z."""
    return value.isoformat(timespec="seconds") + "Z" if value is not None else None


def emit(event_type: str, data: dict[str, Any]) -> WebhookEvent | None:
    """Record an event in the caller's transaction, one delivery per subscribed endpoint.

    Nothing is stored when no active endpoint wants this type. `data` must hold only what a
    job reviewer may see (ids, statuses, times; never an erased candidate's data).
    """
    assert event_type in EVENT_TYPES, event_type
    endpoint_ids = [
        e.id
        for e in db.session.scalars(
            sa.select(WebhookEndpoint).where(WebhookEndpoint.active.is_(True))
        )
        if event_type in (e.events or [])
    ]
    if not endpoint_ids:
        return None
    now = utcnow()
    event_uuid = str(uuid.uuid4())
    event = WebhookEvent(
        uuid=event_uuid,
        type=event_type,
        created_at=now,
        payload={"id": event_uuid, "type": event_type, "created_at": iso(now), "data": data},
    )
    db.session.add(event)
    db.session.flush()
    for endpoint_id in endpoint_ids:
        db.session.add(
            WebhookDelivery(event_id=event.id, endpoint_id=endpoint_id, next_attempt_at=now)
        )
    db.session.flush()
    return event


def body_of(event: WebhookEvent) -> bytes:
    """The exact bytes sent (and signed): compact JSON, keys sorted."""
    return json.dumps(
        event.payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")
    ).encode()


@dataclass
class DeliveryReport:
    delivered: int = 0
    failed: int = 0  # attempts that failed (most are retried later)
    given_up: int = 0


class Refused(Exception):
    """The receiver's address may not be called (SSRF guard at send time)."""


def _post(endpoint: WebhookEndpoint, event: WebhookEvent) -> requests.Response:
    parts = urlsplit(endpoint.url)
    if not _allow_private():
        # Checked again at send time: a name can point elsewhere than when it was saved.
        problem = _address_problem(
            parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80)
        )
        if problem:
            raise Refused(problem)
    body = body_of(event)
    timeout = float(current_app.config.get("WEBHOOK_TIMEOUT_S", 10))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Scorecard-Event-Id": event.uuid,
        "Scorecard-Event-Type": event.type,
        SIGNATURE_HEADER: signature(endpoint.secret, int(time.time()), body),
    }
    return requests.post(
        endpoint.url,
        data=body,
        headers=headers,
        timeout=(min(timeout, 5.0), timeout),
        allow_redirects=False,
    )


def _backoff_base() -> timedelta:
    return timedelta(seconds=float(current_app.config.get("WEBHOOK_BACKOFF_S", 30)))


def deliver_due(now: datetime | None = None, limit: int = 50) -> DeliveryReport:
    """Send due deliveries to active endpoints; one worker per delivery at a time."""
    report = DeliveryReport()
    now = now or utcnow()
    active = (
        sa.select(WebhookEndpoint.id)
        .where(WebhookEndpoint.id == WebhookDelivery.endpoint_id, WebhookEndpoint.active.is_(True))
        .exists()
    )
    claimed = outbox.claim(WebhookDelivery, DeliveryStatus.PENDING, now, limit, where=[active])
    for delivery_id, token in claimed:
        delivery = db.session.get(WebhookDelivery, delivery_id)
        if delivery is None:
            continue
        endpoint, event, attempts = delivery.endpoint, delivery.event, delivery.attempts
        db.session.commit()  # no transaction stays open while the receiver answers
        status_code, error, give_up = None, "", False
        try:
            response = _post(endpoint, event)
            status_code = response.status_code
            if 200 <= status_code < 300:
                outbox.finish(
                    WebhookDelivery,
                    delivery_id,
                    token,
                    status=DeliveryStatus.DELIVERED,
                    delivered_at=utcnow(),
                    last_attempt_at=utcnow(),
                    last_status=status_code,
                    last_error="",
                )
                report.delivered += 1
                continue
            error = _("The receiver answered HTTP %(code)s.", code=status_code)
        except Refused as exc:
            error, give_up = str(exc), True
        except requests.Timeout:
            error = _(
                "The receiver did not answer within %(s)s s.",
                s=current_app.config.get("WEBHOOK_TIMEOUT_S", 10),
            )
        except requests.RequestException as exc:
            error = f"{exc.__class__.__name__}: {exc}"
        give_up = give_up or attempts >= MAX_ATTEMPTS
        outbox.finish(
            WebhookDelivery,
            delivery_id,
            token,
            status=DeliveryStatus.FAILED if give_up else DeliveryStatus.PENDING,
            next_attempt_at=utcnow() + outbox.backoff(attempts, _backoff_base()),
            last_attempt_at=utcnow(),
            last_status=status_code,
            last_error=error[:500],
        )
        report.failed += 1
        report.given_up += give_up
    return report


def recent_deliveries(endpoint: WebhookEndpoint, limit: int = 100) -> list[WebhookDelivery]:
    """The endpoint's delivery log, newest first."""
    return list(
        db.session.scalars(
            sa.select(WebhookDelivery)
            .where(WebhookDelivery.endpoint_id == endpoint.id)
            .order_by(WebhookDelivery.id.desc())
            .limit(limit)
        )
    )


def status_counts(endpoint_ids: list[int]) -> dict[int, dict[str, int]]:
    """endpoint id → status → number of deliveries."""
    out: dict[int, dict[str, int]] = {i: {} for i in endpoint_ids}
    if not endpoint_ids:
        return out
    for endpoint_id, status, n in db.session.execute(
        sa.select(WebhookDelivery.endpoint_id, WebhookDelivery.status, sa.func.count())
        .where(WebhookDelivery.endpoint_id.in_(endpoint_ids))
        .group_by(WebhookDelivery.endpoint_id, WebhookDelivery.status)
    ):
        out[endpoint_id][DeliveryStatus(status).value] = n
    return out


def retry_window() -> timedelta:
    """Roughly how long a failing delivery is retried before it is given up."""
    return sum(
        (min(outbox.BACKOFF_BASE * 2**i, outbox.BACKOFF_MAX) for i in range(MAX_ATTEMPTS - 1)),
        timedelta(),
    )
