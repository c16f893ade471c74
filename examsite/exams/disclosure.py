"""What a candidate may see of their own result, and from when.

- The score and 合格/不合格: once the paper is graded, at once if the sitting shows scores
  at hand-in, otherwise once staff have released the results; a candidate may log in again
  to read them (``access`` lets a finished candidate in for that, and for nothing else).
- The review (the paper with the right answers): only where the sitting allows it, only
  with the score, and only once the whole room is done (nobody still enrolled or answering)
  or the sitting is closed: the keys never reach a room where someone still sits.
"""

from __future__ import annotations

from sqlalchemy import exists, select

from examsite.core.audit import AuditEvent
from examsite.exams.models import (
    ATTEMPT_ENROLLED,
    ATTEMPT_IN_PROGRESS,
    SHOW_AT_SUBMIT,
    Attempt,
    Sitting,
)
from examsite.extensions import db

#: ``review_status``: no review at all; one that opens later; one open now.
REVIEW_NONE = "none"
REVIEW_WAITING = "waiting"
REVIEW_OPEN = "open"


def results_published(sitting: Sitting) -> bool:
    """Whether the sitting's candidates may see their scores (by setting or by release)."""
    return sitting.show_score == SHOW_AT_SUBMIT or bool(sitting.results_released)


def result_visible(attempt: Attempt) -> bool:
    """Whether the candidate may see their score: handed in, graded and published."""
    return attempt.finished and attempt.score is not None and results_published(attempt.sitting)


def room_finished(sitting: Sitting) -> bool:
    """Closed, or no candidate of the room still enrolled or answering (absent ones count
    as done)."""
    if sitting.is_closed:
        return True
    still_sitting = exists().where(
        Attempt.sitting_id == sitting.id,
        Attempt.status.in_([ATTEMPT_ENROLLED, ATTEMPT_IN_PROGRESS]),
    )
    return not db.session.scalar(select(still_sitting))


def review_status(attempt: Attempt) -> str:
    """REVIEW_NONE, REVIEW_WAITING (allowed, but others still sit) or REVIEW_OPEN."""
    sitting = attempt.sitting
    if not (sitting.allow_review and result_visible(attempt)):
        return REVIEW_NONE
    return REVIEW_OPEN if room_finished(sitting) else REVIEW_WAITING


def forced_reason(attempt: Attempt) -> str | None:
    """The reason an invigilator gave when submitting this paper for the candidate
    (``invigilation.services.force_submit``, kept in its audit entry); None otherwise."""
    event = db.session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.body_id == attempt.body_id,
            AuditEvent.action == "attempt.force_submit",
            AuditEvent.target_type == "Attempt",
            AuditEvent.target_id == str(attempt.id),
        )
        .order_by(AuditEvent.id.desc())
        .limit(1)
    ).first()
    return str(event.details_dict.get("reason") or "") if event is not None else None
