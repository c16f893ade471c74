"""An oath ceremony tied to its meeting (or congress session): who may be added, no check-in
before the start, sworn only once staff confirm it was held, the elected sworn too, and the
oath record as a document and a PDF."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta

import pypdf
import pytest
import time_machine
from sqlalchemy import select

from examsite.appointments import ceremonies as appointment_ceremonies
from examsite.appointments.models import Appointment, Ceremony, CeremonyParticipant
from examsite.core.audit import AuditEvent
from examsite.core.body import Body
from examsite.core.timeutil import utcnow
from examsite.extensions import db
from examsite.statistics import figures as statistics
from tests.fixtures.database import committing
from tests.fixtures.factories import count


@pytest.fixture
def two_meetings(world, make_meeting, make_appointment, make_rules):
    """East's meetings of 1 and 20 November, one person voted through at each."""
    make_rules("east", require_test=False)
    first = make_meeting("east", term=17, number=1, date=date(2026, 11, 1))
    later = make_meeting("east", term=17, number=2, date=date(2026, 11, 20))
    early = make_appointment(
        body="east", meeting=first, post="局长", vote="appointed", vote_date=date(2026, 11, 1)
    )
    late = make_appointment(
        body="east", meeting=later, post="副局长", vote="appointed", vote_date=date(2026, 11, 20)
    )
    return {"first": first, "later": later, "early": early, "late": late}


def test_the_form_ties_the_ceremony_to_a_meeting_with_date_and_time(app, two_meetings, login_as):
    b = login_as("east-staff")
    form = b.get("/bodies/east/appointments/ceremonies/new").get_data(as_text=True)
    assert 'name="meeting_id"' in form and 'type="datetime-local"' in form
    data = {
        "title": "集体宣誓",
        "kind": "meeting",
        "starts_at": "2026-11-02T10:00",
        "ends_at": "2026-11-02T11:00",
        "venue": "会议室",
        "form": "group",
        "leader": "主任",
        "presiding": "副主任",
    }
    # Without a meeting it is refused.
    r = b.post("/bodies/east/appointments/ceremonies/new", {**data, "meeting_id": "0"})
    assert "请选择宣誓仪式所属的常委会会议" in r.get_data(as_text=True)
    assert count(app, Ceremony) == 0
    r = b.post(
        "/bodies/east/appointments/ceremonies/new",
        {**data, "meeting_id": str(two_meetings["first"].id)},
    )
    assert r.status_code == 302
    with committing(app):
        ceremony = db.session.scalars(select(Ceremony)).one()
        assert ceremony.meeting_id == two_meetings["first"].id and ceremony.presiding == "副主任"
        cid = ceremony.id
    page = b.get(f"/bodies/east/appointments/ceremonies/{cid}").get_data(as_text=True)
    assert "2026-11-02 10:00" in page
    assert "第十七届人大常委会第一次会议（2026-11-01）" in page


def test_a_ceremony_cannot_come_before_its_meeting(app, two_meetings, make_ceremony):
    with pytest.raises(Exception, match="不能早于所属会议"):
        make_ceremony("east", meeting=two_meetings["later"], starts_at=datetime(2026, 11, 2, 2))


def test_only_those_passed_at_or_before_the_meeting_are_added(app, two_meetings, make_ceremony):
    ceremony = make_ceremony(
        "east", meeting=two_meetings["first"], starts_at=datetime(2026, 11, 2, 2)
    )
    with committing(app):
        row = db.session.get(Ceremony, ceremony.id)
        late = db.session.get(Appointment, two_meetings["late"].id)
        early = db.session.get(Appointment, two_meetings["early"].id)
        with pytest.raises(Exception, match=late.candidate.name) as refused:
            appointment_ceremonies.add_participants(row, [early, late])
        assert "之后才通过" in str(refused.value)
        db.session.rollback()
    with committing(app):
        row = db.session.get(Ceremony, ceremony.id)
        assert (
            appointment_ceremonies.add_participants(
                row, [db.session.get(Appointment, two_meetings["early"].id)]
            )
            == 1
        )


def test_no_check_in_before_the_start_and_sworn_only_once_confirmed(
    app, two_meetings, make_ceremony, login_as
):
    start = utcnow() + timedelta(minutes=20)
    ceremony = make_ceremony(
        "east",
        meeting=two_meetings["later"],
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        participants=[two_meetings["early"], two_meetings["late"]],
    )
    b = login_as("east-staff")
    url = f"/bodies/east/appointments/ceremonies/{ceremony.id}"
    scan = b.post(f"{url}/scan?t={ceremony.tokens[0]}", {"t": ceremony.tokens[0]})
    assert "宣誓仪式尚未开始" in scan.get_data(as_text=True)
    assert count(app, CeremonyParticipant, CeremonyParticipant.checked_in_at.is_not(None)) == 0
    with committing(app):
        row = db.session.get(Ceremony, ceremony.id)
        done = appointment_ceremonies.check_in_token(row, ceremony.tokens[0], now=start)
        assert done.status == "ok"
    page = b.get(url).get_data(as_text=True)
    assert "确认宣誓仪式已举行" not in page  # not before it starts
    figures = _figures(app, two_meetings)
    assert (figures.ceremonies, figures.oaths) == (0, 0)
    with time_machine.travel(start + timedelta(minutes=5), tick=False):
        page = b.get(url).get_data(as_text=True)
        assert "已签到" in page and 'data-testid="oath-state">已宣誓' not in page
        r = b.post(f"{url}/confirm", {})
        assert r.status_code == 302
        page = b.get(url).get_data(as_text=True)
    assert 'data-testid="oath-state">已宣誓' in page
    assert page.count('data-testid="oath-state">未签到') == 1
    figures = _figures(app, two_meetings)
    assert (figures.ceremonies, figures.oaths) == (1, 1)
    assert count(app, AuditEvent, AuditEvent.action == "ceremony.confirm") == 1


def _figures(app, world_):
    with committing(app):
        east = db.session.scalars(select(Body).where(Body.code == "east")).one()
        (row,) = statistics.compute([east], date(2026, 1, 1), date(2027, 12, 31))
        return row


def test_the_session_ceremony_swears_the_elected_by_name_and_post(app, world, login_as):
    b = login_as("east-staff")
    r = b.post(
        "/bodies/east/appointments/ceremonies/new",
        {
            "title": "人代会宣誓",
            "kind": "session",
            "meeting_id": "0",
            "session_name": "第十七届人民代表大会第一次会议",
            "starts_at": "2026-01-10T10:00",
            "ends_at": "2026-01-10T11:00",
            "form": "group",
        },
    )
    assert r.status_code == 302, r.get_data(as_text=True)
    url = r.headers["Location"]
    b.post(f"{url}/elected", {"name": "王选举", "post": "市长"})
    page = b.get(url).get_data(as_text=True)
    assert "王选举" in page and "市长" in page and "第十七届人民代表大会第一次会议" in page
    with committing(app):
        p = db.session.scalars(select(CeremonyParticipant)).one()
        assert p.appointment_id is None and p.elected_person.session_name.startswith("第十七届")


def test_the_oath_record_prints_on_screen_and_as_a_pdf(app, two_meetings, make_ceremony, login_as):
    ceremony = make_ceremony(
        "east",
        meeting=two_meetings["later"],
        starts_at=datetime(2026, 11, 21, 2),
        ends_at=datetime(2026, 11, 21, 4),
        venue="常委会第一会议室",
        leader="领誓张",
        presiding="主持李",
        participants=[two_meetings["early"], two_meetings["late"]],
        checked_in=True,
        confirmed=True,
    )
    b = login_as("east-staff")
    url = f"/bodies/east/appointments/ceremonies/{ceremony.id}/record"
    screen = b.get(url).get_data(as_text=True)
    assert "宪法宣誓记录" in screen and "领誓张" in screen
    r = b.get(f"{url}.pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    text = "".join(
        "".join(page.extract_text().split()) for page in pypdf.PdfReader(io.BytesIO(r.data)).pages
    )
    for expected in (
        "宪法宣誓记录",
        "2026-11-21",
        "常委会第一会议室",
        "领誓人",
        "领誓张",
        "主持人",
        "主持李",
        "2018年版",
        two_meetings["early"].name,
        two_meetings["late"].name,
        "局长",
        "副局长",
        "签名",
        "集体宣誓",
    ):
        assert expected in text, expected
    for raw in ("group", "meeting", "True", "None", "self", "staff"):
        assert raw not in text, raw
