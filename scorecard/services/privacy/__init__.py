"""Erasure on request and by retention (GDPR Art. 17, PIPL Art. 47; reliability.md R13).

Erasing a candidate removes their personal data and every free text written about them —
name, contact details, source, résumé note, rating notes, take-aways, STAR evidence, decision
rationales, the submitted snapshots, post-hire outcome notes — and deletes the candidate's
voluntary self-identification; it scrubs those values out of the audit trail. The
scores stay, as anonymous statistics. The erasure itself is audited, without the data.

On PostgreSQL the application's role may not UPDATE audit_events (docs/postgresql-roles.sql):
there the audit values are scrubbed through the SECURITY DEFINER function
``scorecard_erase_audit_values(ids, needles)``, which can only replace text inside the
JSON's string values by "[erased]" (the same rule as `_scrub_json` here).

The pieces: `holdings` (what is held about a candidate), `scrubbing` (the audit trail),
`erasure` (one candidate), `retention`. The names below are the ones callers use as
`privacy.<name>`.
"""

from .erasure import Erasure, erase_candidate
from .holdings import Holdings, gather
from .retention import Due, apply_retention, due_for_retention, set_retention
from .scrubbing import ERASED, FREE_TEXT_KEYS, MIN_NEEDLE, SCRUB_FUNCTION, _scrub_json, needles_from

__all__ = [
    "ERASED",
    "FREE_TEXT_KEYS",
    "MIN_NEEDLE",
    "SCRUB_FUNCTION",
    "Due",
    "Erasure",
    "Holdings",
    "_scrub_json",
    "apply_retention",
    "due_for_retention",
    "erase_candidate",
    "gather",
    "needles_from",
    "set_retention",
]
