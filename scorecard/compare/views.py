"""The matrix of a job's candidates, 2–4 of them side by side, and the exports."""

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from scorecard.compare import exports
from scorecard.compare.present import Texts, row_views
from scorecard.compare.query import parse_query
from scorecard.database import commit_keeping_loaded
from scorecard.extensions import db
from scorecard.paging import Page
from scorecard.permissions import get_reviewable_application_or_404, get_reviewable_job_or_404
from scorecard.scoring import FLAG_KINDS, RECOMMENDATIONS
from scorecard.services import audit
from scorecard.services import explain as explain_service
from scorecard.services.comparison import MAX_PICK, MIN_PICK, build_comparison
from scorecard.services.errors import DomainError
from scorecard.services.matrix import DIMENSIONS, STATUS_STAGES, build_matrix
from scorecard.services.recommendations import JobScoring
from scorecard.services.round_summary import application_cards

bp = Blueprint("compare", __name__)


@bp.route("/jobs/<int:job_id>/matrix")
@login_required
def matrix(job_id: int):
    job = get_reviewable_job_or_404(job_id)
    scoring = JobScoring(job)
    m = build_matrix(
        scoring, current_user, parse_query(request.args, scoring), Page.from_args(request.args)
    )
    explainer = explain_service.Explainer(m.scoring)
    return render_template(
        "compare/matrix.html",
        job=job,
        m=m,
        rows=row_views(m, Texts(m, explainer)),
        dimensions=DIMENSIONS,
        recommendations=RECOMMENDATIONS,
        flag_kinds=FLAG_KINDS,
        status_stages=STATUS_STAGES,
        explainer=explainer,
        labels=explain_service,
        min_pick=MIN_PICK,
        max_pick=MAX_PICK,
    )


@bp.route("/jobs/<int:job_id>/compare")
@login_required
def side_by_side(job_id: int):
    job = get_reviewable_job_or_404(job_id)
    try:
        comparison = build_comparison(job, current_user, request.args.getlist("a"))
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(url_for("compare.matrix", job_id=job.id))
    return render_template(
        "compare/side_by_side.html",
        job=job,
        c=comparison,
        explainer=explain_service.Explainer(comparison.scoring, comparison.names),
        labels=explain_service,
    )


def _download(body: bytes, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _audit_export(action: str, obj_type: str, obj_id: int, job_id: int, after: dict) -> None:
    """Write the export's audit event and commit (personal data left the system).

    The request read everything first in a deferred transaction; on SQLite, turning it into
    a write fails at once if another write committed meanwhile (WAL snapshot), so the audit
    row is retried once in a fresh transaction. Objects stay loaded after the commit: the
    response needs no further queries.
    """
    session = db.session()
    for attempt in (1, 2):
        audit.record(action, obj_type, obj_id, actor=current_user, job_id=job_id, after=after)
        try:
            commit_keeping_loaded()
            return
        except sa.exc.OperationalError:
            session.rollback()
            if attempt == 2:
                raise


def _export_matrix(job_id: int, fmt: str) -> Response:
    job = get_reviewable_job_or_404(job_id)
    scoring = JobScoring(job)
    query = parse_query(request.args, scoring)
    m = build_matrix(scoring, current_user, query, page=None)
    if m.query.errors:
        for message in m.query.errors:
            flash(message, "error")
        return redirect(url_for("compare.matrix", job_id=job.id, **m.query.args()))
    body = exports.matrix_csv(m) if fmt == "csv" else exports.matrix_xlsx(m)
    _audit_export(
        "export.matrix",
        "job",
        job.id,
        job.id,
        {"format": fmt, "rows": m.kept, "filters": m.query.args()},
    )
    mimetype = exports.CSV_MIME if fmt == "csv" else exports.XLSX_MIME
    return _download(body, mimetype, exports.export_filename("candidates", None, job.id, fmt))


@bp.route("/jobs/<int:job_id>/matrix.csv")
@login_required
def matrix_csv(job_id: int):
    return _export_matrix(job_id, "csv")


@bp.route("/jobs/<int:job_id>/matrix.xlsx")
@login_required
def matrix_xlsx(job_id: int):
    return _export_matrix(job_id, "xlsx")


def _export_scorecards(application_id: int, fmt: str) -> Response:
    application = get_reviewable_application_or_404(application_id)
    scoring = JobScoring(application.job)
    _cards, views = application_cards(scoring, application, current_user)
    if fmt == "csv":
        body = exports.scorecards_csv(scoring, views)
    else:
        body = exports.scorecards_xlsx(scoring, views)
    _audit_export(
        "export.scorecards",
        "application",
        application.id,
        application.job_id,
        {"format": fmt, "scorecards": len(views)},
    )
    mimetype = exports.CSV_MIME if fmt == "csv" else exports.XLSX_MIME
    return _download(
        body, mimetype, exports.export_filename("scorecards", application, application.job_id, fmt)
    )


@bp.route("/applications/<int:application_id>/scorecards.csv")
@login_required
def scorecards_csv(application_id: int):
    return _export_scorecards(application_id, "csv")


@bp.route("/applications/<int:application_id>/scorecards.xlsx")
@login_required
def scorecards_xlsx(application_id: int):
    return _export_scorecards(application_id, "xlsx")
