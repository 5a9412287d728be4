"""Post-hire outcomes: checkpoints per job, recording one, importing many from CSV (issue 14).

Who: the job's hiring manager (and admins) record outcomes in the browser; HR on the team
(and admins) import them from a CSV file, checked first and previewed. Interviewers never see
them. Every change is audited (the note under the key "note", so erasure scrubs it); the
erasure of a candidate blanks the notes and keeps the values as anonymous statistics.

The pieces: `checkpoints`, `recording` (permissions, reading, recording, erasure),
`importing` (the CSV import). The names below are the ones callers use as `outcomes.<name>`.
"""

from .checkpoints import (
    DEFAULT_CHECKPOINTS,
    add_checkpoint,
    checkpoints,
    ensure_checkpoints,
    remove_checkpoint,
)
from .importing import COLUMNS, HEADER_ALIASES, OutcomeRow, check_csv, import_outcomes
from .recording import (
    NOTE_MAX,
    PROBATION_WORDS,
    can_import,
    can_read,
    can_record,
    erase,
    held,
    hires,
    outcomes_for,
    parse_value,
    record_outcome,
    value_of,
)

__all__ = [
    "COLUMNS",
    "DEFAULT_CHECKPOINTS",
    "HEADER_ALIASES",
    "NOTE_MAX",
    "PROBATION_WORDS",
    "OutcomeRow",
    "add_checkpoint",
    "can_import",
    "can_read",
    "can_record",
    "check_csv",
    "checkpoints",
    "ensure_checkpoints",
    "erase",
    "held",
    "hires",
    "import_outcomes",
    "outcomes_for",
    "parse_value",
    "record_outcome",
    "remove_checkpoint",
    "value_of",
]
