"""Periods (a year, a term, any dates) and the work-report section of a body, from
``figures.compute``: what the page, its exports and the CLI share."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from examsite.appointments.models import Appointment
from examsite.appointments.numerals import chinese_numeral
from examsite.core.body import Body
from examsite.extensions import db
from examsite.reports.models import Term
from examsite.statistics import figures, workreport


@dataclass(frozen=True)
class Period:
    """The local days [start, end]; ``year`` or ``term`` when the period is one."""

    start: date
    end: date
    year: int | None = None
    term: Term | None = None


def term_label(number: int) -> str:
    """“第十七届”."""
    return f"第{chinese_numeral(number)}届"


def terms_of(body: Body) -> list[Term]:
    """The body's terms, the latest first."""
    return list(
        db.session.scalars(select(Term).where(Term.body_id == body.id).order_by(Term.number.desc()))
    )


def data_years(bodies: list[Body]) -> list[int]:
    """The years in which the bodies voted on a matter (the years worth offering), latest
    first: one query."""
    ids = [b.id for b in bodies]
    first, last = db.session.execute(
        select(func.min(Appointment.vote_date), func.max(Appointment.vote_date)).where(
            Appointment.body_id.in_(ids), Appointment.vote_date.is_not(None)
        )
    ).one()
    if first is None or last is None:
        return []
    return list(range(last.year, first.year - 1, -1))


def year_period(year: int) -> Period:
    return Period(date(year, 1, 1), date(year, 12, 31), year=year)


def term_period(body: Body, number: int) -> Period | None:
    """The period of the body's term ``number``; None when the body has no such term."""
    term = db.session.scalars(
        select(Term).where(Term.body_id == body.id, Term.number == number)
    ).first()
    return None if term is None else Period(term.starts_on, term.ends_on, term=term)


def no_term_message(body: Body, number: int) -> Any:
    return _l("%(body)s没有第 %(n)s 届的届期记录。", body=body.name, n=number)


#: Why a period of dates cannot be counted.
BACKWARDS = _l("截止日期不能早于起始日期。")


def report_section(
    body: Body,
    period: Period,
    zone: str,
    today: date,
    bodies: Sequence[Body] | None = None,
) -> workreport.Section:
    """The body's 人事任免 section for a year or a term (with 任免人次 per year of the term).

    ``bodies``: the roll-up of those bodies (the body and its counties) under the body's
    name, their figures added up by ``figures.total``; the body's own by default."""
    counted = list(bodies) if bodies is not None else [body]
    rollup = bodies is not None

    def figures_of(start: date, end: date) -> figures.BodyStatistics:
        return figures.total(figures.compute(counted, start, end, zone))

    row = figures_of(period.start, period.end)
    if period.term is not None:
        term = period.term
        per_year = []
        for year in range(term.starts_on.year, term.ends_on.year + 1):
            # A year's part of the term only: the term may start or end mid-year.
            start = max(term.starts_on, date(year, 1, 1))
            end = min(term.ends_on, date(year, 12, 31))
            part = figures_of(start, end)
            if part.matters:
                per_year.append((year, part.matters))
        finished = term.ends_on < today
        years = round((term.ends_on - term.starts_on).days / 365.25)
        return workreport.term_section(
            body.name, term.number, row, per_year, years=years, finished=finished, rollup=rollup
        )
    year = period.year if period.year is not None else period.start.year
    return workreport.year_section(body.name, year, row, rollup=rollup)
