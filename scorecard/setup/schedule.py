"""Scheduling pages: a job's interviews, booking, rescheduling and cancelling."""

from datetime import datetime

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from scorecard import handler
from scorecard.extensions import db
from scorecard.i18n import bilingual_text
from scorecard.labels import JOB_ROLE_LABELS
from scorecard.models import (
    Application,
    ApplicationStatus,
    Interview,
    Job,
    Round,
    Scorecard,
    User,
)
from scorecard.permissions import get_editable_job_or_404
from scorecard.services import scheduling
from scorecard.services.errors import DomainError
from scorecard.setup import bp
from scorecard.setup.forms import ActionForm, InterviewForm, apply_error
from scorecard.timeutil import to_local, to_utc

LOCAL_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M")


def parse_local(text: str) -> datetime:
    """A date and time typed in the display zone → naive UTC; DomainError if unreadable."""
    for fmt in LOCAL_FORMATS:
        try:
            return to_utc(datetime.strptime(text.strip(), fmt))
        except ValueError:
            continue
    raise DomainError("starts_at", _("Enter a date and time like 2026-12-01 14:30."))


def _interview_form(job: Job, interview: Interview | None = None, **kwargs) -> InterviewForm:
    form = InterviewForm(**kwargs)
    apps = db.session.scalars(
        sa.select(Application)
        .where(Application.job_id == job.id)
        .options(selectinload(Application.candidate))
        .order_by(Application.created_at.desc(), Application.id.desc())
    ).all()
    form.application_id.choices = [
        (a.id, a.candidate.name)
        for a in apps
        if a.status == ApplicationStatus.ACTIVE
        or (interview is not None and a.id == interview.application_id)
    ]
    form.round_id.choices = [(r.id, bilingual_text(r, "name")) for r in job.rounds]
    form.panel.choices = [
        (m.user_id, f"{m.user.name} · {JOB_ROLE_LABELS[m.job_role]}")
        for m in sorted(job.members, key=lambda m: (m.job_role.value != "interviewer", m.user.name))
        if m.user.active
    ]
    return form


def _panel_users(ids: list[int]) -> list[User]:
    users = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(ids or [-1])))}
    if len(users) != len(set(ids)):
        raise DomainError("panel", _("Choose interviewers from the list."))
    return [users[i] for i in dict.fromkeys(ids)]


@bp.route("/jobs/<int:job_id>/interviews")
@login_required
def interviews(job_id: int):
    job = get_editable_job_or_404(job_id)
    rows = db.session.scalars(
        sa.select(Interview)
        .join(Application, Interview.application_id == Application.id)
        .where(Application.job_id == job.id)
        .options(
            selectinload(Interview.application).selectinload(Application.candidate),
            selectinload(Interview.round),
            selectinload(Interview.scorecards).selectinload(Scorecard.interviewer),
            selectinload(Interview.scorecards).selectinload(Scorecard.version),
        )
        .order_by(Interview.starts_at.desc(), Interview.id.desc())
    ).all()
    return render_template("setup/interviews.html", job=job, rows=rows, action=ActionForm())


@bp.route("/jobs/<int:job_id>/interviews/new", methods=["GET", "POST"])
@login_required
def new_interview(job_id: int):
    job = get_editable_job_or_404(job_id)
    form = _interview_form(job)
    if request.method == "GET":
        form.application_id.data = request.args.get("application", type=int)
        form.round_id.data = request.args.get("round", type=int)
    if form.validate_on_submit():

        def book() -> Interview:
            app = db.session.get(Application, form.application_id.data)
            rnd = db.session.get(Round, form.round_id.data)
            if app is None or app.job_id != job.id:
                raise DomainError("application_id", _("Choose a candidate of this job."))
            if rnd is None or rnd.job_id != job.id:
                raise DomainError("round_id", _("Choose a round of this job."))
            return scheduling.book_interview(
                app,
                rnd,
                parse_local(form.starts_at.data),
                _panel_users(form.panel.data or []),
                current_user,
                duration_minutes=form.duration_minutes.data,
                location=form.location.data or "",
                video_link=form.video_link.data or "",
            )

        outcome = handler.run(book)
        if outcome.ok:
            flash(_("Interview scheduled."), "success")
            return redirect(
                url_for("setup.interviews", job_id=job.id, _anchor=f"iv-{outcome.value.id}")
            )
        apply_error(form, outcome.error)
    status = 422 if request.method == "POST" else 200
    return render_template("setup/interview_form.html", job=job, form=form, iv=None), status


def _interview_or_404(interview_id: int) -> tuple[Interview, Job]:
    iv = db.get_or_404(Interview, interview_id)
    return iv, get_editable_job_or_404(iv.application.job_id)


@bp.route("/interviews/<int:interview_id>/edit", methods=["GET", "POST"])
@login_required
def edit_interview(interview_id: int):
    iv, job = _interview_or_404(interview_id)
    if request.method == "GET":
        form = _interview_form(job, iv, formdata=None)
        form.application_id.data = iv.application_id
        form.round_id.data = iv.round_id
        form.starts_at.data = to_local(iv.starts_at).strftime("%Y-%m-%dT%H:%M")
        form.duration_minutes.data = str(iv.duration_minutes)
        form.location.data = iv.location
        form.video_link.data = iv.video_link
        form.panel.data = [c.interviewer_id for c in iv.scorecards]
        return render_template("setup/interview_form.html", job=job, form=form, iv=iv)
    form = _interview_form(job, iv)
    if form.validate_on_submit():
        outcome = handler.run(
            lambda: scheduling.reschedule_interview(
                iv,
                parse_local(form.starts_at.data),
                _panel_users(form.panel.data or []),
                current_user,
                duration_minutes=form.duration_minutes.data,
                location=form.location.data or "",
                video_link=form.video_link.data or "",
            )
        )
        if outcome.ok:
            flash(_("Interview changed."), "success")
            return redirect(url_for("setup.interviews", job_id=job.id, _anchor=f"iv-{iv.id}"))
        apply_error(form, outcome.error)
    return render_template("setup/interview_form.html", job=job, form=form, iv=iv), 422


@bp.post("/interviews/<int:interview_id>/cancel")
@login_required
def cancel_interview(interview_id: int):
    iv, job = _interview_or_404(interview_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    scheduling.cancel_interview(iv, current_user)
    db.session.commit()
    flash(_("Interview cancelled. Its scorecards are kept."), "success")
    return redirect(url_for("setup.interviews", job_id=job.id))
