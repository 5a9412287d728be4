"""Writing audit events: one row per accountable change, never a secret in it."""

from collections.abc import Callable, Mapping
from typing import Any

from flask import has_request_context, request

from scorecard.extensions import db
from scorecard.models import AuditEvent, User

SECRET_KEYS = frozenset(
    {
        "password",
        "password_hash",
        "session_token",
        "token",
        "token_hash",
        "totp_secret",
        "code",
        "code_hash",
    }
)


def _clean(values: dict[str, Any] | None) -> dict[str, Any] | None:
    if values is None:
        return None
    return {k: v for k, v in values.items() if k not in SECRET_KEYS}


def record(
    action: str,
    obj_type: str,
    obj_id: int | None,
    *,
    actor: User | None = None,
    job_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit event to the session (flushed with the caller's transaction)."""
    ip = request.remote_addr if has_request_context() else None
    event = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        action=action,
        object_type=obj_type,
        object_id=obj_id,
        job_id=job_id,
        before=_clean(before),
        after=_clean(after),
        ip=ip,
    )
    db.session.add(event)
    return event


def record_change(
    action: str,
    obj_type: str,
    obj_id: int | None,
    *,
    actor: User | None,
    job_id: int | None,
    before: dict[str, Any],
    after: dict[str, Any],
) -> AuditEvent | None:
    """Record an update only when something changed (a no-op save leaves no audit row)."""
    if after == before:
        return None
    return record(action, obj_type, obj_id, actor=actor, job_id=job_id, before=before, after=after)


def update_audited(
    action: str,
    obj_type: str,
    obj: Any,
    values: Mapping[str, Any],
    snapshot: Callable[[Any], dict[str, Any]],
    *,
    actor: User | None,
    job_id: int | None,
    before: dict[str, Any] | None = None,
) -> AuditEvent | None:
    """Populate, diff, audit: set the validated `values` on `obj`, flush, record what changed.

    `snapshot` gives an object's audited values. `before` is the snapshot taken now unless the
    caller took it earlier (an edit that moved to a new scorecard version passes the old one's).
    """
    if before is None:
        before = snapshot(obj)
    for name, value in values.items():
        setattr(obj, name, value)
    db.session.flush()
    after = snapshot(obj)
    return record_change(
        action, obj_type, obj.id, actor=actor, job_id=job_id, before=before, after=after
    )
