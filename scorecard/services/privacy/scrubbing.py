"""Scrubbing erased values out of text and JSON (the audit trail): which keys hold free text,
which texts are worth scrubbing, and the scrub itself (in Python, or on PostgreSQL through
the SECURITY DEFINER function)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from scorecard.extensions import db
from scorecard.models import AuditEvent

ERASED = "[erased]"
SCRUB_FUNCTION = "scorecard_erase_audit_values"
# Keys whose values in audit rows about the candidate's own objects are free text or contact
# data: earlier values (before an edit) are scrubbed too, not only the current ones.
FREE_TEXT_KEYS = frozenset(
    {
        "name",
        "email",
        "phone",
        "source",
        "note",
        "notes",
        "resume",
        "takeaways",
        "situation",
        "task",
        "action",
        "result",
        "rationale",
        "reason",
        "comment",
        "text",
    }
)
MIN_NEEDLE = 2  # a Chinese name can be two characters


def _strings(value: Any) -> list[str]:
    """Every string inside a JSON value."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _free_text(value: Any) -> list[str]:
    """The strings under free-text keys of a JSON value, at any depth."""
    out: list[str] = []
    if isinstance(value, dict):
        for key, inner in value.items():
            # "rating.12.note" and "star.3.result" (scorecard edits) count by their last part.
            if str(key).rsplit(".", 1)[-1] in FREE_TEXT_KEYS:
                out.extend(_strings(inner))
            else:
                out.extend(_free_text(inner))
    elif isinstance(value, list):
        for inner in value:
            out.extend(_free_text(inner))
    return out


def _scrub_text(text: str, needles: list[str]) -> str:
    for needle in needles:
        text = text.replace(needle, ERASED)
    return text


def _scrub_json(value: Any, needles: list[str]) -> Any:
    """Replace the needles inside every string value (keys stay), as the SQL function does."""
    if isinstance(value, str):
        return _scrub_text(value, needles)
    if isinstance(value, dict):
        return {k: _scrub_json(v, needles) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub_json(v, needles) for v in value]
    return value


def needles_from(texts: list[str]) -> list[str]:
    """The distinct texts worth scrubbing, longest first (so a name inside a note goes too)."""
    out = set()
    for text in texts:
        for variant in (text, (text or "").strip()):
            # Too short to identify anyone, or a piece of the replacement itself.
            if variant and len(variant) >= MIN_NEEDLE and variant not in ERASED:
                out.add(variant)
    return sorted(out, key=lambda t: (-len(t), t))


def _has_scrub_function() -> bool:
    if db.session.get_bind().dialect.name != "postgresql":
        return False
    found = db.session.scalar(
        sa.text("SELECT count(*) FROM pg_proc WHERE proname = :name"), {"name": SCRUB_FUNCTION}
    )
    return bool(found)


def _scrub_audit(events: list[AuditEvent], needles: list[str]) -> int:
    """Scrub the needles out of these events' before/after; returns how many changed."""
    changed = [
        e
        for e in events
        if _scrub_json(e.before, needles) != e.before or _scrub_json(e.after, needles) != e.after
    ]
    if not changed:
        return 0
    if _has_scrub_function():
        db.session.flush()
        db.session.execute(
            sa.text(
                "SELECT scorecard_erase_audit_values(CAST(:ids AS integer[]), "
                "CAST(:needles AS text[]))"
            ),
            {"ids": [e.id for e in changed], "needles": needles},
        )
        for event in changed:
            db.session.expire(event, ["before", "after"])
    else:
        for event in changed:
            event.before = _scrub_json(event.before, needles)
            event.after = _scrub_json(event.after, needles)
    return len(changed)
