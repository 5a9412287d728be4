"""The permission table as the guard of every request (reliability.md R1).

Before a view runs, `check_request` looks up the endpoint's rule in `scorecard.access`: an
endpoint without an entry is refused (404) when it runs, not only in a test; a signed-in user
whose role the rule does not admit, or who does not meet its condition towards the job,
interview or scorecard the URL points into, gets a 404 too (a resource one may not see is
never confirmed to exist). The views' own checks stay as a second line; the table decides.

Bearer-token endpoints (the JSON API) authenticate inside the request (`api.core`), so here
they are only required to have an entry; the API applies the same table to the token's user.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import abort, request
from flask_login import current_user

from scorecard import access, permissions
from scorecard.database import core
from scorecard.extensions import db
from scorecard.models import (
    Application,
    Criterion,
    Interview,
    JobMember,
    Question,
    RedFlag,
    Round,
    Scorecard,
    ScorecardStatus,
    ScorecardVersion,
    User,
)

_JOB_OF: dict[str, Any] = {
    "application_id": lambda i: sa.select(Application.job_id).where(Application.id == i),
    "interview_id": lambda i: (
        sa.select(Application.job_id)
        .join(Interview, Interview.application_id == Application.id)
        .where(Interview.id == i)
    ),
    "round_id": lambda i: sa.select(Round.job_id).where(Round.id == i),
    "criterion_id": lambda i: (
        sa.select(Round.job_id)
        .join(ScorecardVersion, ScorecardVersion.round_id == Round.id)
        .join(Criterion, Criterion.version_id == ScorecardVersion.id)
        .where(Criterion.id == i)
    ),
    "question_id": lambda i: (
        sa.select(Round.job_id)
        .join(ScorecardVersion, ScorecardVersion.round_id == Round.id)
        .join(Question, Question.version_id == ScorecardVersion.id)
        .where(Question.id == i)
    ),
    "red_flag_id": lambda i: sa.select(RedFlag.job_id).where(RedFlag.id == i),
    "version_id": lambda i: (
        sa.select(Round.job_id)
        .join(ScorecardVersion, ScorecardVersion.round_id == Round.id)
        .where(ScorecardVersion.id == i)
    ),
    "member_id": lambda i: sa.select(JobMember.job_id).where(JobMember.id == i),
}
_CARD_ARGS = ("card_id", "scorecard_id")


_OWNER_OF_CARD = sa.select(Scorecard.interviewer_id).where(Scorecard.id == sa.bindparam("card_id"))


def _facts(
    user: User, args: dict[str, Any], needs: frozenset[str] = access.CONDITIONS
) -> access.Facts | None:
    """What is true of `user` towards what the URL points into; None: nothing to resolve
    (the rule's condition is then left to the view), or the object does not exist.

    `needs` are the conditions that will be asked: a rule that only asks whether the
    scorecard is the user's own (the kit, autosave) costs one query, not four.
    """
    interview_id = args.get("interview_id")
    owner = False
    card_id = next((args[a] for a in _CARD_ARGS if a in args), None)
    if card_id is not None and needs <= {"owner"}:
        interviewer_id = core(_OWNER_OF_CARD, {"card_id": card_id}).scalar()
        if interviewer_id is None:
            return None
        return access.Facts(role=user.role, owner=interviewer_id == user.id)
    if card_id is not None:
        row = db.session.execute(
            sa.select(Scorecard.interview_id, Scorecard.interviewer_id).where(
                Scorecard.id == card_id
            )
        ).first()
        if row is None:
            return None
        interview_id, owner = row[0], row[1] == user.id
    job_id = args.get("job_id")
    if job_id is None and interview_id is not None:
        job_id = db.session.scalar(_JOB_OF["interview_id"](interview_id))
    if job_id is None:
        for name, query in _JOB_OF.items():
            if name in args:
                job_id = db.session.scalar(query(args[name]))
                break
    if job_id is None:
        return None
    job_role = permissions.job_role(user, job_id)
    panel_cards = sa.select(Scorecard.status).where(Scorecard.interviewer_id == user.id)
    if interview_id is not None:
        panel_cards = panel_cards.where(Scorecard.interview_id == interview_id)
    elif "application_id" in args:
        panel_cards = panel_cards.join(Interview, Interview.id == Scorecard.interview_id).where(
            Interview.application_id == args["application_id"]
        )
    else:
        panel_cards = None
    statuses = list(db.session.scalars(panel_cards)) if panel_cards is not None else []
    return access.Facts(
        role=user.role,
        member=job_role is not None,
        job_role=job_role,
        panel=bool(statuses),
        submitted=bool(statuses) and all(s == ScorecardStatus.SUBMITTED for s in statuses),
        owner=owner,
    )


def check_request() -> None:
    """`before_request`: refuse what the permission table does not allow."""
    endpoint = request.endpoint
    if endpoint is None:
        return  # no route matched: Flask answers 404 / 405 itself
    rule = access.rule_for(endpoint, request.method)
    if rule is None:
        abort(404)
    if rule.public or rule.bearer or not current_user.is_authenticated:
        return  # anonymous visitors: the view's login_required sends them to sign in
    condition = rule.condition(current_user.role)
    alternatives = condition.split("|")
    if "all" in alternatives:
        return
    if alternatives == ["none"]:
        abort(404)
    facts = _facts(current_user, dict(request.view_args or {}), frozenset(alternatives))
    if facts is not None and access.expected(rule, facts) != access.ALLOW:
        abort(404)
