"""JSON answers of the scorecard endpoints, shared by the kit and the API."""

from flask import Response, jsonify

from scorecard.extensions import db
from scorecard.models import Scorecard
from scorecard.services import scorecards as service
from scorecard.services.errors import DomainError


def json_error(status: int, code: str, message: str, field: str | None = None, **extra) -> Response:
    """The stable error shape: {"error": {"code", "message", "field", ...}}."""
    response = jsonify(error={"code": code, "message": message, "field": field, **extra})
    response.status_code = status
    return response


def scorecard_error(exc: DomainError, card_id: int):
    """Map a service error to its JSON answer; nothing has been stored."""
    db.session.rollback()
    if isinstance(exc, service.Conflict | service.Locked):
        # 409 with the server's state, so the page can show both values.
        card = db.session.get(Scorecard, card_id)
        return json_error(409, exc.code, exc.message, state=service.card_state(card))
    if isinstance(exc, service.Incomplete):
        problems = [{"field": f, "message": m} for f, m in exc.problems]
        return json_error(422, exc.code, exc.message, exc.field, problems=problems)
    return json_error(422, getattr(exc, "code", "invalid"), exc.message, exc.field)
