"""Home pages for each role: My interviews, jobs, a job's setup, candidates."""

import sqlalchemy as sa
from flask import (
    Blueprint,
    current_app,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from scorecard.extensions import db
from scorecard.models import Application, Job, Role
from scorecard.permissions import (
    can_edit_job,
    can_review_job,
    get_job_or_404,
    job_ids_for,
    roles_required,
)
from scorecard.services import accounts, queries
from scorecard.timeutil import today_bounds_utc

bp = Blueprint("main", __name__)


@bp.route("/")
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return redirect(url_for(accounts.landing_endpoint(current_user)))


@bp.route("/favicon.ico")
def favicon():
    """The icon browsers ask for on every page, even those without a <link rel=icon>."""
    return send_from_directory(
        current_app.static_folder,
        "img/favicon.ico",
        mimetype="image/vnd.microsoft.icon",
        max_age=86400,
    )


@bp.route("/my/interviews")
@login_required
def my_interviews():
    start, end = today_bounds_utc()
    groups = queries.my_interviews(current_user, start, end)
    return render_template("main/my_interviews.html", groups=groups, is_overdue=queries.is_overdue)


@bp.route("/jobs")
@login_required
def jobs():
    return render_template(
        "main/jobs.html",
        rows=queries.job_overview(current_user),
        can_create=current_user.role in (Role.ADMIN, Role.HR),
    )


@bp.route("/jobs/<int:job_id>")
@login_required
def job_detail(job_id: int):
    job = queries.job_with_setup(get_job_or_404(job_id).id, members=True)
    return render_template(
        "main/job_detail.html",
        job=job,
        can_edit=can_edit_job(current_user, job.id),
        can_review=can_review_job(current_user, job.id),
    )


@bp.route("/candidates")
@roles_required(Role.ADMIN, Role.HR, Role.MANAGER)
def candidates():
    stmt = (
        sa.select(Application)
        .options(
            selectinload(Application.candidate),
            selectinload(Application.job),
            selectinload(Application.current_round),
        )
        .order_by(Application.created_at.desc(), Application.id.desc())
    )
    ids = job_ids_for(current_user)
    if ids is not None:
        stmt = stmt.where(Application.job_id.in_(ids))
    job_id = request.args.get("job", type=int)
    if job_id:
        stmt = stmt.where(Application.job_id == get_job_or_404(job_id).id)
    jobs_stmt = sa.select(Job).order_by(Job.created_at.desc(), Job.id.desc())
    if ids is not None:
        jobs_stmt = jobs_stmt.where(Job.id.in_(ids))
    return render_template(
        "main/candidates.html",
        applications=db.session.scalars(stmt).all(),
        jobs=db.session.scalars(jobs_stmt).all(),
        job_id=job_id,
        can_add=current_user.role in (Role.ADMIN, Role.HR),
        can_edit=lambda jid: can_edit_job(current_user, jid),
    )


@bp.route("/interviews/<int:interview_id>")
@login_required
def interview(interview_id: int):
    """An interview's page for its panel and its hiring team."""
    from scorecard.models import Interview

    iv = db.session.get(Interview, interview_id)
    if iv is None or not (
        any(c.interviewer_id == current_user.id for c in iv.scorecards)
        or (current_user.role != Role.INTERVIEWER and _can_view(iv.application.job_id))
    ):
        from flask import abort

        abort(404)
    own = next((c for c in iv.scorecards if c.interviewer_id == current_user.id), None)
    return render_template("main/interview.html", iv=iv, own=own)


def _can_view(job_id: int) -> bool:
    from scorecard.permissions import can_view_job

    return can_view_job(current_user, job_id)
