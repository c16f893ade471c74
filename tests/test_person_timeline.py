"""A person's page: their timeline over the term, in date order, at a fixed cost."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from examsite.appointments.matters import MatterKind
from examsite.appointments.models import Appointment
from examsite.extensions import db
from tests.fixtures.database import committing

_ROW = re.compile(r'<tr class="timeline-(\w+)">(.*?)</tr>', re.DOTALL)


def _rows(page: str) -> list[tuple[str, str]]:
    return [(kind, re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cells))) for kind, cells in
            _ROW.findall(page)]  # fmt: skip


def _set_kind(app, appointment_id, kind):
    with committing(app):
        db.session.get(Appointment, appointment_id).kind = kind


def _url(person_id, code="east"):
    return f"/bodies/{code}/appointments/people/{person_id}"


def test_the_timeline_shows_the_test_then_the_appointment_then_the_removal(
    app,
    world,
    login_as,
    make_candidate,
    make_sitting,
    make_meeting,
    make_appointment,
    make_ceremony,
    make_term,
    make_report_subject,
):
    person = make_candidate("east", name="李明", proposed_post="区财政局局长")
    make_sitting(
        "east",
        candidates=[person],
        graded=[True],
        title="第十二次会议任前考试",
        starts_at=datetime(2026, 3, 10, 1, 0),
    )
    first = make_meeting("east", term=16, number=12, date=date(2026, 3, 20))
    later = make_meeting("east", term=16, number=20, date=date(2026, 11, 20))
    # Recorded out of date order: the page sorts them.
    removed = make_appointment(person, body="east", meeting=later, post="区财政局局长")
    _set_kind(app, removed.id, MatterKind.REMOVE)
    appointed = make_appointment(
        person,
        body="east",
        meeting=first,
        post="区财政局局长",
        vote="appointed",
        vote_date=date(2026, 3, 20),
    )
    make_ceremony(
        "east",
        title="三月宣誓仪式",
        meeting=first,
        starts_at=datetime(2026, 3, 20, 2, 0),
        participants=[appointed],
        checked_in=True,
        confirmed=True,
    )
    term = make_term("east")
    make_report_subject(term, appointed, delivered_on=date(2026, 10, 9))

    b = login_as("east-staff")
    page = b.get(_url(person.id)).get_data(as_text=True)
    rows = _rows(page)
    assert [kind for kind, _ in rows] == ["test", "statement", "matter", "oath", "report", "matter"]
    test, _statement, appoint, oath, report, remove = (text for _, text in rows)
    assert "2026-03-10" in test and "第十二次会议任前考试" in test and "通过" in test
    assert "2026-03-20" in appoint and "任命" in appoint and "第十六届" in appoint
    assert "三月宣誓仪式" in oath and "已宣誓" in oath
    assert "2026-10-09" in report and "已报告" in report
    assert "2026-11-20" in remove and "免职" in remove and "区财政局局长" in remove
    assert person.id_number not in page and person.id_number[:6] + "*" in page

    # the appointment and meeting pages lead to it, and so does the exams candidate page
    record = b.get(f"/bodies/east/appointments/{appointed.id}").get_data(as_text=True)
    assert _url(person.id) in record
    meeting = b.get(f"/bodies/east/appointments/meetings/{first.id}").get_data(as_text=True)
    assert _url(person.id) in meeting
    candidate = b.get(f"/bodies/east/exams/candidates/{person.id}/edit").get_data(as_text=True)
    assert _url(person.id) in candidate


def test_another_bodys_person_answers_404(app, world, login_as, make_candidate):
    west_person = make_candidate("west")
    east_person = make_candidate("east")
    b = login_as("east-staff")
    assert b.get(_url(west_person.id)).status_code == 404
    assert b.get(_url(west_person.id, "west")).status_code == 404
    assert b.get(_url(east_person.id)).status_code == 200
    assert login_as("west-staff").get(_url(east_person.id, "west")).status_code == 404


def test_the_timeline_costs_the_same_for_any_length(
    app,
    world,
    login_as,
    make_candidate,
    make_sitting,
    make_meeting,
    make_appointment,
    make_term,
    make_report_subject,
    count_queries,
):
    term = make_term("east")

    def person_with(n: int):
        """n matters (every other one appointed, with its statement and a report) and
        n // 2 tests."""
        person = make_candidate("east")
        for i in range(n // 2):
            make_sitting("east", candidates=[person], graded=[i % 2 == 0])
        for i in range(n):
            meeting = make_meeting("east", date=date(2026, 1, 1) + timedelta(days=i))
            voted = i % 2 == 0
            record = make_appointment(
                person,
                body="east",
                meeting=meeting,
                post=f"局长{i}",
                exempt="连任" if voted else None,
                vote="appointed" if voted else None,
                vote_date=meeting.date if voted else None,
            )
            if voted:
                make_report_subject(term, record, delivered_on=date(2026, 11, 1))
        return person

    short, long = person_with(2), person_with(8)
    b = login_as("east-staff")
    b.get(_url(short.id))  # warm the session
    with count_queries() as few:
        first = b.get(_url(short.id)).get_data(as_text=True)
    with count_queries() as many:
        page = b.get(_url(long.id)).get_data(as_text=True)
    # 2 matters, 1 test, 1 statement, 1 report; then 8, 4, 4, 4
    assert len(_rows(first)) == 5 and len(_rows(page)) == 20
    assert many.count == few.count, many.statements
