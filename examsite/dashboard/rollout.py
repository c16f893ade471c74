"""Figures per congress body for the municipal administrator: a few grouped queries,
never a loop of queries over bodies."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from examsite.appointments.models import Ceremony, CeremonyParticipant, Statement
from examsite.auth.models import User
from examsite.core.audit import AuditEvent
from examsite.core.body import Body
from examsite.core.timeutil import local_day_start_utc
from examsite.exams.models import ATTEMPT_GRADED, SITTING_CLOSED, Attempt, Sitting
from examsite.extensions import db
from examsite.reports.models import MODE_ORAL, ReportSubject
from examsite.reports.voting import SATISFIED, UNSATISFIED


@dataclass
class BodyFigures:
    """One body's figures for a period (or all time)."""

    body: Body
    staff: int = 0
    sittings: int = 0
    tested: int = 0
    passed: int = 0
    passed_first: int = 0
    passed_makeup: int = 0
    statements: int = 0
    ceremonies: int = 0
    sworn: int = 0
    reports_oral: int = 0
    reports_written: int = 0
    report_subjects: int = 0
    satisfied: int = 0
    unsatisfied: int = 0
    last_activity: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def pass_rate(self) -> float | None:
        return round(100 * self.passed / self.tested, 1) if self.tested else None

    @property
    def reports(self) -> int:
        return self.reports_oral + self.reports_written

    @property
    def coverage(self) -> float | None:
        return round(100 * self.reports / self.report_subjects, 1) if self.report_subjects else None


def _window(column: Any, start: datetime | None, end: datetime | None) -> list[Any]:
    conds = []
    if start is not None:
        conds.append(column >= start)
    if end is not None:
        conds.append(column < end)
    return conds


def figures_by_body(
    bodies: list[Body],
    start: date | None = None,
    end: date | None = None,
    zone: str = "Asia/Shanghai",
) -> list[BodyFigures]:
    """Figures of each body for local days [start, end] (None: open), in ten queries."""
    ids = [b.id for b in bodies]
    start_at = local_day_start_utc(start, zone) if start else None
    end_at = local_day_start_utc(end + timedelta(days=1), zone) if end else None
    rows = {b.id: BodyFigures(body=b) for b in bodies}

    def put(name: str, result: Any) -> None:
        for body_id, value in result:
            setattr(rows[body_id], name, value or 0)

    put(
        "staff",
        db.session.execute(
            select(User.body_id, func.count())
            .where(User.body_id.in_(ids), User.active.is_(True))
            .group_by(User.body_id)
        ),
    )
    closed = select(Sitting.id).where(
        Sitting.body_id.in_(ids),
        Sitting.status == SITTING_CLOSED,
        *_window(Sitting.starts_at, start_at, end_at),
    )
    put(
        "sittings",
        db.session.execute(
            select(Sitting.body_id, func.count())
            .where(Sitting.id.in_(closed))
            .group_by(Sitting.body_id)
        ),
    )
    graded = (
        select(Attempt.body_id, Attempt.candidate_id, Attempt.passed, Sitting.makeup_of_id)
        .join(Sitting, Attempt.sitting_id == Sitting.id)
        .where(Attempt.sitting_id.in_(closed), Attempt.status == ATTEMPT_GRADED)
    )
    tested: dict[int, set[int]] = defaultdict(set)
    passed: dict[int, set[int]] = defaultdict(set)
    first: dict[int, set[int]] = defaultdict(set)
    for body_id, candidate_id, ok, makeup_of in db.session.execute(graded):
        tested[body_id].add(candidate_id)
        if ok:
            passed[body_id].add(candidate_id)
            if makeup_of is None:
                first[body_id].add(candidate_id)
    for body_id in ids:
        row = rows[body_id]
        row.tested, row.passed = len(tested[body_id]), len(passed[body_id])
        row.passed_first = len(first[body_id])
        row.passed_makeup = row.passed - row.passed_first
    statement_conds: list[Any] = [Statement.body_id.in_(ids), Statement.delivered.is_(True)]
    if start:
        statement_conds.append(Statement.delivered_on >= start)
    if end:
        statement_conds.append(Statement.delivered_on <= end)
    put(
        "statements",
        db.session.execute(
            select(Statement.body_id, func.count())
            .where(*statement_conds)
            .group_by(Statement.body_id)
        ),
    )
    sworn = (
        select(
            CeremonyParticipant.body_id,
            CeremonyParticipant.ceremony_id,
            CeremonyParticipant.appointment_id,
            CeremonyParticipant.id,
        )
        .join(Ceremony, CeremonyParticipant.ceremony_id == Ceremony.id)
        .where(
            CeremonyParticipant.body_id.in_(ids),
            CeremonyParticipant.checked_in_at.is_not(None),
            Ceremony.confirmed_at.is_not(None),  # sworn only once the ceremony is confirmed
            *_window(Ceremony.starts_at, start_at, end_at),
        )
    )
    ceremonies: dict[int, set[int]] = defaultdict(set)
    persons: dict[int, set[tuple[str, int]]] = defaultdict(set)
    for body_id, ceremony_id, appointment_id, participant_id in db.session.execute(sworn):
        ceremonies[body_id].add(ceremony_id)
        # An elected person (人代会选举产生) has no appointment: counted by their row.
        person = ("a", appointment_id) if appointment_id else ("e", participant_id)
        persons[body_id].add(person)
    for body_id in ids:
        rows[body_id].ceremonies = len(ceremonies[body_id])
        rows[body_id].sworn = len(persons[body_id])
    report_conds: list[Any] = [
        ReportSubject.body_id.in_(ids),
        ReportSubject.delivered_on.is_not(None),
    ]
    if start:
        report_conds.append(ReportSubject.delivered_on >= start)
    if end:
        report_conds.append(ReportSubject.delivered_on <= end)
    for body_id, mode, outcome, n in db.session.execute(
        select(ReportSubject.body_id, ReportSubject.mode, ReportSubject.outcome, func.count())
        .where(*report_conds)
        .group_by(ReportSubject.body_id, ReportSubject.mode, ReportSubject.outcome)
    ):
        row = rows[body_id]
        if mode == MODE_ORAL:
            row.reports_oral += n
        else:
            row.reports_written += n
        if outcome == SATISFIED:
            row.satisfied += n
        elif outcome == UNSATISFIED:
            row.unsatisfied += n
    put(
        "report_subjects",
        db.session.execute(
            select(ReportSubject.body_id, func.count())
            .where(ReportSubject.body_id.in_(ids), ReportSubject.exempt_reason == "")
            .group_by(ReportSubject.body_id)
        ),
    )
    for body_id, last in db.session.execute(  # type: ignore[assignment]
        select(AuditEvent.body_id, func.max(AuditEvent.created_at))
        .where(AuditEvent.body_id.in_(ids))
        .group_by(AuditEvent.body_id)
    ):
        rows[body_id].last_activity = last
    return [rows[b.id] for b in bodies]


def totals(rows: list[BodyFigures]) -> dict[str, int]:
    names = [
        "staff",
        "sittings",
        "tested",
        "passed",
        "passed_first",
        "passed_makeup",
        "statements",
        "ceremonies",
        "sworn",
        "reports_oral",
        "reports_written",
        "report_subjects",
        "satisfied",
        "unsatisfied",
    ]
    return {n: sum(getattr(r, n) for r in rows) for n in names}
