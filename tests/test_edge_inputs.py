"""Edge inputs answer a message or a 400, never a 500 or an off-site redirect: years and
months out of range, far dates, Unicode digits in ids, crafted next= targets, control
characters in form fields, and names with line breaks already in the database (the .ics feed,
the reminder e-mails)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from examsite.appointments.models import Appointment, Meeting
from examsite.core.controlchars import first_control, one_line
from examsite.core.params import parse_id, parse_int, safe_next
from examsite.exams.models import Attempt, Candidate
from examsite.extensions import db
from examsite.reports import cli as reports_cli
from examsite.reports.models import ReportSubject, Term
from tests.fixtures.database import committing
from tests.fixtures.factories import PASSWORD, count
from tests.fixtures.mail import FakeSMTP
from tests.fixtures.reports import TODAY, report_subjects
from tests.fixtures.web import csrf_token

# --------------------------------------------------------------------------- pure helpers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", 12),
        (" 7 ", 7),
        ("²", None),  # "²".isdigit() is True, int("²") raises
        ("١٢", None),  # Arabic-Indic digits: int() takes them, a URL never has them
        ("0", None),
        ("-3", None),
        (str(2**31), None),
        ("9" * 40, None),
        ("", None),
        ("1_000", None),
    ],
)
def test_parse_id_takes_ascii_row_ids_only(text, expected):
    assert parse_id(text) == expected


def test_parse_int_bounds():
    assert parse_int("-5", min=-10, max=10) == -5
    assert parse_int("11", min=-10, max=10) is None
    assert parse_int(None) is None


@pytest.mark.parametrize(
    "target",
    [
        "/\t/evil.example",
        "/\r\n/evil.example",
        "/\\evil.example",
        "/\\/evil.example",
        "\\\\evil.example",
        "//evil.example",
        "/ /evil.example",
        "https://evil.example",
        "javascript:alert(1)",
        "evil.example",
        "/bodies\\east",
        "/\x00/evil.example",
        "",
        None,
    ],
)
def test_safe_next_refuses_what_could_leave_the_site(target):
    assert safe_next(target) is None


@pytest.mark.parametrize("target", ["/", "/bodies/east", "/bodies/east/bank/?page=2&q=宪法"])
def test_safe_next_keeps_paths_of_the_site(target):
    assert safe_next(target) == target


def test_control_characters():
    assert first_control("张三") is None and first_control("（　）") is None
    assert first_control("张\t三") == "\t" and first_control("张\t三", multiline=True) is None
    assert first_control("a\nb", multiline=True) is None
    assert first_control("a\u200bb", multiline=True) == "\u200b"  # Cf: zero-width space
    assert first_control("a\x85b", multiline=True) == "\x85"  # Cc: C1 next line
    assert one_line("张三\r\nATTENDEE:x\x00\u200b") == "张三 ATTENDEE:x"


# --------------------------------------------------------------------------- query parameters


@pytest.mark.parametrize(
    "query",
    ["year=99999", "year=1999", "year=-2024", "year=²", "start=9999-12-31", "end=0001-01-01"],
)
def test_statistics_refuses_years_and_dates_out_of_range(world, login_as, query):
    response = login_as("east-admin").get(f"/statistics?{query}")
    assert response.status_code == 400
    assert "之间" in response.get_data(as_text=True)


def test_statistics_of_a_year_in_range(world, login_as):
    b = login_as("east-admin")
    assert b.get("/statistics?year=2100").status_code == 200
    assert b.get("/statistics?year=2024&start=2024-03-01&end=2024-06-30").status_code == 200


@pytest.mark.parametrize("month", ["9999-12", "0001-01", "2024-13", "2024-00", "２０２４-01", "x"])
def test_calendar_refuses_months_out_of_range(world, login_as, month):
    response = login_as("east-staff").get(f"/bodies/east/reports/calendar?month={month}")
    assert response.status_code == 400
    assert "2000-01 至 2100-12" in response.get_data(as_text=True)


def test_calendar_at_both_ends_of_the_range(world, login_as):
    b = login_as("east-staff")
    for month in ("2000-01", "2100-12", "2024-2"):
        assert b.get(f"/bodies/east/reports/calendar?month={month}").status_code == 200


def test_huge_row_ids_in_a_url_are_not_found(world, login_as):
    b = login_as("east-staff")
    for question_id in ("99999999999999999999", str(2**31)):
        assert b.get(f"/bodies/east/bank/{question_id}").status_code == 404


def test_a_huge_page_number_shows_an_empty_page(world, login_as):
    b = login_as("east-staff")
    assert b.get(f"/bodies/east/exams/candidates?page={10**30}").status_code == 200


# --------------------------------------------------------------------------- ids in forms


@pytest.mark.parametrize("value", ["²", "-1", "99999999999999999999", "1e3"])
def test_enrolling_refuses_malformed_candidate_ids(app, exam_world, login_as, value):
    b = login_as("east-staff")
    before = count(app, Attempt)
    response = b.post(
        f"/bodies/east/exams/sittings/{exam_world.sitting_id}/enroll",
        {"candidate_ids": value},
    )
    assert response.status_code == 400
    assert "所选项目无效" in response.get_data(as_text=True)
    assert count(app, Attempt) == before


def test_adding_to_a_meeting_refuses_malformed_candidate_ids(app, world, login_as):
    b = login_as("east-staff")
    b.post(
        "/bodies/east/appointments/meetings/new",
        {"term": "16", "number": "1", "date": TODAY.isoformat(), "agenda": ""},
    )
    with committing(app):
        meeting_id = db.session.scalar(select(func.max(Meeting.id)))
    response = b.post(
        f"/bodies/east/appointments/meetings/{meeting_id}/appointments",
        {"candidate_ids": "²"},
    )
    assert response.status_code == 400
    assert count(app, Appointment) == 0


# --------------------------------------------------------------------------- next=


@pytest.mark.parametrize(
    "query",
    [
        "next=/%09/evil.example",
        "next=/%0d%0a/evil.example",
        "next=/%5Cevil.example",
        "next=https://evil.example",
        "next=//evil.example",
    ],
)
def test_login_never_redirects_off_site(world, client, query):
    path = f"/login?{query}"
    form = {"csrf_token": csrf_token(client), "username": "east-staff", "password": PASSWORD}
    response = client.post(path, data=form)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_login_follows_a_path_of_the_site(world, client):
    form = {"csrf_token": csrf_token(client), "username": "east-staff", "password": PASSWORD}
    response = client.post("/login?next=/bodies/east/bank/", data=form)
    assert response.headers["Location"] == "/bodies/east/bank/"


@pytest.mark.parametrize(
    "target", ["/\t/evil.example", "/\\evil.example", "https://evil.example", "/\n/evil.example"]
)
def test_language_switch_never_redirects_off_site(browser, target):
    response = browser.post("/language", {"lang": "en", "next": target})
    assert response.headers["Location"] == "/"


# --------------------------------------------------------------------------- form fields


@pytest.mark.parametrize(
    "name", ["张\x00三", "张\t三", "张三\r\n", "\x1f", "张\u200b三", "张\x85三"]
)
def test_a_control_character_in_a_text_field_is_a_form_error(app, world, login_as, name):
    b = login_as("east-staff")
    response = b.post(
        "/bodies/east/exams/candidates/new",
        {"name": name, "id_number": "110101198001010018", "post_category": "other"},
    )
    assert response.status_code == 200
    assert "不能包含控制字符。" in response.get_data(as_text=True)
    assert count(app, Candidate) == 0


def test_a_textarea_takes_line_breaks_and_tabs_only(app, world, login_as):
    b = login_as("east-staff")
    fields = {"term": "16", "number": "1", "date": TODAY.isoformat()}
    refused = b.post("/bodies/east/appointments/meetings/new", {**fields, "agenda": "甲\x07乙"})
    assert "不能包含控制字符。" in refused.get_data(as_text=True)
    assert count(app, Meeting) == 0
    b.post("/bodies/east/appointments/meetings/new", {**fields, "agenda": "一、甲\r\n二、\t乙"})
    with committing(app):
        assert db.session.scalars(select(Meeting.agenda)).one() == "一、甲\r\n二、\t乙"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("date", "9999-12-31", "日期应在"),
        ("date", "0001-01-01", "日期应在"),
        ("term", "99999999999999999999", "数值超出允许范围。"),
    ],
)
def test_far_dates_and_huge_numbers_are_form_errors(app, world, login_as, field, value, message):
    b = login_as("east-staff")
    fields = {"term": "16", "number": "1", "date": TODAY.isoformat(), field: value}
    response = b.post("/bodies/east/appointments/meetings/new", fields)
    assert message in response.get_data(as_text=True)
    assert count(app, Meeting) == 0


# --------------------------------------------------------------------------- stored names


def _written_subject_with_name(app, login_as, name: str) -> int:
    b = login_as("east-admin")
    b.post(
        "/bodies/east/reports/settings",
        {"threshold_percent": "50", "reminder_email": "renshi@example.org"},
    )
    with committing(app):
        tid = db.session.scalars(select(Term.id)).one()  # term_world's
    b.post(f"/bodies/east/reports/terms/{tid}/plans", {"name": "全部", "mode": "written"})
    sid = report_subjects(app, tid)[0].id
    with committing(app):
        subject = db.session.get(ReportSubject, sid)
        subject.due_on = TODAY + timedelta(days=10)
        subject.confirmed = True  # reminders go for confirmed dates only
        # Stored before control characters were refused (or by an import that let them in).
        subject.appointment.candidate.name = name
        subject.appointment.proposed_post = "局长\r\nX-INJECTED:1"
        db.session.commit()
    return sid


# Stored before control characters were refused (PostgreSQL stores no NUL: \x01 instead).
NASTY_NAME = "报告人甲\r\nATTENDEE:mailto:evil@example.org\rX:1\n\x01"


@pytest.mark.usefixtures("term_world")
def test_ics_lines_cannot_be_broken_by_a_stored_name(app, login_as):
    _written_subject_with_name(app, login_as, NASTY_NAME + "长" * 20)
    ics = login_as("east-staff").get("/bodies/east/reports/calendar.ics").get_data(as_text=True)
    lines = ics.split("\r\n")
    assert lines[-1] == "" and all("\r" not in line and "\n" not in line for line in lines)
    assert all(not line.startswith(("ATTENDEE", "X:", "X-INJECTED")) for line in lines)
    assert all(len(line.encode()) <= 75 for line in lines)
    unfolded = ics.replace("\r\n ", "")
    assert "SUMMARY:书面报告截止：报告人甲 ATTENDEE:mailto:evil@example.org X:1 " in unfolded
    assert "DESCRIPTION:局长 X-INJECTED:1" in unfolded


@pytest.mark.usefixtures("term_world")
def test_remind_sends_a_one_line_subject_for_a_stored_name(app, login_as, runner, monkeypatch):
    _written_subject_with_name(app, login_as, NASTY_NAME)
    monkeypatch.setitem(app.config, "EXAMSITE_SMTP_HOST", "smtp.example.org")
    monkeypatch.setitem(app.config, "EXAMSITE_SMTP_STARTTLS", False)
    monkeypatch.setattr(reports_cli.smtplib, "SMTP", FakeSMTP)
    monkeypatch.setattr(FakeSMTP, "sent", [])
    result = runner.invoke(args=["reports", "remind", "--today", TODAY.isoformat()])
    assert result.exit_code == 0, result.output + repr(result.exception)
    assert "Sent 1 reminders." in result.output
    (message,) = FakeSMTP.sent
    subject = message["Subject"]
    assert "\r" not in subject and "\n" not in subject
    assert "报告人甲 ATTENDEE:mailto:evil@example.org X:1" in subject
    assert "X-INJECTED" not in message and "ATTENDEE" not in message
