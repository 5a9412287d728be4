"""The interview kit's fixed texts, translated once per language.

The kit page shows about eighty fixed labels and messages; looking each one up in the
catalog on every page view cost a quarter of the page's time (scripts/bench_kit.py). They
depend only on the language, so each language's set is built once and kept.
"""

from functools import lru_cache

from flask import current_app
from flask_babel import lazy_gettext as _l
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup

from scorecard.i18n import current_locale
from scorecard.labels import STAR_LABELS

# Status and dialog texts for the kit's script (static/js/kit.js), as JSON in #kit-messages.
MESSAGES = {
    "idle": _l("All changes saved"),
    "pending": _l("Unsaved changes…"),
    "saving": _l("Saving…"),
    "saved": _l("Saved at %(time)s", time="{time}"),
    "offline": _l("Offline — kept on this device"),
    "signedout": _l("Signed out — kept on this device. Sign in again; saving resumes by itself."),
    "signin": _l("Sign in again"),
    "conflict": _l("Conflict — choose which version to keep"),
    "retrying": _l("Not saved yet — retrying…"),
    "invalid": _l("Not saved: check the highlighted field"),
    "yours": _l("Yours"),
    "server": _l("On the server"),
    "keepMine": _l("Keep mine"),
    "useServer": _l("Use the server’s"),
    "notAssessed": _l("Not assessed"),
    "unrated": _l("Not rated"),
    "ticked": _l("Ticked"),
    "unticked": _l("Not ticked"),
    "empty": _l("(empty)"),
    "submitting": _l("Submitting…"),
    "submitUnsaved": _l(
        "Some changes are not saved yet (offline?). Submit again once they are saved."
    ),
    "submitFailed": _l("Could not submit: check your connection and try again."),
    "problems": _l("Before submitting, fix these:"),
    "editing": _l("Editing a submitted scorecard: give a reason, then save."),
    "noChanges": _l("Nothing was changed."),
    "reloading": _l("Changed on the server: reloading…"),
    "ratingWord": _l("rating"),
    "noteWord": _l("note"),
}

# Labels of the page itself.
LABELS = {
    "kit": _l("Interview kit"),
    "submitted": _l("Submitted"),
    "cancelled_short": _l("Interview cancelled"),
    "all_saved": _l("All changes saved"),
    "shortcuts": _l("Shortcuts"),
    "job": _l("Job"),
    "round": _l("Round"),
    "when": _l("When"),
    "min": _l("min"),
    "location": _l("Location"),
    "video": _l("Video link"),
    "resume": _l("Résumé note"),
    "focus": _l("Focus of this round"),
    "cancelled": _l("This interview was cancelled: its scorecard can no longer be changed."),
    "questions": _l("Questions"),
    "good_answer": _l("What a good answer shows"),
    **STAR_LABELS,
    "question_n": _l("Question %(n)s", n="{n}"),
    "criteria": _l("Criteria"),
    "keys_hint": _l("Keys: j / k move between criteria, 1–4 rate, 0 not assessed, n note, ? help."),
    "must_have": _l("Must-have"),
    "not_assessed": _l("Not assessed"),
    "note": _l("Note"),
    "red_flags": _l("Red flags"),
    "takeaways": _l("Key take-aways"),
    "overall": _l("Overall recommendation"),
    "submit": _l("Submit scorecard"),
    "submit_hint": _l(
        "Submitting checks every must-have rating, a note for each 1 or 4, and the overall "
        "recommendation."
    ),
    "edit": _l("Edit my scorecard"),
    "reason": _l("Reason for the change (required, kept in the audit log)"),
    "save_changes": _l("Save changes"),
    "cancel": _l("Cancel"),
    "panel": _l("The panel's scorecards"),
    "panel_hidden": _l(
        "Your colleagues' scorecards for this round stay hidden until the hiring manager's debrief."
    ),
    "criterion": _l("Criterion"),
    "rating": _l("Rating"),
    "no_colleague": _l("No colleague has submitted a scorecard for this interview yet."),
    "conflict_title": _l("Changed in another tab or device"),
    "conflict_text": _l(
        "These fields were changed elsewhere while you edited them. Choose which value to "
        "keep for each."
    ),
    "all_mine": _l("Keep all of mine"),
    "all_server": _l("Use all from the server"),
    "help_title": _l("Keyboard shortcuts"),
    "help_jk": _l("Next / previous criterion"),
    "help_rate": _l("Rate the current criterion (strong no … strong yes)"),
    "help_note": _l("Write a note for the current criterion"),
    "help_esc": _l("Leave the note and go back to the criterion"),
    "help_help": _l("Show or hide this help"),
    "help_typing": _l("Shortcuts are off while you type in a text field."),
    "close": _l("Close"),
}


@lru_cache(maxsize=8)
def _for_locale(locale: str) -> tuple[dict[str, str], dict[str, str]]:
    # Called inside a request whose locale is `locale`, so str() translates into it.
    from scorecard.labels import DIMENSION_LABELS, RATING_LABELS

    labels = {key: str(text) for key, text in LABELS.items()}
    labels.update({f"dimension.{d.value}": str(t) for d, t in DIMENSION_LABELS.items()})
    labels.update({f"scale.{v}": str(t) for v, t in RATING_LABELS.items()})
    labels["fallback_title"] = str(_l("Not translated yet: shown in the other language"))
    return {key: str(text) for key, text in MESSAGES.items()}, labels


def kit_texts() -> tuple[dict[str, str], dict[str, str]]:
    """(messages for the script, labels for the page) in the current language."""
    return _for_locale(current_locale())


@lru_cache(maxsize=8)
def _messages_json(locale: str) -> Markup:
    env = current_app.jinja_env  # what the |tojson filter calls, with its settings
    return htmlsafe_json_dumps(
        _for_locale(locale)[0],
        dumps=env.policies["json.dumps_function"],
        **env.policies["json.dumps_kwargs"],
    )


def kit_messages_json() -> Markup:
    """The script's messages as the page's `|tojson` gives them, built once per language."""
    return _messages_json(current_locale())
