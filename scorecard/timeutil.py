"""Time zones: the database stores naive UTC; people see the configured zone."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app


def zone() -> ZoneInfo:
    """The display time zone (config BABEL_DEFAULT_TIMEZONE)."""
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def to_local(value: datetime) -> datetime:
    """Naive UTC → aware local time."""
    return value.replace(tzinfo=UTC).astimezone(zone())


def to_utc(local: datetime) -> datetime:
    """Naive local wall-clock time → naive UTC."""
    return local.replace(tzinfo=zone()).astimezone(UTC).replace(tzinfo=None)


def today_bounds_utc(now_utc: datetime | None = None) -> tuple[datetime, datetime]:
    """Start and end of today in the display zone, as naive UTC."""
    now_local = (now_utc or datetime.now(UTC).replace(tzinfo=None)).replace(tzinfo=UTC)
    local_day = now_local.astimezone(zone()).date()
    start = datetime.combine(local_day, time.min)
    return to_utc(start), to_utc(start + timedelta(days=1))
