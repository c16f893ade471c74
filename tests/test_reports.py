"""Post-appointment reports: plans, scheduling, recording, votes, reminders, coverage."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from examsite.appointments.models import Appointment, Meeting
from examsite.extensions import db
from examsite.reports import exports, reminders
from examsite.reports.models import ReminderLog, ReportSubject, Term
from tests.fixtures.database import committing
from tests.fixtures.factories import count
from tests.fixtures.reports import TODAY, report_subjects


def test_plans_select_their_subjects(app, term_world, login_as):
    b = login_as("east-staff")
    tid = term_world["term"]
    b.post(
        f"/bodies/east/reports/terms/{tid}/plans",
        {
            "name": "政府部门负责人",
            "mode": "oral",
            "post_categories": ["government"],
            "post_keyword": "局长",
        },
    )
    b.post(
        f"/bodies/east/reports/terms/{tid}/plans",
        {"name": "法院", "mode": "written", "post_categories": ["court"]},
    )
    subjects = report_subjects(app, tid)
    assert sorted(s.mode for s in subjects) == ["oral"] * 4 + ["written"] * 2
    # Running a plan again never adds a person twice.
    b.post(f"/bodies/east/reports/terms/{tid}/plans", {"name": "全部", "mode": "written"})
    assert len(report_subjects(app, tid)) == 6


def test_proposed_schedule_respects_the_cap_and_keeps_confirmed_items(
    app, term_world, login_as, make_plan
):
    b = login_as("east-staff")
    tid = term_world["term"]
    make_plan(tid, name="全部口头", mode="oral")
    first = report_subjects(app, tid)[0]
    with committing(app):
        last_meeting = db.session.scalars(select(Meeting).where(Meeting.number == 4)).one().id
    b.post(f"/bodies/east/reports/subjects/{first.id}/confirm", {"meeting_id": str(last_meeting)})
    b.post(
        f"/bodies/east/reports/terms/{tid}/propose",
        {"max_per_meeting": "2", "deadline": (TODAY + timedelta(days=200)).isoformat()},
    )
    subjects = report_subjects(app, tid)
    assert subjects[0].meeting_id == last_meeting and subjects[0].confirmed
    per_meeting = {}
    for s in subjects:
        assert s.meeting_id is not None
        per_meeting[s.meeting_id] = per_meeting.get(s.meeting_id, 0) + 1
    assert max(per_meeting.values()) <= 2 and len(subjects) == 6


def test_a_person_who_left_is_flagged(app, term_world, login_as, make_plan):
    b = login_as("east-staff")
    tid = term_world["term"]
    make_plan(tid, mode="oral")
    with committing(app):
        a = db.session.scalars(select(Appointment)).first()
        a.left_on = TODAY - timedelta(days=1)
        db.session.commit()
    page = b.get(f"/bodies/east/reports/terms/{tid}").get_data(as_text=True)
    assert "已离任" in page


def _record(b, sid, **fields):
    return b.post(
        f"/bodies/east/reports/subjects/{sid}/report",
        {"delivered_on": TODAY.isoformat(), "mode": "oral", **fields},
    )


def test_vote_counts_must_fit_those_present(app, term_world, login_as, make_plan):
    b = login_as("east-staff")
    tid = term_world["term"]
    make_plan(tid, mode="oral")
    sid = report_subjects(app, tid)[0].id
    _record(b, sid)
    r = b.post(
        f"/bodies/east/reports/subjects/{sid}/vote",
        {"present": "30", "satisfied": "25", "basically": "5", "unsatisfied": "1"},
    )
    assert "不能超过出席人数" in b.get(r.headers["Location"]).get_data(as_text=True)
    assert report_subjects(app, tid)[0].outcome is None
    b.post(
        f"/bodies/east/reports/subjects/{sid}/vote",
        {"present": "30", "satisfied": "10", "basically": "5", "unsatisfied": "12"},
    )
    assert report_subjects(app, tid)[0].outcome == "unsatisfied"  # 15 is not more than half of 30


def test_rectification_after_an_unsatisfied_vote(app, term_world, login_as, make_plan):
    b = login_as("east-staff")
    tid = term_world["term"]
    make_plan(tid, mode="oral")
    sid = report_subjects(app, tid)[0].id
    _record(b, sid)
    b.post(
        f"/bodies/east/reports/subjects/{sid}/vote",
        {"present": "20", "satisfied": "3", "basically": "2", "unsatisfied": "15"},
    )
    b.post(
        f"/bodies/east/reports/subjects/{sid}/rectification",
        {"actions": "限期整改营商环境问题", "due_on": (TODAY + timedelta(days=60)).isoformat()},
    )
    b.post(
        f"/bodies/east/reports/subjects/{sid}/follow-up",
        {"follow_up": "已完成整改", "follow_up_on": TODAY.isoformat(), "close": "y"},
    )
    with committing(app):
        s = db.session.get(ReportSubject, sid)
        assert (
            s.rectification.actions == "限期整改营商环境问题"
            and s.rectification.closed_at is not None
        )


def test_rectification_only_after_unsatisfied(app, term_world, login_as, make_plan):
    b = login_as("east-staff")
    tid = term_world["term"]
    make_plan(tid, mode="oral")
    sid = report_subjects(app, tid)[0].id
    _record(b, sid)
    b.post(
        f"/bodies/east/reports/subjects/{sid}/vote",
        {"present": "20", "satisfied": "15", "basically": "2", "unsatisfied": "3"},
    )
    b.post(
        f"/bodies/east/reports/subjects/{sid}/rectification",
        {"actions": "x", "due_on": TODAY.isoformat()},
    )
    with committing(app):
        assert db.session.get(ReportSubject, sid).rectification is None


def test_reminders_are_sent_once(app, term_world, login_as, make_plan):
    b = login_as("east-admin")
    b.post(
        "/bodies/east/reports/settings",
        {"threshold_percent": "50", "reminder_email": "renshi@example.org"},
    )
    tid = term_world["term"]
    make_plan(tid, mode="written")
    sids = [s.id for s in report_subjects(app, tid)]
    with committing(app):
        subjects = [db.session.get(ReportSubject, sid) for sid in sids]
        subjects[0].due_on = TODAY + timedelta(days=10)  # due soon
        subjects[1].due_on = TODAY - timedelta(days=3)  # overdue
        subjects[2].due_on = TODAY + timedelta(days=90)  # not yet
        subjects[3].due_on = TODAY + timedelta(days=5)  # due soon, but only proposed
        for s in subjects[:3]:
            s.confirmed = True
        db.session.commit()
        sent: list[tuple[str, str]] = []
        first = reminders.send_reminders(
            TODAY, lambda to, subject, text: sent.append((to, subject))
        )
        second = reminders.send_reminders(
            TODAY, lambda to, subject, text: sent.append((to, subject))
        )
    assert (first, second) == (2, 0)
    assert len(sent) == 2 and all(to == "renshi@example.org" for to, _ in sent)
    assert count(app, ReminderLog) == 2


def test_remind_command_without_smtp_fails_and_names_the_setting(app, runner):
    result = runner.invoke(args=["reports", "remind"])
    assert result.exit_code != 0
    assert "not configured" in result.output and "EXAMSITE_SMTP_HOST" in result.output


def test_coverage_of_a_generated_term(app, term_world, login_as, make_plan):
    """6 subjects: 3 reported (2 oral, 1 written), 1 exempted, 2 missing → 3 / 5 = 60%."""
    b = login_as("east-staff")
    tid = term_world["term"]
    make_plan(tid, mode="oral")
    sids = [s.id for s in report_subjects(app, tid)]
    _record(b, sids[0])
    _record(b, sids[1])
    _record(b, sids[2], mode="written")
    b.post(f"/bodies/east/reports/subjects/{sids[3]}/exempt", {"reason": "已调离"})
    with committing(app):
        result = exports.coverage(db.session.get(Term, tid))
    assert (result.subjects, result.reported, result.oral, result.written, result.exempt) == (
        5,
        3,
        2,
        1,
        1,
    )
    assert result.percent == 60.0 and len(result.missing) == 2
    page = b.get(f"/bodies/east/reports/terms/{tid}/coverage").get_data(as_text=True)
    assert "60.0%" in page
    assert b.get(f"/bodies/east/reports/terms/{tid}/coverage?format=xlsx").status_code == 200


def test_calendar_and_ics(app, term_world, login_as, make_plan):
    b = login_as("east-staff")
    tid = term_world["term"]
    make_plan(tid, mode="oral")
    b.post(
        f"/bodies/east/reports/terms/{tid}/propose",
        {"max_per_meeting": "6", "deadline": (TODAY + timedelta(days=30)).isoformat()},
    )
    ics = b.get("/bodies/east/reports/calendar.ics").get_data(as_text=True)
    assert ics.startswith("BEGIN:VCALENDAR") and ics.count("BEGIN:VEVENT") == 6
    month = (TODAY + timedelta(days=20)).strftime("%Y-%m")
    assert "报告人0" in b.get(f"/bodies/east/reports/calendar?month={month}").get_data(as_text=True)
    dashboard = b.get("/bodies/east/reports/").get_data(as_text=True)
    assert "30 天内到期（6）" in dashboard


def test_reports_are_isolated(app, term_world, login_as, make_plan):
    tid = term_world["term"]
    make_plan(tid, mode="oral")
    sid = report_subjects(app, tid)[0].id
    west = login_as("west-admin")
    for url in (
        f"/bodies/east/reports/terms/{tid}",
        f"/bodies/west/reports/terms/{tid}",
        f"/bodies/west/reports/subjects/{sid}",
    ):
        assert west.get(url).status_code == 404
    assert "报告人" not in west.get("/bodies/west/reports/calendar.ics").get_data(as_text=True)


def test_report_document_is_checked_served_to_the_body_and_audited(
    app, term_world, login_as, make_plan
):
    import io

    from examsite.core.audit import AuditEvent

    b = login_as("east-staff")
    tid = term_world["term"]
    make_plan(tid, mode="written")
    sid = report_subjects(app, tid)[0].id
    pdf = b"%PDF-1.4\n%%EOF\n"

    def upload(name, data):
        from tests.fixtures.web import csrf_token

        return b.client.post(
            f"/bodies/east/reports/subjects/{sid}/report",
            data={
                "csrf_token": csrf_token(b.client, "/"),
                "delivered_on": TODAY.isoformat(),
                "mode": "written",
                "file": (io.BytesIO(data), name),
            },
            content_type="multipart/form-data",
        )

    r = upload("report.pdf", b"MZ not a pdf")
    assert "文件内容与扩展名不符" in b.get(r.headers["Location"]).get_data(as_text=True)
    assert report_subjects(app, tid)[0].delivered_on is None
    upload("report.pdf", pdf)
    got = b.get(f"/bodies/east/reports/subjects/{sid}/file")
    assert got.status_code == 200 and got.data == pdf
    got.close()
    assert count(app, AuditEvent, AuditEvent.action == "report.download") == 1
    assert (
        login_as("west-admin").get(f"/bodies/east/reports/subjects/{sid}/file").status_code == 404
    )
