"""/healthz, /readyz and /metrics for load balancers and Prometheus; the scheduled-jobs page."""

from __future__ import annotations

import hmac
from ipaddress import ip_address, ip_network

import sqlalchemy as sa
from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request

from scorecard.extensions import db
from scorecard.models import Role
from scorecard.permissions import roles_required

bp = Blueprint("ops", __name__)


@bp.route("/healthz")
def healthz():
    """Liveness: the process answers (no database involved, so a slow database never kills it)."""
    return _no_store(jsonify(status="ok"))


@bp.route("/readyz")
def readyz():
    """Readiness: the database answers and its schema is the revision this code expects."""
    from scorecard.services.backup import head_revision

    expected = current_app.extensions.get("scorecard_head_revision")
    if expected is None:
        expected = current_app.extensions["scorecard_head_revision"] = head_revision()
    try:
        with db.engine.connect() as conn:
            revision = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    except sa.exc.SQLAlchemyError as exc:
        current_app.logger.warning("readyz: database unreachable (%s)", exc.__class__.__name__)
        return _no_store(jsonify(status="unavailable", reason="database unreachable")), 503
    if revision != expected:
        return _no_store(
            jsonify(
                status="unavailable",
                reason="schema not at head: run flask db upgrade",
                revision=revision,
                expected=expected,
            )
        ), 503
    return _no_store(jsonify(status="ready", revision=revision))


def _metrics_allowed() -> bool:
    """METRICS_TOKEN as a bearer token, or a direct (not proxied) peer in METRICS_ALLOW."""
    token = current_app.config.get("METRICS_TOKEN") or ""
    given = request.headers.get("Authorization", "")
    if token and given.startswith("Bearer "):
        return hmac.compare_digest(given[7:].encode(), token.encode())
    if request.headers.get("X-Forwarded-For") or request.headers.get("Forwarded"):
        # Through a reverse proxy the peer is the proxy itself, often 127.0.0.1: only the
        # token counts then.
        return False
    try:
        peer = ip_address(request.remote_addr or "")
    except ValueError:
        return False
    return any(peer in ip_network(net, strict=False) for net in current_app.config["METRICS_ALLOW"])


@bp.route("/metrics")
def metrics():
    if not _metrics_allowed():
        abort(404)
    from scorecard.ops.metrics import exposition

    body, content_type = exposition(current_app._get_current_object())  # type: ignore[attr-defined]
    return _no_store(Response(body, content_type=content_type))


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/admin/jobs")
@roles_required(Role.ADMIN)
def jobs():
    from scorecard.services.scheduled import job_statuses, recent_runs

    return render_template("ops/jobs.html", statuses=job_statuses(), runs=recent_runs())


def every_label(seconds: int) -> str:
    """'every hour', 'every 2 days', …: a job's interval in words."""
    from flask_babel import gettext as _

    if seconds % 86400 == 0:
        n = seconds // 86400
        return _("every day") if n == 1 else _("every %(num)d days", num=n)
    if seconds % 3600 == 0:
        n = seconds // 3600
        return _("every hour") if n == 1 else _("every %(num)d hours", num=n)
    if seconds % 60 == 0:
        n = seconds // 60
        return _("every minute") if n == 1 else _("every %(num)d minutes", num=n)
    return _("every second") if seconds == 1 else _("every %(num)d seconds", num=seconds)


@bp.context_processor
def _page_helpers() -> dict:
    from flask_babel import gettext as _

    from scorecard.services.scheduled import JOBS

    return {
        "every_label": every_label,
        "job_label": lambda name: JOBS[name].label if name in JOBS else name,
        "status_labels": {
            "running": _("running"),
            "succeeded": _("succeeded"),
            "failed": _("failed"),
        },
    }
