"""The shape of the demo term: its sizes and shares, and the time helpers its rows use."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from examsite.appointments.matters import MatterKind

Row = dict[str, Any]

#: The local time zone the records are dated in (the statistics' default).
ZONE = ZoneInfo("Asia/Shanghai")
#: 届次 of the generated term.
TERM_NUMBER = 17
#: How much of a term's work falls in each of its years (a new government is formed in
#: the first one).
YEAR_WEIGHTS = (1.4, 1.0, 0.9, 0.9, 0.8)
#: Shares of the built-in post kinds among appointments (matters.BUILTIN_POST_KINDS
#: order; the last, lower procuratorates' chiefs, is only 批准任命/批准免职's).
POST_SHARES = (3, 4, 15, 5, 40, 33, 0)
#: Chance that an appointed person of each post kind takes the oath at the meeting.
OATH_CHANCE = (0.6, 0.75, 0.75, 0.75, 0.06, 0.06, 0.0)
#: Post kinds whose nominees make a statement at the meeting, and how often.
STATEMENT_KINDS = frozenset({1, 2, 3})
STATEMENT_CHANCE = 0.45
#: The kinds whose persons take the oath at the meeting and report later in the term.
SWORN_KINDS = frozenset({MatterKind.APPOINT, MatterKind.DECIDE_APPOINT})


def utc(day: date, hour: int, minute: int = 0) -> datetime:
    """A local time of day as the naive UTC the database stores."""
    local = datetime.combine(day, time(hour, minute), tzinfo=ZONE)
    return local.astimezone(UTC).replace(tzinfo=None)


def count(rng: random.Random, expected: float) -> int:
    """A whole number whose mean is ``expected``."""
    whole = int(expected)
    return whole + (1 if rng.random() < expected - whole else 0)


#: Out of 100, as in the counties' rules.
PASS_MARK = 60.0  # a mark, not a password # nosec B105
