"""The report schedule as a committee runs it: the first report a year after the appointment
and within the term, re-proposing replaces the old proposal, the per-meeting cap, reminders
for confirmed dates only, honest report dates, an empty term, the rectification's due date."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from examsite.core import audit
from examsite.core.audit import AuditEvent
from examsite.core.body import Body
from examsite.extensions import db
from examsite.reports import plans, reminders, schedule
from examsite.reports.models import Rectification, ReportSubject
from tests.fixtures.database import committing
from tests.fixtures.reports import TODAY, report_subjects

# --------------------------------------------------------------------------- pure: the window


def test_months_are_calendar_months_and_the_month_end_is_kept():
    assert schedule.add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert schedule.add_months(date(2023, 11, 30), 3) == date(2024, 2, 29)
    assert schedule.add_months(date(2024, 12, 15), 12) == date(2025, 12, 15)


def test_the_first_report_falls_a_set_time_after_the_appointment_and_within_the_term():
    term_start = date(2023, 1, 1)
    assert schedule.first_report_day(date(2024, 3, 10), 12, term_start) == date(2025, 3, 10)
    assert schedule.first_report_day(date(2024, 3, 10), 6, term_start) == date(2024, 9, 10)
    # Appointed before this term began: the term's first day.
    assert schedule.first_report_day(date(2021, 3, 10), 12, term_start) == term_start


# --------------------------------------------------------------------------- through the pages


@pytest.fixture
def recent(world, make_rules, make_term, make_meeting, make_appointment, make_report_subject):
    """Term 16 in east; two persons appointed 30 days ago at meeting 1; meetings 9 and 50
    days after that appointment, and one 13 months after it; two oral subjects."""
    make_rules("east", require_test=False)
    term = make_term("east", number=16)
    appointed_on = TODAY - timedelta(days=30)
    first = make_meeting("east", term=16, number=1, date=appointed_on)
    soon = make_meeting("east", term=16, number=2, date=appointed_on + timedelta(days=9))
    later = make_meeting("east", term=16, number=3, date=appointed_on + timedelta(days=50))
    year = make_meeting("east", term=16, number=4, date=appointed_on + timedelta(days=395))
    sids = []
    for i in range(2):
        a = make_appointment(
            body="east", meeting=first, post=f"局长{i}", vote="appointed", vote_date=appointed_on
        )
        sids.append(make_report_subject(term, a, mode="oral").id)
    return {
        "term": term.id,
        "sids": sids,
        "soon": soon.id,
        "later": later.id,
        "year": year.id,
        "appointed_on": appointed_on,
    }


def _propose(b, tid, cap="4", deadline=None):
    return b.post(
        f"/bodies/east/reports/terms/{tid}/propose",
        {
            "max_per_meeting": cap,
            "deadline": (deadline or TODAY + timedelta(days=1000)).isoformat(),
        },
    )


def _flashes(b, response):
    return b.get(response.headers["Location"]).get_data(as_text=True)


def test_no_proposal_before_a_year_in_office(app, recent, login_as):
    b = login_as("east-staff")
    _propose(b, recent["term"])
    assert {s.meeting_id for s in report_subjects(app, recent["term"])} == {recent["year"]}


def test_the_settings_change_the_first_report_window(app, recent, login_as):
    b = login_as("east-admin")
    b.post(
        "/bodies/east/reports/settings",
        {"threshold_percent": "50", "first_report_months": "1", "max_oral_per_meeting": "4"},
    )
    _propose(b, recent["term"])
    # 30 days ago + one month: never the meeting 9 days after; spread over the later two.
    assert {s.meeting_id for s in report_subjects(app, recent["term"])} == {
        recent["later"],
        recent["year"],
    }


def test_written_reports_fall_within_the_term(app, world, make_term, make_report_subject, login_as):
    term = make_term("east", number=16, ends_on=TODAY + timedelta(days=500))
    # Appointed on the term's first day, 400 days ago: due from 35 days ago.
    sid = make_report_subject(term, mode="written").id
    b = login_as("east-staff")
    _propose(b, term.id, deadline=TODAY + timedelta(days=2000))
    (subject,) = report_subjects(app, term.id)
    assert subject.id == sid and subject.due_on is not None
    assert TODAY <= subject.due_on <= term.ends_on
    # Staff cannot move it past the term either.
    late = (term.ends_on + timedelta(days=10)).isoformat()
    r = b.post(f"/bodies/east/reports/subjects/{sid}/confirm", {"due_on": late})
    assert "报告须在本届届期内" in _flashes(b, r)
    assert not report_subjects(app, term.id)[0].confirmed


def test_confirming_at_the_appointing_meeting_is_refused(app, recent, login_as):
    b = login_as("east-staff")
    sid = recent["sids"][0]
    with committing(app):
        from examsite.appointments.models import Meeting

        appointing = db.session.scalars(select(Meeting).where(Meeting.number == 1)).one().id
    r = b.post(f"/bodies/east/reports/subjects/{sid}/confirm", {"meeting_id": str(appointing)})
    assert "报告须安排在任命" in _flashes(b, r)
    assert not report_subjects(app, recent["term"])[0].confirmed
    # Staff may still call a report sooner than a year: the period binds proposals.
    b.post(f"/bodies/east/reports/subjects/{sid}/confirm", {"meeting_id": str(recent["soon"])})
    assert report_subjects(app, recent["term"])[0].confirmed


def test_re_proposing_replaces_the_old_proposals(app, recent, login_as):
    b = login_as("east-staff")
    _propose(b, recent["term"])
    assert all(s.meeting_id == recent["year"] for s in report_subjects(app, recent["term"]))
    with committing(app):
        db.session.execute(
            ReportSubject.__table__.update().values(meeting_id=None)  # nothing to keep
        )
    _propose(b, recent["term"])  # placed again
    # Now the year meeting is cancelled: nobody fits, and no stale meeting stays behind.
    with committing(app):
        from examsite.appointments.models import Meeting

        db.session.get(Meeting, recent["year"]).cancelled = True
    r = _propose(b, recent["term"])
    assert "没有可安排的会议" in _flashes(b, r)
    assert [s.meeting_id for s in report_subjects(app, recent["term"])] == [None, None]


def test_a_failed_re_propose_leaves_the_old_proposals(app, recent, login_as, monkeypatch):
    b = login_as("east-staff")
    _propose(b, recent["term"], cap="1")  # one at the year meeting, one left out
    before = [(s.meeting_id, s.due_on) for s in report_subjects(app, recent["term"])]
    assert sorted(before, key=str) == sorted([(recent["year"], None), (None, None)], key=str)
    real = audit.record

    def failing(action, **kwargs):
        if action == "report.schedule":
            raise RuntimeError("disk full")  # after the subjects were changed and flushed
        return real(action, **kwargs)

    monkeypatch.setattr(audit, "record", failing)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    assert _propose(b, recent["term"], cap="4").status_code == 500
    after = [(s.meeting_id, s.due_on) for s in report_subjects(app, recent["term"])]
    assert after == before


def test_confirming_over_the_cap_asks_for_a_reason_and_records_it(app, recent, login_as):
    admin = login_as("east-admin")
    admin.post(
        "/bodies/east/reports/settings",
        {"threshold_percent": "50", "first_report_months": "12", "max_oral_per_meeting": "1"},
    )
    first, second = recent["sids"]
    url = "/bodies/east/reports/subjects/{}/confirm"
    admin.post(url.format(first), {"meeting_id": str(recent["year"])})
    r = admin.post(url.format(second), {"meeting_id": str(recent["year"])})
    page = _flashes(admin, r)
    assert "已达上限 1 人" in page and "须填写理由" in page
    assert not report_subjects(app, recent["term"])[1].confirmed
    r = admin.post(
        url.format(second), {"meeting_id": str(recent["year"]), "over_cap_reason": "主任会议决定"}
    )
    subject = report_subjects(app, recent["term"])[1]
    assert subject.confirmed and subject.meeting_id == recent["year"]
    assert subject.over_cap_reason == "主任会议决定"
    assert "主任会议决定" in admin.get(f"/bodies/east/reports/subjects/{second}").get_data(
        as_text=True
    )
    with committing(app):
        entry = db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "report.confirm")
            .order_by(AuditEvent.id.desc())
        ).first()
        assert "主任会议决定" in entry.details
    # Under the cap no reason is asked, and none is kept.
    assert report_subjects(app, recent["term"])[0].over_cap_reason == ""


# --------------------------------------------------------------------------- rule 2


def test_reminders_go_only_for_confirmed_reports(app, recent, login_as):
    b = login_as("east-admin")
    b.post(
        "/bodies/east/reports/settings",
        {"threshold_percent": "50", "reminder_email": "renshi@example.org"},
    )
    first, second = recent["sids"]
    with committing(app):
        for sid in (first, second):
            s = db.session.get(ReportSubject, sid)
            s.mode, s.due_on = "written", TODAY + timedelta(days=5)
        db.session.get(ReportSubject, first).confirmed = True
    sent: list[str] = []
    with committing(app):
        count = reminders.send_reminders(TODAY, lambda to, title, text: sent.append(title))
    assert count == 1 and len(sent) == 1 and "局长0" not in sent[0]


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (TODAY + timedelta(days=1), "报告日期不能晚于今天"),
        (TODAY - timedelta(days=31), "报告日期不能早于任命日期"),
    ],
)
def test_a_report_date_must_be_real(app, recent, login_as, day, message):
    b = login_as("east-staff")
    sid = recent["sids"][0]
    r = b.post(
        f"/bodies/east/reports/subjects/{sid}/report",
        {"delivered_on": day.isoformat(), "mode": "oral"},
    )
    assert message in _flashes(b, r)
    assert report_subjects(app, recent["term"])[0].delivered_on is None


def test_a_report_date_outside_the_term_is_refused(app, world, make_term, make_report_subject):
    term = make_term("east", number=16, ends_on=TODAY - timedelta(days=10))
    sid = make_report_subject(term).id
    from examsite.reports import recording
    from examsite.reports.states import ReportError

    with committing(app):
        subject = db.session.get(ReportSubject, sid)
        with pytest.raises(ReportError, match="届期内"):
            recording.check_report_date(subject, TODAY - timedelta(days=2), today=TODAY)


def test_an_empty_term_shows_a_dash_not_full_coverage(app, world, make_term, login_as):
    term = make_term("east", number=16)
    b = login_as("east-staff")
    page = b.get(f"/bodies/east/reports/terms/{term.id}/coverage").get_data(as_text=True)
    assert 'data-testid="coverage-percent">—<' in page and "100" not in page.split("覆盖率")[0]
    assert "覆盖情况：—" in b.get(f"/bodies/east/reports/terms/{term.id}").get_data(as_text=True)


def test_a_rectification_is_due_in_three_months_and_overdue_after(
    app, recent, login_as, make_report_subject
):
    b = login_as("east-staff")
    sid = make_report_subject(
        recent["term"], mode="oral", delivered_on=TODAY, vote=(20, 3, 2, 15)
    ).id
    page = b.get(f"/bodies/east/reports/subjects/{sid}").get_data(as_text=True)
    assert f'value="{schedule.add_months(TODAY, 3).isoformat()}"' in page  # the default
    b.post(
        f"/bodies/east/reports/subjects/{sid}/rectification",
        {"actions": "限期整改", "due_on": (TODAY + timedelta(days=10)).isoformat()},
    )
    with committing(app):
        rect = db.session.scalars(select(Rectification)).one()
        assert rect.due_on == TODAY + timedelta(days=10)  # editable
        assert rect.closed_at is None  # not closed when it is required
        assert not rect.overdue(TODAY)
        rect.due_on = TODAY - timedelta(days=1)
    page = b.get(f"/bodies/east/reports/subjects/{sid}").get_data(as_text=True)
    assert "整改已逾期" in page
    b.post(
        f"/bodies/east/reports/subjects/{sid}/follow-up",
        {"follow_up": "已完成", "follow_up_on": TODAY.isoformat(), "close": "y"},
    )
    with committing(app):
        rect = db.session.scalars(select(Rectification)).one()
        assert rect.closed_at is not None and not rect.overdue(TODAY)
    assert "整改已逾期" not in b.get(f"/bodies/east/reports/subjects/{sid}").get_data(as_text=True)


def test_the_rectification_period_is_a_setting(app, recent, login_as, make_report_subject):
    with committing(app):
        body = db.session.scalars(select(Body).where(Body.code == "east")).one()
        plans.save_settings(body, threshold_percent=50, reminder_email="", rectification_months=6)
    sid = make_report_subject(
        recent["term"], mode="oral", delivered_on=TODAY, vote=(20, 3, 2, 15)
    ).id
    page = login_as("east-staff").get(f"/bodies/east/reports/subjects/{sid}").get_data(as_text=True)
    assert f'value="{schedule.add_months(TODAY, 6).isoformat()}"' in page
