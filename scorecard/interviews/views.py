"""The interview kit page and the JSON endpoints its script saves, submits and edits through.

JSON answers are `{"error": {"code", "message", "field"}}` on failure, never a redirect: the
page keeps unsent changes on the device and shows why (signed out, conflict, invalid).
"""

from functools import wraps

import sqlalchemy as sa
from flask import Blueprint, abort, jsonify, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from scorecard import visibility
from scorecard.database import commit_keeping_loaded
from scorecard.extensions import db
from scorecard.interviews.kit_page import criterion_html, kit_context, version_texts
from scorecard.interviews.responses import json_error as _error
from scorecard.interviews.responses import scorecard_error as _domain_error
from scorecard.models import (
    Application,
    Candidate,
    Interview,
    InterviewStatus,
    Job,
    Rating,
    Round,
    Scorecard,
    ScorecardSubmission,
    ScorecardVersion,
)
from scorecard.services import scorecards as service
from scorecard.services.errors import DomainError

bp = Blueprint("interviews", __name__)

# The kept criterion renderings under their old name (tests/web/test_kit_criterion_cache.py).
_criterion_html = criterion_html


def _not_found():
    return _error(404, "not_found", _("This scorecard does not exist or is not yours."))


def json_api(view):
    """Signed-in JSON endpoints: 401 (not a redirect) when the session has ended."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return _error(
                401,
                "signed_out",
                _("You were signed out. Your changes are kept on this device: sign in again."),
            )
        return view(*args, **kwargs)

    return wrapped


def _body() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        abort(_error(400, "bad_request", _("The request could not be understood.")))
    return data


# --- the page -------------------------------------------------------------------------------

# Built once (the kit page is the interviewer's most requested page). The version's texts
# come from `version_texts`, kept per content token read here.
_KIT_ROW = (
    sa.select(Scorecard, Interview, Candidate, Job, Round, ScorecardVersion.content_token)
    .join(Interview, Scorecard.interview_id == Interview.id)
    .join(Application, Interview.application_id == Application.id)
    .join(Candidate, Application.candidate_id == Candidate.id)
    .join(Job, Application.job_id == Job.id)
    .join(Round, Interview.round_id == Round.id)
    .join(ScorecardVersion, Scorecard.version_id == ScorecardVersion.id)
    .where(
        Scorecard.id == sa.bindparam("card_id"),
        Scorecard.interviewer_id == sa.bindparam("user_id"),
    )
)


@bp.get("/kit/<int:card_id>")
@login_required
def kit(card_id: int):
    """The interview kit: questions, anchored criteria, notes, red flags, overall, submit."""
    row = db.session.execute(_KIT_ROW, {"card_id": card_id, "user_id": current_user.id}).first()
    if row is None:
        abort(404)
    card, iv, candidate, job, rnd, token = row
    crit_rows, question_rows = version_texts(card.version_id, token)
    seen = others = None
    if card.is_submitted:
        seen = visibility.others_visibility(current_user, iv)
        others = (
            [c for c in _panel_cards(iv) if c.interviewer_id != current_user.id]
            if seen == visibility.Visibility.VISIBLE
            else []
        )
    return render_template(
        "interviews/kit.html",
        card=card,
        iv=iv,
        job=job,
        rnd=rnd,
        candidate=candidate,
        cancelled=iv.status == InterviewStatus.CANCELLED,
        visibility=seen,
        others=others,
        **kit_context(card, crit_rows, question_rows, job.id),
    )


def _panel_cards(iv: Interview) -> list[Scorecard]:
    """Visible scorecards of the interview, with what the panel view shows, loaded at once."""
    ids = [c.id for c in visibility.visible_scorecards(current_user, iv)]
    if not ids:
        return []
    return list(
        db.session.scalars(
            sa.select(Scorecard)
            .where(Scorecard.id.in_(ids))
            .options(
                selectinload(Scorecard.ratings).joinedload(Rating.criterion),
                selectinload(Scorecard.red_flags),
                joinedload(Scorecard.interviewer),
            )
            .order_by(Scorecard.submitted_at, Scorecard.id)
        )
    )


# --- JSON ------------------------------------------------------------------------------------


@bp.get("/kit/<int:card_id>/state")
@json_api
def state(card_id: int):
    """The scorecard's current fields and version, with a fresh CSRF token for the page."""
    card = service.get_own_card(card_id, current_user)
    if card is None:
        return _not_found()
    return jsonify(state=service.card_state(card), csrf_token=generate_csrf())


@bp.post("/kit/<int:card_id>/save")
@json_api
def save(card_id: int):
    """Autosave: {"lock_version": n, "changes": {field: value}} → the new lock_version."""
    data = request.get_json(silent=True)
    if isinstance(data, dict):
        try:
            card = service.autosave_current(
                card_id, current_user, data.get("lock_version"), data.get("changes")
            )
            if card is not None:
                commit_keeping_loaded()
                return jsonify(
                    lock_version=card.lock_version, saved_at=service.iso_utc(card.updated_at)
                )
        except DomainError as exc:
            return _domain_error(exc, card_id)
    # Anything in the way (not one's draft, stale, malformed): the checked path says what.
    card = service.card_for_save(card_id, current_user)
    if card is None:
        db.session.rollback()
        return _not_found()
    data = _body()
    try:
        service.autosave(card, data.get("lock_version"), data.get("changes"))
        commit_keeping_loaded()
    except DomainError as exc:
        return _domain_error(exc, card_id)
    return jsonify(lock_version=card.lock_version, saved_at=service.iso_utc(card.updated_at))


@bp.post("/kit/<int:card_id>/submit")
@json_api
def submit(card_id: int):
    """Submit once: {"submission_key": k, "lock_version": n}; a repeat returns the same."""
    card = service.get_own_card(card_id, current_user, for_update=True)
    if card is None:
        db.session.rollback()
        return _not_found()
    data = _body()
    key = data.get("submission_key")
    try:
        submission = service.submit(card, key, current_user, data.get("lock_version"))
        commit_keeping_loaded()
    except DomainError as exc:
        return _domain_error(exc, card_id)
    except IntegrityError:
        # Another request for this scorecard (or this key) won the race: answer with its
        # submission instead of a 500.
        db.session.rollback()
        submission = service.existing_submission(card_id)
        if submission is None:
            return _error(
                409,
                "duplicate_key",
                _("This submission key was already used: reload the page and submit again."),
                "submission_key",
            )
    return _submitted(submission)


def _submitted(submission: ScorecardSubmission):
    # The page reloads after submitting, so the answer carries no field values.
    lock_version = db.session.scalar(
        sa.select(Scorecard.__table__.c.lock_version).where(
            Scorecard.__table__.c.id == submission.scorecard_id
        )
    )
    return jsonify(
        submission={
            "id": submission.id,
            "submission_key": submission.submission_key,
            "submitted_at": service.iso_utc(submission.submitted_at),
        },
        state={"status": "submitted", "lock_version": lock_version},
    )


@bp.post("/kit/<int:card_id>/edit")
@json_api
def edit(card_id: int):
    """Edit after submitting: {"lock_version", "changes", "reason"}; audited before/after."""
    card = service.get_own_card(card_id, current_user, for_update=True)
    if card is None:
        db.session.rollback()
        return _not_found()
    data = _body()
    try:
        service.edit_submitted(
            card, data.get("lock_version"), data.get("changes"), data.get("reason"), current_user
        )
        commit_keeping_loaded()
    except DomainError as exc:
        return _domain_error(exc, card_id)
    return jsonify(state=service.card_state(card))


@bp.post("/kit/ping")
@json_api
def ping():
    """Keep-alive from an open kit: the session's idle clock restarts (see auth/session.py)."""
    return jsonify(ok=True, csrf_token=generate_csrf())
