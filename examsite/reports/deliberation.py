"""Reports: the committee's deliberation opinions (审议意见) on a report, and the reporter's
answer on how they were handled (研究处理情况报告) by the deadline the committee sets."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from examsite.core import audit
from examsite.extensions import db
from examsite.reports.models import ReportSubject
from examsite.reports.states import SUBJECT, ReportError


def record_opinions(
    subject: ReportSubject, *, opinions: str, sent_on: date, due_on: date, today: date
) -> None:
    SUBJECT.check(subject, "opinions")
    text = opinions.strip()
    if not text:
        raise ReportError(_("请填写审议意见。"))
    if sent_on > today:
        raise ReportError(_("送交日期不能晚于今天。"))
    if subject.delivered_on is not None and sent_on < subject.delivered_on:
        raise ReportError(
            _("审议意见不能早于报告日期（%(d)s）。", d=subject.delivered_on.isoformat())
        )
    if due_on < sent_on:
        raise ReportError(_("报告期限不能早于审议意见送交日期。"))
    subject.opinions, subject.opinions_on, subject.handling_due_on = text, sent_on, due_on
    audit.record(
        "report.opinions", target=subject, sent=sent_on.isoformat(), due=due_on.isoformat()
    )
    db.session.flush()


def record_handling(subject: ReportSubject, *, text: str, on: date, today: date) -> None:
    SUBJECT.check(subject, "handling")
    if not subject.opinions or subject.opinions_on is None:
        raise ReportError(_("尚未记录审议意见，不能记录研究处理情况。"))
    body = text.strip()
    if not body:
        raise ReportError(_("请填写研究处理情况。"))
    if on > today:
        raise ReportError(_("报告日期不能晚于今天（%(d)s）。", d=today.isoformat()))
    if on < subject.opinions_on:
        raise ReportError(
            _(
                "研究处理情况报告不能早于审议意见送交日期（%(d)s）。",
                d=subject.opinions_on.isoformat(),
            )
        )
    subject.handling_report, subject.handling_reported_on = body, on
    late = subject.handling_due_on is not None and on > subject.handling_due_on
    audit.record("report.handling", target=subject, reported=on.isoformat(), late=late)
    db.session.flush()


audit.register_actions(
    {
        "report.opinions": _l("记录审议意见"),
        "report.handling": _l("记录研究处理情况报告"),
    }
)
audit.register_details({"sent": _l("送交日期"), "due": _l("报告期限")}, action="report.opinions")
audit.register_details(
    {"reported": _l("报告日期"), "late": _l("逾期报告")}, action="report.handling"
)
