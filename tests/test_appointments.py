"""Appointments: the rules, statements and their files, oath ceremonies, check-in, figures."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from examsite.appointments import records as appointment_records
from examsite.appointments.models import Appointment, CeremonyParticipant, Statement
from examsite.core.body import Body
from examsite.core.timeutil import utcnow
from examsite.exams.domain import idcard
from examsite.extensions import db
from examsite.statistics import figures as statistics
from tests.fixtures.appointments import appointing_steps, deliver_statement, rules_form
from tests.fixtures.database import committing
from tests.fixtures.exams import make_id
from tests.fixtures.factories import body_row, count
from tests.fixtures.web import Browser, csrf_token


@pytest.fixture
def meeting_world(app, world, make_meeting, make_candidate, make_appointment):
    """A meeting in east with two untested candidates on its agenda."""
    meeting = make_meeting("east", term=16, number=12, date=date(2026, 11, 20))
    people = [
        make_candidate("east", name=f"任命{n}", id_number=make_id(300 + n), proposed_post="局长")
        for n in range(2)
    ]
    ids = [make_appointment(p, body="east", meeting=meeting, post="局长").id for p in people]
    _members(app, 16, 30)
    return {"meeting": meeting.id, "appointments": ids}


def _members(app, term, members):
    """The committee's members in the term of east (应到)."""
    with committing(app):
        appointment_records.save_committee_term(body_row("east"), term, members)


def _stated(app, aid):
    """The person made the statement at the meeting: the vote may follow."""
    with committing(app):
        deliver_statement(db.session.get(Appointment, aid))


#: A vote of a committee of 30: 25 present, 20 for (appointed).
PASSING = {"present": "25", "votes_for": "20", "votes_against": "3", "abstentions": "2"}


def _vote(b, aid, counts=PASSING):
    return b.post(
        f"/bodies/east/appointments/{aid}/vote",
        {"vote": "ballot", "vote_date": "2026-11-20", **counts},
    )


def _appointment(app, aid) -> Appointment:
    with committing(app):
        a = db.session.get(Appointment, aid)
        db.session.expunge(a)
        return a


def test_cannot_appoint_without_a_passed_test(app, meeting_world, login_as):
    b = login_as("east-staff")
    aid = meeting_world["appointments"][0]
    r = _vote(b, aid)
    assert "尚未通过任前法律知识考试" in b.get(r.headers["Location"]).get_data(as_text=True)
    assert _appointment(app, aid).vote == "pending"


def test_exemption_allows_the_appointment(app, meeting_world, login_as):
    aid = meeting_world["appointments"][0]
    assert (
        login_as("east-staff")
        .post(f"/bodies/east/appointments/{aid}/exempt", {"reason": "x"})
        .status_code
        == 403
    )
    admin = login_as("east-admin")
    admin.post(
        f"/bodies/east/appointments/{aid}/exempt", {"reason": "本届内已考试合格，转任同级职务"}
    )
    _stated(app, aid)
    _vote(admin, aid)
    record = _appointment(app, aid)
    assert record.vote == "appointed" and record.exemption_reason


def test_the_rule_can_be_switched_off(app, meeting_world, login_as):
    admin = login_as("east-admin")
    admin.post("/bodies/east/appointments/rules", rules_form(appointing_steps(require_test=False)))
    _stated(app, meeting_world["appointments"][1])
    _vote(admin, meeting_world["appointments"][1])
    assert _appointment(app, meeting_world["appointments"][1]).vote == "appointed"


def test_a_passed_test_is_linked_as_evidence(
    app, exam_world, login_as, make_attempt, make_meeting, make_appointment
):
    # Full marks for the first candidate, then appoint them.
    passed = make_attempt(exam_world, 0, state="submitted", answers="correct")
    meeting = make_meeting("east", term=1, number=1, date=date.today())
    aid = make_appointment(passed.attempt.candidate_id, meeting=meeting, post="局长").id
    _members(app, 1, 30)
    _stated(app, aid)
    _vote(login_as("east-staff"), aid)
    record = _appointment(app, aid)
    assert record.vote == "appointed" and record.test_attempt_id == exam_world.attempt_ids[0]


def _pdf() -> bytes:
    return b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _docx() -> bytes:
    buffer = io.BytesIO()
    # Fixed timestamps: two calls must give the same bytes, even across a second boundary.
    with zipfile.ZipFile(buffer, "w") as z:
        for name, text in (("[Content_Types].xml", "<Types/>"), ("word/document.xml", "<w/>")):
            z.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), text)
    return buffer.getvalue()


def _statement(b, aid, name, data, **fields):
    return b.client.post(
        f"/bodies/east/appointments/{aid}/statement",
        data={
            "csrf_token": csrf_token(b.client, "/"),
            "order": "1",
            "text": fields.get("text", ""),
            "text_format": fields.get("text_format", "html"),
            **({"file": (io.BytesIO(data), name)} if name else {}),
            **({"delivered": "y", "delivered_on": "2026-11-20"} if fields.get("delivered") else {}),
        },
        content_type="multipart/form-data",
    )


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("speech.pdf", b"MZ\x90\x00 this is an exe", "文件内容与扩展名不符"),
        ("speech.exe", b"MZ\x90\x00", "只能上传 PDF 或 Word"),
        ("speech.pdf", b"", "文件为空"),
        ("speech.docx", b"PK\x03\x04not really a zip", "文件内容与扩展名不符"),
    ],
)
def test_bad_statement_files_are_refused(app, meeting_world, login_as, name, data, message):
    b = login_as("east-staff")
    aid = meeting_world["appointments"][0]
    r = _statement(b, aid, name, data, text="我表态")
    assert message in b.get(r.headers["Location"]).get_data(as_text=True)
    assert count(app, Statement) == 0


def test_too_big_statement_file_is_refused(app, meeting_world, make_statement, upload_dir):
    from examsite.core.filecheck import UploadError

    with pytest.raises(UploadError) as caught:
        make_statement(
            meeting_world["appointments"][0],
            delivered=False,
            file=("big.pdf", _pdf() + b"0" * 2048),
            max_bytes=1024,
        )
    assert caught.value.code == "too_large"
    assert count(app, Statement) == 0
    assert not (upload_dir / "statements").exists() or not any(
        (upload_dir / "statements").iterdir()
    )


def test_statement_text_is_sanitized_and_file_served_to_the_body_only(
    app, meeting_world, login_as, upload_dir
):
    b = login_as("east-staff")
    aid = meeting_world["appointments"][0]
    _statement(
        b,
        aid,
        "表态.docx",
        _docx(),
        text="<p>坚决<b>拥护</b>宪法<script>alert(1)</script></p>",
        delivered=True,
    )
    with committing(app):
        s = db.session.scalars(select(Statement)).one()
        assert s.text == "<p>坚决<b>拥护</b>宪法</p>" and s.delivered and s.file_type == "docx"
        assert (upload_dir / "statements" / s.file_path).read_bytes() == _docx()
    page = b.get(f"/bodies/east/appointments/{aid}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    got = b.get(f"/bodies/east/appointments/{aid}/statement/file")
    assert got.status_code == 200 and got.data == _docx()
    got.close()
    assert (
        login_as("west-admin").get(f"/bodies/east/appointments/{aid}/statement/file").status_code
        == 404
    )
    assert (
        app.test_client().get(f"/bodies/east/appointments/{aid}/statement/file").status_code == 302
    )


def test_other_bodies_see_nothing(app, meeting_world, login_as):
    west = login_as("west-admin")
    aid = meeting_world["appointments"][0]
    for url in (
        f"/bodies/east/appointments/meetings/{meeting_world['meeting']}",
        f"/bodies/east/appointments/{aid}",
        f"/bodies/west/appointments/{aid}",
        f"/bodies/west/appointments/meetings/{meeting_world['meeting']}",
    ):
        assert west.get(url).status_code == 404, url
    assert _vote(west, aid).status_code == 404


@pytest.fixture
def ceremony_world(app, meeting_world, login_as, make_ceremony):
    """Both candidates appointed (by exemption) and a ceremony running now."""
    admin = login_as("east-admin")
    for aid in meeting_world["appointments"]:
        admin.post(f"/bodies/east/appointments/{aid}/exempt", {"reason": "免考"})
        _stated(app, aid)
        _vote(admin, aid)
    ceremony = make_ceremony(
        "east", title="集体宣誓", form="group", participants=meeting_world["appointments"]
    )
    return {
        "id": ceremony.id,
        "code": ceremony.code,
        "tails": [idcard.tail6(make_id(300 + n)) for n in range(2)],
        "names": [f"任命{n}" for n in range(2)],
        **meeting_world,
    }


def test_only_the_appointed_may_swear(app, meeting_world, login_as, make_ceremony):
    cid = make_ceremony("east", title="宣誓", form="single", venue="", leader="").id
    b = login_as("east-staff")
    r = b.post(
        f"/bodies/east/appointments/ceremonies/{cid}/participants",
        {"appointment_ids": [str(meeting_world["appointments"][0])]},
    )
    assert "尚未被任命" in b.get(r.headers["Location"]).get_data(as_text=True)
    assert count(app, CeremonyParticipant) == 0


def test_ceremony_keeps_the_official_oath_text(app, ceremony_world, login_as):
    page = (
        login_as("east-staff")
        .get(f"/bodies/east/appointments/ceremonies/{ceremony_world['id']}")
        .get_data(as_text=True)
    )
    assert "我宣誓：忠于中华人民共和国宪法" in page and "2018" in page and "<svg" in page


def test_phone_check_in_with_the_name_and_id_tail(app, ceremony_world):
    phone = Browser(app.test_client())
    url = f"/oath/{ceremony_world['code']}"
    name, tail = ceremony_world["names"][0], ceremony_world["tails"][0]
    r = phone.post(url, {"name": name, "id_tail": "000000"})
    assert "未找到您的信息" in r.get_data(as_text=True)
    r = phone.post(url, {"name": name, "id_tail": tail})
    assert "签到成功" in r.get_data(as_text=True)
    again = phone.post(url, {"name": name, "id_tail": tail})
    assert "无需重复签到" in again.get_data(as_text=True)
    with committing(app):
        checked = db.session.scalars(
            select(CeremonyParticipant).where(CeremonyParticipant.checked_in_at.is_not(None))
        ).all()
        assert len(checked) == 1 and checked[0].check_in_method == "self"


def test_check_in_closes_when_the_ceremony_ends(app, ceremony_world):
    with time_machine.travel(utcnow() + timedelta(hours=2), tick=False):
        phone = Browser(app.test_client())
        r = phone.post(
            f"/oath/{ceremony_world['code']}",
            {"name": ceremony_world["names"][0], "id_tail": ceremony_world["tails"][0]},
        )
        assert "签到已结束" in r.get_data(as_text=True)
    assert count(app, CeremonyParticipant, CeremonyParticipant.checked_in_at.is_not(None)) == 0


def test_staff_scan_the_printed_list(app, ceremony_world, login_as):
    b = login_as("east-staff")
    sheet = b.get(f"/bodies/east/appointments/ceremonies/{ceremony_world['id']}/sheet").get_data(
        as_text=True
    )
    assert sheet.count("<svg") == 2
    with committing(app):
        token = db.session.scalars(select(CeremonyParticipant.token)).first()
    url = f"/bodies/east/appointments/ceremonies/{ceremony_world['id']}/scan?t={token}"
    assert "确认签到" in b.get(url).get_data(as_text=True)
    assert (
        count(app, CeremonyParticipant, CeremonyParticipant.checked_in_at.is_not(None)) == 0
    )  # GET changes nothing
    assert "签到成功" in b.post(url, {"t": token}).get_data(as_text=True)
    assert count(app, CeremonyParticipant, CeremonyParticipant.checked_in_at.is_not(None)) == 1


def test_exports_are_spreadsheets(app, ceremony_world, login_as):
    import openpyxl

    b = login_as("east-staff")
    for url in (
        f"/bodies/east/appointments/meetings/{ceremony_world['meeting']}/export.xlsx",
        "/bodies/east/appointments/statements.xlsx",
        f"/bodies/east/appointments/ceremonies/{ceremony_world['id']}/export.xlsx",
    ):
        r = b.get(url)
        assert r.status_code == 200
        openpyxl.load_workbook(io.BytesIO(r.data))


def test_figures_of_a_generated_term(
    app,
    world,
    login_as,
    make_template,
    make_candidate,
    make_sitting,
    make_meeting,
    make_appointment,
    make_statement,
    make_ceremony,
    make_rules,
):
    """A term whose true figures we know: 3 tests (one out of range), 5 tested, 4 passed,
    2 statements, 2 ceremonies, 3 sworn in."""
    template = make_template("east", name="卷", pass_mark=1, sections=[("single", 2, 1)])
    people = [make_candidate("east", name=f"人{i}", id_number=make_id(500 + i)) for i in range(6)]

    def held(when: datetime, who: list, passed: list[bool]) -> None:
        make_sitting(
            "east",
            template=template,
            candidates=who,
            starts_at=when,
            ends_at=when + timedelta(hours=1),
            graded=passed,
        )

    held(datetime(2026, 3, 1, 2), people[:3], [True, True, False])
    held(datetime(2026, 6, 1, 2), people[2:5], [True, False, True])  # make-up for person 2
    held(datetime(2025, 6, 1, 2), people[5:], [True])  # last year: not counted
    meeting = make_meeting("east", term=16, number=3, date=date(2026, 6, 5))
    on = date(2026, 6, 5)
    # The third is appointed without a statement: the body does not require one.
    make_rules("east", require_statement=False)
    records = [
        make_appointment(
            p, meeting=meeting, post="职务", vote="appointed", vote_date=on, statement=False
        )
        for p in people[:3]
    ]
    for r in records[:2]:
        make_statement(r, delivered_on=on)
    for title, day, form, who in (
        ("一", datetime(2026, 6, 6, 2), "group", records[:2]),
        ("二", datetime(2026, 7, 6, 2), "single", records[2:]),
    ):
        make_ceremony(
            "east",
            title=title,
            starts_at=day,
            ends_at=day + timedelta(hours=2),
            venue="",
            form=form,
            leader="",
            participants=who,
            checked_in=True,
            confirmed=True,
        )
    # Checked in at a ceremony nobody confirmed was held: neither a ceremony nor an oath.
    make_ceremony(
        "east",
        title="三",
        starts_at=datetime(2026, 8, 6, 2),
        ends_at=datetime(2026, 8, 6, 4),
        participants=records[:1],
        checked_in=True,
    )
    with committing(app):
        east = db.session.get(Body, world.east.id)
        (result,) = statistics.compute([east], date(2026, 1, 1), date(2026, 12, 31))
    assert (result.sittings, result.tested, result.passed) == (2, 5, 4)
    assert (result.statements, result.ceremonies, result.oaths, result.appointed) == (2, 2, 3, 3)
    page = (
        login_as("east-staff")
        .get("/statistics?start=2026-01-01&end=2026-12-31")
        .get_data(as_text=True)
    )
    assert re.search(r'data-testid="total-sittings">2<', page)
    assert re.search(r'data-testid="east-oaths">3<', page)
