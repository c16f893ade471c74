"""A demo term (`flask demo --term`): five plausible years of one 届 for the municipal
demo body and two counties, written with bulk inserts in seconds, and the true counts of
what was written (``TermCounts``), counted as the rows were made."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, insert, select

from examsite.appointments.matters import BUILTIN_POST_KINDS, MatterKind
from examsite.appointments.models import (
    Appointment,
    Ceremony,
    CeremonyParticipant,
    CommitteeTerm,
    ElectedPerson,
    MatterRule,
    Meeting,
    Statement,
)
from examsite.appointments.numerals import congress_place
from examsite.auth.models import User
from examsite.core.body import LEVEL_MUNICIPAL, Body
from examsite.core.errors import UserError
from examsite.core.roles import ROLE_ADMIN, ROLE_BODY_ADMIN, ROLE_STAFF
from examsite.demo_term import people
from examsite.demo_term.build import TERM_NUMBER, BodyTerm, Context, Row
from examsite.exams.models import Attempt, Candidate, PaperTemplate, Sitting
from examsite.extensions import db
from examsite.reports.models import Rectification, ReportPlan, ReportSubject, Term
from examsite.statistics.figures import BodyStatistics

#: The demo bodies the term is generated for (examsite.demo.DEMO_BODIES' codes).
TERM_BODIES = ("city", "east", "west")
#: A county's work against the municipal body's.
COUNTY_FACTOR = 1 / 3
#: The committee's members (应到) per level.
MEMBERS = {True: 51, False: 33}
#: Address codes of the fictional ID numbers, per body (any 6 digits are accepted).
REGIONS = {"city": "330100", "east": "330102", "west": "330127"}


class TermExists(UserError):
    """The demo term was generated already (or the bodies have a term of that number)."""


@dataclass
class TermCounts:
    """The true counts of a generated term, per body code: per calendar year, and for the
    whole term (people counted once however many years they appear in)."""

    by_year: dict[str, dict[int, BodyStatistics]]
    whole_term: dict[str, BodyStatistics]
    #: Each body's term (届) dates.
    terms: dict[str, tuple[date, date]]


def generate_term(
    seed: int = 2026,
    *,
    scale: float = 1.0,
    today: date | None = None,
    body_codes: Sequence[str] = TERM_BODIES,
) -> TermCounts:
    """Write the demo term for the bodies (which must exist); only flushes."""
    today = today or date.today()
    bodies = [
        db.session.scalars(select(Body).where(Body.code == code)).one() for code in body_codes
    ]
    taken = (
        db.session.scalars(
            select(Body.code)
            .join(Term, Term.body_id == Body.id)
            .where(Body.id.in_([b.id for b in bodies]), Term.number == TERM_NUMBER)
        ).first()
        or db.session.scalars(
            select(Body.code)
            .join(Meeting, Meeting.body_id == Body.id)
            .where(Body.id.in_([b.id for b in bodies]), Meeting.term == TERM_NUMBER)
        ).first()
    )
    if taken:
        raise TermExists(_("%(code)s 已有第十七届的记录：演示届次已生成过，未再生成。", code=taken))
    with force_locale("zh_CN"):
        post_kinds = tuple(str(kind) for kind in BUILTIN_POST_KINDS)
    used_codes = set(
        db.session.scalars(
            select(func.coalesce(Attempt.admission_code, "")).where(
                Attempt.admission_code.is_not(None)
            )
        )
    )
    by_year: dict[str, dict[int, BodyStatistics]] = {}
    whole: dict[str, BodyStatistics] = {}
    terms: dict[str, tuple[date, date]] = {}
    for body in bodies:
        # Seeded on purpose: the same seed gives the same term (not for secrets).
        rng = random.Random(f"{seed}:{body.code}")  # noqa: S311 # nosec B311
        municipal = body.level == LEVEL_MUNICIPAL
        used_ids = set(
            db.session.scalars(select(Candidate.id_number).where(Candidate.body_id == body.id))
        )
        ctx = Context(
            code=body.code,
            place=people.place_of(congress_place(body.name) or body.name, municipal),
            region=REGIONS.get(body.code, "330100"),
            members=MEMBERS[municipal],
            factor=scale * (1.0 if municipal else COUNTY_FACTOR),
            post_kinds=post_kinds,
            staff_id=_user(body, (ROLE_STAFF, ROLE_BODY_ADMIN, ROLE_ADMIN)),
            admin_id=_user(body, (ROLE_BODY_ADMIN, ROLE_ADMIN)),
            used_ids=used_ids,
            used_codes=used_codes,
        )
        term = BodyTerm(ctx, rng, today).build()
        _store(body, term)
        years = list(range(term.term["starts_on"].year, today.year + 1))
        by_year[body.code] = {year: term.tally.figures([year], body) for year in years}
        whole[body.code] = term.tally.figures(years, body)
        terms[body.code] = (term.term["starts_on"], term.term["ends_on"])
    db.session.flush()
    return TermCounts(by_year, whole, terms)


def _user(body: Body, roles: tuple[str, ...]) -> int | None:
    """A user of the body with the first of the roles it has (who signs and confirms)."""
    rows = db.session.execute(
        select(User.id, User.role).where(User.body_id == body.id).order_by(User.id)
    ).all()
    for role in roles:
        for user_id, user_role in rows:
            if user_role == role:
                return int(user_id)
    return None


def _params(rows: list[Row], fixed: dict[str, Any]) -> list[dict[str, Any]]:
    """Column values of each row: a reference "_x" (a row or None) becomes x_id; every row
    gets the same keys (None where a row has none), so one statement takes them all."""
    params = []
    for row in rows:
        values = dict(fixed)
        for key, value in row.items():
            if not key.startswith("_"):
                values[key] = value
            elif isinstance(value, dict):
                values[f"{key[1:]}_id"] = value["_id"]
            elif value is None:
                values[f"{key[1:]}_id"] = None
        params.append(values)
    keys = {key for values in params for key in values}
    return [{key: values.get(key) for key in keys} for values in params]


def _insert(model: Any, rows: list[Row], **fixed: Any) -> None:
    """One bulk INSERT of the rows; each row learns its id ("_id")."""
    if not rows:
        return
    ids = db.session.scalars(
        insert(model).returning(model.id, sort_by_parameter_order=True), _params(rows, fixed)
    ).all()
    for row, new_id in zip(rows, ids, strict=True):
        row["_id"] = new_id


def _store(body: Body, term: BodyTerm) -> None:
    """Write the body's rows, table by table, parents first."""
    mine = {"body_id": body.id}
    _insert(Term, [term.term], **mine)
    if db.session.get(CommitteeTerm, (body.id, TERM_NUMBER)) is None:
        db.session.add(CommitteeTerm(body_id=body.id, term=TERM_NUMBER, members=term.ctx.members))
    # Only some nominees speak before the vote (the work reports count about one in six).
    for kind in (MatterKind.APPOINT, MatterKind.DECIDE_APPOINT):
        rule = db.session.get(MatterRule, (body.id, kind))
        if rule is None:
            db.session.add(
                MatterRule(
                    body_id=body.id,
                    kind=kind,
                    needs_test=True,
                    needs_statement=False,
                    needs_oath=True,
                    needs_reports=True,
                )
            )
        else:
            rule.needs_statement = False
    db.session.flush()
    _insert(Meeting, term.meetings, **mine)
    _insert(Candidate, term.candidates, **mine)
    _insert(PaperTemplate, term.templates, **mine)
    _insert(Sitting, term.sittings, **mine)
    _insert(Sitting, term.makeups, **mine)
    _insert(Attempt, term.attempts, **mine)
    _insert(Appointment, term.appointments, **mine)
    _insert(Statement, term.statements, **mine)
    _insert(ElectedPerson, term.elected, **mine)
    _insert(Ceremony, term.ceremonies, **mine)
    _insert(CeremonyParticipant, term.participants, **mine)
    _insert(ReportPlan, term.plans, **mine)
    _insert(ReportSubject, term.subjects, **mine)
    _insert(Rectification, term.rectifications, **mine)
