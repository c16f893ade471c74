"""In a real browser, phone-sized: a participant checks in to an oath ceremony."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from examsite.appointments import ceremonies as appointment_ceremonies
from examsite.appointments import records as appointment_records
from examsite.appointments.models import CeremonyParticipant
from examsite.auth.models import User
from examsite.core.body import Body
from examsite.core.timeutil import utcnow
from examsite.exams.domain import idcard
from examsite.exams.models import Candidate
from examsite.extensions import db
from tests.fixtures.appointments import deliver_statement
from tests.fixtures.database import committing
from tests.fixtures.exams import make_id

pytestmark = pytest.mark.browser


def test_participant_checks_in_from_a_phone(live_server, chromium):
    app, base = live_server.app, live_server.url
    with committing(app):
        east = db.session.scalars(select(Body).where(Body.code == "east")).one()
        person = Candidate(body_id=east.id, name="宣誓人甲", id_number=make_id(777))
        db.session.add(person)
        db.session.commit()
        meeting = appointment_records.save_meeting(
            east, None, term=9, number=99, date=date.today(), agenda=""
        )
        record = appointment_records.create_appointment(east, person, meeting, "局长")
        appointment_records.exempt(record, "测试免考", db.session.scalars(select(User)).first())
        deliver_statement(record, date.today())
        appointment_records.record_vote(record, "appointed", date.today())
        now = utcnow()
        ceremony = appointment_ceremonies.save_ceremony(
            east,
            None,
            title="手机签到测试",
            starts_at=now - timedelta(minutes=1),
            ends_at=now + timedelta(hours=1),
            venue="会议室",
            form="single",
            leader="主任",
        )
        appointment_ceremonies.add_participants(ceremony, [record])
        code, ceremony_id = ceremony.check_in_code, ceremony.id
        tail = idcard.tail6(person.id_number)

    phone_context = chromium.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
    )
    phone = phone_context.new_page()
    phone.goto(f"{base}/oath/{code}")
    expect(phone.get_by_role("heading", name="宪法宣誓签到")).to_be_visible()
    field = phone.get_by_label("身份证号后 6 位")
    expect(field).to_be_visible()
    box = field.bounding_box()
    assert box is not None and box["width"] > 250  # a comfortable target on a phone
    phone.get_by_label("姓名").fill("宣誓人甲")
    field.fill(tail)
    phone.get_by_role("button", name="签到").tap()
    expect(phone.get_by_text("签到成功")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    phone_context.close()

    with committing(app):
        participant = db.session.scalars(
            select(CeremonyParticipant).where(CeremonyParticipant.ceremony_id == ceremony_id)
        ).one()
        assert participant.checked_in_at is not None and participant.check_in_method == "self"
