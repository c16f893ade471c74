"""The public oath check-in (/oath/<code>): open only around the ceremony, name and ID tail
both checked, throttled per client address and per ceremony, a code staff can rotate."""

from __future__ import annotations

import re
import secrets
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from examsite.appointments import ceremonies as appointment_ceremonies
from examsite.appointments import records as appointment_records
from examsite.appointments.check_in import (
    WINDOW_CLOSED,
    WINDOW_NOT_OPEN,
    WINDOW_OPEN,
    check_in_window,
    normalize_name,
)
from examsite.appointments.models import Appointment, Ceremony, CeremonyParticipant
from examsite.core.audit import AuditEvent
from examsite.core.audit_labels import ACTION_LABELS
from examsite.core.body import Body
from examsite.core.timeutil import utcnow
from examsite.exams.domain import idcard
from examsite.exams.models import Candidate
from examsite.extensions import db
from tests.fixtures.appointments import appointing_steps, deliver_statement
from tests.fixtures.database import committing
from tests.fixtures.exams import make_id
from tests.fixtures.factories import count
from tests.fixtures.web import Browser

# 甲's ID number ends in X (typed as a lower-case x below).
PEOPLE = (("宣誓甲", make_id(7)), ("宣誓乙", make_id(8)))
TAIL = {name: idcard.tail6(number) for name, number in PEOPLE}
REFUSED = "未找到您的信息：请核对姓名和身份证号后 6 位"
CLIENT = "203.0.113.7"


@pytest.fixture
def ceremony(app, world):
    """make(starts_at=now - 5 min, ends_at=now + 1 h) → (id, code) of an east ceremony
    with 甲 and 乙, both appointed."""
    with committing(app):
        east = db.session.scalars(select(Body).where(Body.code == "east")).one()
        east_id = east.id
        appointment_records.save_steps(east, appointing_steps(require_test=False))
        meeting = appointment_records.save_meeting(
            east, None, term=16, number=20, date=date(2026, 11, 20), agenda=""
        )
        records = []
        for name, number in PEOPLE:
            person = Candidate(body_id=east.id, name=name, id_number=number, proposed_post="局长")
            db.session.add(person)
            db.session.commit()
            record = appointment_records.create_appointment(east, person, meeting, "局长")
            deliver_statement(record, date(2026, 11, 20))
            appointment_records.record_vote(record, "appointed", date(2026, 11, 20))
            records.append(record.id)

    def make(starts_at: datetime | None = None, ends_at: datetime | None = None):
        with committing(app):
            now = utcnow()
            starts_at = starts_at or now - timedelta(minutes=5)
            saved = appointment_ceremonies.save_ceremony(
                db.session.get(Body, east_id),
                None,
                title="集体宣誓",
                starts_at=starts_at,
                ends_at=ends_at or starts_at + timedelta(hours=1),
                venue="常委会会议室",
                form="group",
                leader="主任",
            )
            appointment_ceremonies.add_participants(
                saved, [db.session.get(Appointment, a) for a in records]
            )
            return saved.id, saved.check_in_code

    return make


def _checked_in(app) -> int:
    return count(app, CeremonyParticipant, CeremonyParticipant.checked_in_at.is_not(None))


def _post(app, code, name, tail, addr=CLIENT, **headers):
    phone = Browser(app.test_client())
    return phone.post(
        f"/oath/{code}",
        {"name": name, "id_tail": tail},
        environ_base={"REMOTE_ADDR": addr},
        headers=headers,
    )


# --------------------------------------------------------------------------- the pure rules


def test_the_window_opens_before_the_start_and_closes_after_it():
    start = datetime(2026, 11, 20, 2, 0)
    window = check_in_window(
        start, start + timedelta(hours=4), open_before_minutes=30, close_after_minutes=120
    )
    assert (window.opens_at, window.closes_at) == (
        datetime(2026, 11, 20, 1, 30),
        datetime(2026, 11, 20, 4, 0),
    )
    minute = timedelta(minutes=1)
    assert window.status(window.opens_at - minute) == WINDOW_NOT_OPEN
    assert window.status(window.opens_at) == WINDOW_OPEN
    assert window.status(window.closes_at) == WINDOW_OPEN
    assert window.status(window.closes_at + minute) == WINDOW_CLOSED
    # Never past the ceremony's own check-in deadline.
    early = check_in_window(
        start, start + timedelta(hours=1), open_before_minutes=30, close_after_minutes=120
    )
    assert early.closes_at == datetime(2026, 11, 20, 3, 0)


def test_names_are_compared_without_spaces_widths_or_middle_dots():
    assert normalize_name(" 宣誓 甲 ") == normalize_name("宣誓甲")
    assert normalize_name("阿卜杜拉·买买提") == normalize_name("阿卜杜拉买买提")
    assert normalize_name("ＡＢＣ") == normalize_name("abc")
    assert normalize_name("宣誓甲") != normalize_name("宣誓乙")


# --------------------------------------------------------------------------- the window


@pytest.mark.parametrize(
    ("now", "message"),
    [
        # 10:00 local (Asia/Shanghai) start: opens 09:30, closes 12:00 (= the deadline).
        (datetime(2026, 11, 20, 0, 0, tzinfo=UTC), "签到尚未开始：签到于 2026-11-20 09:30 开放"),
        (datetime(2026, 11, 20, 4, 1, tzinfo=UTC), "签到已结束：签到已于 2026-11-20 12:00 截止"),
    ],
)
def test_outside_the_window_nobody_checks_in(app, ceremony, now, message):
    _, code = ceremony(datetime(2026, 11, 20, 2, 0), datetime(2026, 11, 20, 4, 0))
    with time_machine.travel(now, tick=False):
        page = Browser(app.test_client()).get(f"/oath/{code}")
        assert page.status_code == 200 and message in page.get_data(as_text=True)
        assert 'name="id_tail"' not in page.get_data(as_text=True)
        r = _post(app, code, "宣誓甲", TAIL["宣誓甲"])
        assert message in r.get_data(as_text=True)
    assert _checked_in(app) == 0


def test_before_the_ceremony_starts_nobody_checks_in(app, ceremony):
    # Starts in 20 minutes: the window opened 10 minutes ago, but the ceremony has not begun.
    _, code = ceremony(utcnow() + timedelta(minutes=20))
    page = Browser(app.test_client()).get(f"/oath/{code}").get_data(as_text=True)
    assert "宣誓仪式尚未开始" in page and 'name="id_tail"' not in page
    r = _post(app, code, "宣誓甲", TAIL["宣誓甲"])
    assert "宣誓仪式尚未开始" in r.get_data(as_text=True) and "签到成功" not in r.get_data(
        as_text=True
    )
    assert _checked_in(app) == 0


def test_once_it_started_the_name_and_id_tail_check_in(app, ceremony):
    cid, code = ceremony(utcnow() - timedelta(minutes=1))
    page = Browser(app.test_client()).get(f"/oath/{code}").get_data(as_text=True)
    assert 'name="name"' in page and 'name="id_tail"' in page and "签到时间：" in page
    r = _post(app, code, " 宣誓 甲", TAIL["宣誓甲"].lower())  # 01007x
    assert r.status_code == 200 and "签到成功" in r.get_data(as_text=True)
    with committing(app):
        checked = db.session.scalars(
            select(CeremonyParticipant).where(CeremonyParticipant.checked_in_at.is_not(None))
        ).all()
        assert [p.appointment.candidate.name for p in checked] == ["宣誓甲"]
        assert checked[0].ceremony_id == cid and checked[0].check_in_method == "self"
        # Checked in, not yet sworn: the ceremony is not confirmed as held.
        assert not checked[0].sworn


@pytest.mark.parametrize(
    ("name", "tail_of"),
    [
        ("宣誓甲", None),  # a wrong tail
        ("宣誓丙", "宣誓甲"),  # a wrong name
        ("宣誓乙", "宣誓甲"),  # someone else's name with one's own tail
    ],
)
def test_any_mismatch_gets_the_same_refusal(app, ceremony, name, tail_of):
    _, code = ceremony()
    tail = TAIL[tail_of] if tail_of else "000000"
    r = _post(app, code, name, tail)
    assert r.status_code == 200 and REFUSED in r.get_data(as_text=True)
    assert _checked_in(app) == 0


# --------------------------------------------------------------------------- the throttle


def test_the_eleventh_try_after_ten_failures_of_one_client_is_429(app, ceremony):
    _, code = ceremony()
    limit = app.config["EXAMSITE_OATH_MAX_FAILURES"]
    for n in range(limit):
        # A header the browser sets does not make it another client.
        r = _post(app, code, "宣誓甲", "000000", **{"X-Forwarded-For": f"198.51.100.{n}"})
        assert r.status_code == 200 and REFUSED in r.get_data(as_text=True), n
    r = _post(app, code, "宣誓甲", TAIL["宣誓甲"])  # right, but too late
    assert r.status_code == 429 and "尝试次数过多" in r.get_data(as_text=True)
    page = Browser(app.test_client()).get(f"/oath/{code}", environ_base={"REMOTE_ADDR": CLIENT})
    assert page.status_code == 429
    assert _checked_in(app) == 0
    window = app.config["EXAMSITE_OATH_FAILURE_WINDOW_MINUTES"]
    with time_machine.travel(utcnow() + timedelta(minutes=window + 1), tick=False):
        assert "签到成功" in _post(app, code, "宣誓甲", TAIL["宣誓甲"]).get_data(as_text=True)


def test_unknown_codes_count_against_the_client(app, ceremony):
    _, code = ceremony()
    guesser = Browser(app.test_client())
    for _ in range(app.config["EXAMSITE_OATH_MAX_FAILURES"]):
        guess = guesser.get(
            f"/oath/{secrets.token_urlsafe(16)}", environ_base={"REMOTE_ADDR": CLIENT}
        )
        assert guess.status_code == 404
    assert guesser.get(f"/oath/{code}", environ_base={"REMOTE_ADDR": CLIENT}).status_code == 429
    # The ceremony itself is not locked: another client checks in.
    r = _post(app, code, "宣誓乙", TAIL["宣誓乙"], addr="203.0.113.8")
    assert r.status_code == 200 and "签到成功" in r.get_data(as_text=True)


def test_failures_from_many_clients_lock_the_ceremony_until_the_code_is_rotated(
    app, ceremony, login_as
):
    cid, code = ceremony()
    _, other_code = ceremony()
    limit = app.config["EXAMSITE_OATH_MAX_FAILURES"]
    for n in range(limit):
        r = _post(app, code, "宣誓甲", "000000", addr=f"203.0.113.{100 + n}")
        assert r.status_code == 200, n
    fresh = "203.0.113.250"
    r = _post(app, code, "宣誓甲", TAIL["宣誓甲"], addr=fresh)
    assert r.status_code == 429 and "尝试次数过多" in r.get_data(as_text=True)
    assert _checked_in(app) == 0
    # Another ceremony is open to the same client.
    assert "签到成功" in _post(app, other_code, "宣誓甲", TAIL["宣誓甲"], addr=fresh).get_data(
        as_text=True
    )
    # Staff rotate the code (it had leaked): the new one starts afresh.
    staff = login_as("east-staff")
    staff.post(f"/bodies/east/appointments/ceremonies/{cid}/rotate-code")
    with committing(app):
        new_code = db.session.get(Ceremony, cid).check_in_code
    r = _post(app, new_code, "宣誓乙", TAIL["宣誓乙"], addr=fresh)
    assert r.status_code == 200 and "签到成功" in r.get_data(as_text=True)


# --------------------------------------------------------------------------- the code


def test_staff_rotate_the_code_and_the_old_one_is_gone(app, ceremony, login_as):
    cid, old = ceremony()
    staff = login_as("east-staff")
    url = f"/bodies/east/appointments/ceremonies/{cid}"
    page = staff.get(url).get_data(as_text=True)
    assert "更换签到码" in page and f"/oath/{old}" in page
    r = staff.post(f"{url}/rotate-code")
    assert r.status_code == 302 and r.headers["Location"].endswith(url)
    with committing(app):
        new = db.session.get(Ceremony, cid).check_in_code
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "ceremony.rotate_code")
        ).all()
        assert [(e.target_type, e.target_id, e.actor) for e in events] == [
            ("Ceremony", str(cid), "east-staff")
        ]
    assert new != old and len(new) >= 22
    assert "ceremony.rotate_code" in ACTION_LABELS
    page = staff.get(url).get_data(as_text=True)
    assert f"/oath/{new}" in page and old not in page  # the shown QR code and link
    phone = Browser(app.test_client())
    assert phone.get(f"/oath/{old}").status_code == 404
    assert phone.get(f"/oath/{new}").status_code == 200


def test_codes_are_unguessable_and_matched_exactly(app, ceremony):
    codes = [ceremony()[1] for _ in range(5)]
    assert len(set(codes)) == 5
    for code in codes:
        assert len(code) >= 22 and re.fullmatch(r"[A-Za-z0-9_-]+", code)
    phone = Browser(app.test_client())
    swapped = codes[0].swapcase()
    assert swapped != codes[0]
    assert phone.get(f"/oath/{swapped}").status_code == 404
    assert phone.get(f"/oath/{codes[0]}").status_code == 200
