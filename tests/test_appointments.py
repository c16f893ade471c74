"""Appointments: the rules, statements and their files, oath ceremonies, check-in, figures."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, timedelta

import pytest
import time_machine
from sqlalchemy import select

from examsite.appointments import services
from examsite.appointments.models import Appointment, CeremonyParticipant, Meeting, Statement
from examsite.core.body import Body
from examsite.core.timeutil import utcnow
from examsite.exams.domain import idcard
from examsite.exams.models import Candidate
from examsite.extensions import db
from tests.fixtures.exams import make_id
from tests.fixtures.factories import count
from tests.fixtures.web import Browser, csrf_token


@pytest.fixture
def meeting_world(app, world):
    """A meeting in east with two untested candidates on its agenda."""
    with app.app_context():
        east = db.session.scalars(select(Body).where(Body.code == "east")).one()
        meeting = services.save_meeting(
            east, None, term=16, number=12, date=date(2026, 11, 20), agenda=""
        )
        ids = []
        for n in range(2):
            c = Candidate(
                body_id=east.id, name=f"任命{n}", id_number=make_id(300 + n), proposed_post="局长"
            )
            db.session.add(c)
            db.session.commit()
            ids.append(services.create_appointment(east, c, meeting, "局长").id)
        return {"meeting": meeting.id, "appointments": ids}


def _vote(b, aid, outcome="appointed"):
    return b.post(
        f"/bodies/east/appointments/{aid}/vote", {"vote": outcome, "vote_date": "2026-11-20"}
    )


def _appointment(app, aid) -> Appointment:
    with app.app_context():
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
    _vote(admin, aid)
    record = _appointment(app, aid)
    assert record.vote == "appointed" and record.exemption_reason


def test_the_rule_can_be_switched_off(app, meeting_world, login_as):
    admin = login_as("east-admin")
    admin.post("/bodies/east/appointments/rules", {"require_appointed_for_oath": "y"})
    _vote(admin, meeting_world["appointments"][1])
    assert _appointment(app, meeting_world["appointments"][1]).vote == "appointed"


def test_a_passed_test_is_linked_as_evidence(app, exam_world, login_as):
    from tests.fixtures.candidate import started

    # Give everyone full marks by answering through the service, then appoint the first.
    b = started(app, exam_world, 0)
    with app.app_context():
        from examsite.bank.models import QuestionRevision
        from examsite.exams.models import Attempt

        attempt = db.session.get(Attempt, exam_world.attempt_ids[0])
        from examsite.exams.answering import save_answer

        for position, item in enumerate(attempt.paper):
            rev = db.session.get(QuestionRevision, item["r"])
            save_answer(
                attempt,
                position,
                [d for d, o in enumerate(item["o"]) if o in rev.answer],
                position + 1,
            )
        east_id, person_id = attempt.sitting.body_id, attempt.candidate_id
        meeting_id = services.save_meeting(
            attempt.sitting.body, None, term=1, number=1, date=date.today(), agenda=""
        ).id
    b.post("/exam/submit")
    with app.app_context():
        record = services.create_appointment(
            db.session.get(Body, east_id),
            db.session.get(Candidate, person_id),
            db.session.get(Meeting, meeting_id),
            "局长",
        )
        aid = record.id
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


def test_too_big_statement_file_is_refused(app, meeting_world, tmp_path):
    from examsite.core.filecheck import UploadError

    with app.app_context():
        record = db.session.get(Appointment, meeting_world["appointments"][0])
        with pytest.raises(UploadError) as caught:
            services.save_statement(
                record,
                order=1,
                delivered=False,
                delivered_on=None,
                text="",
                upload=("big.pdf", _pdf() + b"0" * 2048),
                instance_path=str(tmp_path),
                max_bytes=1024,
            )
        assert caught.value.code == "too_large"
    assert count(app, Statement) == 0
    assert not (tmp_path / "uploads" / "statements").exists() or not any(
        (tmp_path / "uploads" / "statements").iterdir()
    )


def test_statement_text_is_sanitized_and_file_served_to_the_body_only(
    app, meeting_world, login_as, tmp_path
):
    app.instance_path = str(tmp_path)
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
    with app.app_context():
        s = db.session.scalars(select(Statement)).one()
        assert s.text == "<p>坚决<b>拥护</b>宪法</p>" and s.delivered and s.file_type == "docx"
        assert (tmp_path / "uploads" / "statements" / s.file_path).read_bytes() == _docx()
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
def ceremony_world(app, meeting_world, login_as):
    """Both candidates appointed (by exemption) and a ceremony running now."""
    admin = login_as("east-admin")
    for aid in meeting_world["appointments"]:
        admin.post(f"/bodies/east/appointments/{aid}/exempt", {"reason": "免考"})
        _vote(admin, aid)
    with app.app_context():
        east = db.session.scalars(select(Body).where(Body.code == "east")).one()
        now = utcnow()
        ceremony = services.save_ceremony(
            east,
            None,
            title="集体宣誓",
            starts_at=now - timedelta(minutes=5),
            ends_at=now + timedelta(hours=1),
            venue="常委会会议室",
            form="group",
            leader="主任",
        )
        services.add_participants(
            ceremony, [db.session.get(Appointment, a) for a in meeting_world["appointments"]]
        )
        tails = [idcard.tail6(make_id(300 + n)) for n in range(2)]
        names = [f"任命{n}" for n in range(2)]
        return {
            "id": ceremony.id,
            "code": ceremony.check_in_code,
            "tails": tails,
            "names": names,
            **meeting_world,
        }


def test_only_the_appointed_may_swear(app, meeting_world, login_as):
    with app.app_context():
        east = db.session.scalars(select(Body).where(Body.code == "east")).one()
        now = utcnow()
        ceremony = services.save_ceremony(
            east,
            None,
            title="宣誓",
            starts_at=now,
            ends_at=now + timedelta(hours=1),
            venue="",
            form="single",
            leader="",
        )
        cid = ceremony.id
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
    with app.app_context():
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
    with app.app_context():
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


def test_figures_of_a_generated_term(app, world, login_as):
    """A term whose true figures we know: 3 tests (one out of range), 5 tested, 4 passed,
    2 statements, 2 ceremonies, 3 sworn in."""
    from tests.fixtures.exams import seed_bank

    with app.app_context():
        from examsite.exams import sittings
        from examsite.exams.models import Attempt, Sitting

        east = db.session.scalars(select(Body).where(Body.code == "east")).one()
        seed_bank(east)
        template = sittings.save_template(
            east,
            None,
            name="卷",
            duration_minutes=30,
            pass_mark=1,
            sections=[{"qtype": "single", "count": 2, "points": 1}],
            post_categories=[],
        )
        people = [
            Candidate(body_id=east.id, name=f"人{i}", id_number=make_id(500 + i)) for i in range(6)
        ]
        db.session.add_all(people)
        db.session.commit()
        from datetime import datetime

        def held(when: datetime, who: list[Candidate], passed: list[bool]) -> None:
            s = Sitting(
                body_id=east.id,
                title="考",
                starts_at=when,
                ends_at=when + timedelta(hours=1),
                template_id=template.id,
                status="closed",
            )
            db.session.add(s)
            db.session.flush()
            for person, ok in zip(who, passed, strict=True):
                db.session.add(
                    Attempt(
                        body_id=east.id,
                        sitting_id=s.id,
                        candidate_id=person.id,
                        status="graded",
                        passed=ok,
                        score=2 if ok else 0,
                    )
                )
            db.session.commit()

        held(datetime(2026, 3, 1, 2), people[:3], [True, True, False])
        held(datetime(2026, 6, 1, 2), people[2:5], [True, False, True])  # make-up for person 2
        held(datetime(2025, 6, 1, 2), people[5:], [True])  # last year: not counted
        meeting = services.save_meeting(
            east, None, term=16, number=3, date=date(2026, 6, 5), agenda=""
        )
        records = [services.create_appointment(east, p, meeting, "职务") for p in people[:3]]
        for r in records:
            services.record_vote(r, "appointed", date(2026, 6, 5))
        for r in records[:2]:
            db.session.add(
                Statement(
                    body_id=east.id, appointment=r, delivered=True, delivered_on=date(2026, 6, 5)
                )
            )
        db.session.commit()
        c1 = services.save_ceremony(
            east,
            None,
            title="一",
            starts_at=datetime(2026, 6, 6, 2),
            ends_at=datetime(2026, 6, 6, 4),
            venue="",
            form="group",
            leader="",
        )
        c2 = services.save_ceremony(
            east,
            None,
            title="二",
            starts_at=datetime(2026, 7, 6, 2),
            ends_at=datetime(2026, 7, 6, 4),
            venue="",
            form="single",
            leader="",
        )
        services.add_participants(c1, records[:2])
        services.add_participants(c2, records[2:])
        for p in c1.participants + c2.participants:
            p.checked_in_at = p.ceremony.starts_at
        db.session.commit()
        result = services.figures([east.id], date(2026, 1, 1), date(2026, 12, 31))
    assert (result.tests_held, result.candidates_tested, result.candidates_passed) == (2, 5, 4)
    assert (
        result.statements_delivered,
        result.ceremonies_held,
        result.persons_sworn_in,
        result.appointed,
    ) == (2, 2, 3, 3)
    page = (
        login_as("east-staff")
        .get("/bodies/east/appointments/figures?start=2026-01-01&end=2026-12-31")
        .get_data(as_text=True)
    )
    assert re.search(r'data-testid="tests-held">2<', page)
