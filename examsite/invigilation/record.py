"""考场记录: what the signed record of a sitting says, read in a fixed number of queries.

``counts()`` gives the record's figures, ``timeline()`` every intervention and incident in
one time-ordered list in words, ``signoff_digest()`` the audit chain hash of the sign-off
that a filed copy prints (checked with ``flask audit verify --digest``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import String, cast, select

from examsite.auth.models import User
from examsite.core.audit import AuditEvent
from examsite.core.audit_labels import ACTION_LABELS
from examsite.core.roles import ROLE_LABELS
from examsite.exams.models import (
    ATTEMPT_ABSENT,
    ATTEMPT_ENROLLED,
    ATTEMPT_GRADED,
    ATTEMPT_SUBMITTED,
    Attempt,
    Candidate,
    PaperTemplate,
    Sitting,
)
from examsite.extensions import db
from examsite.invigilation.forms import INCIDENT_LABELS
from examsite.invigilation.models import Addendum, Incident

#: How a paper was handed in (``candidate.submit``'s reason) that counts as time-out: its
#: own deadline, or the end of the sitting collecting it.
TIMEOUT_REASONS = frozenset({"deadline", "closed"})

#: Audit actions that are not interventions: the candidates' own steps, and the incident
#: entry (the incident itself is listed, with its note and the candidate it concerns).
_NOT_LISTED = frozenset(
    {
        "candidate.login",
        "candidate.login_refused",
        "candidate.logout",
        "candidate.session_replaced",
        "candidate.start",
        "candidate.submit",
        "incident.create",
    }
)


@dataclass(frozen=True)
class Counts:
    enrolled: int = 0
    present: int = 0
    absent: int = 0
    submitted: int = 0
    timed_out: int = 0
    forced: int = 0
    extended: int = 0
    readmitted: int = 0
    on_paper: int = 0
    graded: int = 0
    #: None until a paper is graded (the record then shows "—", not 0).
    passed: int | None = None


def counts(sitting: Sitting) -> Counts:
    """The record's figures, in two queries whatever the size of the room."""
    rows = db.session.execute(
        select(
            Attempt.status,
            Attempt.session_token.is_not(None).label("logged_in"),
            Attempt.extra_minutes,
            Attempt.readmitted,
            Attempt.on_paper,
            Attempt.score,
            Attempt.passed,
        ).where(Attempt.sitting_id == sitting.id)
    ).all()
    reasons = [
        json.loads(details or "{}").get("reason")
        for details in db.session.scalars(
            select(AuditEvent.details)
            .join(Attempt, AuditEvent.target_id == cast(Attempt.id, String))
            .where(
                AuditEvent.body_id == sitting.body_id,
                AuditEvent.action == "candidate.submit",
                AuditEvent.target_type == "Attempt",
                Attempt.sitting_id == sitting.id,
            )
        )
    ]
    handed_in = (ATTEMPT_SUBMITTED, ATTEMPT_GRADED)
    graded = [r for r in rows if r.score is not None]
    return Counts(
        enrolled=len(rows),
        # As the live panel counts them: logged in, or past the door (not absent).
        present=sum(
            1 for r in rows if r.logged_in or r.status not in (ATTEMPT_ENROLLED, ATTEMPT_ABSENT)
        ),
        absent=sum(1 for r in rows if r.status == ATTEMPT_ABSENT),
        submitted=sum(1 for r in rows if r.status in handed_in),
        timed_out=sum(1 for r in reasons if r in TIMEOUT_REASONS),
        forced=sum(1 for r in reasons if r == "forced"),
        extended=sum(1 for r in rows if r.extra_minutes),
        readmitted=sum(1 for r in rows if r.readmitted),
        on_paper=sum(1 for r in rows if r.on_paper),
        graded=len(graded),
        passed=sum(1 for r in graded if r.passed) if graded else None,
    )


@dataclass(frozen=True)
class Entry:
    """One line of the record: when, whom it concerns, what happened, who did it."""

    at: datetime
    candidate: str  # "姓名（准考证号 …）", or 全场 for the whole room
    what: str
    who: str  # "姓名（角色）"


def _why(details: dict[str, Any]) -> str:
    reason = str(details.get("reason") or "").strip()
    return _("，原因：%(r)s", r=reason) if reason else ""


def describe(action: str, details: dict[str, Any]) -> str:
    """What an audited action did, as a sentence (never a stored key or value)."""
    why = _why(details)
    if action == "attempt.extend":
        return _("延长考试时间 %(n)s 分钟", n=details.get("minutes", "")) + why
    if action == "attempt.seat":
        old, new = [*(details.get("seat") or []), "", ""][:2]
        if old:
            return _("座位由 %(old)s 改为 %(new)s", old=old, new=new or "—")
        return _("安排座位 %(new)s", new=new or "—")
    if action == "sitting.open":
        return _("开放考试，抽取试卷 %(n)s 份", n=details.get("papers", 0))
    if action in ("sitting.print_slips", "paper.print"):
        label = _("打印准考证") if action == "sitting.print_slips" else _("打印纸质试卷")
        return _("%(what)s %(n)s 份", what=label, n=details.get("count", 0))
    if action == "sitting.enroll":
        return _("考生报名 %(n)s 人", n=details.get("count", 0))
    if action == "paper.entry":
        return _("录入纸质答题卡（已录入 %(n)s 题）", n=details.get("answered", 0))
    if action == "paper.grade":
        return _("按纸质答题卡评分，得分 %(s)s", s=details.get("score", "—"))
    label = ACTION_LABELS.get(action)
    return (str(label) if label is not None else _("其他操作")) + why


def _who(user: User | None) -> str:
    if user is None:
        return _("系统")
    role = ROLE_LABELS.get(user.role)
    return f"{user.name}（{role}）" if role is not None else user.name


def timeline(sitting: Sitting) -> list[Entry]:
    """Every intervention and incident, oldest first, in five queries."""
    people = {
        row.id: _("%(name)s（准考证号 %(code)s）", name=row.name, code=row.admission_code or "—")
        for row in db.session.execute(
            select(Attempt.id, Attempt.admission_code, Candidate.name)
            .join(Candidate, Attempt.candidate_id == Candidate.id)
            .where(Attempt.sitting_id == sitting.id)
        )
    }
    room = _("全场")
    events = [
        e
        for e in db.session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.body_id == sitting.body_id,
                ((AuditEvent.target_type == "Sitting") & (AuditEvent.target_id == str(sitting.id)))
                | (
                    (AuditEvent.target_type == "Attempt")
                    & AuditEvent.target_id.in_([str(i) for i in people])
                ),
            )
            .order_by(AuditEvent.id)
        )
        if e.action not in _NOT_LISTED
    ]
    incidents = list(
        db.session.scalars(
            select(Incident).where(Incident.sitting_id == sitting.id).order_by(Incident.id)
        )
    )
    ids = {e.user_id for e in events} | {i.created_by_id for i in incidents}
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids - {None})))}
    out = [
        Entry(
            at=e.created_at,
            candidate=people.get(int(e.target_id), room) if e.target_type == "Attempt" else room,
            what=describe(e.action, e.details_dict),
            who=_who(users.get(e.user_id) if e.user_id else None),
        )
        for e in events
    ]
    out.extend(
        Entry(
            at=i.created_at,
            candidate=people.get(i.attempt_id, room) if i.attempt_id else room,
            what=_(
                "记录考场情况（%(category)s）：%(note)s",
                category=INCIDENT_LABELS.get(i.category, _("其他")),
                note=i.note,
            ),
            who=_who(users.get(i.created_by_id)),
        )
        for i in incidents
    )
    out.sort(key=lambda entry: entry.at)
    return out


def signoff_digest(sitting: Sitting) -> str | None:
    """The audit chain hash of the sitting's sign-off event, or None while unsigned."""
    if sitting.signed_off_at is None:
        return None
    digest: str | None = db.session.scalar(
        select(AuditEvent.hash)
        .where(
            AuditEvent.body_id == sitting.body_id,
            AuditEvent.action == "sitting.sign_off",
            AuditEvent.target_type == "Sitting",
            AuditEvent.target_id == str(sitting.id),
        )
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    return digest


@dataclass(frozen=True)
class SignedAddendum:
    text: str
    at: datetime
    who: str
    digest: str


def addenda(sitting: Sitting) -> list[SignedAddendum]:
    """The addenda to a signed record, oldest first, each with its audit event's hash."""
    rows = list(
        db.session.scalars(
            select(Addendum).where(Addendum.sitting_id == sitting.id).order_by(Addendum.id)
        )
    )
    if not rows:
        return []
    digests = dict(
        db.session.execute(
            select(AuditEvent.target_id, AuditEvent.hash).where(
                AuditEvent.body_id == sitting.body_id,
                AuditEvent.action == "sitting.addendum",
                AuditEvent.target_type == "Addendum",
                AuditEvent.target_id.in_([str(a.id) for a in rows]),
            )
        ).all()
    )
    users = {
        u.id: u
        for u in db.session.scalars(
            select(User).where(User.id.in_({a.created_by_id for a in rows}))
        )
    }
    return [
        SignedAddendum(
            text=a.text,
            at=a.created_at,
            who=_who(users.get(a.created_by_id)),
            digest=digests.get(str(a.id), ""),
        )
        for a in rows
    ]


def papers(sitting: Sitting) -> list[str]:
    """The names of the paper templates the sitting's candidates drew from."""
    ids = {sitting.template_id} | {
        i
        for i in db.session.scalars(
            select(Attempt.template_id).where(Attempt.sitting_id == sitting.id).distinct()
        )
        if i is not None
    }
    return list(
        db.session.scalars(
            select(PaperTemplate.name).where(PaperTemplate.id.in_(ids)).order_by(PaperTemplate.id)
        )
    )
