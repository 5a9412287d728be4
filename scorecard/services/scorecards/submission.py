"""Submitting a scorecard once (frozen as a snapshot) and audited edits after submission."""

from typing import Any

from flask_babel import gettext as _

from scorecard.extensions import db
from scorecard.models import Scorecard, ScorecardStatus, ScorecardSubmission, User, utcnow
from scorecard.services import announce, audit
from scorecard.services.scorecards import statements as q
from scorecard.services.scorecards.errors import Incomplete, InvalidField, Locked
from scorecard.services.scorecards.fields import STAR_PARTS, check_reason, check_submission_key
from scorecard.services.scorecards.reading import field_values, interview_status_of, job_id_of
from scorecard.services.scorecards.saving import apply_changes, bump, check_writable, validate

Ratings = dict[int, tuple[int | None, str]]  # criterion id → (value, note)


def ratings_of(card_id: int) -> Ratings:
    """The scorecard's ratings as plain rows (autosave writes with Core statements, so an
    ORM object loaded earlier in this session could be stale)."""
    return {
        crit_id: (value, note or "")
        for crit_id, value, note in db.session.execute(
            q.FIELD_QUERIES["ratings"], {"card_id": card_id}
        )
    }


def missing_for_submit(card: Scorecard, ratings: Ratings | None = None) -> list[tuple[str, str]]:
    """Each item that blocks submitting, as (field, message): must-haves, notes, overall."""
    by_criterion = ratings_of(card.id) if ratings is None else ratings
    criteria = db.session.execute(q.CRITERIA_TO_SUBMIT, {"version_id": card.version_id})
    problems: list[tuple[str, str]] = []
    for crit_id, must_have in criteria:
        value, note = by_criterion.get(crit_id, (None, ""))
        if must_have and value is None:
            problems.append(
                (f"rating.{crit_id}.value", _("Must-have criterion: choose a rating from 1 to 4."))
            )
        if value in (1, 4) and not note.strip():
            problems.append((f"rating.{crit_id}.note", _("A rating of 1 or 4 needs a note.")))
    if card.overall is None:
        problems.append(("overall", _("Choose an overall recommendation.")))
    return problems


def snapshot(card: Scorecard, ratings: Ratings | None = None) -> dict[str, Any]:
    """What the engine scores: ratings, notes, overall, STAR and red flags as submitted."""
    by_criterion = ratings_of(card.id) if ratings is None else ratings
    flags = db.session.scalars(q.TICKED_FLAG_KEYS, {"card_id": card.id})
    stars = {
        str(row[0]): {part: text or "" for part, text in zip(STAR_PARTS, row[1:], strict=True)}
        for row in db.session.execute(q.FIELD_QUERIES["star"], {"card_id": card.id})
    }
    return {
        "version_id": card.version_id,
        "overall": card.overall,
        "takeaways": card.takeaways or "",
        "red_flags": list(flags),
        "ratings": {str(c): {"value": v, "note": n} for c, (v, n) in sorted(by_criterion.items())},
        "star": stars,
    }


def existing_submission(card_id: int) -> ScorecardSubmission | None:
    """The scorecard's submission, read fresh from the database."""
    return db.session.scalar(q.SUBMISSION_OF_CARD, {"card_id": card_id})


def submit(
    card: Scorecard, submission_key: str, actor: User, lock_version: object = None
) -> ScorecardSubmission:
    """Submit a draft: validated, frozen as a snapshot, one submission however often called.

    A scorecard that is already submitted returns its submission (a double click or a retry).
    `lock_version`, when given, must be current so the user submits what they see.
    """
    if card.interviewer_id != actor.id:
        raise InvalidField(None, _("Only the interviewer can submit this scorecard."))
    check_submission_key(submission_key)
    done = existing_submission(card.id)
    if done is not None:
        return done
    check_writable(
        interview_status_of(card),
        card.lock_version,
        card.lock_version if lock_version is None else lock_version,
    )
    ratings = ratings_of(card.id)
    problems = missing_for_submit(card, ratings)
    if problems:
        raise Incomplete(problems)
    now = utcnow()
    submission = ScorecardSubmission(
        scorecard_id=card.id,
        submission_key=submission_key,
        submitted_at=now,
        snapshot=snapshot(card, ratings),
    )
    card.status = ScorecardStatus.SUBMITTED
    card.submitted_at = now
    card.updated_at = now
    card.lock_version += 1
    db.session.add(submission)
    # A racing duplicate raises IntegrityError here; the view rolls back and answers with
    # the submission that won (the unique constraints are what holds, not the check above).
    db.session.flush()
    audit.record(
        "scorecard.submit",
        "scorecard",
        card.id,
        actor=actor,
        job_id=job_id_of(card),
        after={"overall": card.overall, "submission_key": submission_key},
    )
    announce.scorecard_submitted(card)
    return submission


def edit_submitted(
    card: Scorecard, lock_version: object, changes: object, reason: object, actor: User
) -> dict[str, tuple[Any, Any]]:
    """Change a submitted scorecard: author only, with a reason, audited with before/after.

    The first submission's snapshot stays as it was: the recommendation engine scores that.
    """
    if card.interviewer_id != actor.id:
        raise InvalidField(None, _("Only the interviewer can edit this scorecard."))
    if card.status != ScorecardStatus.SUBMITTED:
        raise Locked("draft", _("This scorecard is not submitted yet: it saves as you type."))
    reason = check_reason(reason)
    check_writable(interview_status_of(card), card.lock_version, lock_version)
    parsed = validate(card, changes)
    before = field_values(card)
    diff = {
        c.field: (before.get(c.field), c.value) for c in parsed if before.get(c.field) != c.value
    }
    if not diff:
        return diff
    now = utcnow()
    bump(card, card.lock_version, now, parsed, edited_at=now)
    apply_changes(card, parsed, now)
    problems = missing_for_submit(card)
    if problems:
        raise Incomplete(problems)  # the caller rolls back: a submitted card stays complete
    audit.record(
        "scorecard.edit",
        "scorecard",
        card.id,
        actor=actor,
        job_id=job_id_of(card),
        before={"fields": {k: b for k, (b, _a) in diff.items()}},
        after={"fields": {k: a for k, (_b, a) in diff.items()}, "reason": reason.strip()},
    )
    announce.scorecard_edited(card, diff)
    return diff
