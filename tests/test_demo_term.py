"""The demo term (`flask demo --term`): plausible sizes, every page of its records answers,
and the counts the generator returns are the truth: the rows in the database, and what the
statistics module reports."""

from __future__ import annotations

import dataclasses
import io
import random
import re
from datetime import date

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import distinct, func, select

from examsite.appointments.matters import APPOINTING, COMMITTEE_KINDS, REMOVING, MatterKind
from examsite.appointments.models import (
    Appointment,
    Ceremony,
    CeremonyParticipant,
    Meeting,
    Statement,
)
from examsite.appointments.states import VoteOutcome
from examsite.core.body import Body
from examsite.core.timeutil import local_day_start_utc
from examsite.demo_term import TermCounts, TermExists, generate_term
from examsite.demo_term.build import BodyTerm, Context
from examsite.demo_term.people import place_of
from examsite.exams.domain import idcard
from examsite.exams.models import Attempt, Candidate, Sitting
from examsite.exams.states import AttemptStatus, SittingStatus
from examsite.extensions import db
from examsite.reports.models import Rectification, ReportSubject
from examsite.reports.states import ReportMode
from examsite.reports.states import VoteOutcome as Satisfaction
from examsite.statistics.figures import BodyStatistics, compute
from tests.fixtures.database import committing

ZONE = "Asia/Shanghai"
#: A fixed "today" late in the term's fifth year, so that sizes do not depend on the clock.
TODAY = date(2026, 11, 20)
SMALL = 0.2


def _generate(app, scale: float = SMALL) -> TermCounts:
    with committing(app):
        return generate_term(7, scale=scale, today=TODAY)


def _periods(counts: TermCounts, code: str) -> list[tuple[date, date, BodyStatistics]]:
    """Each calendar year of the term, then the whole term, with the true counts."""
    periods = [(date(y, 1, 1), date(y, 12, 31), s) for y, s in counts.by_year[code].items()]
    start, end = counts.terms[code]
    return [*periods, (start, end, counts.whole_term[code])]


def _fields(stats: BodyStatistics) -> dict:
    """The figures as plain values; a kind or post kind with no 人次 is left out of the
    breakdowns (whether a zero is listed is presentation, not a count)."""
    values = dataclasses.asdict(stats)
    values.pop("body")
    for key in ("by_kind", "by_post_kind"):
        values[key] = {k: v for k, v in values[key].items() if v}
    if "by_post_kind_and_kind" in values:
        values["by_post_kind_and_kind"] = {
            post_kind: {k: v for k, v in kinds.items() if v}
            for post_kind, kinds in values["by_post_kind_and_kind"].items()
            if any(kinds.values())
        }
    return values


# ----------------------------------------------------------------- the generator alone


def _context(code: str = "city", municipal: bool = True, factor: float = SMALL) -> Context:
    return Context(
        code=code,
        place=place_of("示例市" if municipal else "西山县", municipal),
        region="330100",
        members=51,
        factor=factor,
        post_kinds=tuple(f"kind{i}" for i in range(7)),
        staff_id=None,
        admin_id=None,
        used_ids=set(),
        used_codes=set(),
    )


def test_the_same_seed_gives_the_same_term_and_another_seed_another():
    def build(seed: int) -> BodyTerm:
        return BodyTerm(_context(), random.Random(seed), TODAY).build()

    first, again, other = build(1), build(1), build(2)
    names = [c["name"] for c in first.candidates]
    assert names == [c["name"] for c in again.candidates]
    assert _fields(first.tally.figures([2024])) == _fields(again.tally.figures([2024]))
    assert names != [c["name"] for c in other.candidates]


def test_people_have_valid_distinct_id_numbers_and_nothing_is_dated_after_today():
    term = BodyTerm(_context(factor=1.0), random.Random(3), TODAY).build()
    numbers = [c["id_number"] for c in term.candidates]
    assert all(idcard.is_valid(n, today=TODAY) for n in numbers)
    assert len(set(numbers)) == len(numbers)
    assert max(m["date"] for m in term.meetings) < TODAY
    assert max(s["delivered_on"] for s in term.subjects) < TODAY
    # Every removal of a person appointed in the term comes after the appointment.
    assert all(r["left_on"] > r["vote_date"] for r in term.appointments if r["left_on"] is not None)


# ----------------------------------------------------------------- sizes at scale 1.0


def test_a_term_at_full_scale_has_the_sizes_of_a_real_one(app, world):
    counts = _generate(app, scale=1.0)
    city = counts.whole_term["city"]
    assert 25 <= city.sittings <= 36
    assert 520 <= city.passed <= 680 and city.passed_makeup > 0
    assert 80 <= city.statements <= 125
    assert 220 <= city.oaths <= 320 and city.oaths_elected > 0
    assert 1250 <= city.matters <= 1550
    assert 0.3 <= city.removed / city.appointed <= 0.5
    assert {k for k, v in city.by_kind.items() if v} == {k.value for k in MatterKind}
    assert city.report_rounds == 6 and 40 <= city.reports <= 60
    assert city.rectifications_open + city.rectifications_closed > 0
    for code in ("east", "west"):
        county = counts.whole_term[code]
        assert 0.2 <= county.matters / city.matters <= 0.5, code
        assert 0.2 <= county.passed / city.passed <= 0.5, code
    assert sorted(counts.by_year["city"]) == [2022, 2023, 2024, 2025, 2026]


def test_a_term_is_generated_once(app, world):
    _generate(app)
    with pytest.raises(TermExists), committing(app):
        generate_term(7, scale=SMALL, today=TODAY)


# ----------------------------------------------------------------- the counts are the truth


def _rows(body_id: int, start: date, end: date) -> dict[str, int]:
    """Plain row counts of what the database holds for the body in the local days."""
    since = local_day_start_utc(start, ZONE)
    until = local_day_start_utc(date.fromordinal(end.toordinal() + 1), ZONE)
    s = db.session

    def matters(*kinds: MatterKind) -> int:
        return s.scalar(
            select(func.count(Appointment.id)).where(
                Appointment.body_id == body_id,
                Appointment.kind.in_(kinds),
                Appointment.vote == VoteOutcome.APPOINTED,
                Appointment.vote_date.between(start, end),
            )
        )

    sittings = select(Sitting.id).where(
        Sitting.body_id == body_id,
        Sitting.status == SittingStatus.CLOSED,
        Sitting.starts_at >= since,
        Sitting.starts_at < until,
    )
    graded = (Attempt.sitting_id.in_(sittings), Attempt.status == AttemptStatus.GRADED)
    sworn = (
        select(func.count(CeremonyParticipant.id))
        .join(Ceremony, CeremonyParticipant.ceremony_id == Ceremony.id)
        .where(
            Ceremony.body_id == body_id,
            Ceremony.confirmed_at.is_not(None),
            CeremonyParticipant.checked_in_at.is_not(None),
            Ceremony.starts_at >= since,
            Ceremony.starts_at < until,
        )
    )
    delivered = (
        ReportSubject.body_id == body_id,
        ReportSubject.delivered_on.between(start, end),
    )
    return {
        "matters": matters(*COMMITTEE_KINDS),
        "appointed": matters(*APPOINTING),
        "removed": matters(*REMOVING),
        "elected": matters(MatterKind.ELECT),
        "sittings": s.scalar(select(func.count()).select_from(sittings.subquery())),
        "tested": s.scalar(select(func.count(distinct(Attempt.candidate_id))).where(*graded)),
        "passed": s.scalar(
            select(func.count(distinct(Attempt.candidate_id))).where(*graded, Attempt.passed)
        ),
        "statements": s.scalar(
            select(func.count(Statement.id)).where(
                Statement.body_id == body_id,
                Statement.delivered,
                Statement.delivered_on.between(start, end),
            )
        ),
        "oaths_appointed": s.scalar(sworn.where(CeremonyParticipant.appointment_id.is_not(None))),
        "oaths_elected": s.scalar(sworn.where(CeremonyParticipant.elected_person_id.is_not(None))),
        "reports_oral": s.scalar(
            select(func.count(ReportSubject.id)).where(
                *delivered, ReportSubject.mode == ReportMode.ORAL.value
            )
        ),
        "reports_written": s.scalar(
            select(func.count(ReportSubject.id)).where(
                *delivered, ReportSubject.mode == ReportMode.WRITTEN.value
            )
        ),
        "unsatisfied": s.scalar(
            select(func.count(ReportSubject.id)).where(
                *delivered, ReportSubject.outcome == Satisfaction.UNSATISFIED
            )
        ),
        "rectifications_closed": s.scalar(
            select(func.count(Rectification.id))
            .join(ReportSubject, Rectification.subject_id == ReportSubject.id)
            .where(*delivered, Rectification.closed_at.is_not(None))
        ),
        "report_subjects": s.scalar(
            select(func.count(ReportSubject.id)).where(
                ReportSubject.body_id == body_id, ReportSubject.due_on.between(start, end)
            )
        ),
    }


def test_the_counts_returned_are_the_rows_written(app, world):
    counts = _generate(app)
    with app.app_context():
        for code in ("city", "east", "west"):
            body_id = db.session.scalars(select(Body.id).where(Body.code == code)).one()
            for start, end, truth in _periods(counts, code):
                rows = _rows(body_id, start, end)
                expected = {key: getattr(truth, key) for key in rows}
                assert rows == expected, (code, start, end)
        # The generated term is not empty in any year, so the comparison says something.
        assert all(s.matters and s.sittings for s in counts.by_year["city"].values())


def test_the_statistics_report_exactly_the_counts_generated(app, world):
    counts = _generate(app)
    with app.app_context():
        for code in ("city", "east", "west"):
            body = db.session.scalars(select(Body).where(Body.code == code)).one()
            for start, end, truth in _periods(counts, code):
                (row,) = compute([body], start, end, ZONE)
                assert _fields(row) == _fields(truth), (code, start, end)


def test_the_page_the_xlsx_and_the_docx_give_the_counts_generated(app, world, login_as):
    """What a user downloads agrees with the truth too: the xlsx's every cell, each body's
    and the total's, and the .docx's sentences, the city's own and the roll-up's."""
    from examsite.statistics import workreport
    from examsite.statistics.figures import total
    from examsite.statistics.views import groups

    counts = _generate(app)
    # The year with the most reports (a scaled-down term reports in few years).
    year = max(counts.by_year["city"], key=lambda y: counts.by_year["city"][y].reports)
    truths = {code: counts.by_year[code][year] for code in ("city", "east", "west")}
    truth_total = total(list(truths.values()))
    assert truth_total.matters and truth_total.sittings and truth_total.reports
    admin = login_as("admin")
    response = admin.get(f"/statistics?year={year}&format=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    headers = [c.value for c in sheet[2]]
    rows = {r[0]: dict(zip(headers, r, strict=True)) for r in sheet.iter_rows(3, values_only=True)}
    with app.test_request_context():
        names = {
            code: db.session.scalars(select(Body.name).where(Body.code == code)).one()
            for code in truths
        }
        columns = [c for _name, cols in groups(truth_total) for c in cols]
        expected = {
            names[code]: {c.header: c.value(t) for c in columns} for code, t in truths.items()
        }
        expected["合计"] = {c.header: c.value(truth_total) for c in columns}
    assert headers[1:] == [c.header for c in columns]
    assert {name: {h: row[h] for h in headers[1:]} for name, row in rows.items()} == expected

    page = admin.get(f"/statistics?year={year}").get_data(as_text=True)
    for key in ("matters", "sittings", "passed", "oaths"):
        cell = re.search(rf'data-testid="total-{key}-cell">([^<]*)<', page)
        assert cell and cell.group(1) == str(getattr(truth_total, key)), key

    for query, section in (
        ("", workreport.year_section(names["city"], year, truths["city"])),
        ("&scope=all", workreport.year_section(names["city"], year, truth_total, rollup=True)),
    ):
        response = admin.get(f"/statistics?year={year}&format=docx{query}")
        assert response.status_code == 200, query
        texts = [p.text for p in Document(io.BytesIO(response.data)).paragraphs if p.text]
        assert texts[:5] == [section.title, section.heading, *section.paragraphs], query


# ----------------------------------------------------------------- its pages answer


def test_the_pages_of_the_generated_records_answer(app, world, login_as):
    _generate(app)
    with app.app_context():
        east = db.session.scalars(select(Body).where(Body.code == "east")).one()
        mine = Appointment.body_id == east.id
        sitting = (
            db.session.scalars(
                select(Sitting).where(Sitting.body_id == east.id, Sitting.makeup_of_id.is_not(None))
            ).first()
            or db.session.scalars(select(Sitting).where(Sitting.body_id == east.id)).first()
        )
        attempt = db.session.scalars(
            select(Attempt).where(
                Attempt.sitting_id == sitting.id, Attempt.status == AttemptStatus.GRADED
            )
        ).first()
        sworn = db.session.scalars(
            select(Appointment)
            .join(Statement, Statement.appointment_id == Appointment.id)
            .join(CeremonyParticipant, CeremonyParticipant.appointment_id == Appointment.id)
            .where(mine)
        ).first()
        removal = db.session.scalars(
            select(Appointment).where(mine, Appointment.kind == MatterKind.REMOVE)
        ).first()
        elected = db.session.scalars(
            select(Appointment).where(mine, Appointment.kind == MatterKind.ELECT)
        ).first()
        meeting_id = sworn.meeting_id
        ceremonies = db.session.scalars(select(Ceremony.id).where(Ceremony.body_id == east.id))
        subject = db.session.scalars(
            select(ReportSubject).where(
                ReportSubject.body_id == east.id, ReportSubject.outcome.is_not(None)
            )
        ).first()
        candidate_id = db.session.scalars(
            select(Candidate.id).where(Candidate.id == attempt.candidate_id)
        ).one()
        ids = {
            "sitting": sitting.id,
            "attempt": attempt.id,
            "term": subject.term_id,
            "subject": subject.id,
            "ceremonies": list(ceremonies)[:2],
        }
        matters = [sworn.id, removal.id, elected.id]
    base = "/bodies/east"
    pages = [
        f"{base}/exams/sittings",
        f"{base}/exams/sittings/{ids['sitting']}",
        f"{base}/exams/sittings/{ids['sitting']}/results",
        f"{base}/exams/sittings/{ids['sitting']}/attempts/{ids['attempt']}/report",
        f"{base}/invigilate/{ids['sitting']}/record",
        f"{base}/exams/candidates",
        f"{base}/exams/candidates/{candidate_id}/edit",
        f"{base}/appointments/",
        f"{base}/appointments/meetings/{meeting_id}",
        *(f"{base}/appointments/{m}" for m in matters),
        f"{base}/appointments/ceremonies",
        *(f"{base}/appointments/ceremonies/{c}" for c in ids["ceremonies"]),
        *(f"{base}/appointments/ceremonies/{c}/record" for c in ids["ceremonies"]),
        f"{base}/reports/",
        f"{base}/reports/terms/{ids['term']}",
        f"{base}/reports/terms/{ids['term']}/coverage",
        f"{base}/reports/subjects/{ids['subject']}",
        f"{base}",
    ]
    browser = login_as("east-admin")
    for page in pages:
        response = browser.get(page)
        assert response.status_code == 200, (page, response.get_data(as_text=True)[:300])
    # What a page shows comes from the generated term (a statement and an oath of record).
    text = browser.get(f"{base}/appointments/{sworn.id}").get_data(as_text=True)
    assert sworn.proposed_post in text
    admin = login_as("admin")
    for page in ("/statistics", "/rollout", "/"):
        assert admin.get(page).status_code == 200, page


# ----------------------------------------------------------------- the command


def test_the_demo_command_loads_the_term_once_and_prints_its_counts(app, runner):
    result = runner.invoke(args=["demo", "--term"])
    assert result.exit_code == 0, result.output
    lines = re.findall(r"^    all: (\d+) matters .* (\d+) sittings", result.output, flags=re.M)
    assert len(lines) == 3, result.output
    with app.app_context():
        city_id = db.session.scalars(select(Body.id).where(Body.code == "city")).one()
        written = db.session.scalar(
            select(func.count(Appointment.id)).where(
                Appointment.body_id == city_id,
                Appointment.kind.in_(COMMITTEE_KINDS),
                Appointment.vote == VoteOutcome.APPOINTED,
            )
        )
        meetings = db.session.scalar(
            select(func.count(Meeting.id)).where(Meeting.body_id == city_id)
        )
    assert int(lines[0][0]) == written and meetings >= 25
    again = runner.invoke(args=["demo", "--term"])
    assert again.exit_code != 0 and "已生成过" in again.output
    quiet = runner.invoke(args=["demo", "--if-empty", "--term"])
    assert quiet.exit_code == 0 and "not empty" in quiet.output
