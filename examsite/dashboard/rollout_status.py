"""The rollout status of a congress body: the one rule that tells a live county from a
lagging one (pure: no Flask, no database; the figures come from ``dashboard.readiness``)."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

#: Without an action by its own staff for this long, a body has stalled.
STALE_AFTER = timedelta(days=90)


class RolloutStatus(StrEnum):
    """Where a body is in its rollout, in the order it goes through them."""

    NOT_STARTED = "not_started"  # 未启用
    CONFIGURING = "configuring"  # 配置中
    LIVE = "live"  # 已上线
    STALLED = "stalled"  # 停滞


def rollout_status(
    *,
    first_login: datetime | None,
    last_activity: datetime | None,
    bank_ready: bool,
    templates_ready: bool,
    sitting_held: bool,
    now: datetime,
    stale_after: timedelta = STALE_AFTER,
) -> RolloutStatus:
    """The body's status, from what its own staff (users of the body, never an
    administrator above looking at it) did:

    - 未启用 (NOT_STARTED): none of its staff has logged in yet;
    - 停滞 (STALLED): someone logged in once, but its staff did nothing (no audited action,
      logins included) within ``stale_after`` before ``now`` — whether it was live or still
      configuring;
    - 配置中 (CONFIGURING): active, but the bank cannot serve each post category, a category
      has no paper template, or no sitting has been held (closed) yet;
    - 已上线 (LIVE): active within ``stale_after``, ready, and a sitting held.

    ``last_activity`` is the latest action of its own staff; all times are naive UTC."""
    if first_login is None:
        return RolloutStatus.NOT_STARTED
    if last_activity is None or last_activity < now - stale_after:
        return RolloutStatus.STALLED
    if not (bank_ready and templates_ready and sitting_held):
        return RolloutStatus.CONFIGURING
    return RolloutStatus.LIVE
