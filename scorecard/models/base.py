"""Shared column helpers and enums for the models."""

import enum
from datetime import UTC, datetime

import sqlalchemy as sa

from scorecard.i18n import localized


def utcnow() -> datetime:
    """Naive UTC now: every timestamp is stored as naive UTC on both databases."""
    return datetime.now(UTC).replace(tzinfo=None)


def enum_column(enum_cls: type[enum.Enum], length: int = 20) -> sa.Enum:
    """A portable enum column: VARCHAR plus a CHECK constraint storing the enum values."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        create_constraint=True,
        length=length,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
        name=enum_cls.__name__.lower(),
    )


class Role(enum.StrEnum):
    ADMIN = "admin"
    HR = "hr"
    MANAGER = "manager"
    INTERVIEWER = "interviewer"


class JobRole(enum.StrEnum):
    RECRUITER = "recruiter"
    HIRING_MANAGER = "hiring_manager"
    INTERVIEWER = "interviewer"


class Dimension(enum.StrEnum):
    TECHNICAL = "technical"
    BUSINESS = "business"
    ATTITUDE = "attitude"
    ETIQUETTE = "etiquette"


class JobStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class ApplicationStatus(enum.StrEnum):
    ACTIVE = "active"
    ON_HOLD = "on_hold"
    HIRED = "hired"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class InterviewStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class ScorecardStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


class RoundDecisionKind(enum.StrEnum):
    ADVANCE = "advance"
    HOLD = "hold"
    REJECT = "reject"


class HireDecisionKind(enum.StrEnum):
    HIRE = "hire"
    NO_HIRE = "no_hire"


class Bilingual:
    """Mixin helper: `text(obj, "name", locale)` picks zh or en, falling back visibly."""

    def localized(self, field: str, locale: str) -> tuple[str, bool]:
        """Return (text, is_fallback) for `field` in `locale` ('zh…' or 'en')."""
        return localized(self, field, locale)
