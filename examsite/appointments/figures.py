"""The figures an annual work report quotes (工作统计): tests, statements, oaths, votes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select

from examsite.appointments.models import Appointment, Ceremony, CeremonyParticipant, Statement
from examsite.appointments.states import VoteOutcome
from examsite.core.timeutil import local_day_start_utc
from examsite.exams.models import ATTEMPT_GRADED, SITTING_CLOSED, Attempt, Sitting
from examsite.extensions import db


@dataclass(frozen=True)
class Figures:
    """The counts an annual work report quotes, for one body and period."""

    tests_held: int
    candidates_tested: int
    candidates_passed: int
    statements_delivered: int
    ceremonies_held: int
    persons_sworn_in: int
    appointed: int


def count(body_ids: list[int], start: date, end: date, zone: str = "Asia/Shanghai") -> Figures:
    """Counts for the local calendar days [start, end], in a few aggregate queries."""
    start_at = local_day_start_utc(start, zone)
    end_at = local_day_start_utc(end + timedelta(days=1), zone) - timedelta(microseconds=1)
    sittings = select(Sitting.id).where(
        Sitting.body_id.in_(body_ids),
        Sitting.status == SITTING_CLOSED,
        Sitting.starts_at >= start_at,
        Sitting.starts_at <= end_at,
    )
    tests_held = db.session.scalar(select(func.count()).select_from(sittings.subquery())) or 0
    graded = (
        select(Attempt)
        .where(Attempt.sitting_id.in_(sittings), Attempt.status == ATTEMPT_GRADED)
        .subquery()
    )
    tested = db.session.scalar(select(func.count(func.distinct(graded.c.candidate_id)))) or 0
    passed = (
        db.session.scalar(
            select(func.count(func.distinct(graded.c.candidate_id))).where(
                graded.c.passed.is_(True)
            )
        )
        or 0
    )
    statements = (
        db.session.scalar(
            select(func.count())
            .select_from(Statement)
            .where(
                Statement.body_id.in_(body_ids),
                Statement.delivered.is_(True),
                Statement.delivered_on >= start,
                Statement.delivered_on <= end,
            )
        )
        or 0
    )
    # Only ceremonies staff confirmed were held: before that, attendance is only a check-in.
    ceremonies = select(Ceremony.id).where(
        Ceremony.body_id.in_(body_ids),
        Ceremony.starts_at >= start_at,
        Ceremony.starts_at <= end_at,
        Ceremony.confirmed_at.is_not(None),
    )
    held = (
        db.session.scalar(
            select(func.count(func.distinct(CeremonyParticipant.ceremony_id))).where(
                CeremonyParticipant.ceremony_id.in_(ceremonies),
                CeremonyParticipant.checked_in_at.is_not(None),
            )
        )
        or 0
    )
    sworn = (
        db.session.scalar(
            select(func.count(func.distinct(CeremonyParticipant.appointment_id))).where(
                CeremonyParticipant.ceremony_id.in_(ceremonies),
                CeremonyParticipant.checked_in_at.is_not(None),
            )
        )
        or 0
    )
    appointed = (
        db.session.scalar(
            select(func.count())
            .select_from(Appointment)
            .where(
                Appointment.body_id.in_(body_ids),
                Appointment.vote == VoteOutcome.APPOINTED,
                Appointment.vote_date >= start,
                Appointment.vote_date <= end,
            )
        )
        or 0
    )
    return Figures(tests_held, tested, passed, statements, held, sworn, appointed)
