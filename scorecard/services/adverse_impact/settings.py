"""Adverse impact settings: on or off per installation or job, the purpose note, the
'insufficient data' threshold and the self-identification categories."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask_babel import gettext as _

from scorecard.extensions import db
from scorecard.models import AnalyticsSetting, Job, Role, User, utcnow
from scorecard.services import audit
from scorecard.services.errors import DomainError

PREFERS_NOT = "prefers_not_to_say"
DEFAULT_CATEGORIES: dict[str, dict] = {
    "sex": {"zh": "性别", "en": "Sex", "values": ["female", "male"]},
}
PURPOSE_MAX = 2000


def setting(job: Job | None) -> AnalyticsSetting | None:
    """The stored settings row of a job (or of the installation with None)."""
    cond = AnalyticsSetting.job_id.is_(None) if job is None else AnalyticsSetting.job_id == job.id
    return db.session.scalars(
        sa.select(AnalyticsSetting).where(cond).order_by(AnalyticsSetting.id)
    ).first()


def _setting_for_write(job: Job | None) -> AnalyticsSetting:
    row = setting(job)
    if row is None:
        row = AnalyticsSetting(job_id=job.id if job else None, min_hires=30, purpose="")
        db.session.add(row)
        db.session.flush()
    return row


def min_hires(job: Job) -> int:
    """Hires with an outcome needed before a validity figure is shown (job setting, 30)."""
    row = setting(job)
    return row.min_hires if row is not None else 30


def set_min_hires(job: Job, value: int, actor: User) -> None:
    """Change the job's 'insufficient data' threshold."""
    if not 4 <= value <= 10000:
        raise DomainError("min_hires", _("Enter a number from 4 to 10000."))
    row = _setting_for_write(job)
    before = row.min_hires
    row.min_hires = value
    row.updated_at = utcnow()
    audit.record_change(
        "analytics.min_hires",
        "job",
        job.id,
        actor=actor,
        job_id=job.id,
        before={"min_hires": before},
        after={"min_hires": value},
    )


def enabled(job: Job) -> bool:
    """Whether adverse impact is on for this job (on for the installation, or for the job)."""
    rows = db.session.scalars(
        sa.select(AnalyticsSetting.adverse_impact).where(
            sa.or_(AnalyticsSetting.job_id.is_(None), AnalyticsSetting.job_id == job.id)
        )
    )
    return any(rows)


def enabled_anywhere() -> bool:
    """Whether adverse impact is on for the installation or for any job."""
    return bool(
        db.session.scalar(
            sa.select(sa.func.count(AnalyticsSetting.id)).where(
                AnalyticsSetting.adverse_impact.is_(True)
            )
        )
    )


def purpose(job: Job | None = None) -> str:
    """The purpose note HR is shown: the job's own, else the installation's."""
    for row in (setting(job) if job else None, setting(None)):
        if row is not None and row.adverse_impact and row.purpose.strip():
            return row.purpose
    return ""


def configure(
    job: Job | None, on: bool, purpose_note: str, actor: User, categories_text: str | None = None
) -> None:
    """Turn adverse impact on or off for the installation (job None) or one job (admins)."""
    if actor.role != Role.ADMIN:
        raise DomainError(None, _("Only an administrator turns adverse impact on or off."))
    purpose_note = (purpose_note or "").strip()
    if on and not purpose_note:
        raise DomainError("purpose", _("Say why the data is collected: HR is shown this note."))
    if len(purpose_note) > PURPOSE_MAX:
        raise DomainError("purpose", _("Too long (at most %(n)s characters).", n=PURPOSE_MAX))
    categories = parse_categories(categories_text) if categories_text is not None else None
    row = _setting_for_write(job)
    before = {"adverse_impact": row.adverse_impact, "purpose": row.purpose}
    row.adverse_impact = on
    row.purpose = purpose_note
    if categories is not None and job is None:
        before["categories"] = sorted(categories_of())
        row.categories = categories
    row.updated_at = utcnow()
    after = {"adverse_impact": on, "purpose": purpose_note}
    if categories is not None and job is None:
        after["categories"] = sorted(categories)
    audit.record_change(
        "analytics.adverse_impact",
        "job" if job else "installation",
        job.id if job else None,
        actor=actor,
        job_id=job.id if job else None,
        before=before,
        after=after,
    )


def categories_of() -> dict[str, dict]:
    """The configured categories (sex by default): key → {zh, en, values}."""
    row = setting(None)
    if row is not None and row.categories:
        return dict(row.categories)
    return dict(DEFAULT_CATEGORIES)


def categories_text() -> str:
    """The categories as the settings form shows them: one line 'key: value, value'."""
    return "\n".join(f"{k}: {', '.join(v['values'])}" for k, v in categories_of().items())


def parse_categories(text: str | None) -> dict[str, dict]:
    """'key: value, value' lines → categories; 'prefers not to say' is always added later."""
    out: dict[str, dict] = {}
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        key, sep, rest = line.partition(":")
        key = key.strip().lower()
        values = [v.strip() for v in rest.split(",") if v.strip()]
        if not sep or not re.fullmatch(r"[a-z][a-z0-9_]{0,39}", key):
            raise DomainError(
                "categories",
                _("Line %(n)s: write 'key: value, value' with a lower-case key.", n=number),
            )
        if len(values) < 2 or any(len(v) > 80 for v in values) or len(set(values)) != len(values):
            raise DomainError(
                "categories",
                _(
                    "Line %(n)s: give at least two different values of at most 80 characters.",
                    n=number,
                ),
            )
        if PREFERS_NOT in values:
            raise DomainError(
                "categories", _("Line %(n)s: 'prefers not to say' is always offered.", n=number)
            )
        out[key] = {"zh": key, "en": key, "values": values}
        if key in DEFAULT_CATEGORIES:
            out[key]["zh"] = DEFAULT_CATEGORIES[key]["zh"]
            out[key]["en"] = DEFAULT_CATEGORIES[key]["en"]
    if not out:
        raise DomainError("categories", _("Keep at least one category."))
    return out
