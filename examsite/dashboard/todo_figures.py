"""The figures the home page's to-do list is built from, for many bodies at once.

Each figure is one aggregate query over every body asked for, so the list loads in the same
number of queries whatever the number of bodies, questions, sittings or candidates.  No
Flask request is read: the caller passes the bodies and the time.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import and_, case, exists, func, or_, select

from examsite.appointments.matters import MatterKind
from examsite.appointments.models import (
    Appointment,
    Ceremony,
    CeremonyParticipant,
    Meeting,
    Statement,
)
from examsite.appointments.records import steps_of_bodies
from examsite.appointments.states import VoteOutcome
from examsite.bank.models import PURPOSE_EXAM, STATUS_ACTIVE, HiddenQuestion, Question
from examsite.bank.models import QuestionRevision as Rev
from examsite.core.audit import AuditEvent
from examsite.core.body import Body
from examsite.exams.domain.paper_spec import PoolItem
from examsite.exams.models import Attempt, Candidate, PaperTemplate, Sitting
from examsite.exams.states import SittingStatus
from examsite.extensions import db
from examsite.reports.reminders import upcoming

#: The audit action of printing admission slips (exams.views.sittings.slips).
PRINT_SLIPS = "sitting.print_slips"


@dataclass
class SittingRow:
    """What the list needs of one sitting that is not finished with."""

    id: int
    title: str
    status: SittingStatus
    starts_at: datetime
    ends_at: datetime
    signed: bool
    released: bool
    enrolled: int
    last_enrolled: datetime | None
    last_printed: datetime | None = None

    @property
    def slips_printed(self) -> bool:
        """Slips were printed after the last candidate was enrolled."""
        return (
            self.last_printed is not None
            and self.last_enrolled is not None
            and self.last_printed >= self.last_enrolled
        )


@dataclass
class BodyFigures:
    """One body's figures."""

    body: Body
    pool: list[PoolItem] = field(default_factory=list)
    templates: list[PaperTemplate] = field(default_factory=list)
    candidates: int = 0
    unassigned: int = 0
    sittings: list[SittingRow] = field(default_factory=list)
    statements_missing: int = 0
    oaths_missing: int = 0
    reports_soon: int = 0
    reports_late: int = 0


def figures(bodies: Sequence[Body], now: datetime, today: date) -> list[BodyFigures]:
    """The figures of each body, in the order given."""
    rows = {b.id: BodyFigures(body=b) for b in bodies}
    ids = list(rows)
    if not ids:
        return []
    for body_id, pool in pools(bodies).items():
        rows[body_id].pool = pool
    for template in db.session.scalars(
        select(PaperTemplate).where(PaperTemplate.body_id.in_(ids)).order_by(PaperTemplate.id)
    ):
        rows[template.body_id].templates.append(template)
    for body_id, total, unassigned in _candidates(ids):
        rows[body_id].candidates, rows[body_id].unassigned = total, int(unassigned or 0)
    for body_id, sitting in _sittings(ids):
        rows[body_id].sittings.append(sitting)
    for body_id, statements, oaths in _appointments(ids, today):
        rows[body_id].statements_missing = int(statements or 0)
        rows[body_id].oaths_missing = int(oaths or 0)
    soon, late = upcoming(ids, today)
    for subject in soon:
        rows[subject.body_id].reports_soon += 1
    for subject in late:
        rows[subject.body_id].reports_late += 1
    return [rows[b.id] for b in bodies]


# --------------------------------------------------------------------------- the bank


def _bank_owners(bodies: Iterable[Body]) -> dict[int, list[int]]:
    """For each body, the bodies whose questions are in its bank: itself first, then the
    bodies above it when it uses its parent's bank (as ``bank.scope.in_bank``)."""
    graph = dict(db.session.execute(select(Body.id, Body.parent_id)).all())
    owners: dict[int, list[int]] = {}
    for body in bodies:
        chain = [body.id]
        if body.uses_parent_bank:
            parent = graph.get(body.id)
            while parent is not None and parent not in chain:
                chain.append(parent)
                parent = graph.get(parent)
        owners[body.id] = chain
    return owners


def pools(bodies: Sequence[Body]) -> dict[int, list[PoolItem]]:
    """Each body's pool of exam questions as ``exams.papers.pool_for`` draws it (its own
    active questions as edited, the shared ones as published, less those it hides), in
    three queries for every body together."""
    owners = _bank_owners(bodies)
    owner_ids = {i for chain in owners.values() for i in chain}
    rows = db.session.execute(
        select(
            Question.id,
            Question.body_id,
            Rev.id,
            Rev.number == Question.revision,
            Rev.number == Question.published_revision,
            Question.status == STATUS_ACTIVE,
            Rev.qtype,
            Rev.category,
            Rev.difficulty,
        )
        .join(Question, Rev.question_id == Question.id)
        .where(
            Question.body_id.in_(owner_ids),
            Question.purpose == PURPOSE_EXAM,
            or_(Rev.number == Question.revision, Rev.number == Question.published_revision),
        )
    ).all()
    own: dict[int, list[tuple[int, PoolItem]]] = defaultdict(list)
    shared: dict[int, list[tuple[int, PoolItem]]] = defaultdict(list)
    for qid, owner, rid, current, published, active, qtype, category, difficulty in rows:
        item = PoolItem(
            revision_id=rid, qtype=qtype, category=category, difficulty=difficulty, n_options=0
        )
        # A retired question leaves its owner's draws at once, those below at publish
        # (as ``bank.scope.in_use``).
        if current and active:
            own[owner].append((qid, item))
        if published:
            shared[owner].append((qid, item))
    hidden: dict[int, set[int]] = defaultdict(set)
    for body_id, qid in db.session.execute(
        select(HiddenQuestion.body_id, HiddenQuestion.question_id).where(
            HiddenQuestion.body_id.in_(list(owners))
        )
    ):
        hidden[body_id].add(qid)
    pools: dict[int, list[PoolItem]] = {}
    for body_id, chain in owners.items():
        found = own[body_id] + [entry for above in chain[1:] for entry in shared[above]]
        pools[body_id] = [item for qid, item in found if qid not in hidden[body_id]]
    return pools


# --------------------------------------------------------------------------- exams


def _candidates(ids: list[int]) -> list[tuple[int, int, int]]:
    """(body, candidates, candidates with no sitting and no exemption from the test)."""
    no_sitting = ~exists().where(Attempt.candidate_id == Candidate.id)
    not_exempt = ~exists().where(
        Appointment.candidate_id == Candidate.id, Appointment.exemption_reason != ""
    )
    stmt = (
        select(
            Candidate.body_id,
            func.count(Candidate.id),
            func.sum(case((and_(no_sitting, not_exempt), 1), else_=0)),
        )
        .where(Candidate.body_id.in_(ids))
        .group_by(Candidate.body_id)
    )
    return [(b, t, u) for b, t, u in db.session.execute(stmt)]


def _sittings(ids: list[int]) -> list[tuple[int, SittingRow]]:
    """Sittings with something left to do: not closed, not signed, or results unreleased."""
    stmt = (
        select(
            Sitting.body_id,
            Sitting.id,
            Sitting.title,
            Sitting.status,
            Sitting.starts_at,
            Sitting.ends_at,
            Sitting.signed_off_at,
            Sitting.results_released,
            func.count(Attempt.id),
            func.max(Attempt.created_at),
        )
        .outerjoin(Attempt, Attempt.sitting_id == Sitting.id)
        .where(
            Sitting.body_id.in_(ids),
            or_(
                Sitting.status != SittingStatus.CLOSED,
                Sitting.signed_off_at.is_(None),
                Sitting.results_released.is_(False),
            ),
        )
        .group_by(Sitting.id)
        .order_by(Sitting.starts_at, Sitting.id)
    )
    found = [
        (
            body_id,
            SittingRow(
                id=sid,
                title=title,
                status=status,
                starts_at=starts,
                ends_at=ends,
                signed=signed is not None,
                released=bool(released),
                enrolled=int(enrolled),
                last_enrolled=last,
            ),
        )
        for body_id, sid, title, status, starts, ends, signed, released, enrolled, last in (
            db.session.execute(stmt)
        )
    ]
    printed = dict(
        db.session.execute(
            select(AuditEvent.target_id, func.max(AuditEvent.created_at))
            .where(
                AuditEvent.action == PRINT_SLIPS,
                AuditEvent.target_type == Sitting.__name__,
                AuditEvent.body_id.in_(ids),
            )
            .group_by(AuditEvent.target_id)
        ).all()
    )
    for _body_id, row in found:
        row.last_printed = printed.get(str(row.id))
    return found


# --------------------------------------------------------------------------- appointments


def _appointments(ids: list[int], today: date) -> list[tuple[int, int, int]]:
    """(body, statements to record, oaths to take): a statement is owed once the meeting was
    held (not for a withdrawn nomination), an oath by everyone appointed still in post; each
    only where the body's rules ask it of the matter's kind (a removal owes neither)."""
    delivered = exists().where(
        Statement.appointment_id == Appointment.id, Statement.delivered.is_(True)
    )
    sworn = exists().where(
        CeremonyParticipant.appointment_id == Appointment.id,
        CeremonyParticipant.checked_in_at.is_not(None),
        CeremonyParticipant.ceremony_id == Ceremony.id,
        Ceremony.confirmed_at.is_not(None),  # sworn only once the ceremony is confirmed
    )
    statement_owed = and_(
        Meeting.id.is_not(None),
        Meeting.cancelled.is_(False),
        Meeting.date <= today,
        Appointment.vote != VoteOutcome.WITHDRAWN,
        ~delivered,
    )
    oath_owed = and_(
        Appointment.vote == VoteOutcome.APPOINTED, Appointment.left_on.is_(None), ~sworn
    )
    stmt = (
        select(
            Appointment.body_id,
            Appointment.kind,
            func.sum(case((statement_owed, 1), else_=0)),
            func.sum(case((oath_owed, 1), else_=0)),
        )
        .outerjoin(Meeting, Appointment.meeting_id == Meeting.id)
        .where(Appointment.body_id.in_(ids))
        .group_by(Appointment.body_id, Appointment.kind)
    )
    steps = steps_of_bodies(ids)
    owed: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for body_id, kind, statements, oaths in db.session.execute(stmt):
        needs = steps[body_id][MatterKind(kind)]
        owed[body_id][0] += int(statements or 0) if needs.statement else 0
        owed[body_id][1] += int(oaths or 0) if needs.oath else 0
    return [(b, s, o) for b, (s, o) in owed.items()]
