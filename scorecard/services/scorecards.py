"""Live scoring: autosave with an optimistic lock, submit once, audited edits, the blind rule.

A scorecard's changes travel as a flat map of *fields* so the browser can keep a ledger of
pending changes and compare them one by one:

    rating.<criterion id>.value   1–4, or null for "not assessed"
    rating.<criterion id>.note    text
    star.<question id>.<part>     text; part is situation, task, action or result
    flag.<red flag id>            true / false
    takeaways                     text
    overall                       1–4, or null

Every write carries the lock_version the writer last saw; a stale one is a `Conflict`, so two
tabs or devices never silently overwrite each other.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import contains_eager
from sqlalchemy.orm.attributes import set_committed_value

from scorecard.extensions import db
from scorecard.models import (
    Application,
    Criterion,
    Interview,
    InterviewStatus,
    Question,
    Rating,
    RedFlag,
    Scorecard,
    ScorecardStatus,
    ScorecardSubmission,
    StarEvidence,
    User,
    scorecard_red_flags,
    utcnow,
)
from scorecard.services import announce, audit
from scorecard.services.errors import DomainError

TEXT_MAX = 5000  # characters, for every note, STAR part and the take-aways
REASON_MAX = 1000
CHANGES_MAX = 300  # fields in one save: a whole scorecard fits many times over
STAR_PARTS = ("situation", "task", "action", "result")
KEY_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


class Conflict(DomainError):
    """The writer's lock_version is stale: somebody saved this scorecard in between."""

    code = "conflict"

    def __init__(self) -> None:
        super().__init__(
            None,
            _("This scorecard was changed in another tab or device. Choose which values to keep."),
        )


class Locked(DomainError):
    """The scorecard cannot take this change any more (submitted, or interview cancelled)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(None, message)
        self.code = code


class Incomplete(DomainError):
    """Submitting needs more: every problem, each with the field it belongs to."""

    code = "incomplete"

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__(
            problems[0][0],
            _("%(count)d items still need your attention before submitting.", count=len(problems))
            if len(problems) > 1
            else problems[0][1],
        )
        self.problems = problems


class InvalidField(DomainError):
    """A change failed validation; nothing of the request was stored."""

    code = "invalid"


# --- statements built once: autosave is the hottest path of the app -------------------------
# (Building a SELECT or UPDATE object costs more Python time than SQLite takes to run it.)

_CARD = (
    sa.select(Scorecard)
    .join(Interview, Scorecard.interview_id == Interview.id)
    .where(Scorecard.id == sa.bindparam("card_id"))
    .options(contains_eager(Scorecard.interview))
)
_CARD_FOR_UPDATE = _CARD.with_for_update(of=Scorecard).execution_options(populate_existing=True)
# Every id of the version (or job) at once: a fixed statement is compiled once, whereas an
# IN list of varying length is compiled anew on each save.
_CRITERIA_T, _QUESTIONS_T, _FLAGS_T = Criterion.__table__, Question.__table__, RedFlag.__table__
_APPS_T, _INTERVIEWS_T = Application.__table__, Interview.__table__
_KNOWN = {
    "rating": sa.select(_CRITERIA_T.c.id).where(
        _CRITERIA_T.c.version_id == sa.bindparam("version_id")
    ),
    "star": sa.select(_QUESTIONS_T.c.id).where(
        _QUESTIONS_T.c.version_id == sa.bindparam("version_id"),
        _QUESTIONS_T.c.star.is_(True),
    ),
}
_FLAGS_OF_CARD = (
    sa.select(_FLAGS_T.c.id)
    .join(_APPS_T, _APPS_T.c.job_id == _FLAGS_T.c.job_id)
    .join(_INTERVIEWS_T, _INTERVIEWS_T.c.application_id == _APPS_T.c.id)
    .where(_INTERVIEWS_T.c.id == sa.bindparam("interview_id"))
)
_RATINGS = Rating.__table__
_STARS = StarEvidence.__table__
_CARDS = Scorecard.__table__
_FIELD_QUERIES = {
    "ratings": sa.select(_RATINGS.c.criterion_id, _RATINGS.c.value, _RATINGS.c.note).where(
        _RATINGS.c.scorecard_id == sa.bindparam("card_id")
    ),
    "star": sa.select(_STARS.c.question_id, *(_STARS.c[p] for p in STAR_PARTS)).where(
        _STARS.c.scorecard_id == sa.bindparam("card_id")
    ),
    "flags": sa.select(scorecard_red_flags.c.red_flag_id).where(
        scorecard_red_flags.c.scorecard_id == sa.bindparam("card_id")
    ),
}
_CARD_ROW = (
    sa.select(
        _CARDS.c.id,
        _CARDS.c.interviewer_id,
        _CARDS.c.version_id,
        _CARDS.c.interview_id,
        _CARDS.c.status,
        _CARDS.c.lock_version,
        _INTERVIEWS_T.c.status.label("interview_status"),
    )
    .join(_INTERVIEWS_T, _CARDS.c.interview_id == _INTERVIEWS_T.c.id)
    .where(_CARDS.c.id == sa.bindparam("card_id"))
    .with_for_update(of=_CARDS)
)
# UPDATEs whose SET clause comes from the parameters given at execution.
_UPDATE_ROW = {
    "rating": sa.update(_RATINGS).where(
        _RATINGS.c.scorecard_id == sa.bindparam("w_card"),
        _RATINGS.c.criterion_id == sa.bindparam("w_key"),
    ),
    "star": sa.update(_STARS).where(
        _STARS.c.scorecard_id == sa.bindparam("w_card"),
        _STARS.c.question_id == sa.bindparam("w_key"),
    ),
}
_INSERT_ROW = {"rating": sa.insert(_RATINGS), "star": sa.insert(_STARS)}
_BUMP = sa.update(_CARDS).where(
    _CARDS.c.id == sa.bindparam("w_id"), _CARDS.c.lock_version == sa.bindparam("w_lock")
)
# Autosave in one statement: the version bump succeeds only for the author's own draft, at
# the lock_version the writer saw, while its interview is not cancelled (the conditions
# `autosave` checks one by one), and returns what the rest of the save needs. On
# PostgreSQL the UPDATE locks the row as FOR UPDATE did; a concurrent save with the same
# lock_version then matches nothing and takes the checked path, which answers 409.
_SAVE_DRAFT = (
    sa.update(_CARDS)
    .where(
        _CARDS.c.id == sa.bindparam("w_id"),
        _CARDS.c.interviewer_id == sa.bindparam("w_user"),
        _CARDS.c.lock_version == sa.bindparam("w_lock"),
        _CARDS.c.status == ScorecardStatus.DRAFT,
        sa.exists().where(
            _INTERVIEWS_T.c.id == _CARDS.c.interview_id,
            _INTERVIEWS_T.c.status != InterviewStatus.CANCELLED,
        ),
    )
    .returning(_CARDS.c.version_id, _CARDS.c.interview_id)
)


# --- reading -------------------------------------------------------------------------------


def get_own_card(card_id: int, user: User, *, for_update: bool = False) -> Scorecard | None:
    """The user's own scorecard, or None (the caller answers 404 for anybody else's).

    Its interview comes in the same query. `for_update` locks the scorecard row on
    PostgreSQL so concurrent saves of one scorecard queue up; SQLite's BEGIN IMMEDIATE
    already serialises writes.
    """
    card = db.session.scalar(_CARD_FOR_UPDATE if for_update else _CARD, {"card_id": card_id})
    if card is None or card.interviewer_id != user.id:
        return None
    return card


@dataclass
class CardRow:
    """What an autosave needs of a scorecard, read with one plain query.

    Autosave is the app's hottest path; loading the full scorecard and its interview as
    model objects cost a fifth of its time (scripts/bench_kit.py).
    """

    id: int
    interviewer_id: int
    version_id: int
    interview_id: int
    status: ScorecardStatus
    lock_version: int
    interview_status: InterviewStatus
    updated_at: datetime | None = None


def card_for_save(card_id: int, user: User) -> CardRow | None:
    """The user's own scorecard, locked for writing (FOR UPDATE on PostgreSQL), or None."""
    row = db.session.execute(_CARD_ROW, {"card_id": card_id}).first()
    if row is None or row.interviewer_id != user.id:
        return None
    return CardRow(
        id=row.id,
        interviewer_id=row.interviewer_id,
        version_id=row.version_id,
        interview_id=row.interview_id,
        status=ScorecardStatus(row.status),
        lock_version=row.lock_version,
        interview_status=InterviewStatus(row.interview_status),
    )


def field_values(
    card: Scorecard, flag_ids: list[int] | None = None, ticked: set[int] | None = None
) -> dict[str, Any]:
    """The scorecard's current content as the flat field map (own data only).

    `flag_ids`, the job's red flags, and `ticked`, those of them this scorecard ticks, can
    be passed by a caller that has them loaded.
    """
    fields: dict[str, Any] = {"overall": card.overall, "takeaways": card.takeaways or ""}
    for crit_id, value, note in db.session.execute(_FIELD_QUERIES["ratings"], {"card_id": card.id}):
        fields[f"rating.{crit_id}.value"] = value
        fields[f"rating.{crit_id}.note"] = note or ""
    for row in db.session.execute(_FIELD_QUERIES["star"], {"card_id": card.id}):
        for part, text in zip(STAR_PARTS, row[1:], strict=True):
            fields[f"star.{row[0]}.{part}"] = text or ""
    if ticked is None:
        ticked = set(db.session.scalars(_FIELD_QUERIES["flags"], {"card_id": card.id}))
    if flag_ids is None:
        flag_ids = list(
            db.session.scalars(sa.select(RedFlag.id).where(RedFlag.job_id == _job_id(card)))
        )
    for flag_id in flag_ids:
        fields[f"flag.{flag_id}"] = flag_id in ticked
    return fields


def card_state(card: Scorecard) -> dict[str, Any]:
    """What the kit needs to rebuild its view: lock, status, times and every field."""
    return {
        "id": card.id,
        "lock_version": card.lock_version,
        "status": card.status.value,
        "submitted_at": iso_utc(card.submitted_at),
        "edited_at": iso_utc(card.edited_at),
        "fields": field_values(card),
    }


def iso_utc(value: datetime | None) -> str | None:
    """Naive UTC → ISO 8601 with a Z, for JSON."""
    return value.isoformat() + "Z" if value is not None else None


def _job_id(card: Scorecard) -> int:
    return db.session.scalar(
        sa.select(Application.job_id)
        .join(Interview, Interview.application_id == Application.id)
        .where(Interview.id == card.interview_id)
    )


def _interview_status(card: Scorecard) -> InterviewStatus:
    return card.interview.status  # loaded with the card by get_own_card


# --- validating and applying changes --------------------------------------------------------


def _parse_key(key: object) -> tuple[str, int | None, str | None]:
    """Split a field key into (kind, id, part); raise InvalidField for anything else."""
    if isinstance(key, str):
        parts = key.split(".")
        if key in ("overall", "takeaways"):
            return key, None, None
        if len(parts) == 3 and parts[0] == "rating" and parts[1].isdecimal():
            if parts[2] in ("value", "note"):
                return "rating", int(parts[1]), parts[2]
        if len(parts) == 3 and parts[0] == "star" and parts[1].isdecimal():
            if parts[2] in STAR_PARTS:
                return "star", int(parts[1]), parts[2]
        if len(parts) == 2 and parts[0] == "flag" and parts[1].isdecimal():
            return "flag", int(parts[1]), None
    shown = key if isinstance(key, str) else repr(key)
    raise InvalidField(str(shown)[:80], _("This is not a field of the scorecard."))


def _check_scale(field: str, value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 4:
        raise InvalidField(field, _("A rating must be 1 to 4, or not assessed."))
    return value


def _check_text(field: str, value: object) -> str:
    if not isinstance(value, str):
        raise InvalidField(field, _("This field takes text."))
    if len(value) > TEXT_MAX:
        raise InvalidField(
            field,
            _(
                "This text is too long: at most %(max)d characters (now %(n)d).",
                max=TEXT_MAX,
                n=len(value),
            ),
        )
    if "\x00" in value:
        raise InvalidField(field, _("This text contains a character that cannot be stored."))
    return value


Change = tuple[str, str, int | None, str | None, Any]  # field, kind, id, part, value


def _validate(card: Scorecard | CardRow, changes: object) -> list[Change]:
    """Check the changes' shape and values; return them as (field, kind, id, part, value).

    Whether a criterion or STAR question belongs to the scorecard's version is checked by
    `_apply` when its row is first created: an existing row already proves it, and skipping
    that query on every keystroke's save is a tenth of autosave's time (scripts/bench_kit.py).
    """
    parsed = _parse_changes(changes)
    _check_flags(card, parsed)
    return parsed


def _parse_changes(changes: object) -> list[Change]:
    """The changes' shape and values, checked without the database."""
    if not isinstance(changes, Mapping) or not changes:
        raise InvalidField(None, _("Nothing to save."))
    if len(changes) > CHANGES_MAX:
        raise InvalidField(None, _("Too many changes in one request."))
    parsed = []
    for key, value in changes.items():
        kind, obj_id, part = _parse_key(key)
        if kind == "overall" or (kind == "rating" and part == "value"):
            value = _check_scale(key, value)
        elif kind == "flag":
            if not isinstance(value, bool):
                raise InvalidField(key, _("A red flag is either ticked or not."))
        else:
            value = _check_text(key, value)
        parsed.append((key, kind, obj_id, part, value))
    return parsed


def _check_flags(card: Scorecard | CardRow, parsed: list[Change]) -> None:
    """Refuse a red flag the scorecard's job does not offer."""
    if any(kind == "flag" for _f, kind, _i, _p, _v in parsed):
        known = set(db.session.scalars(_FLAGS_OF_CARD, {"interview_id": card.interview_id}))
        _reject_unknown(parsed, "flag", known, _("This red flag is not offered for this job."))


def _reject_unknown(parsed: list[Change], kind: str, known: set[int], message: str) -> None:
    for field, k, obj_id, _part, _value in parsed:
        if k == kind and obj_id not in known:
            raise InvalidField(field, message)


_UNKNOWN_MESSAGE = {
    "rating": lambda: _("This criterion is not part of this scorecard."),
    "star": lambda: _("This question of the scorecard takes no STAR."),
}


def _apply(card: Scorecard | CardRow, parsed: list[Change], now: datetime) -> None:
    """Write validated changes to ratings, STAR evidence and red flags.

    Raises InvalidField for a criterion or question outside the scorecard's version; the
    caller rolls back, so nothing of the request stays written.

    Plain UPDATE-then-INSERT statements: the scorecard row is locked (FOR UPDATE, or SQLite's
    BEGIN IMMEDIATE), so no other writer can insert the same row in between. The scorecard's
    own columns are written by `_bump` with the lock_version check.
    """
    grouped: dict[tuple[str, int], dict[str, Any]] = {}
    first_field: dict[tuple[str, int], str] = {}
    flags: dict[int, bool] = {}
    for field, kind, obj_id, part, value in parsed:
        if kind in ("rating", "star"):
            grouped.setdefault((kind, obj_id), {})[part] = value
            first_field.setdefault((kind, obj_id), field)
        elif kind == "flag":
            flags[obj_id] = value
    known: dict[str, set[int]] = {}
    for (kind, obj_id), values in grouped.items():
        if kind == "rating":
            values = {**values, "updated_at": now}
            defaults: dict[str, Any] = {"criterion_id": obj_id, "value": None, "note": ""}
        else:
            defaults = {"question_id": obj_id, **{p: "" for p in STAR_PARTS}}
        done = db.session.execute(_UPDATE_ROW[kind], {**values, "w_card": card.id, "w_key": obj_id})
        if done.rowcount:
            continue  # the row exists, so its criterion or question was checked when created
        if kind not in known:
            known[kind] = set(db.session.scalars(_KNOWN[kind], {"version_id": card.version_id}))
        if obj_id not in known[kind]:
            raise InvalidField(first_field[(kind, obj_id)], _UNKNOWN_MESSAGE[kind]())
        db.session.execute(_INSERT_ROW[kind], {**defaults, "scorecard_id": card.id, **values})
    if flags:
        ticked = set(
            db.session.scalars(
                sa.select(scorecard_red_flags.c.red_flag_id).where(
                    scorecard_red_flags.c.scorecard_id == card.id
                )
            )
        )
        for flag_id, on in flags.items():
            if on and flag_id not in ticked:
                db.session.execute(
                    scorecard_red_flags.insert().values(scorecard_id=card.id, red_flag_id=flag_id)
                )
            elif not on and flag_id in ticked:
                db.session.execute(
                    scorecard_red_flags.delete().where(
                        scorecard_red_flags.c.scorecard_id == card.id,
                        scorecard_red_flags.c.red_flag_id == flag_id,
                    )
                )


def _bump(
    card: Scorecard | CardRow,
    lock_version: int,
    now: datetime,
    parsed: list[Change],
    **extra: Any,
):
    """Write the scorecard's own fields and lock_version + 1, only if the lock still matches.

    The WHERE on lock_version makes the check atomic in the database too: a concurrent
    writer that got past the Python check still cannot win twice.
    """
    values: dict[str, Any] = {"lock_version": lock_version + 1, "updated_at": now, **extra}
    for _field, kind, _id, _part, value in parsed:
        if kind in ("overall", "takeaways"):
            values[kind] = value
    done = db.session.execute(_BUMP, {**values, "w_id": card.id, "w_lock": lock_version})
    if done.rowcount != 1:
        raise Conflict()
    for name, value in values.items():
        if isinstance(card, Scorecard):
            set_committed_value(card, name, value)  # shows what was written, not dirty
        else:
            setattr(card, name, value)


def _check_writable(interview_status: InterviewStatus, current: int, lock_version: object) -> None:
    if interview_status == InterviewStatus.CANCELLED:
        raise Locked(
            "cancelled",
            _("This interview was cancelled: its scorecard can no longer be changed."),
        )
    if isinstance(lock_version, bool) or not isinstance(lock_version, int):
        raise InvalidField("lock_version", _("The page sent no version: reload it."))
    if lock_version != current:
        raise Conflict()


def autosave(card: CardRow, lock_version: object, changes: object) -> CardRow:
    """Save a draft's changed fields if `lock_version` is current; bump the version.

    Load `card` with card_for_save. Raises Conflict, Locked or InvalidField; in every case
    nothing is written (the caller rolls back). Returns the card with its new lock_version
    and updated_at.
    """
    if card.status == ScorecardStatus.SUBMITTED:
        raise Locked(
            "submitted",
            _("This scorecard is already submitted: edit it with a reason instead."),
        )
    _check_writable(card.interview_status, card.lock_version, lock_version)
    parsed = _validate(card, changes)
    now = utcnow()
    _bump(card, card.lock_version, now, parsed)
    _apply(card, parsed, now)
    return card


def autosave_current(
    card_id: int, user: User, lock_version: object, changes: object
) -> CardRow | None:
    """Autosave when nothing stands in the way, in the fewest statements; else None.

    None means: the scorecard is not the user's draft at this lock_version, or the changes
    are malformed — nothing was written, and the caller takes the checked path
    (`card_for_save` + `autosave`), which gives the same answer as always (404, Locked,
    Conflict or InvalidField, in that order). May raise InvalidField for a red flag,
    criterion or question outside the scorecard; the caller rolls back.
    """
    if isinstance(lock_version, bool) or not isinstance(lock_version, int):
        return None
    try:
        parsed = _parse_changes(changes)
    except InvalidField:
        return None
    now = utcnow()
    values: dict[str, Any] = {"lock_version": lock_version + 1, "updated_at": now}
    for _field, kind, _id, _part, value in parsed:
        if kind in ("overall", "takeaways"):
            values[kind] = value
    row = db.session.execute(
        _SAVE_DRAFT, {**values, "w_id": card_id, "w_user": user.id, "w_lock": lock_version}
    ).first()
    if row is None:
        return None
    card = CardRow(
        id=card_id,
        interviewer_id=user.id,
        version_id=row.version_id,
        interview_id=row.interview_id,
        status=ScorecardStatus.DRAFT,
        lock_version=lock_version + 1,
        interview_status=InterviewStatus.SCHEDULED,
        updated_at=now,
    )
    _check_flags(card, parsed)
    _apply(card, parsed, now)
    return card


def set_rating(card: Scorecard, criterion_id: int, value: int | None, note: str = "") -> Rating:
    """Create or update one rating of a draft scorecard (seeding and scripts; no lock check)."""
    parsed = _validate(
        card, {f"rating.{criterion_id}.value": value, f"rating.{criterion_id}.note": note}
    )
    db.session.flush()
    _apply(card, parsed, utcnow())
    db.session.expire(card, ["ratings"])
    rating = db.session.scalar(
        sa.select(Rating)
        .where(Rating.scorecard_id == card.id, Rating.criterion_id == criterion_id)
        .execution_options(populate_existing=True)
    )
    assert rating is not None
    return rating


# --- submitting -----------------------------------------------------------------------------


Ratings = dict[int, tuple[int | None, str]]  # criterion id → (value, note)


def _ratings(card_id: int) -> Ratings:
    # Plain rows, not ORM objects: autosave writes with Core statements, so an object loaded
    # earlier in this session could be stale.
    return {
        crit_id: (value, note or "")
        for crit_id, value, note in db.session.execute(
            _FIELD_QUERIES["ratings"], {"card_id": card_id}
        )
    }


def missing_for_submit(card: Scorecard, ratings: Ratings | None = None) -> list[tuple[str, str]]:
    """Each item that blocks submitting, as (field, message): must-haves, notes, overall."""
    by_criterion = _ratings(card.id) if ratings is None else ratings
    criteria = db.session.execute(
        sa.select(_CRITERIA_T.c.id, _CRITERIA_T.c.must_have)
        .where(_CRITERIA_T.c.version_id == card.version_id)
        .order_by(_CRITERIA_T.c.position, _CRITERIA_T.c.id)
    )
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
    by_criterion = _ratings(card.id) if ratings is None else ratings
    flags = db.session.scalars(
        sa.select(_FLAGS_T.c.key)
        .join(scorecard_red_flags, scorecard_red_flags.c.red_flag_id == _FLAGS_T.c.id)
        .where(scorecard_red_flags.c.scorecard_id == card.id)
        .order_by(_FLAGS_T.c.key)
    )
    stars = {
        str(row[0]): {part: text or "" for part, text in zip(STAR_PARTS, row[1:], strict=True)}
        for row in db.session.execute(_FIELD_QUERIES["star"], {"card_id": card.id})
    }
    return {
        "version_id": card.version_id,
        "overall": card.overall,
        "takeaways": card.takeaways or "",
        "red_flags": list(flags),
        "ratings": {str(c): {"value": v, "note": n} for c, (v, n) in sorted(by_criterion.items())},
        "star": stars,
    }


def check_submission_key(key: object) -> str:
    """A client-generated key: 8–64 letters, digits, '-' or '_'."""
    if not isinstance(key, str) or not KEY_RE.match(key):
        raise InvalidField("submission_key", _("The page sent no valid submission key: reload it."))
    return key


def existing_submission(card_id: int) -> ScorecardSubmission | None:
    """The scorecard's submission, read fresh from the database."""
    return db.session.scalar(
        sa.select(ScorecardSubmission)
        .where(ScorecardSubmission.scorecard_id == card_id)
        .execution_options(populate_existing=True)
    )


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
    _check_writable(
        _interview_status(card),
        card.lock_version,
        card.lock_version if lock_version is None else lock_version,
    )
    ratings = _ratings(card.id)
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
        job_id=_job_id(card),
        after={"overall": card.overall, "submission_key": submission_key},
    )
    announce.scorecard_submitted(card)
    return submission


# --- editing after submission ---------------------------------------------------------------


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
    if not isinstance(reason, str) or not reason.strip():
        raise InvalidField("reason", _("Give a reason for changing a submitted scorecard."))
    if len(reason) > REASON_MAX or "\x00" in reason:
        raise InvalidField(
            "reason", _("The reason is too long: at most %(max)d characters.", max=REASON_MAX)
        )
    _check_writable(_interview_status(card), card.lock_version, lock_version)
    parsed = _validate(card, changes)
    before = field_values(card)
    diff = {f: (before.get(f), v) for f, _k, _i, _p, v in parsed if before.get(f) != v}
    if not diff:
        return diff
    now = utcnow()
    _bump(card, card.lock_version, now, parsed, edited_at=now)
    _apply(card, parsed, now)
    problems = missing_for_submit(card)
    if problems:
        raise Incomplete(problems)  # the caller rolls back: a submitted card stays complete
    audit.record(
        "scorecard.edit",
        "scorecard",
        card.id,
        actor=actor,
        job_id=_job_id(card),
        before={"fields": {k: b for k, (b, _a) in diff.items()}},
        after={"fields": {k: a for k, (_b, a) in diff.items()}, "reason": reason.strip()},
    )
    announce.scorecard_edited(card, diff)
    return diff
