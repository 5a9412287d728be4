"""Translated labels for enums, and the template filters that format numbers and times."""

from collections.abc import Collection
from datetime import datetime

from flask import Flask, url_for
from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l

from scorecard.models import (
    Application,
    ApplicationStatus,
    Dimension,
    JobRole,
    JobStatus,
    Role,
    Scorecard,
)

ROLE_LABELS = {
    Role.ADMIN: _l("Admin"),
    Role.HR: _l("HR"),
    Role.MANAGER: _l("Hiring manager"),
    Role.INTERVIEWER: _l("Interviewer"),
}
JOB_ROLE_LABELS = {
    JobRole.RECRUITER: _l("Recruiter"),
    JobRole.HIRING_MANAGER: _l("Hiring manager"),
    JobRole.INTERVIEWER: _l("Interviewer"),
}
DIMENSION_LABELS = {
    Dimension.TECHNICAL: _l("Technical depth"),
    Dimension.BUSINESS: _l("Business understanding"),
    Dimension.ATTITUDE: _l("Attitude"),
    Dimension.ETIQUETTE: _l("Etiquette"),
}
STATUS_LABELS = {
    JobStatus.OPEN: _l("Open"),
    JobStatus.CLOSED: _l("Closed"),
    ApplicationStatus.ACTIVE: _l("Active"),
    ApplicationStatus.ON_HOLD: _l("On hold"),
    ApplicationStatus.HIRED: _l("Hired"),
    ApplicationStatus.REJECTED: _l("Rejected"),
    ApplicationStatus.WITHDRAWN: _l("Withdrawn"),
}
STAR_LABELS = {
    "situation": _l("Situation (S)"),
    "task": _l("Task (T)"),
    "action": _l("Action (A)"),
    "result": _l("Result (R)"),
}
RATING_LABELS = {1: _l("Strong no"), 2: _l("No"), 3: _l("Yes"), 4: _l("Strong yes")}
RECOMMENDATION_LABELS = {
    "strong_hire": _l("Strong hire"),
    "hire": _l("Hire"),
    "lean_no": _l("Lean no"),
    "no_hire": _l("No hire"),
    "incomplete": _l("Incomplete"),
}


AWAITING_HIRE_LABEL = _l("Awaiting hire decision")


def stage_label(app: Application, awaiting: Collection[int] | None = None) -> str:
    """Where an application stands: its round while active (or awaiting the hire decision
    once the last round is advanced), else its status. A list passes `awaiting` (from
    `stages.awaiting_hire_ids` for its rows) so that no row asks the database again."""
    from scorecard.i18n import bilingual_text
    from scorecard.services.stages import is_awaiting_hire

    if app.status == ApplicationStatus.ACTIVE:
        if app.current_round is not None:
            if app.id in awaiting if awaiting is not None else is_awaiting_hire(app):
                return str(AWAITING_HIRE_LABEL)
            return bilingual_text(app.current_round, "name")
        return str(_l("New"))
    return str(STATUS_LABELS[app.status])


def kit_url(card: Scorecard) -> str:
    """Where a panel member opens their interview kit."""
    return url_for("interviews.kit", card_id=card.id)


def localdt(value: datetime | None, fmt: str = "yyyy-MM-dd HH:mm") -> str:
    """Naive UTC → the display time zone, formatted for the current locale."""
    from scorecard.timeutil import to_local

    if value is None:
        return ""
    return format_datetime(to_local(value), fmt, rebase=False)


def num(value: float | int | None, digits: int = 2) -> str:
    """A short number: 2 → '2', 2.5 → '2.5', 3.333 → '3.33'; None → '—'."""
    if value is None:
        return "—"
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".")
    return text or "0"


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        role_label=ROLE_LABELS.get,
        job_role_label=JOB_ROLE_LABELS.get,
        dimension_label=DIMENSION_LABELS.get,
        status_label=STATUS_LABELS.get,
        rating_label=RATING_LABELS.get,
        star_label=STAR_LABELS.get,
        recommendation_label=RECOMMENDATION_LABELS.get,
        stage_label=stage_label,
        kit_url=kit_url,
    )
    app.jinja_env.filters.update(localdt=localdt, num=num)
