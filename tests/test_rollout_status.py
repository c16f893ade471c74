"""The rollout status rule (pure): 未启用 / 配置中 / 已上线 / 停滞."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from examsite.dashboard.rollout_status import STALE_AFTER, RolloutStatus, rollout_status

NOW = datetime(2026, 12, 7, 12)
READY = {"bank_ready": True, "templates_ready": True, "sitting_held": True}


def status(first_login=NOW - timedelta(days=200), last_activity=NOW, now=NOW, **ready):
    return rollout_status(
        first_login=first_login, last_activity=last_activity, now=now, **{**READY, **ready}
    )


def test_no_login_yet_is_not_started_whatever_else_is_ready():
    assert status(first_login=None, last_activity=None) == RolloutStatus.NOT_STARTED
    assert status(first_login=None) == RolloutStatus.NOT_STARTED


@pytest.mark.parametrize("lacking", ["bank_ready", "templates_ready", "sitting_held"])
def test_active_but_not_ready_is_configuring(lacking):
    assert status(**{lacking: False}) == RolloutStatus.CONFIGURING


def test_ready_and_active_is_live():
    assert status() == RolloutStatus.LIVE
    assert status(last_activity=NOW - STALE_AFTER) == RolloutStatus.LIVE  # the last day counts


@pytest.mark.parametrize("ready", [READY, {**READY, "sitting_held": False}])
def test_no_own_action_for_90_days_is_stalled_live_or_configuring(ready):
    stale = NOW - STALE_AFTER - timedelta(seconds=1)
    assert status(last_activity=stale, **ready) == RolloutStatus.STALLED
    assert status(last_activity=None, **ready) == RolloutStatus.STALLED
