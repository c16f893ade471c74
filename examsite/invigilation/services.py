"""Invigilation: what an invigilator may do, paper double entry (the panel: ``room``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from examsite.core import audit
from examsite.core.audit import AuditEvent
from examsite.core.errors import UserError
from examsite.core.timeutil import utcnow
from examsite.exams import access, papers, sittings, states
from examsite.exams import answering as exam_answering
from examsite.exams.models import (
    ATTEMPT_ENROLLED,
    Answer,
    Attempt,
    Sitting,
)
from examsite.exams.states import ATTEMPT, SITTING, AttemptStatus
from examsite.extensions import db
from examsite.invigilation.forms import INCIDENT_LABELS
from examsite.invigilation.models import Addendum, Incident, PaperEntry

# The live panel is room.py's; the names stay here for the callers.
from examsite.invigilation.room import PanelRow as PanelRow
from examsite.invigilation.room import panel as panel


class InvigilationError(UserError):
    """A refused intervention; the message is for the invigilator."""


# --------------------------------------------------------------------------- interventions


def _record(
    action: str, attempt: Attempt | None, sitting: Sitting, user: Any, reason: str, **details: Any
) -> None:
    audit.record(
        action,
        target=attempt if attempt is not None else sitting,
        body=sitting.body_id,
        sitting=sitting.id,
        reason=reason,
        **details,
    )


def extend(
    sitting: Sitting, attempts: Sequence[Attempt], minutes: int, reason: str, user: Any
) -> int:
    """More time for one candidate or everyone not yet finished; shown on their pages."""
    states.ensure_unlocked(sitting)
    changed = 0
    for attempt in attempts:
        if not ATTEMPT.can(attempt, "extend"):
            continue
        attempt.extra_minutes += minutes
        if attempt.deadline is not None:
            attempt.deadline += timedelta(minutes=minutes)
        attempt.notice = _("监考人员已为您延长 %(n)s 分钟。", n=minutes)
        attempt.notice_id += 1
        _record("attempt.extend", attempt, sitting, user, reason, minutes=minutes)
        changed += 1
    db.session.flush()
    return changed


def extend_room(sitting: Sitting, minutes: int, reason: str, user: Any) -> tuple[int, int]:
    """全体延时: more time for every candidate answering now, not for those who have not
    started (or not come) or are absent; returns (credited, not credited)."""
    answering = [a for a in sitting.attempts if a.status == AttemptStatus.IN_PROGRESS]
    waiting = sum(
        1 for a in sitting.attempts if a.status in (AttemptStatus.ENROLLED, AttemptStatus.ABSENT)
    )
    return extend(sitting, answering, minutes, reason, user), waiting


def reset_login(sitting: Sitting, attempt: Attempt, reason: str, user: Any) -> None:
    states.ensure_unlocked(sitting)
    ATTEMPT.check(attempt, "reset")
    attempt.session_token = None
    _record("attempt.reset_login", attempt, sitting, user, reason)
    db.session.flush()


def force_submit(sitting: Sitting, attempt: Attempt, reason: str, user: Any) -> None:
    states.ensure_unlocked(sitting)
    ATTEMPT.check(attempt, "force_submit")
    exam_answering.finish_attempt(attempt, reason="forced")
    _record("attempt.force_submit", attempt, sitting, user, reason)
    db.session.flush()


def mark_absent(sitting: Sitting, attempt: Attempt, reason: str, user: Any) -> None:
    states.ensure_unlocked(sitting)
    ATTEMPT.apply(attempt, "absent")
    attempt.session_token = None
    _record("attempt.absent", attempt, sitting, user, reason)
    db.session.flush()


def readmit(sitting: Sitting, attempt: Attempt, reason: str, user: Any) -> None:
    """Let a late candidate begin after the cutoff (or undo a mark of absence)."""
    states.ensure_unlocked(sitting)
    SITTING.check(sitting, "readmit")
    ATTEMPT.apply(attempt, "readmit")
    attempt.readmitted = True
    _record("attempt.readmit", attempt, sitting, user, reason)
    db.session.flush()


def unlock_code(sitting: Sitting, attempt: Attempt, reason: str, user: Any) -> None:
    """Lift the lock that wrong ID tails put on an admission code (the candidate, checked
    in person, may log in again at once)."""
    states.ensure_unlocked(sitting)
    if not access.code_locked(attempt):
        raise InvigilationError(_("该考生的准考证号未被锁定。"))
    access.unlock_code(attempt)
    _record("candidate.code_unlock", attempt, sitting, user, reason)
    db.session.flush()


def reissue_code(sitting: Sitting, attempt: Attempt, reason: str, user: Any) -> str:
    """A new admission code (the old one stops working at once): the one service for it."""
    states.ensure_unlocked(sitting)
    ATTEMPT.check(attempt, "reissue")
    attempt.admission_code = sittings.new_admission_code()
    _record("attempt.reissue_code", attempt, sitting, user, reason)
    db.session.flush()
    return attempt.admission_code


def set_seat(sitting: Sitting, attempt: Attempt, seat: str, user: Any) -> None:
    states.ensure_unlocked(sitting)
    old, attempt.seat = attempt.seat, seat.strip()[:16]
    _record("attempt.seat", attempt, sitting, user, "", seat=[old, attempt.seat])
    db.session.flush()


def add_incident(
    sitting: Sitting, attempt: Attempt | None, category: str, note: str, user: Any
) -> Incident:
    states.ensure_unlocked(sitting)
    incident = Incident(
        body_id=sitting.body_id,
        sitting_id=sitting.id,
        attempt_id=attempt.id if attempt else None,
        category=category,
        note=note.strip(),
        created_by_id=user.id,
    )
    db.session.add(incident)
    _record("incident.create", attempt, sitting, user, note.strip()[:200], category=category)
    db.session.flush()
    return incident


def sign_off(sitting: Sitting, user: Any) -> None:
    """Sign the record of a closed sitting; from then on nothing changes the sitting."""
    states.ensure_unlocked(sitting)
    SITTING.check(sitting, "sign_off")
    sitting.signed_off_at = utcnow()
    sitting.signed_off_by_id = user.id
    _record("sitting.sign_off", None, sitting, user, "")
    db.session.flush()


#: The longest addendum, as its form allows.
ADDENDUM_MAX = 2000


def add_addendum(sitting: Sitting, text: str, user: Any) -> Addendum:
    """补充说明: a later fact, added beside a signed record (which itself never changes).

    Only a signed record takes one: before sign-off the fact belongs in the record."""
    if not states.sitting_locked(sitting):
        raise InvigilationError(_("考场记录签字确认后才能添加补充说明；签字前请直接记录考场情况。"))
    text = text.strip()
    if not text or len(text) > ADDENDUM_MAX:
        raise InvigilationError(_("请填写补充说明（不超过 %(n)s 字）。", n=ADDENDUM_MAX))
    addendum = Addendum(
        body_id=sitting.body_id, sitting_id=sitting.id, text=text, created_by_id=user.id
    )
    db.session.add(addendum)
    audit.record("sitting.addendum", target=addendum, body=sitting.body_id, sitting=sitting.id)
    db.session.flush()
    return addendum


def incidents(sitting: Sitting) -> list[Incident]:
    # The panel names each incident's author: all of them in one query, not one per author.
    return list(
        db.session.scalars(
            select(Incident)
            .where(Incident.sitting_id == sitting.id)
            .order_by(Incident.id)
            .options(selectinload(Incident.created_by))
        )
    )


def interventions(sitting: Sitting) -> list[AuditEvent]:
    """Every audited action on the sitting and its candidates, oldest first."""
    attempt_ids = [str(a.id) for a in sitting.attempts]
    stmt = select(AuditEvent).where(
        AuditEvent.body_id == sitting.body_id,
        ((AuditEvent.target_type == "Sitting") & (AuditEvent.target_id == str(sitting.id)))
        | ((AuditEvent.target_type == "Attempt") & AuditEvent.target_id.in_(attempt_ids)),
        ~AuditEvent.action.in_(["candidate.login", "candidate.start", "candidate.submit"]),
    )
    return list(db.session.scalars(stmt.order_by(AuditEvent.id)))


# --------------------------------------------------------------------------- paper fallback


def save_entry(
    sitting: Sitting, attempt: Attempt, choices: dict[int, list[int]], user: Any
) -> PaperEntry:
    """Key in one staff member's reading of the answer sheet."""
    states.ensure_unlocked(sitting)
    ATTEMPT.check(attempt, "enter_paper")
    entry = db.session.scalars(
        select(PaperEntry).where(PaperEntry.attempt_id == attempt.id, PaperEntry.user_id == user.id)
    ).first()
    data = {str(k): sorted(v) for k, v in choices.items() if v}
    if entry is None:
        entry = PaperEntry(
            body_id=sitting.body_id, attempt_id=attempt.id, user_id=user.id, choices=data
        )
        db.session.add(entry)
    else:
        entry.choices = data
    _record("paper.entry", attempt, sitting, user, "", answered=len(data))
    db.session.flush()
    return entry


def entries(attempt: Attempt) -> list[PaperEntry]:
    return list(
        db.session.scalars(
            select(PaperEntry).where(PaperEntry.attempt_id == attempt.id).order_by(PaperEntry.id)
        )
    )


def disagreements(attempt: Attempt) -> list[int] | None:
    """Positions where the two entries differ; None until two people have keyed it in."""
    found = entries(attempt)
    if len(found) < 2:
        return None
    first, second = found[0].choices, found[1].choices
    total = len(attempt.paper_items or ())
    return [p for p in range(total) if first.get(str(p), []) != second.get(str(p), [])]


def grade_from_paper(sitting: Sitting, attempt: Attempt, user: Any) -> None:
    """When both entries agree: store those answers, mark the attempt as taken on paper, grade."""
    states.ensure_unlocked(sitting)
    differ = disagreements(attempt)
    if differ is None:
        raise InvigilationError(_("须由两名工作人员分别录入后才能评分。"))
    if differ:
        raise InvigilationError(_("两次录入有 %(n)s 处不一致，请核对答题卡后修改。", n=len(differ)))
    if attempt.finished:
        raise InvigilationError(_("该考生的试卷已评分。"))
    agreed = entries(attempt)[0].choices
    existing = papers.answers_by_position(attempt)
    paper = attempt.paper_items
    assert paper is not None
    for position, item in enumerate(paper):
        original = item.displayed_to_original(agreed.get(str(position), []))
        answer = existing.get(position)
        if answer is None:
            db.session.add(
                Answer(attempt_id=attempt.id, position=position, choice=original, seq=10**9)
            )
        else:
            answer.choice, answer.seq = original, max(answer.seq + 1, 10**9)
    attempt.on_paper = True
    if attempt.status == ATTEMPT_ENROLLED:
        attempt.started_at = attempt.started_at or utcnow()
    ATTEMPT.apply(attempt, "enter_paper")
    db.session.flush()
    exam_answering.finish_attempt(attempt, reason="paper")
    _record("paper.grade", attempt, sitting, user, "", score=attempt.score)
    db.session.flush()


audit.register_targets({"Addendum": _l("考场记录补充说明")})
audit.register_values("category", INCIDENT_LABELS, action="incident.create")
audit.register_actions(
    {
        "attempt.force_submit": _l("强制交卷"),
        "attempt.seat": _l("安排座位"),
        "attempt.absent": _l("记为缺考"),
        "attempt.readmit": _l("准许迟到考生入场"),
        "candidate.code_unlock": _l("解除准考证号锁定"),
        "incident.create": _l("记录考场情况"),
        "sitting.sign_off": _l("考场记录签字确认"),
        "sitting.addendum": _l("考场记录补充说明"),
        "paper.entry": _l("录入纸质答题卡"),
        "paper.grade": _l("按纸质答题卡评分"),
    }
)
