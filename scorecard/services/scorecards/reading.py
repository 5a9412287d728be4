"""Reading a scorecard: the owner's card, the plain row autosave locks, the field map, the state."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from scorecard.database import core
from scorecard.extensions import db
from scorecard.models import InterviewStatus, Scorecard, ScorecardStatus, User
from scorecard.services.scorecards import statements as q
from scorecard.services.scorecards.fields import STAR_PARTS


def get_own_card(card_id: int, user: User, *, for_update: bool = False) -> Scorecard | None:
    """The user's own scorecard, or None (the caller answers 404 for anybody else's).

    Its interview comes in the same query. `for_update` locks the scorecard row on
    PostgreSQL so concurrent saves of one scorecard queue up; SQLite's BEGIN IMMEDIATE
    already serialises writes.
    """
    card = db.session.scalar(q.CARD_FOR_UPDATE if for_update else q.CARD, {"card_id": card_id})
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
    row = db.session.execute(q.CARD_ROW, {"card_id": card_id}).first()
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
    card: Scorecard,
    flag_ids: list[int] | None = None,
    ticked: set[int] | None = None,
    content: Iterable[Sequence[Any]] | None = None,
) -> dict[str, Any]:
    """The scorecard's current content as the flat field map (own data only).

    `flag_ids`, the job's red flags, `ticked`, those of them this scorecard ticks, and
    `content`, the rows of statements.CONTENT, can be passed by a caller that has them.
    """
    fields: dict[str, Any] = {"overall": card.overall, "takeaways": card.takeaways or ""}
    if content is None:
        content = core(q.CONTENT, {"card_id": card.id})
    for kind, ref, value, *texts in content:
        if kind == "r":
            fields[f"rating.{ref}.value"] = value
            fields[f"rating.{ref}.note"] = texts[0] or ""
        else:
            for part, text in zip(STAR_PARTS, texts, strict=True):
                fields[f"star.{ref}.{part}"] = text or ""
    if ticked is None:
        ticked = set(core(q.FIELD_QUERIES["flags"], {"card_id": card.id}).scalars())
    if flag_ids is None:
        flag_ids = list(db.session.scalars(q.FLAGS_OF_JOB, {"job_id": job_id_of(card)}))
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


def job_id_of(card: Scorecard) -> int:
    """The job the scorecard's interview belongs to (one query)."""
    return db.session.scalar(q.JOB_OF_INTERVIEW, {"interview_id": card.interview_id})


def interview_status_of(card: Scorecard) -> InterviewStatus:
    """Its interview's status: loaded with the card by get_own_card."""
    return card.interview.status
