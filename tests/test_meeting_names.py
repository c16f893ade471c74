"""Meetings are named as the committee names them: 第十七届人大常委会第二十次会议, term and
sequence in Chinese numerals (appointments/numerals.py, pure), on every appointment page."""

from __future__ import annotations

from datetime import date

import pytest

from examsite.appointments.models import Meeting
from examsite.appointments.numerals import (
    chinese_numeral,
    congress_place,
    meeting_name,
    parse_chinese_numeral,
)
from examsite.extensions import db
from tests.fixtures.database import committing
from tests.fixtures.factories import body_row

#: Written by hand, as official documents write them.
REFERENCE = {
    1: "一",
    2: "二",
    9: "九",
    10: "十",
    11: "十一",
    17: "十七",
    20: "二十",
    21: "二十一",
    99: "九十九",
    100: "一百",
    101: "一百零一",
    105: "一百零五",
    110: "一百一十",
    111: "一百一十一",
    120: "一百二十",
    199: "一百九十九",
    200: "二百",
    1001: "一千零一",
    1010: "一千零一十",
}


@pytest.mark.parametrize(("n", "text"), REFERENCE.items())
def test_reference_numerals(n, text):
    assert chinese_numeral(n) == text
    assert parse_chinese_numeral(text) == n


def test_one_to_199_are_unique_and_read_back():
    written = [chinese_numeral(n) for n in range(1, 200)]
    assert len(set(written)) == 199
    for n, text in enumerate(written, start=1):
        assert parse_chinese_numeral(text) == n, text
        assert set(text) <= set("零一二三四五六七八九十百"), text
        # 十一, never 一十一; 一百一十, never 一百十; no trailing or doubled 零.
        assert not text.startswith("一十"), text
        assert "百十" not in text and not text.endswith("零") and "零零" not in text, text
        if 10 <= n <= 19:
            assert text.startswith("十"), text
        if n >= 100 and n % 100 < 10 and n % 100:
            assert text.startswith("一百零"), text


def test_the_parser_reads_the_long_forms_too():
    assert parse_chinese_numeral("一十一") == 11
    assert parse_chinese_numeral("两百") == 200
    with pytest.raises(ValueError):
        parse_chinese_numeral("十七届")


def test_meeting_names():
    assert meeting_name(17, 20) == "第十七届人大常委会第二十次会议"
    assert meeting_name(14, 101) == "第十四届人大常委会第一百零一次会议"
    # A term of 0 is unknown: only the sequence, never 第零届.
    assert meeting_name(0, 3) == "人大常委会第三次会议"
    assert "零" not in meeting_name(0, 3)
    # Formal prints carry the place of the body's committee.
    assert meeting_name(17, 20, "东城区人大常委会") == "东城区第十七届人大常委会第二十次会议"
    long_name = "某县人民代表大会常务委员会"
    assert meeting_name(17, 20, long_name) == "某县第十七届人大常委会第二十次会议"
    assert congress_place("测试机关") == "" and congress_place("人大常委会") == ""


def test_pages_name_the_meeting(app, world, login_as, make_meeting, make_appointment):
    meeting = make_meeting("east", term=17, number=20, date=date(2026, 11, 20))
    unknown = make_meeting("east", term=0, number=3, date=date(2026, 10, 1))
    aid = make_appointment(body="east", meeting=meeting).id
    b = login_as("east-staff")
    index = b.get("/bodies/east/appointments/").get_data(as_text=True)
    assert "第十七届人大常委会第二十次会议" in index
    assert "人大常委会第三次会议" in index and "第零届" not in index and "第0届" not in index
    page = b.get(f"/bodies/east/appointments/meetings/{meeting.id}").get_data(as_text=True)
    assert "<h1>第十七届人大常委会第二十次会议" in page
    record = b.get(f"/bodies/east/appointments/{aid}").get_data(as_text=True)
    assert "第十七届人大常委会第二十次会议</a>" in record
    other = b.get(f"/bodies/east/appointments/meetings/{unknown.id}").get_data(as_text=True)
    assert "第零届" not in other and "<h1>人大常委会第三次会议" in other


def test_the_model_gives_both_names(app, world, make_meeting):
    ref = make_meeting("east", term=16, number=12)
    with committing(app):
        meeting = db.session.get(Meeting, ref.id)
        assert meeting.name == "第十六届人大常委会第十二次会议"
        assert meeting.formal_name(body_row("east")) == "东城区第十六届人大常委会第十二次会议"
