"""The live panel of one sitting: one row per candidate, with what it shows and which of
the room's actions each row allows now (the panel's poll carries both)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import String, cast, func, select

from examsite.auth.models import LoginThrottle
from examsite.core.audit import AuditEvent
from examsite.core.timeutil import utcnow
from examsite.exams import access, papers
from examsite.exams.domain.idcard import mask
from examsite.exams.models import (
    ATTEMPT_ABSENT,
    ATTEMPT_ENROLLED,
    ATTEMPT_GRADED,
    ATTEMPT_IN_PROGRESS,
    ATTEMPT_SUBMITTED,
    Answer,
    Attempt,
    Candidate,
    Sitting,
)
from examsite.exams.states import ATTEMPT
from examsite.extensions import db

#: The row actions of the panel, each with the attempt transition that allows it (the
#: route names are the panel's; "paper" is printing and keying in a paper answer sheet).
ROW_ACTIONS = (
    ("extend", "extend"),
    ("reset", "reset"),
    ("force-submit", "force_submit"),
    ("absent", "absent"),
    ("readmit", "readmit"),
    ("reissue", "reissue"),
    ("paper", "reset"),
)


def row_actions(state: str, code_locked: bool) -> tuple[str, ...]:
    """The actions a row in ``state`` allows now ("unlock" while its code is locked)."""
    allowed = [name for name, transition in ROW_ACTIONS if state in ATTEMPT.sources(transition)]
    if code_locked:
        allowed.append("unlock")
    return tuple(allowed)


@dataclass(frozen=True)
class PanelRow:
    attempt_id: int
    name: str
    masked_id: str
    seat: str
    state: str
    answered: int
    total: int
    seconds_left: int | None
    last_seen: datetime | None
    ip: str
    focus_losses: int
    refused_logins: int
    extra_minutes: int
    on_paper: bool
    readmitted: bool
    score: float | None
    passed: bool | None
    logged_in: bool
    #: Logins that ended this candidate's session on another browser (a switch of PC).
    session_switches: int = 0
    #: Too many wrong ID tails for this admission code: locked until unlocked or expired.
    code_locked: bool = False
    #: The admission code (the new one after a reissue) and whether it was reissued.
    admission_code: str = ""
    reissued: bool = False
    #: The row actions allowed now (``row_actions``).
    actions: tuple[str, ...] = ()


def panel(sitting: Sitting, now: datetime | None = None) -> tuple[list[PanelRow], dict[str, int]]:
    """The room at a glance, in two queries whatever its size.

    Plain columns, not Attempt objects: five invigilators refresh every 5 s, and loading a
    room of 2,000 as objects (each parsing its paper) cost a tenth of a second per refresh."""
    now = now or utcnow()
    reissued = (
        select(AuditEvent.id)
        .where(
            AuditEvent.body_id == sitting.body_id,
            AuditEvent.action == "attempt.reissue_code",
            AuditEvent.target_type == "Attempt",
            AuditEvent.target_id == cast(Attempt.id, String),
        )
        .exists()
    )
    rows = db.session.execute(
        select(
            Attempt.id,
            Attempt.status,
            Attempt.seat,
            Attempt.session_token.is_not(None).label("logged_in"),
            Attempt.deadline,
            func.coalesce(papers.question_count(Attempt.paper), 0).label("total"),
            Attempt.last_seen_at,
            Attempt.last_ip,
            Attempt.focus_losses,
            Attempt.refused_logins,
            Attempt.extra_minutes,
            Attempt.on_paper,
            Attempt.readmitted,
            Attempt.score,
            Attempt.passed,
            Attempt.session_switches,
            Candidate.name,
            Candidate.id_number,
            LoginThrottle.key.is_not(None).label("code_locked"),
            Attempt.admission_code,
            reissued.label("reissued"),
        )
        .join(Candidate, Attempt.candidate_id == Candidate.id)
        .outerjoin(
            LoginThrottle,
            (LoginThrottle.key == access.code_throttle_key(Attempt.admission_code))
            & (LoginThrottle.locked_until > now),
        )
        .where(Attempt.sitting_id == sitting.id)
        .order_by(Attempt.seat, Attempt.id)
    ).all()
    answered = dict(
        db.session.execute(
            select(Answer.attempt_id, func.count())
            .join(Attempt, Answer.attempt_id == Attempt.id)
            .where(Attempt.sitting_id == sitting.id, func.json_array_length(Answer.choice) > 0)
            .group_by(Answer.attempt_id)
        ).all()
    )
    out = []
    counts = {"enrolled": 0, "present": 0, "answering": 0, "submitted": 0, "absent": 0}
    for row in rows:
        state = row.status
        counts["enrolled"] += 1
        if state == ATTEMPT_IN_PROGRESS:
            counts["answering"] += 1
        if state in (ATTEMPT_SUBMITTED, ATTEMPT_GRADED):
            counts["submitted"] += 1
        if state == ATTEMPT_ABSENT:
            counts["absent"] += 1
        if row.logged_in or (state != ATTEMPT_ENROLLED and state != ATTEMPT_ABSENT):
            counts["present"] += 1
        left = None
        if state == ATTEMPT_IN_PROGRESS and row.deadline is not None:
            left = max(0, int((row.deadline - now).total_seconds()))
        out.append(
            PanelRow(
                attempt_id=row.id,
                name=row.name,
                masked_id=mask(row.id_number),
                seat=row.seat,
                state=state,
                answered=int(answered.get(row.id, 0)),
                total=int(row.total),
                seconds_left=left,
                last_seen=row.last_seen_at,
                ip=row.last_ip,
                focus_losses=row.focus_losses,
                refused_logins=row.refused_logins,
                extra_minutes=row.extra_minutes,
                on_paper=row.on_paper,
                readmitted=row.readmitted,
                score=row.score,
                passed=row.passed,
                logged_in=bool(row.logged_in),
                session_switches=row.session_switches,
                code_locked=bool(row.code_locked),
                admission_code=row.admission_code or "",
                reissued=bool(row.reissued),
                actions=row_actions(state, bool(row.code_locked)),
            )
        )
    return out, counts
