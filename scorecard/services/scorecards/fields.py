"""The scorecard's flat field map: its key format, its limits, and the one parser of changes.

A scorecard's changes travel as a flat map of *fields* so the browser can keep a ledger of
pending changes and compare them one by one:

    rating.<criterion id>.value   1–4, or null for "not assessed"
    rating.<criterion id>.note    text
    star.<question id>.<part>     text; part is situation, task, action or result
    flag.<red flag id>            true / false
    takeaways                     text
    overall                       1–4, or null

The API's request models (scorecard/api/schemas/requests.py) take FIELD_KEY_PATTERN, the limits and
SUBMISSION_KEY_PATTERN from here; `parse_changes` stays the final word on every save.
"""

import re
from collections.abc import Mapping
from typing import Any, NamedTuple

from flask_babel import gettext as _

from scorecard.services.scorecards.errors import InvalidField

TEXT_MAX = 5000  # characters, for every note, STAR part and the take-aways
REASON_MAX = 1000  # characters of the reason given for editing a submitted scorecard
CHANGES_MAX = 300  # fields in one save: a whole scorecard fits many times over
SCALE_MIN, SCALE_MAX = 1, 4
CARD_FIELDS = ("overall", "takeaways")  # the scorecard's own columns
RATING_PARTS = ("value", "note")
STAR_PARTS = ("situation", "task", "action", "result")

SUBMISSION_KEY_PATTERN = r"^[A-Za-z0-9_-]{8,64}$"
KEY_RE = re.compile(SUBMISSION_KEY_PATTERN)
# The key format as one regex, for request validation and the API document: ids as 1–9
# ASCII digits (the databases' INTEGER). `parse_key` accepts the same keys.
FIELD_KEY_PATTERN = (
    rf"^({'|'.join(CARD_FIELDS)}|rating\.[0-9]{{1,9}}\.({'|'.join(RATING_PARTS)})"
    rf"|star\.[0-9]{{1,9}}\.({'|'.join(STAR_PARTS)})|flag\.[0-9]{{1,9}})$"
)


class Change(NamedTuple):
    """One validated change: the field as sent, what it is, and the value to write."""

    field: str
    kind: str  # "overall", "takeaways", "rating", "star" or "flag"
    obj_id: int | None  # the criterion, question or red flag
    part: str | None  # "value" / "note" of a rating, the STAR part
    value: Any


# Building the tuple directly skips NamedTuple's Python-level __new__: half the cost of
# Change(...), on autosave's hot path once per changed field.
_new_change = tuple.__new__


def parse_key(key: object) -> tuple[str, int | None, str | None]:
    """Split a field key into (kind, id, part); raise InvalidField for anything else."""
    if isinstance(key, str):
        parts = key.split(".")
        if key in CARD_FIELDS:
            return key, None, None
        if len(parts) == 3 and parts[0] == "rating" and parts[1].isdecimal():
            if parts[2] in RATING_PARTS:
                return "rating", int(parts[1]), parts[2]
        if len(parts) == 3 and parts[0] == "star" and parts[1].isdecimal():
            if parts[2] in STAR_PARTS:
                return "star", int(parts[1]), parts[2]
        if len(parts) == 2 and parts[0] == "flag" and parts[1].isdecimal():
            return "flag", int(parts[1]), None
    shown = key if isinstance(key, str) else repr(key)
    raise InvalidField(str(shown)[:80], _("This is not a field of the scorecard."))


def check_scale(field: str, value: object) -> int | None:
    """A rating or the overall: 1–4, or None for not assessed."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not SCALE_MIN <= value <= SCALE_MAX:
        raise InvalidField(field, _("A rating must be 1 to 4, or not assessed."))
    return value


def check_text(field: str, value: object) -> str:
    """A note, STAR part or the take-aways: text of at most TEXT_MAX characters."""
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


def parse_changes(changes: object) -> list[Change]:
    """The changes' shape and values, checked without the database."""
    if not isinstance(changes, Mapping) or not changes:
        raise InvalidField(None, _("Nothing to save."))
    if len(changes) > CHANGES_MAX:
        raise InvalidField(None, _("Too many changes in one request."))
    parsed = []
    for key, value in changes.items():
        kind, obj_id, part = parse_key(key)
        if kind == "overall" or (kind == "rating" and part == "value"):
            value = check_scale(key, value)
        elif kind == "flag":
            if not isinstance(value, bool):
                raise InvalidField(key, _("A red flag is either ticked or not."))
        else:
            value = check_text(key, value)
        parsed.append(_new_change(Change, (key, kind, obj_id, part, value)))
    return parsed


def card_columns(parsed: list[Change]) -> dict[str, Any]:
    """The changes to the scorecard's own columns (overall, takeaways)."""
    return {c.kind: c.value for c in parsed if c.kind in CARD_FIELDS}


def check_reason(reason: object) -> str:
    """The reason for editing a submitted scorecard: some text, at most REASON_MAX."""
    if not isinstance(reason, str) or not reason.strip():
        raise InvalidField("reason", _("Give a reason for changing a submitted scorecard."))
    if len(reason) > REASON_MAX or "\x00" in reason:
        raise InvalidField(
            "reason", _("The reason is too long: at most %(max)d characters.", max=REASON_MAX)
        )
    return reason


def check_submission_key(key: object) -> str:
    """A client-generated key: 8–64 letters, digits, '-' or '_'."""
    if not isinstance(key, str) or not KEY_RE.match(key):
        raise InvalidField("submission_key", _("The page sent no valid submission key: reload it."))
    return key
