"""Taking the test: start, autosave, hand-in, the deadline and its periodic job."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select, update

from examsite.core import audit
from examsite.core.dialect import insert_for, session_dialect
from examsite.core.timeutil import utcnow
from examsite.exams.models import (
    ATTEMPT_ENROLLED,
    ATTEMPT_GRADED,
    ATTEMPT_IN_PROGRESS,
    ATTEMPT_SUBMITTED,
    SITTING_OPEN,
    Answer,
    Attempt,
    Sitting,
)
from examsite.exams.results import grade_attempt
from examsite.exams.states import (
    ATTEMPT,
    ExamError,
    ensure_unlocked,
    sitting_locked,
)
from examsite.extensions import db


def can_start(attempt: Attempt, now: datetime | None = None) -> str:
    """ "ok", or why the candidate cannot begin now (early, late, closed)."""
    now = now or utcnow()
    sitting = attempt.sitting
    if attempt.status != ATTEMPT_ENROLLED:
        return "ok" if attempt.status == ATTEMPT_IN_PROGRESS else "finished"
    if sitting.status != SITTING_OPEN:
        return "closed"
    if now < sitting.starts_at:
        return "early"
    if now > sitting.entry_cutoff and not attempt.readmitted:
        return "late"
    return "ok"


def deadline_if_started(attempt: Attempt, now: datetime) -> datetime:
    """When the paper is due if the candidate starts at ``now``: the paper's duration,
    never past the sitting's end (a late starter has less), plus any extension."""
    duration = timedelta(minutes=attempt.duration_minutes or 60)
    return min(now + duration, attempt.sitting.ends_at) + timedelta(minutes=attempt.extra_minutes)


def start_attempt(attempt: Attempt) -> None:
    """Begin the clock: the deadline is stored and the server enforces it."""
    if attempt.status == ATTEMPT_IN_PROGRESS:
        return
    reason = can_start(attempt)
    if reason != "ok":
        raise ExamError(reason)
    now = utcnow()
    attempt.started_at = now
    attempt.deadline = deadline_if_started(attempt, now)
    ATTEMPT.apply(attempt, "start")
    audit.record("candidate.start", target=attempt, actor=f"code:{attempt.admission_code}")
    db.session.flush()


@dataclass(frozen=True)
class SaveOutcome:
    #: ok, stale_sequence, deadline_passed, submitted, not_started, bad_request
    code: str
    message: str = ""


_SAVE_STATEMENTS: dict[str, Any] = {}


def _save_statement(dialect: str) -> Any:
    """The autosave's upsert, built once per dialect: it runs on every answer, and building
    it (ON CONFLICT ... excluded) costs more than executing it. A Core statement on the
    table, so no ORM bookkeeping either."""
    stmt = _SAVE_STATEMENTS.get(dialect)
    if stmt is None:
        table: Any = Answer.__table__
        base = insert_for(dialect)(table).values({name: bindparam(name) for name in SAVE_COLUMNS})
        stmt = base.on_conflict_do_update(
            index_elements=["attempt_id", "position"],
            set_={name: base.excluded[name] for name in ("choice", "seq", "flagged", "saved_at")},
            where=table.c.seq < base.excluded.seq,
        ).returning(table.c.id)
        _SAVE_STATEMENTS[dialect] = stmt
    return stmt


SAVE_COLUMNS = ("attempt_id", "position", "choice", "seq", "flagged", "saved_at")


def save_answer(
    attempt: Attempt,
    position: int,
    displayed: Sequence[int],
    seq: int,
    *,
    flagged: bool = False,
    grace_seconds: int = 10,
    now: datetime | None = None,
) -> SaveOutcome:
    """Save one answer with one indexed upsert; an older sequence never overwrites."""
    now = now or utcnow()
    if attempt.status in (ATTEMPT_SUBMITTED, ATTEMPT_GRADED):
        return SaveOutcome("submitted", _("试卷已提交，不能再修改答案。"))
    paper = attempt.paper_items
    if attempt.status != ATTEMPT_IN_PROGRESS or paper is None or attempt.deadline is None:
        return SaveOutcome("not_started", _("尚未开始答题。"))
    if now > attempt.deadline + timedelta(seconds=grace_seconds):
        return SaveOutcome("deadline_passed", _("考试时间已到，答案未保存。"))
    if not 0 <= position < len(paper):
        return SaveOutcome("bad_request", _("该题不在您的试卷上。"))
    item = paper[position]
    try:
        original = item.displayed_to_original(displayed)
    except IndexError:
        return SaveOutcome("bad_request", _("选项不存在。"))
    if item.qtype != "multiple" and len(original) > 1:
        return SaveOutcome("bad_request", _("该题只能选择一个答案。"))
    saved = db.session.execute(
        _save_statement(session_dialect()),
        {
            "attempt_id": attempt.id,
            "position": position,
            "choice": original,
            "seq": seq,
            "flagged": flagged,
            "saved_at": now,
        },
    ).first()
    db.session.flush()
    if saved is None:
        return SaveOutcome("stale_sequence", _("已有更新的答案，此次保存被忽略。"))
    return SaveOutcome("ok")


def expired(attempt: Attempt, now: datetime | None = None) -> bool:
    return (
        attempt.status == ATTEMPT_IN_PROGRESS
        and attempt.deadline is not None
        and (now or utcnow()) > attempt.deadline
    )


def finalize_if_expired(attempt: Attempt) -> bool:
    """Grade a paper whose time is up (on next access or by the periodic job)."""
    if expired(attempt) and not sitting_locked(attempt.sitting):
        finish_attempt(attempt, reason="deadline")
        db.session.flush()
        return True
    return False


def submit(attempt: Attempt) -> bool:
    """Hand in the paper; True only for the request that actually submitted it."""
    if attempt.status != ATTEMPT_IN_PROGRESS or sitting_locked(attempt.sitting):
        return False
    done = finish_attempt(attempt, reason="submit")
    db.session.flush()
    return done


def finish_attempt(attempt: Attempt, *, reason: str) -> bool:
    ensure_unlocked(attempt.sitting)
    # A conditional update: of two tabs or a tab and the job, exactly one wins.
    now = utcnow()
    result = db.session.execute(
        update(Attempt)
        .where(Attempt.id == attempt.id, Attempt.status.in_(ATTEMPT.sources("submit")))
        .values(status=ATTEMPT.target("submit"), submitted_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        db.session.refresh(attempt)
        return False
    db.session.refresh(attempt)
    grade_attempt(attempt)
    audit.record(
        "candidate.submit",
        target=attempt,
        actor=f"code:{attempt.admission_code}",
        reason=reason,
        score=attempt.score,
    )
    return True


def grade_expired(now: datetime | None = None) -> int:
    """The periodic job: grade every paper whose deadline has passed."""
    now = now or utcnow()
    ids = db.session.scalars(
        select(Attempt.id)
        .join(Sitting, Attempt.sitting_id == Sitting.id)
        .where(
            Attempt.status == ATTEMPT_IN_PROGRESS,
            Attempt.deadline < now,
            Sitting.signed_off_at.is_(None),  # a signed sitting is never changed
        )
    ).all()
    count = 0
    for attempt_id in ids:
        attempt = db.session.get(Attempt, attempt_id)
        if attempt is not None and finish_attempt(attempt, reason="deadline"):
            count += 1
        db.session.flush()
    return count


audit.register_actions(
    {
        "candidate.start": _l("考生开始答题"),
        "candidate.submit": _l("考生交卷"),
    }
)
