"""Autosave of a draft with the optimistic lock, and the writes that submit and edit share.

Every write carries the lock_version the writer last saw; a stale one is a `Conflict`, so two
tabs or devices never silently overwrite each other.
"""

from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy.orm.attributes import set_committed_value

from scorecard.database import core
from scorecard.extensions import db
from scorecard.models import InterviewStatus, Rating, Scorecard, ScorecardStatus, User, utcnow
from scorecard.services.scorecards import statements as q
from scorecard.services.scorecards.errors import Conflict, InvalidField, Locked
from scorecard.services.scorecards.fields import STAR_PARTS, Change, card_columns, parse_changes
from scorecard.services.scorecards.reading import CardRow


def validate(card: Scorecard | CardRow, changes: object) -> list[Change]:
    """Check the changes' shape and values, and that every red flag is the job's.

    Whether a criterion or STAR question belongs to the scorecard's version is checked by
    `apply_changes` when its row is first created: an existing row already proves it, and
    skipping that query on every keystroke's save is a tenth of autosave's time
    (scripts/bench_kit.py).
    """
    parsed = parse_changes(changes)
    check_flags(card, parsed)
    return parsed


def check_flags(card: Scorecard | CardRow, parsed: list[Change]) -> None:
    """Refuse a red flag the scorecard's job does not offer."""
    if any(c.kind == "flag" for c in parsed):
        known = set(core(q.FLAGS_OF_CARD, {"interview_id": card.interview_id}).scalars())
        for c in parsed:
            if c.kind == "flag" and c.obj_id not in known:
                raise InvalidField(c.field, _("This red flag is not offered for this job."))


_UNKNOWN_MESSAGE = {
    "rating": lambda: _("This criterion is not part of this scorecard."),
    "star": lambda: _("This question of the scorecard takes no STAR."),
}


def apply_changes(card: Scorecard | CardRow, parsed: list[Change], now: datetime) -> None:
    """Write validated changes to ratings, STAR evidence and red flags.

    Raises InvalidField for a criterion or question outside the scorecard's version; the
    caller rolls back, so nothing of the request stays written.

    Plain UPDATE-then-INSERT statements: the scorecard row is locked (FOR UPDATE, or SQLite's
    BEGIN IMMEDIATE), so no other writer can insert the same row in between. The scorecard's
    own columns are written by `bump` with the lock_version check.
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
        done = core(q.UPDATE_ROW[kind], {**values, "w_card": card.id, "w_key": obj_id})
        if done.rowcount:
            continue  # the row exists, so its criterion or question was checked when created
        if kind not in known:
            known[kind] = set(core(q.KNOWN_IDS[kind], {"version_id": card.version_id}).scalars())
        if obj_id not in known[kind]:
            raise InvalidField(first_field[(kind, obj_id)], _UNKNOWN_MESSAGE[kind]())
        core(q.INSERT_ROW[kind], {**defaults, "scorecard_id": card.id, **values})
    if flags:
        ticked = set(core(q.FIELD_QUERIES["flags"], {"card_id": card.id}).scalars())
        for flag_id, on in flags.items():
            if on and flag_id not in ticked:
                core(q.TICK_FLAG, {"scorecard_id": card.id, "red_flag_id": flag_id})
            elif not on and flag_id in ticked:
                core(q.UNTICK_FLAG, {"w_card": card.id, "w_flag": flag_id})


def bump(
    card: Scorecard | CardRow,
    lock_version: int,
    now: datetime,
    parsed: list[Change],
    **extra: Any,
) -> None:
    """Write the scorecard's own fields and lock_version + 1, only if the lock still matches.

    The WHERE on lock_version makes the check atomic in the database too: a concurrent
    writer that got past the Python check still cannot win twice.
    """
    values: dict[str, Any] = {
        "lock_version": lock_version + 1,
        "updated_at": now,
        **extra,
        **card_columns(parsed),
    }
    done = core(q.BUMP, {**values, "w_id": card.id, "w_lock": lock_version})
    if done.rowcount != 1:
        raise Conflict()
    for name, value in values.items():
        if isinstance(card, Scorecard):
            set_committed_value(card, name, value)  # shows what was written, not dirty
        else:
            setattr(card, name, value)


def check_writable(interview_status: InterviewStatus, current: int, lock_version: object) -> None:
    """Refuse a write to a cancelled interview's scorecard, or at a stale lock_version."""
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
    check_writable(card.interview_status, card.lock_version, lock_version)
    parsed = validate(card, changes)
    now = utcnow()
    bump(card, card.lock_version, now, parsed)
    apply_changes(card, parsed, now)
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
        parsed = parse_changes(changes)
    except InvalidField:
        return None
    now = utcnow()
    values = {"lock_version": lock_version + 1, "updated_at": now, **card_columns(parsed)}
    row = core(
        q.SAVE_DRAFT, {**values, "w_id": card_id, "w_user": user.id, "w_lock": lock_version}
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
    check_flags(card, parsed)
    apply_changes(card, parsed, now)
    return card


def set_rating(card: Scorecard, criterion_id: int, value: int | None, note: str = "") -> Rating:
    """Create or update one rating of a draft scorecard (seeding and scripts; no lock check)."""
    parsed = validate(
        card, {f"rating.{criterion_id}.value": value, f"rating.{criterion_id}.note": note}
    )
    db.session.flush()
    apply_changes(card, parsed, utcnow())
    db.session.expire(card, ["ratings"])
    rating = db.session.scalar(q.RATING_OF_CARD, {"card_id": card.id, "criterion_id": criterion_id})
    assert rating is not None
    return rating
