"""Rules of the public oath check-in: when it is open, how a typed name is compared
(pure: no Flask, no database)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

WINDOW_NOT_OPEN = "not_open"
WINDOW_OPEN = "open"
WINDOW_CLOSED = "closed"

# The separator in names such as 阿卜杜拉·买买提, typed in many ways (or not at all).
_NAME_DOTS = str.maketrans("", "", "·•‧・･.．")


@dataclass(frozen=True)
class CheckInWindow:
    """The stretch of time (naive UTC) in which participants check in on their phones."""

    opens_at: datetime
    closes_at: datetime

    def status(self, now: datetime) -> str:
        """WINDOW_NOT_OPEN before ``opens_at``, WINDOW_CLOSED after ``closes_at``."""
        if now < self.opens_at:
            return WINDOW_NOT_OPEN
        if now > self.closes_at:
            return WINDOW_CLOSED
        return WINDOW_OPEN


def check_in_window(
    starts_at: datetime,
    ends_at: datetime,
    *,
    open_before_minutes: int,
    close_after_minutes: int,
) -> CheckInWindow:
    """From ``open_before_minutes`` before the ceremony starts to ``close_after_minutes``
    after, and never past the ceremony's own check-in deadline (``ends_at``)."""
    opens_at = starts_at - timedelta(minutes=open_before_minutes)
    closes_at = min(starts_at + timedelta(minutes=close_after_minutes), ends_at)
    return CheckInWindow(opens_at=opens_at, closes_at=max(closes_at, opens_at))


def normalize_name(value: str) -> str:
    """A name as compared at check-in: full-width forms folded (NFKC), spaces and the
    middle dot of transliterated names removed."""
    text = unicodedata.normalize("NFKC", value or "")
    return "".join(text.split()).translate(_NAME_DOTS).casefold()
