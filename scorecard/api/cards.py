"""Scorecards: read what the blind rule lets one see; fill, submit and edit one's own.

Writes go through scorecard.services.scorecards exactly as the interview kit's do (same lock
version, submission key and audit rules), and its errors are answered by the kit's own
mapping, so a conflict or an incomplete submission reads the same on both.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from scorecard import handler, visibility
from scorecard.api import harvest, present
from scorecard.api.core import ApiError, Call, iso, not_found, operation
from scorecard.api.schemas import (
    ApplicationScorecardsQuery,
    AutosaveIn,
    EditIn,
    EditOut,
    HarvestScorecard,
    HarvestV3Scorecard,
    PageQuery,
    SaveOut,
    ScorecardOut,
    ScorecardPage,
    ScorecardsQuery,
    SubmissionOut,
    SubmitIn,
    SubmitOut,
)
from scorecard.api.visibility import application_or_404, interview_or_404
from scorecard.extensions import db
from scorecard.interviews.responses import scorecard_error as card_error
from scorecard.models import Application, Interview, Scorecard, ScorecardStatus
from scorecard.services import scorecards as service
from scorecard.services.errors import DomainError

# `card_error` is the kit's mapping of scorecard errors to JSON (409 with the current state for
# a conflict or a locked card, 422 with every problem for an incomplete one): one mapping for
# both, imported rather than copied.

BLIND = (
    "Blind until submitted: one's own scorecards always; another interviewer's only once "
    "submitted, and then to the panel members of that candidate's round who have submitted "
    "their own (unless the job hides them until the debrief), or to the job's recruiters, "
    "hiring managers and admins."
)
OWN = "The scorecard's interviewer only (whatever their role)."


def _rows(stmt: sa.Select, query: Any) -> tuple[list[tuple], int]:
    """A page of scorecards (one entity select, visible ones only) with their context."""
    cards, total = present.paginate(stmt, query)
    by_id = {
        row[0].id: row
        for row in present.load_cards(
            sa.select(Scorecard).where(Scorecard.id.in_([c.id for c in cards]))
        )
    }
    return [by_id[c.id] for c in cards], total


def _visible(call: Call) -> sa.Select:
    return sa.select(Scorecard).where(visibility.visible_scorecard_clause(call.user))


def one_card(user, card_id: int) -> ScorecardOut:
    """One scorecard, as the caller may see it (their own, here)."""
    rows = present.load_cards(sa.select(Scorecard).where(Scorecard.id == card_id))
    return present.scorecards(rows, user)[0]


@operation(
    "GET",
    "/scorecards",
    summary="Scorecards the caller may see",
    tag="Scorecards",
    response=ScorecardPage,
    query=ScorecardsQuery,
    who=BLIND,
)
def list_scorecards(call: Call):
    """By id. `updated_since` compares the scorecard's last change (autosave, submit, edit)."""
    q = call.query
    stmt = _visible(call)
    if q.job_id:
        stmt = stmt.where(
            Scorecard.interview_id.in_(
                sa.select(Interview.id)
                .join(Application, Application.id == Interview.application_id)
                .where(Application.job_id == q.job_id)
            )
        )
    if q.status:
        stmt = stmt.where(Scorecard.status == q.status)
    if q.mine:
        stmt = stmt.where(Scorecard.interviewer_id == call.user.id)
    if q.updated_since:
        stmt = stmt.where(Scorecard.updated_at >= q.updated_since)
    rows, total = _rows(stmt.order_by(Scorecard.id), q)
    return present.page(ScorecardPage, present.scorecards(rows, call.user), q, total)


@operation(
    "GET",
    "/scorecards/<id:scorecard_id>",
    summary="One scorecard",
    tag="Scorecards",
    response=ScorecardOut,
    who=BLIND,
)
def get_scorecard(call: Call, scorecard_id: int):
    """Current content (after any audited edit); the owner also gets lock_version and fields."""
    rows = present.load_cards(_visible(call).where(Scorecard.id == scorecard_id))
    if not rows:
        raise not_found()
    return present.scorecards(rows, call.user)[0]


@operation(
    "GET",
    "/interviews/<id:interview_id>/scorecards",
    summary="An interview's scorecards the caller may see",
    tag="Scorecards",
    response=ScorecardPage,
    query=PageQuery,
    who="Callers who may see the interview; each scorecard then follows the blind rule.",
)
def interview_scorecards(call: Call, interview_id: int):
    """An interviewer who has not submitted sees only their own."""
    interview_or_404(call.user, interview_id)
    q = call.query
    stmt = _visible(call).where(Scorecard.interview_id == interview_id)
    if q.updated_since:
        stmt = stmt.where(Scorecard.updated_at >= q.updated_since)
    rows, total = _rows(stmt.order_by(Scorecard.id), q)
    return present.page(ScorecardPage, present.scorecards(rows, call.user), q, total)


@operation(
    "GET",
    "/applications/<id:application_id>/scorecards",
    summary="An application's scorecards, natively or as Greenhouse Harvest scorecard objects",
    tag="Scorecards",
    response=ScorecardPage | list[HarvestV3Scorecard] | list[HarvestScorecard],
    query=ApplicationScorecardsQuery,
    who="Callers who may see the application; each scorecard then follows the blind rule.",
)
def application_scorecards(call: Call, application_id: int):
    """`format=harvest` (Harvest v3) or `format=harvest_v1` answers a bare array (like
    Harvest) of submitted scorecards only.

    Mapping of the 1–4 scale: 1 → definitely_not, 2 → no, 3 → yes, 4 → strong_yes; not
    assessed → left out of `ratings` and "no_decision" as the attribute's rating; no overall
    → "no_decision"; "mixed" stays empty (the scale has no midpoint).
    """
    application_or_404(call.user, application_id)
    q = call.query
    stmt = _visible(call).where(
        Scorecard.interview_id.in_(
            sa.select(Interview.id).where(Interview.application_id == application_id)
        )
    )
    if q.updated_since:
        stmt = stmt.where(Scorecard.updated_at >= q.updated_since)
    if q.format in ("harvest", "harvest_v1"):
        stmt = stmt.where(Scorecard.status == ScorecardStatus.SUBMITTED)
        rows, _total = _rows(stmt.order_by(Scorecard.id), q)
        return harvest.harvest_scorecards(rows, "v1" if q.format == "harvest_v1" else "v3")
    rows, total = _rows(stmt.order_by(Scorecard.id), q)
    return present.page(ScorecardPage, present.scorecards(rows, call.user), q, total)


# --- writing one's own -----------------------------------------------------------------------


def _own_for_update(call: Call, card_id: int):
    card = service.get_own_card(card_id, call.user, for_update=True)
    if card is None:
        db.session.rollback()
        raise not_found()
    return card


@operation(
    "PATCH",
    "/scorecards/<id:scorecard_id>",
    summary="Autosave changed fields of one's own draft scorecard",
    tag="Scorecards",
    response=SaveOut,
    body=AutosaveIn,
    errors=(409,),
    who=OWN,
)
def autosave(call: Call, scorecard_id: int):
    """Carries the lock_version last read: a stale one is a 409 `conflict` with the current
    state; a submitted or cancelled scorecard is a 409 `submitted` / `cancelled`; an invalid
    field is a 422 naming it. Nothing is stored unless everything is valid."""
    card = service.card_for_save(scorecard_id, call.user)  # locked, as the kit's save
    if card is None:
        db.session.rollback()
        raise not_found()
    data = call.body()
    outcome = handler.run(lambda: service.autosave(card, data.lock_version, data.changes))
    if not outcome.ok:
        return card_error(outcome.error, scorecard_id)
    saved = outcome.value
    return SaveOut(id=saved.id, lock_version=saved.lock_version, saved_at=iso(saved.updated_at))


@operation(
    "POST",
    "/scorecards/<id:scorecard_id>/submit",
    summary="Submit one's own scorecard (once, whatever the retries)",
    tag="Scorecards",
    response=SubmitOut,
    body=SubmitIn,
    errors=(409,),
    who=OWN,
)
def submit(call: Call, scorecard_id: int):
    """Must-haves rated, a note with every 1 or 4, an overall recommendation: otherwise a 422
    `incomplete` listing every problem. A repeat answers the existing submission."""
    card = _own_for_update(call, scorecard_id)
    data = call.body()
    try:
        submission = service.submit(card, data.submission_key, call.user, data.lock_version)
        db.session.commit()
    except DomainError as exc:
        return card_error(exc, scorecard_id)
    except IntegrityError:
        # A concurrent request for this scorecard (or this key) won: answer with its result.
        db.session.rollback()
        submission = service.existing_submission(scorecard_id)
        if submission is None:
            raise ApiError(
                409,
                "duplicate_key",
                _("This submission key was already used: submit again with a new one."),
                "submission_key",
            ) from None
    return SubmitOut(
        submission=SubmissionOut(
            id=submission.id,
            submission_key=submission.submission_key,
            submitted_at=iso(submission.submitted_at),
        ),
        scorecard=one_card(call.user, scorecard_id),
    )


@operation(
    "POST",
    "/scorecards/<id:scorecard_id>/edit",
    summary="Change one's own submitted scorecard, with a reason (audited)",
    tag="Scorecards",
    response=EditOut,
    body=EditIn,
    errors=(409,),
    who=OWN,
)
def edit(call: Call, scorecard_id: int):
    """Every change is kept in the audit log with before and after values; the recommendation
    keeps scoring the first submission."""
    card = _own_for_update(call, scorecard_id)
    data = call.body()
    outcome = handler.run(
        lambda: service.edit_submitted(
            card, data.lock_version, data.changes, data.reason, call.user
        )
    )
    if not outcome.ok:
        return card_error(outcome.error, scorecard_id)
    diff = outcome.value
    return EditOut(changed=sorted(diff), scorecard=one_card(call.user, scorecard_id))
