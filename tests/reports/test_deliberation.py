"""The deliberation opinions (审议意见) on a report and the reporter's answer on their handling
(研究处理情况报告), recorded through the subject page and shown with the vote."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from examsite.core.audit import AuditEvent
from examsite.extensions import db
from examsite.reports.models import ReportSubject
from tests.fixtures.database import committing
from tests.fixtures.reports import TODAY


def _page(b, sid):
    return b.get(f"/bodies/east/reports/subjects/{sid}").get_data(as_text=True)


def test_opinions_and_their_handling_are_recorded_and_shown(
    app, world, make_term, make_report_subject, login_as
):
    term = make_term("east")
    sid = make_report_subject(term, delivered_on=TODAY - timedelta(days=20), vote=(20, 15, 3, 2)).id
    b = login_as("east-staff")
    url = f"/bodies/east/reports/subjects/{sid}"
    due = TODAY - timedelta(days=1)
    b.post(
        url + "/opinions",
        {
            "opinions": "进一步加强行政执法监督",
            "opinions_on": (TODAY - timedelta(days=10)).isoformat(),
            "handling_due_on": due.isoformat(),
        },
    )
    page = _page(b, sid)
    assert "进一步加强行政执法监督" in page and "满意度测评" in page
    assert f"研究处理情况报告已逾期：期限为 {due.isoformat()}" in page
    b.post(
        url + "/handling",
        {"handling_report": "已制定整改措施并落实", "handling_reported_on": TODAY.isoformat()},
    )
    page = _page(b, sid)
    assert "已制定整改措施并落实" in page and "研究处理情况报告已逾期" not in page
    with committing(app):
        subject = db.session.get(ReportSubject, sid)
        assert subject.handling_reported_on == TODAY and subject.handling_due_on == due
        actions = set(db.session.scalars(select(AuditEvent.action)))
        assert {"report.opinions", "report.handling"} <= actions


def test_a_deadline_before_the_opinions_is_refused(
    app, world, make_term, make_report_subject, login_as
):
    term = make_term("east")
    sid = make_report_subject(term, delivered_on=TODAY).id
    b = login_as("east-staff")
    r = b.post(
        f"/bodies/east/reports/subjects/{sid}/opinions",
        {
            "opinions": "意见",
            "opinions_on": TODAY.isoformat(),
            "handling_due_on": (TODAY - timedelta(days=1)).isoformat(),
        },
    )
    assert "期限不能早于送交日期" in b.get(r.headers["Location"]).get_data(as_text=True)
    with committing(app):
        assert db.session.get(ReportSubject, sid).opinions == ""


def test_no_handling_before_the_opinions(app, world, make_term, make_report_subject, login_as):
    term = make_term("east")
    sid = make_report_subject(term, delivered_on=TODAY).id
    b = login_as("east-staff")
    r = b.post(
        f"/bodies/east/reports/subjects/{sid}/handling",
        {"handling_report": "已落实", "handling_reported_on": TODAY.isoformat()},
    )
    assert "尚未记录审议意见" in b.get(r.headers["Location"]).get_data(as_text=True)
    with committing(app):
        assert db.session.get(ReportSubject, sid).handling_report == ""
