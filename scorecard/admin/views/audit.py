"""The audit log: read-only, filterable by action, actor, job and day, paginated."""

from datetime import datetime, time, timedelta

import sqlalchemy as sa
from flask import render_template, request
from flask_babel import gettext as _

from scorecard.admin.forms import AuditFilterForm
from scorecard.extensions import db
from scorecard.i18n import bilingual_text
from scorecard.models import AuditEvent, Job, Role, User
from scorecard.permissions import roles_required
from scorecard.timeutil import to_utc

from .common import _actor_names, bp

AUDIT_PAGE_SIZE = 50


def _day_start_utc(day) -> datetime:
    return to_utc(datetime.combine(day, time.min))


@bp.route("/audit")
@roles_required(Role.ADMIN)
def audit():
    """Read-only, filterable, paginated: there is no route that edits or deletes an event."""
    form = AuditFilterForm(request.args)
    actions = db.session.scalars(
        sa.select(AuditEvent.action).distinct().order_by(AuditEvent.action)
    ).all()
    form.action.choices = [("", _("All actions"))] + [(a, a) for a in actions]
    people = db.session.scalars(sa.select(User).order_by(User.email)).all()
    form.actor.choices = [("", _("Anyone")), ("system", _("System / not signed in"))] + [
        (str(u.id), f"{u.name} <{u.email}>") for u in people
    ]
    jobs = db.session.scalars(sa.select(Job).order_by(Job.id)).all()
    form.job.choices = [("", _("All jobs"))] + [
        (str(j.id), f"#{j.id} {bilingual_text(j, 'title')}") for j in jobs
    ]
    form.validate()

    stmt = sa.select(AuditEvent)
    if form.action.data:
        stmt = stmt.where(AuditEvent.action == form.action.data)
    if form.actor.data == "system":
        stmt = stmt.where(AuditEvent.actor_id.is_(None))
    elif (form.actor.data or "").isdecimal():
        stmt = stmt.where(AuditEvent.actor_id == int(form.actor.data))
    if (form.job.data or "").isdecimal():
        stmt = stmt.where(AuditEvent.job_id == int(form.job.data))
    if form.start.data and not form.start.errors:
        stmt = stmt.where(AuditEvent.at >= _day_start_utc(form.start.data))
    if form.end.data and not form.end.errors:
        stmt = stmt.where(AuditEvent.at < _day_start_utc(form.end.data + timedelta(days=1)))
    page = request.args.get("page", 1, type=int) or 1
    pagination = db.paginate(
        stmt.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()),
        page=max(page, 1),
        per_page=AUDIT_PAGE_SIZE,
        error_out=False,
        count=True,
    )
    events = list(pagination.items)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "admin/audit.html",
        form=form,
        events=events,
        pagination=pagination,
        actors=_actor_names(events),
        jobs={j.id: j for j in jobs},
        args=args,
    )
