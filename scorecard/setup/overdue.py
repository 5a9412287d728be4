"""Overdue feedback: the list of late scorecards and the "remind" action."""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from scorecard import handler
from scorecard.extensions import db
from scorecard.models import Job, Role, Scorecard
from scorecard.permissions import editable_job_ids_for, get_editable_job_or_404, roles_required
from scorecard.services import reminders
from scorecard.setup import bp
from scorecard.setup.forms import ActionForm


@bp.route("/overdue")
@roles_required(Role.ADMIN, Role.HR)
def overdue():
    job_id = request.args.get("job", type=int)
    if job_id is not None:
        get_editable_job_or_404(job_id)
    stmt = sa.select(Job).order_by(Job.created_at.desc(), Job.id.desc())
    ids = editable_job_ids_for(current_user)
    if ids is not None:
        stmt = stmt.where(Job.id.in_(ids))
    return render_template(
        "setup/overdue.html",
        rows=reminders.overdue_scorecards(current_user, job_id=job_id),
        jobs=db.session.scalars(stmt).all(),
        job_id=job_id,
        today=reminders.reminder_day(),
        action=ActionForm(),
    )


@bp.post("/scorecards/<int:scorecard_id>/remind")
@roles_required(Role.ADMIN, Role.HR)
def remind(scorecard_id: int):
    card = db.get_or_404(Scorecard, scorecard_id)
    get_editable_job_or_404(card.interview.application.job_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    back = url_for("setup.overdue", job=request.args.get("job", type=int))
    outcome = handler.run(lambda: reminders.remind(card, current_user))
    if not outcome.ok:
        flash(outcome.error.message, "error")
        return redirect(back)
    reminder = outcome.value
    if reminders.deliver(reminder):
        flash(_("Reminder sent to %(name)s.", name=card.interviewer.name), "success")
    else:
        flash(
            _("The e-mail could not be sent now; flask send-reminders will retry it today."),
            "error",
        )
    return redirect(back)
