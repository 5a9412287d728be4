"""Live scoring: autosave with an optimistic lock, submit once, audited edits.

The package, one module per part (callers import the names below from here):

    fields.py      the flat field map: key format, limits, the parser of changes
    errors.py      Conflict, Locked, Incomplete, InvalidField
    statements.py  the SQL, built once at import (autosave is the app's hottest path)
    reading.py     the owner's card, the row autosave locks, the field map, the kit's state
    saving.py      autosave of a draft, and the writes submit and edit share
    submission.py  submit once (frozen as a snapshot), edit after submission with a reason
"""

from scorecard.services.scorecards.errors import Conflict, Incomplete, InvalidField, Locked
from scorecard.services.scorecards.fields import (
    CHANGES_MAX,
    FIELD_KEY_PATTERN,
    KEY_RE,
    REASON_MAX,
    STAR_PARTS,
    SUBMISSION_KEY_PATTERN,
    TEXT_MAX,
    Change,
    check_submission_key,
    parse_changes,
)
from scorecard.services.scorecards.reading import (
    CardRow,
    card_for_save,
    card_state,
    field_values,
    get_own_card,
    iso_utc,
)
from scorecard.services.scorecards.saving import autosave, autosave_current, set_rating
from scorecard.services.scorecards.submission import (
    Ratings,
    edit_submitted,
    existing_submission,
    missing_for_submit,
    snapshot,
    submit,
)

__all__ = [
    "CHANGES_MAX",
    "FIELD_KEY_PATTERN",
    "KEY_RE",
    "REASON_MAX",
    "STAR_PARTS",
    "SUBMISSION_KEY_PATTERN",
    "TEXT_MAX",
    "CardRow",
    "Change",
    "Conflict",
    "Incomplete",
    "InvalidField",
    "Locked",
    "Ratings",
    "autosave",
    "autosave_current",
    "card_for_save",
    "card_state",
    "check_submission_key",
    "edit_submitted",
    "existing_submission",
    "field_values",
    "get_own_card",
    "iso_utc",
    "missing_for_submit",
    "parse_changes",
    "set_rating",
    "snapshot",
    "submit",
]
