"""The administration blueprint and what its pages share: a service's error shown on its
field, and the names of the people in a list of audit events."""

import sqlalchemy as sa
from flask import Blueprint
from flask_wtf import FlaskForm

from scorecard.extensions import db
from scorecard.models import AuditEvent, User
from scorecard.services.errors import DomainError

bp = Blueprint("admin", __name__)


def _field_error(form: FlaskForm, exc: DomainError, fallback: str) -> None:
    """Show a service's DomainError on its field (or on `fallback`)."""
    target = getattr(form, exc.field or "", None) or getattr(form, fallback)
    target.errors = [*target.errors, exc.message]


def _actor_names(events: list[AuditEvent]) -> dict[int, User]:
    ids = {e.actor_id for e in events if e.actor_id is not None}
    if not ids:
        return {}
    return {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(ids)))}
