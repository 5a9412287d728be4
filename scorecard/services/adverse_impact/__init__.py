"""Adverse impact (issue 14): settings, voluntary self-identification, and the report.

Off by default: an admin turns it on for the installation or for one job, with a purpose
note shown to HR. Self-identification is stored apart from the candidate
(`SelfIdentification`), entered by HR with the candidate's consent (one by one, or imported
from a CSV file whose round trip through the preview is encrypted), and read back only by
`report()` — for admins and users with a compliance grant. No page, export, API answer or
audit text shows a value: the entry form says only whether an answer is on file, and the
audit rows name the category, never the answer (reliability.md R19). Erasure deletes them.

The pieces: `settings` (on/off, purpose, threshold, categories), `self_identification`
(entering and erasing answers), `importing` (the CSV import), `report` (who reads it, and
the figures). The names below are the ones callers use as `adverse_impact.<name>`.
"""

from scorecard.scoring.adverse_impact import MIN_GROUP

from .importing import (
    CONSENT_WORDS,
    IMPORT_ALIASES,
    IMPORT_COLUMNS,
    PREFERS_NOT_WORDS,
    SEAL_HOURS,
    AnswerRow,
    check_import,
    import_self_identification,
    seal,
    unseal,
)
from .report import (
    HIRE_RECOMMENDATIONS,
    JobReport,
    Stage,
    can_read_report,
    grants,
    hr_can_enter_for,
    report,
    reportable_jobs,
    set_grant,
)
from .self_identification import can_enter, erase, on_file, record_self_identification
from .settings import (
    DEFAULT_CATEGORIES,
    PREFERS_NOT,
    PURPOSE_MAX,
    categories_of,
    categories_text,
    configure,
    enabled,
    enabled_anywhere,
    min_hires,
    parse_categories,
    purpose,
    set_min_hires,
    setting,
)

__all__ = [
    "CONSENT_WORDS",
    "DEFAULT_CATEGORIES",
    "HIRE_RECOMMENDATIONS",
    "IMPORT_ALIASES",
    "IMPORT_COLUMNS",
    "MIN_GROUP",
    "PREFERS_NOT",
    "PREFERS_NOT_WORDS",
    "PURPOSE_MAX",
    "SEAL_HOURS",
    "AnswerRow",
    "JobReport",
    "Stage",
    "can_enter",
    "can_read_report",
    "categories_of",
    "categories_text",
    "check_import",
    "configure",
    "enabled",
    "enabled_anywhere",
    "erase",
    "grants",
    "hr_can_enter_for",
    "import_self_identification",
    "min_hires",
    "on_file",
    "parse_categories",
    "purpose",
    "record_self_identification",
    "report",
    "reportable_jobs",
    "seal",
    "set_grant",
    "set_min_hires",
    "setting",
    "unseal",
]
