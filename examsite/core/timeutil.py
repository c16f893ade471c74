"""Time helpers: the database stores naive UTC; pages show the body's local time."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from flask import current_app


def utcnow() -> datetime:
    """Current time as naive UTC, the form every DateTime column stores."""
    return datetime.now(UTC).replace(tzinfo=None)


def local_day_start_utc(day: date, zone: str) -> datetime:
    """The naive-UTC instant at which a calendar day starts in the given time zone."""
    return (
        datetime.combine(day, time.min, tzinfo=ZoneInfo(zone)).astimezone(UTC).replace(tzinfo=None)
    )


def local_to_utc(value: datetime | None) -> datetime | None:
    """A time typed in the site's zone (a form field) as naive UTC for storage."""
    if value is None:
        return None
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return value.replace(tzinfo=zone).astimezone(UTC).replace(tzinfo=None)


def utc_to_local(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return value.replace(tzinfo=UTC).astimezone(zone).replace(tzinfo=None)
