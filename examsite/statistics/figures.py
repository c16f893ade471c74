"""Every figure of the work reports, for bodies and a period of local days, in a fixed
number of grouped queries (never a query per body).

Units as the reports use them: 人次 for matters, statements, oaths and reports; 人 for
people; 次 for sittings, ceremonies and reporting rounds."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from examsite.appointments.matters import APPOINTING, REMOVING, MatterKind
from examsite.appointments.models import (
    Appointment,
    Ceremony,
    CeremonyParticipant,
    Statement,
)
from examsite.appointments.states import VoteOutcome
from examsite.core.body import Body
from examsite.core.timeutil import local_day_start_utc
from examsite.exams.models import ATTEMPT_GRADED, SITTING_CLOSED, Attempt, Sitting
from examsite.extensions import db
from examsite.reports.models import MODE_ORAL, Rectification, ReportSubject
from examsite.reports.states import VoteOutcome as Satisfaction


@dataclass
class BodyStatistics:
    """One body's figures for a period (``body`` is None for a total)."""

    body: Body | None
    #: 任免人次: the committee's matters (matters.COMMITTEE_KINDS) voted through
    #: (VoteOutcome.APPOINTED) with a vote_date in the period.
    matters: int = 0
    #: 任命人次: those of matters.APPOINTING kinds.
    appointed: int = 0
    #: 免职人次 (免职, 撤职, 接受辞职, 批准免职): those of matters.REMOVING kinds.
    removed: int = 0
    #: 人次 per MatterKind value (committee kinds and 选举), voted through in the period.
    by_kind: dict[str, int] = field(default_factory=dict)
    #: 人次 per post kind name ("" when unknown), committee kinds only.
    by_post_kind: dict[str, int] = field(default_factory=dict)
    #: The same per post kind and MatterKind value (the work report's 任命 / 任免 wording).
    by_post_kind_and_kind: dict[str, dict[str, int]] = field(default_factory=dict)
    #: 人次: 选举 matters recorded through (by the congress session) in the period.
    elected: int = 0
    #: 次: closed sittings that started in the period.
    sittings: int = 0
    #: 人: distinct candidates with a graded attempt in those sittings.
    tested: int = 0
    #: 人: distinct candidates who passed in those sittings.
    passed: int = 0
    #: 人: passed at their first graded attempt / only after a make-up.
    passed_first: int = 0
    passed_makeup: int = 0
    #: 人次: statements delivered (delivered_on in the period).
    statements: int = 0
    #: 次: confirmed ceremonies that started in the period with at least one person sworn.
    ceremonies: int = 0
    #: 人次: persons sworn at those ceremonies (appointed + elected).
    oaths: int = 0
    oaths_appointed: int = 0
    oaths_elected: int = 0
    #: 次: reporting rounds (report plans) with a report delivered in the period.
    report_rounds: int = 0
    #: 人: distinct persons who reported in the period.
    reporters: int = 0
    #: 人次: reports delivered in the period, oral and written.
    reports_oral: int = 0
    reports_written: int = 0
    #: 人次: satisfaction outcomes of the reports delivered in the period.
    satisfied: int = 0
    unsatisfied: int = 0
    #: 人次: rectifications required for reports in the period, still open / closed.
    rectifications_open: int = 0
    rectifications_closed: int = 0
    #: Report subjects due in the period (the denominator of coverage).
    report_subjects: int = 0

    @property
    def reports(self) -> int:
        return self.reports_oral + self.reports_written

    @property
    def pass_rate(self) -> float | None:
        return round(100 * self.passed / self.tested, 1) if self.tested else None

    @property
    def coverage(self) -> float | None:
        return round(100 * self.reports / self.report_subjects, 1) if self.report_subjects else None


#: The fields ``total`` adds up (every count; ``body`` and the dicts apart).
_COUNTS = tuple(
    f.name
    for f in fields(BodyStatistics)
    if f.name not in ("body", "by_kind", "by_post_kind", "by_post_kind_and_kind")
)


def _instants(start: date, end: date, zone: str) -> tuple[datetime, datetime]:
    """The naive-UTC half-open window [start_at, end_at) of the local days [start, end]."""
    return local_day_start_utc(start, zone), local_day_start_utc(end + timedelta(days=1), zone)


def compute(
    bodies: list[Body], start: date, end: date, zone: str = "Asia/Shanghai"
) -> list[BodyStatistics]:
    """The figures of each body for the local days [start, end], in the bodies' order."""
    ids = [b.id for b in bodies]
    rows = {b.id: BodyStatistics(body=b) for b in bodies}
    if not ids:
        return []
    start_at, end_at = _instants(start, end, zone)
    _matters(rows, ids, start, end)
    _exams(rows, ids, start_at, end_at)
    _statements(rows, ids, start, end)
    _oaths(rows, ids, start_at, end_at)
    _reports(rows, ids, start, end)
    return [rows[b.id] for b in bodies]


def _matters(rows: dict[int, BodyStatistics], ids: list[int], start: date, end: date) -> None:
    """任免人次 by kind and post kind, and 选举: one grouped query."""
    result = db.session.execute(
        select(Appointment.body_id, Appointment.kind, Appointment.post_kind, func.count())
        .where(
            Appointment.body_id.in_(ids),
            Appointment.vote == VoteOutcome.APPOINTED,
            Appointment.vote_date >= start,
            Appointment.vote_date <= end,
        )
        .group_by(Appointment.body_id, Appointment.kind, Appointment.post_kind)
    )
    for body_id, kind, post_kind, n in result:
        row = rows[body_id]
        kind = MatterKind(kind)
        row.by_kind[kind.value] = row.by_kind.get(kind.value, 0) + n
        if kind == MatterKind.ELECT:
            row.elected += n
            continue
        row.matters += n
        row.appointed += n if kind in APPOINTING else 0
        row.removed += n if kind in REMOVING else 0
        name = post_kind or ""
        row.by_post_kind[name] = row.by_post_kind.get(name, 0) + n
        kinds = row.by_post_kind_and_kind.setdefault(name, {})
        kinds[kind.value] = kinds.get(kind.value, 0) + n


def _exams(
    rows: dict[int, BodyStatistics], ids: list[int], start_at: datetime, end_at: datetime
) -> None:
    """Closed sittings, and who sat and passed in them: two queries."""
    closed = select(Sitting.id).where(
        Sitting.body_id.in_(ids),
        Sitting.status == SITTING_CLOSED,
        Sitting.starts_at >= start_at,
        Sitting.starts_at < end_at,
    )
    for body_id, n in db.session.execute(
        select(Sitting.body_id, func.count())
        .where(Sitting.id.in_(closed))
        .group_by(Sitting.body_id)
    ):
        rows[body_id].sittings = n
    graded = (
        select(Attempt.body_id, Attempt.candidate_id, Attempt.passed)
        .join(Sitting, Attempt.sitting_id == Sitting.id)
        .where(Attempt.sitting_id.in_(closed), Attempt.status == ATTEMPT_GRADED)
        .order_by(Sitting.starts_at, Attempt.id)
    )
    tested: dict[int, set[int]] = defaultdict(set)
    passed: dict[int, set[int]] = defaultdict(set)
    first: dict[int, set[int]] = defaultdict(set)
    for body_id, candidate_id, ok in db.session.execute(graded):
        if candidate_id not in tested[body_id] and ok:
            first[body_id].add(candidate_id)  # their first graded attempt in the period
        tested[body_id].add(candidate_id)
        if ok:
            passed[body_id].add(candidate_id)
    for body_id in ids:
        row = rows[body_id]
        row.tested, row.passed = len(tested[body_id]), len(passed[body_id])
        row.passed_first = len(first[body_id])
        row.passed_makeup = row.passed - row.passed_first


def _statements(rows: dict[int, BodyStatistics], ids: list[int], start: date, end: date) -> None:
    for body_id, n in db.session.execute(
        select(Statement.body_id, func.count())
        .where(
            Statement.body_id.in_(ids),
            Statement.delivered.is_(True),
            Statement.delivered_on >= start,
            Statement.delivered_on <= end,
        )
        .group_by(Statement.body_id)
    ):
        rows[body_id].statements = n


def _oaths(
    rows: dict[int, BodyStatistics], ids: list[int], start_at: datetime, end_at: datetime
) -> None:
    """Who was sworn at confirmed ceremonies (only a confirmed ceremony took place: before,
    attendance is only a check-in): one query."""
    sworn = (
        select(
            CeremonyParticipant.body_id,
            CeremonyParticipant.ceremony_id,
            CeremonyParticipant.appointment_id,
            CeremonyParticipant.elected_person_id,
            Appointment.kind,
        )
        .join(Ceremony, CeremonyParticipant.ceremony_id == Ceremony.id)
        .outerjoin(Appointment, CeremonyParticipant.appointment_id == Appointment.id)
        .where(
            CeremonyParticipant.body_id.in_(ids),
            CeremonyParticipant.checked_in_at.is_not(None),
            Ceremony.confirmed_at.is_not(None),
            Ceremony.starts_at >= start_at,
            Ceremony.starts_at < end_at,
        )
    )
    ceremonies: dict[int, set[int]] = defaultdict(set)
    persons: dict[int, dict[tuple[str, int], bool]] = defaultdict(dict)
    for body_id, ceremony_id, appointment_id, elected_id, kind in db.session.execute(sworn):
        ceremonies[body_id].add(ceremony_id)
        # Elected: a person the session elected (no appointment) or a 选举 matter.
        if appointment_id is None:
            persons[body_id][("e", elected_id)] = True
        else:
            persons[body_id][("a", appointment_id)] = MatterKind(kind) == MatterKind.ELECT
    for body_id in ids:
        row = rows[body_id]
        row.ceremonies = len(ceremonies[body_id])
        row.oaths = len(persons[body_id])
        row.oaths_elected = sum(persons[body_id].values())
        row.oaths_appointed = row.oaths - row.oaths_elected


def _reports(rows: dict[int, BodyStatistics], ids: list[int], start: date, end: date) -> None:
    """Reports delivered in the period with their round, person, outcome and rectification
    (one query), and the subjects due (one grouped query)."""
    delivered = (
        select(
            ReportSubject.body_id,
            ReportSubject.plan_id,
            Appointment.candidate_id,
            ReportSubject.mode,
            ReportSubject.outcome,
            Rectification.id,
            Rectification.closed_at,
        )
        .join(Appointment, ReportSubject.appointment_id == Appointment.id)
        .outerjoin(Rectification, Rectification.subject_id == ReportSubject.id)
        .where(
            ReportSubject.body_id.in_(ids),
            ReportSubject.delivered_on >= start,
            ReportSubject.delivered_on <= end,
        )
    )
    plans: dict[int, set[int]] = defaultdict(set)
    people: dict[int, set[int]] = defaultdict(set)
    for body_id, plan_id, candidate_id, mode, outcome, rect_id, closed_at in db.session.execute(
        delivered
    ):
        row = rows[body_id]
        if plan_id is not None:
            plans[body_id].add(plan_id)
        people[body_id].add(candidate_id)
        if mode == MODE_ORAL:
            row.reports_oral += 1
        else:
            row.reports_written += 1
        if outcome == Satisfaction.SATISFIED:
            row.satisfied += 1
        elif outcome == Satisfaction.UNSATISFIED:
            row.unsatisfied += 1
        if rect_id is not None:
            if closed_at is None:
                row.rectifications_open += 1
            else:
                row.rectifications_closed += 1
    for body_id in ids:
        rows[body_id].report_rounds = len(plans[body_id])
        rows[body_id].reporters = len(people[body_id])
    for body_id, n in db.session.execute(
        select(ReportSubject.body_id, func.count())
        .where(
            ReportSubject.body_id.in_(ids),
            ReportSubject.exempt_reason == "",
            ReportSubject.due_on >= start,
            ReportSubject.due_on <= end,
        )
        .group_by(ReportSubject.body_id)
    ):
        rows[body_id].report_subjects = n


def total(rows: list[BodyStatistics]) -> BodyStatistics:
    """The sum of the rows (the municipal body's roll-up of its counties)."""
    result = BodyStatistics(body=None)
    for row in rows:
        for name in _COUNTS:
            setattr(result, name, getattr(result, name) + getattr(row, name))
        for key, n in row.by_kind.items():
            result.by_kind[key] = result.by_kind.get(key, 0) + n
        for key, n in row.by_post_kind.items():
            result.by_post_kind[key] = result.by_post_kind.get(key, 0) + n
        for key, kinds in row.by_post_kind_and_kind.items():
            into = result.by_post_kind_and_kind.setdefault(key, {})
            for kind, n in kinds.items():
                into[kind] = into.get(kind, 0) + n
    return result
