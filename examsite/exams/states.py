"""Exam state rules: the refused-operation error and the signed-sitting lock."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from examsite.exams.models import (
    Sitting,
)


class ExamError(ValueError):
    """A refused exam operation; the message is for the user (Chinese)."""


class SittingLocked(ExamError):
    """A change to a sitting whose record has been signed off (考场记录签字确认)."""


LOCKED_MESSAGE = _l("该场次记录已签字确认，不能再作修改。")


def sitting_locked(sitting: Sitting) -> bool:
    """Whether the sitting record is signed: from then on nothing changes the sitting.

    The one rule. Every service below that changes a sitting, its attempts or answers (and
    the invigilation services: incidents, paper entries) calls ``ensure_unlocked``; every
    non-GET request under a signed sitting's URL is refused before its view runs
    (``examsite.exams.signed``), which also lists the two actions the rule allows."""
    return sitting.signed_off_at is not None


def ensure_unlocked(sitting: Sitting) -> None:
    """Refuse any change to a signed sitting, for everyone: there is no override."""
    if sitting_locked(sitting):
        raise SittingLocked(str(LOCKED_MESSAGE))
