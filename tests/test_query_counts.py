"""Query counts that do not grow with the room (issue 17, item 7).

Every list, panel, export and dashboard loads in a fixed number of queries: each page is
requested with 10 rows and with 100 rows (candidates of a sitting, questions, appointments,
report subjects, bodies) and must send the same number of statements both times.
"""

from __future__ import annotations

import re
import secrets
from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from examsite.appointments.models import (
    Appointment,
    Ceremony,
    CeremonyParticipant,
    Meeting,
    Statement,
)
from examsite.appointments.states import VoteOutcome
from examsite.auth.models import User
from examsite.bank import importing as bank_importing
from examsite.bank import sharing as bank_sharing
from examsite.bank.formats.model import ParsedQuestion
from examsite.bank.models import QuestionRevision
from examsite.core.body import LEVEL_COUNTY, Body
from examsite.core.timeutil import utcnow
from examsite.exams import answering
from examsite.exams.models import Answer, Attempt, Candidate, PaperTemplate, Sitting
from examsite.extensions import db
from examsite.invigilation.models import Incident
from examsite.reports.models import ReportSubject, Term
from tests.fixtures.database import committing
from tests.fixtures.exams import open_sitting_now
from tests.fixtures.factories import body_row, user_row
from tests.fixtures.ids import next_id
from tests.fixtures.queries import QueryCount

SMALL, LARGE = 10, 100
TODAY = date.today()


# --------------------------------------------------------------------------- measuring


def _measure(count_queries: Any, browser: Any, url: str, warm: bool = True) -> QueryCount:
    """The statements of one request, after a first one has warmed the per-process caches
    (``warm=False`` when a request of the same page already has)."""
    if warm:
        assert browser.get(url).status_code == 200, url
    with count_queries() as q:
        response = browser.get(url)
    assert response.status_code == 200, url
    return q


def _pair(
    count_queries: Any, browser: Any, url: str, small: int, large: int
) -> tuple[QueryCount, QueryCount]:
    """A page of the small and of the large set (an URL with ``{id}``)."""
    return (
        _measure(count_queries, browser, url.format(id=small)),
        _measure(count_queries, browser, url.format(id=large), warm=False),
    )


def _unnumbered(statement: str) -> str:
    return re.sub(r"sa_savepoint_\d+", "sa_savepoint", statement)


def _grown(small: QueryCount, large: QueryCount) -> str:
    """What the larger request sent more of (the queries run once per row)."""
    # Savepoint names are numbered: the same statement every time, whatever its number.
    extra = Counter(map(_unnumbered, large.statements)) - Counter(
        map(_unnumbered, small.statements)
    )
    lines = [f"{n}× {s[:200]}" for s, n in extra.most_common(5)]
    return f"{small.count} → {large.count} queries; repeated:\n" + "\n".join(lines)


def _assert_fixed(results: dict[str, tuple[QueryCount, QueryCount]]) -> None:
    for name, (small, large) in results.items():  # shown with -s, or on a failure
        print(f"{name}: {small.count} queries for {SMALL} rows, {large.count} for {LARGE}")
    grown = {
        name: _grown(small, large)
        for name, (small, large) in results.items()
        if small.count != large.count
    }
    assert not grown, "\n\n".join(f"{name}: {text}" for name, text in grown.items())


# --------------------------------------------------------------------------- a sitting


def _paper_answers(attempt: Attempt, how: str) -> list[Answer]:
    """Answer rows (original option indexes) for the attempt's paper: every question right,
    every one wrong, or the first half right and the rest left blank."""
    paper = attempt.paper_items
    assert paper is not None
    key = {
        r.id: r.answer
        for r in db.session.scalars(
            select(QuestionRevision).where(QuestionRevision.id.in_(paper.revision_ids))
        )
    }
    rows = []
    for position, item in enumerate(paper):
        if how == "half" and position >= len(paper) // 2:
            break
        right = list(key[item.revision_id])
        choice = right if how != "wrong" else [o for o in item.option_order if o not in right][:1]
        rows.append(Answer(attempt_id=attempt.id, position=position, choice=choice, seq=1))
    return rows


def _take(attempt: Attempt, kind: int) -> None:
    """Take a candidate as far as ``kind`` says; of every five in a room one is graded with
    full marks, one graded and failed, one answering, one logged in, one not come yet."""
    if kind == 4:
        return
    attempt.session_token = secrets.token_hex(16)
    attempt.last_seen_at = utcnow()
    attempt.last_ip = "10.0.0.1"
    db.session.commit()
    if kind == 3:
        return
    answering.start_attempt(attempt)
    how = {0: "right", 1: "wrong", 2: "half"}[kind]
    db.session.add_all(_paper_answers(attempt, how))
    if kind == 1:
        attempt.focus_losses, attempt.refused_logins, attempt.extra_minutes = 2, 1, 5
    db.session.commit()
    if kind in (0, 1):
        assert answering.submit(attempt)


@pytest.fixture
def room(app: Flask, world: Any, make_bank: Any, make_template: Any) -> Callable[[int], int]:
    """room(n) -> the id of a sitting in east with n candidates, opened (papers drawn) and
    under way; east-staff invigilates; n/5 more people of the body are not enrolled."""
    make_bank("city")
    template_id = make_template("east", name="标准卷", duration_minutes=60, pass_mark=12.0).id

    def build(n: int) -> int:
        with committing(app):
            body = body_row("east")
            people = [
                Candidate(
                    body_id=body.id,
                    name=f"考生{n}-{i}",
                    id_number=next_id(),
                    work_unit="某局",
                    proposed_post="局长",
                    batch=f"第{n}次会议",
                )
                for i in range(n + n // 5)
            ]
            db.session.add_all(people)
            db.session.commit()
            template = db.session.get(PaperTemplate, template_id)
            assert template is not None
            sitting = open_sitting_now(
                body,
                template,
                people[:n],
                title=f"{n} 人的场次",
                invigilators=[user_row("east-staff")],
            )
            for i, attempt in enumerate(list(sitting.attempts)):
                _take(attempt, i % 5)
            staff = [user_row("east-staff").id, user_row("east-admin").id]
            db.session.add_all(
                Incident(
                    body_id=body.id,
                    sitting_id=sitting.id,
                    attempt_id=attempt.id,
                    category="equipment",
                    note="电脑死机",
                    created_by_id=staff[i % 2],
                )
                for i, attempt in enumerate(sitting.attempts[::10])
            )
            db.session.commit()
            return sitting.id

    return build


SITTING_PAGES = {
    "sitting": ("east-admin", "/bodies/east/exams/sittings/{id}"),
    "panel": ("east-staff", "/bodies/east/invigilate/{id}/"),
    "panel data": ("east-staff", "/bodies/east/invigilate/{id}/data"),
    "results": ("east-staff", "/bodies/east/exams/sittings/{id}/results"),
    "results.xlsx": ("east-staff", "/bodies/east/exams/sittings/{id}/results.xlsx"),
    "slips": ("east-staff", "/bodies/east/exams/sittings/{id}/slips"),
}


def test_sitting_pages_cost_the_same_for_any_room(room, login_as, count_queries):
    small, large = room(SMALL), room(LARGE)
    browsers = {u: login_as(u) for u in ("east-admin", "east-staff")}
    results = {}
    for name, (user, url) in SITTING_PAGES.items():
        results[name] = _pair(count_queries, browsers[user], url, small, large)
    _assert_fixed(results)
    page = browsers["east-admin"].get(f"/bodies/east/exams/sittings/{large}").get_data(True)
    assert "考生100-99" in page and "考生100-100" in page  # the roster and the enrolable


def test_sittings_list_costs_the_same_for_any_number_of_rooms(
    app, world, make_template, login_as, count_queries
):
    """Each row shows its number of candidates."""
    template_id = make_template("east").id
    now = utcnow()

    def add(n: int, start: int) -> None:
        with committing(app):
            body = body_row("east")
            for k in range(start, start + n):
                sitting = Sitting(
                    body_id=body.id,
                    title=f"第{k}场",
                    starts_at=now + timedelta(days=k),
                    ends_at=now + timedelta(days=k, hours=2),
                    template_id=template_id,
                )
                people = [
                    Candidate(body_id=body.id, name=f"考生{k}-{i}", id_number=next_id())
                    for i in range(2)
                ]
                db.session.add_all([sitting, *people])
                db.session.flush()
                db.session.add_all(
                    Attempt(body_id=body.id, sitting_id=sitting.id, candidate_id=p.id)
                    for p in people
                )
            db.session.commit()

    b = login_as("east-staff")
    add(SMALL, 0)
    small = _measure(count_queries, b, "/bodies/east/exams/sittings")
    add(LARGE - SMALL, SMALL)
    large = _measure(count_queries, b, "/bodies/east/exams/sittings")
    _assert_fixed({"sittings": (small, large)})


def test_item_analysis_costs_the_same_for_any_room(room, login_as, count_queries):
    small, large = room(SMALL), room(LARGE)
    b = login_as("east-staff")
    url = "/bodies/east/exams/sittings/{id}/analysis"
    _assert_fixed({"analysis": _pair(count_queries, b, url, small, large)})
    page = b.get(url.format(id=large)).get_data(as_text=True)
    assert re.search(r'/bank/\d+">#\d+</a>', page)  # a row per question


def _history(app: Flask, template_id: int, people: int, sittings: int) -> tuple[int, list[int]]:
    """``sittings`` sittings in a make-up chain (each a make-up of the one before), every
    one with the same ``people`` candidates, graded: (the last sitting's id, the people)."""
    now = utcnow()
    with committing(app):
        body = body_row("east")
        persons = [
            Candidate(body_id=body.id, name=f"补考{people}-{i}", id_number=next_id())
            for i in range(people)
        ]
        db.session.add_all(persons)
        previous: int | None = None
        for k in range(sittings):
            sitting = Sitting(
                body_id=body.id,
                title=f"{people}人第{k}场",
                starts_at=now - timedelta(days=100 - k),
                ends_at=now - timedelta(days=100 - k, hours=-2),
                template_id=template_id,
                makeup_of_id=previous,
            )
            db.session.add(sitting)
            db.session.flush()
            db.session.add_all(
                Attempt(
                    body_id=body.id,
                    sitting_id=sitting.id,
                    candidate_id=p.id,
                    status="graded",
                    score=float(k),
                    max_score=10.0,
                    passed=k == sittings - 1,
                )
                for p in persons
            )
            previous = sitting.id
        db.session.commit()
        assert previous is not None
        return previous, [p.id for p in persons]


def test_a_makeup_results_export_costs_the_same_for_any_room(
    app, world, make_template, login_as, count_queries
):
    """The export lists each candidate's first test and make-ups (issue 18)."""
    template_id = make_template("east").id
    small, _people = _history(app, template_id, SMALL, 2)
    large, _people = _history(app, template_id, LARGE, 3)
    b = login_as("east-staff")
    url = "/bodies/east/exams/sittings/{id}/results.xlsx"
    _assert_fixed({"makeup results.xlsx": _pair(count_queries, b, url, small, large)})


def test_the_candidate_page_costs_the_same_for_any_number_of_attempts(
    app, world, make_template, login_as, count_queries
):
    """The staff candidate page lists every attempt with its sitting (issue 18)."""
    template_id = make_template("east").id
    _last, (few,) = _history(app, template_id, 1, SMALL)
    _last, (many,) = _history(app, template_id, 1, LARGE)
    b = login_as("east-staff")
    url = "/bodies/east/exams/candidates/{id}/edit"
    _assert_fixed({"candidate page": _pair(count_queries, b, url, few, many)})
    page = b.get(url.format(id=many)).get_data(as_text=True)
    assert "1人第0场" in page and "1人第99场" in page and page.count("补考</td>") == LARGE - 1


def test_candidates_list_costs_the_same_for_any_number_of_people(
    app, world, login_as, count_queries
):
    def add(n: int) -> None:
        with committing(app):
            body = body_row("east")
            db.session.add_all(
                Candidate(body_id=body.id, name=f"考生{i}", id_number=next_id(), batch="第一批")
                for i in range(n)
            )
            db.session.commit()

    b = login_as("east-admin")
    url = "/bodies/east/exams/candidates?q=考生&batch=第一批"
    add(SMALL)
    small = _measure(count_queries, b, url)
    add(LARGE - SMALL)
    large = _measure(count_queries, b, url)
    _assert_fixed({"candidates": (small, large)})


# --------------------------------------------------------------------------- the bank


def _questions(n: int, tag: str) -> list[ParsedQuestion]:
    return [
        ParsedQuestion(
            "single",
            f"{tag}题{i}：宪法规定了什么？",
            ("甲", "乙", "丙", "丁"),
            (i % 4,),
            "解析",
            "《中华人民共和国宪法》第一条",
            "宪法",
            2,
        )
        for i in range(n)
    ]


def test_bank_list_costs_the_same_for_any_number_of_questions(app, world, login_as, count_queries):
    """A county's list: its own questions and those the city shares (published)."""

    def add(n: int, start: int) -> None:
        with committing(app):
            for code in ("city", "east"):
                body = body_row(code)
                bank_importing.add_questions(
                    body, _questions(n, f"{code}{start}-"), user_id=None, source="test"
                )
                db.session.commit()
                bank_sharing.publish(body)

    with committing(app):
        body_row("east").own_questions = True
        db.session.commit()
    b = login_as("east-admin")
    url = "/bodies/east/bank/?category=宪法&qtype=single&status=active"
    add(SMALL, 0)
    small = _measure(count_queries, b, url)
    add(LARGE - SMALL, SMALL)
    large = _measure(count_queries, b, url)
    _assert_fixed({"bank": (small, large)})


# --------------------------------------------------------------------------- appointments


def _appointments(body: Body, meeting: Meeting | None, n: int, tag: str) -> list[Appointment]:
    """n appointments: every other appointed (exempted), every third has delivered its
    statement; the candidates are new people of the body."""
    people = [
        Candidate(body_id=body.id, name=f"{tag}{i}", id_number=next_id(), proposed_post="局长")
        for i in range(n)
    ]
    db.session.add_all(people)
    db.session.flush()
    rows = [
        Appointment(
            body_id=body.id,
            candidate_id=p.id,
            meeting_id=meeting.id if meeting else None,
            proposed_post=f"局长{i}",
            exemption_reason="连任同一职务" if i % 2 == 0 else "",
            vote=VoteOutcome.APPOINTED if i % 2 == 0 else VoteOutcome.PENDING,
            vote_date=TODAY - timedelta(days=30) if i % 2 == 0 else None,
        )
        for i, p in enumerate(people)
    ]
    db.session.add_all(rows)
    db.session.flush()
    db.session.add_all(
        Statement(body_id=body.id, appointment_id=a.id, order=i, delivered=True, delivered_on=TODAY)
        for i, a in enumerate(rows)
        if i % 3 == 0
    )
    return rows


def _ceremony(body: Body, appointments: list[Appointment], title: str) -> Ceremony:
    """A ceremony of these appointments, every other one checked in."""
    now = utcnow()
    ceremony = Ceremony(
        body_id=body.id,
        title=title,
        starts_at=now - timedelta(minutes=5),
        ends_at=now + timedelta(hours=1),
        venue="会议室",
        oath_text="我宣誓",
        oath_version="2018",
        check_in_code=secrets.token_hex(16),
    )
    db.session.add(ceremony)
    db.session.flush()
    db.session.add_all(
        CeremonyParticipant(
            body_id=body.id,
            ceremony_id=ceremony.id,
            appointment_id=a.id,
            token=secrets.token_hex(16),
            checked_in_at=now if i % 2 == 0 else None,
            check_in_method="self" if i % 2 == 0 else "",
        )
        for i, a in enumerate(appointments)
    )
    return ceremony


def test_meeting_and_ceremony_pages_cost_the_same_for_any_number_of_people(
    app, world, login_as, count_queries
):
    ids: dict[int, tuple[int, int]] = {}
    with committing(app):
        body = body_row("east")
        for n in (SMALL, LARGE):
            meeting = Meeting(body_id=body.id, term=16, number=n, date=TODAY)
            db.session.add(meeting)
            db.session.flush()
            rows = _appointments(body, meeting, n, f"任{n}-")
            appointed = [a for a in rows if a.vote == VoteOutcome.APPOINTED]
            # Everyone else's oath is still to come: the ceremony page offers them.
            ceremony = _ceremony(body, appointed[: len(appointed) // 2], f"{n} 人的仪式")
            ids[n] = (meeting.id, ceremony.id)
        db.session.commit()
    b = login_as("east-staff")
    base = "/bodies/east/appointments"
    pages = {
        "meeting": "/meetings/{m}",
        "meeting export.xlsx": "/meetings/{m}/export.xlsx",
        "ceremony": "/ceremonies/{c}",
        "ceremony sheet": "/ceremonies/{c}/sheet",
        "ceremony export.xlsx": "/ceremonies/{c}/export.xlsx",
    }
    results = {}
    for name, path in pages.items():
        (m1, c1), (m2, c2) = ids[SMALL], ids[LARGE]
        results[name] = (
            _measure(count_queries, b, base + path.format(m=m1, c=c1)),
            _measure(count_queries, b, base + path.format(m=m2, c=c2), warm=False),
        )
    _assert_fixed(results)


def test_appointment_lists_cost_the_same_for_any_number_of_rows(
    app, world, login_as, count_queries
):
    """The meetings and the ceremonies (each with its people), and the statements export."""

    def add(n: int, start: int) -> None:
        with committing(app):
            body = body_row("east")
            for k in range(start, start + n):
                meeting = Meeting(body_id=body.id, term=16, number=k + 1, date=TODAY)
                db.session.add(meeting)
                db.session.flush()
                rows = _appointments(body, meeting, 2, f"会{k}-")
                _ceremony(body, rows, f"仪式{k}")
            db.session.commit()

    b = login_as("east-staff")
    base = "/bodies/east/appointments"
    pages = {"meetings": "/", "ceremonies": "/ceremonies", "statements.xlsx": "/statements.xlsx"}
    add(SMALL, 0)
    small = {name: _measure(count_queries, b, base + path) for name, path in pages.items()}
    add(LARGE - SMALL, SMALL)
    large = {name: _measure(count_queries, b, base + path) for name, path in pages.items()}
    _assert_fixed({name: (small[name], large[name]) for name in pages})


# --------------------------------------------------------------------------- reports


def _subjects(app: Flask, n: int, term_id: int, start: int) -> None:
    """n report subjects in the term: oral ones at the term's meetings (some reported),
    written ones due on a date, every fifth person has left the post."""
    with committing(app):
        body = body_row("east")
        term = db.session.get(Term, term_id)
        assert term is not None
        meetings = list(
            db.session.scalars(
                select(Meeting).where(Meeting.body_id == body.id).order_by(Meeting.id)
            )
        )
        rows = _appointments(body, None, n, f"报告{start}-")
        for i, a in enumerate(rows):
            a.vote, a.vote_date = VoteOutcome.APPOINTED, term.starts_on
            if i % 5 == 4:
                a.left_on = TODAY - timedelta(days=1)
            oral = i % 2 == 0
            db.session.add(
                ReportSubject(
                    body_id=body.id,
                    term_id=term.id,
                    appointment_id=a.id,
                    mode="oral" if oral else "written",
                    meeting_id=meetings[i % len(meetings)].id if oral else None,
                    due_on=None if oral else TODAY + timedelta(days=(i % 40) - 10),
                    delivered_on=TODAY - timedelta(days=1) if i % 3 == 0 else None,
                    outcome="satisfied" if i % 6 == 0 else None,
                )
            )
        # People appointed but not yet subjects: the term page offers them.
        for a in _appointments(body, None, n // 5, f"未列{start}-"):
            a.vote, a.vote_date = VoteOutcome.APPOINTED, term.starts_on
        db.session.commit()


def test_report_subject_lists_cost_the_same_for_any_number_of_subjects(
    app, world, make_term, login_as, count_queries
):
    term = make_term("east", number=16)
    with committing(app):
        body = body_row("east")
        for k, days in enumerate((-20, 5, 20, 60)):
            db.session.add(
                Meeting(
                    body_id=body.id,
                    term=16,
                    number=k + 1,
                    date=TODAY + timedelta(days=days),
                    cancelled=k == 2,
                )
            )
        db.session.commit()
    b = login_as("east-staff")
    base = "/bodies/east/reports"
    month = TODAY.strftime("%Y-%m")
    pages = {
        "due and overdue": "/",
        "term": f"/terms/{term.id}",
        "calendar": f"/calendar?month={month}",
        "calendar.ics": "/calendar.ics",
        "coverage": f"/terms/{term.id}/coverage",
        "coverage.xlsx": f"/terms/{term.id}/coverage?format=xlsx",
    }
    _subjects(app, SMALL, term.id, 0)
    small = {name: _measure(count_queries, b, base + path) for name, path in pages.items()}
    _subjects(app, LARGE - SMALL, term.id, SMALL)
    large = {name: _measure(count_queries, b, base + path) for name, path in pages.items()}
    _assert_fixed({name: (small[name], large[name]) for name in pages})


# --------------------------------------------------------------------------- dashboard


def _counties(app: Flask, n: int, start: int) -> None:
    """n counties under the city, each with a staff member, a closed sitting with one
    graded attempt, a delivered statement, a sworn person and a delivered report."""
    now = utcnow()
    with committing(app):
        city = body_row("city")
        template = PaperTemplate(body_id=city.id, name="卷", sections=[])
        db.session.add(template)
        for k in range(start, start + n):
            county = Body(code=f"c{k:03d}", name=f"县{k}", level=LEVEL_COUNTY, parent_id=city.id)
            db.session.add(county)
            db.session.flush()
            db.session.add(
                User(
                    body_id=county.id,
                    username=f"c{k:03d}-staff",
                    name=f"县{k}工作人员",
                    role="staff",
                    password_hash="!",
                )
            )
            sitting = Sitting(
                body_id=county.id,
                title="考试",
                starts_at=now - timedelta(days=2),
                ends_at=now - timedelta(days=2) + timedelta(hours=2),
                template=template,
                status="closed",
            )
            person = Candidate(body_id=county.id, name=f"县{k}考生", id_number=next_id())
            db.session.add_all([sitting, person])
            db.session.flush()
            db.session.add(
                Attempt(
                    body_id=county.id,
                    sitting_id=sitting.id,
                    candidate_id=person.id,
                    status="graded",
                    score=20,
                    passed=True,
                )
            )
            (appointment,) = _appointments(county, None, 1, f"县{k}任")
            _ceremony(county, [appointment], "仪式")
            term = Term(body_id=county.id, number=16, starts_on=TODAY, ends_on=TODAY + timedelta(1))
            db.session.add(term)
            db.session.flush()
            db.session.add(
                ReportSubject(
                    body_id=county.id,
                    term_id=term.id,
                    appointment_id=appointment.id,
                    mode="written",
                    delivered_on=TODAY,
                    outcome="satisfied",
                )
            )
        db.session.commit()


def test_rollout_and_statistics_cost_the_same_for_any_number_of_bodies(
    app, world, login_as, count_queries
):
    b = login_as("admin")
    year = TODAY.year
    pages = {
        "rollout": "/rollout?sort=recent_candidates&dir=desc",
        "rollout.body": "/rollout/c000",
        "statistics": f"/statistics?year={year}",
        "statistics.xlsx": f"/statistics?year={year}&format=xlsx",
        "statistics.docx.all": f"/statistics?year={year}&format=docx&scope=all",
    }
    _counties(app, SMALL, 0)
    small = {name: _measure(count_queries, b, url) for name, url in pages.items()}
    _counties(app, LARGE - SMALL, SMALL)
    large = {name: _measure(count_queries, b, url) for name, url in pages.items()}
    _assert_fixed({name: (small[name], large[name]) for name in pages})
    assert f"县{LARGE - 1}" in b.get(pages["rollout"]).get_data(as_text=True)
