"""The .ics feed read back as a calendar program reads it, and the reminder e-mail."""

from __future__ import annotations

from datetime import timedelta
from email.utils import parsedate_to_datetime
from typing import Any

from examsite.extensions import db
from examsite.reports import cli as reports_cli
from examsite.reports import ical
from examsite.reports.models import ReportSubject
from tests.fixtures.database import committing
from tests.fixtures.mail import FakeSMTP
from tests.fixtures.reports import TODAY, report_subjects

# --------------------------------------------------------------------------- a small reader


def unfold(data: bytes) -> list[str]:
    """RFC 5545 3.1 backwards: split on CRLF only, join continuation lines."""
    assert data.endswith(b"\r\n")
    raw = data[:-2].split(b"\r\n")
    assert all(b"\r" not in line and b"\n" not in line for line in raw)
    assert all(len(line) <= 75 for line in raw), max(raw, key=len)
    lines: list[str] = []
    for line in raw:
        text = line.decode("utf-8")  # each physical line is valid UTF-8 on its own
        if text.startswith(" "):
            lines[-1] += text[1:]
        else:
            lines.append(text)
    return lines


def unescape(value: str) -> str:
    out, i = [], 0
    while i < len(value):
        char = value[i]
        if char == "\\":
            nxt = value[i + 1]
            out.append("\n" if nxt in "nN" else nxt)
            i += 2
        else:
            assert char not in ";,", value  # unescaped separators would split the value
            out.append(char)
            i += 1
    return "".join(out)


def parse(data: bytes) -> list[dict[str, Any]]:
    """The components in order, each a dict of name -> (params, value) (last one wins)."""
    components: list[dict[str, Any]] = []
    stack: list[dict[str, Any]] = []
    for line in unfold(data):
        head, _, value = line.partition(":")
        name, *params = head.split(";")
        if name == "BEGIN":
            stack.append({"type": value})
        elif name == "END":
            done = stack.pop()
            assert done["type"] == value
            components.append(done)
        else:
            stack[-1][name] = (dict(p.split("=", 1) for p in params), value)
    assert not stack
    return components


def _ics(b) -> bytes:
    response = b.get("/bodies/east/reports/calendar.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    return response.get_data()


def _scheduled(app, login_as, term_world, make_plan):
    make_plan(term_world["term"], mode="oral")
    b = login_as("east-staff")
    b.post(
        f"/bodies/east/reports/terms/{term_world['term']}/propose",
        {"max_per_meeting": "6", "deadline": (TODAY + timedelta(days=200)).isoformat()},
    )
    return b


def test_the_feed_parses_back_with_escaping_folding_and_a_time_zone(
    app, term_world, login_as, make_plan
):
    b = _scheduled(app, login_as, term_world, make_plan)
    sid = report_subjects(app, term_world["term"])[0].id
    tricky = "局长;副主任,兼\\党组书记\n分管" + "长" * 30
    with committing(app):
        db.session.get(ReportSubject, sid).appointment.proposed_post = tricky
    components = parse(_ics(b))
    types = [c["type"] for c in components]
    assert types.count("VEVENT") == 6 and types[-1] == "VCALENDAR"
    (tz,) = [c for c in components if c["type"] == "VTIMEZONE"]
    (standard,) = [c for c in components if c["type"] == "STANDARD"]
    assert tz["TZID"][1] == "Asia/Shanghai" and "DAYLIGHT" not in types
    assert standard["TZOFFSETFROM"][1] == standard["TZOFFSETTO"][1] == "+0800"
    events = [c for c in components if c["type"] == "VEVENT"]
    for event in events:
        params, value = event["DTSTART"]
        assert params == {"TZID": "Asia/Shanghai"} and len(value) == 15 and "T" in value
        assert event["DTSTAMP"][1].endswith("Z")
    (mine,) = [e for e in events if e["UID"][1].startswith(f"report-{sid}-")]
    description = unescape(mine["DESCRIPTION"][1])
    assert description.startswith(tricky.replace("\n", " "))  # the stored post is one line
    assert "\n第十六届人大常委会第二次会议" in description  # an escaped newline
    assert unescape(mine["SUMMARY"][1]).startswith("口头报告：报告人")


def test_uids_are_stable_and_name_the_body(app, term_world, login_as, make_plan):
    b = _scheduled(app, login_as, term_world, make_plan)
    first = [c["UID"][1] for c in parse(_ics(b)) if c["type"] == "VEVENT"]
    second = [c["UID"][1] for c in parse(_ics(b)) if c["type"] == "VEVENT"]
    assert first == second and len(set(first)) == 6
    assert all(uid.endswith("-east@examsite") for uid in first)


def test_folding_never_splits_a_character():
    line = "SUMMARY:" + "审议意见" * 40
    folded = ical.fold(line)
    for part in folded.encode("utf-8").split(b"\r\n"):
        assert len(part) <= 75
        part.decode("utf-8")  # raises if a character was cut
    assert folded.replace("\r\n ", "") == line


def test_text_escaping():
    assert ical.escape_text("a\\b;c,d\r\ne\nf") == "a\\\\b\\;c\\,d\\ne\\nf"


# --------------------------------------------------------------------------- the e-mail


def test_reminder_mail_carries_date_and_message_id(app, term_world, login_as, runner, monkeypatch):
    login_as("east-admin").post(
        "/bodies/east/reports/settings",
        {"threshold_percent": "50", "reminder_email": "renshi@example.org"},
    )
    tid = term_world["term"]
    login_as("east-staff").post(
        f"/bodies/east/reports/terms/{tid}/plans", {"name": "全部", "mode": "written"}
    )
    with committing(app):
        subject = db.session.get(ReportSubject, report_subjects(app, tid)[0].id)
        subject.due_on, subject.confirmed = TODAY + timedelta(days=3), True
    monkeypatch.setitem(app.config, "EXAMSITE_SMTP_HOST", "smtp.example.org")
    monkeypatch.setitem(app.config, "EXAMSITE_SMTP_FROM", "renda@example.gov.cn")
    monkeypatch.setattr(reports_cli.smtplib, "SMTP", FakeSMTP)
    monkeypatch.setattr(FakeSMTP, "sent", [])
    result = runner.invoke(args=["reports", "remind", "--today", TODAY.isoformat()])
    assert result.exit_code == 0, result.output
    (message,) = FakeSMTP.sent
    assert parsedate_to_datetime(message["Date"]).tzinfo is not None
    assert message["Message-ID"].startswith("<") and message["Message-ID"].endswith(
        "@example.gov.cn>"
    )


def test_a_calendar_program_reads_the_feed(app, term_world, login_as, make_plan):
    """The feed as a calendar program reads it (the icalendar package): every event in
    Beijing time, its text unescaped as written."""
    import icalendar

    b = _scheduled(app, login_as, term_world, make_plan)
    sid = report_subjects(app, term_world["term"])[0].id
    tricky = "局长;副主任,兼\\党组书记" + "长" * 40
    with committing(app):
        db.session.get(ReportSubject, sid).appointment.proposed_post = tricky
    calendar = icalendar.Calendar.from_ical(_ics(b))
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 6
    for event in events:
        start = event.decoded("DTSTART")
        assert start.utcoffset() == timedelta(hours=8)
    (mine,) = [e for e in events if str(e["UID"]).startswith(f"report-{sid}-")]
    assert str(mine["DESCRIPTION"]).startswith(tricky)
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Asia/Shanghai"]
