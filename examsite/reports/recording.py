"""Reports: the report itself (date, mode, file), the satisfaction vote and the
rectification that an unsatisfied vote calls for."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from examsite.core import audit
from examsite.core.body import Body
from examsite.core.filecheck import check_upload, store_upload
from examsite.core.timeutil import utcnow
from examsite.core.uploads import upload_folder
from examsite.extensions import db
from examsite.reports import voting
from examsite.reports.models import MODES, Rectification, ReportSubject
from examsite.reports.plans import settings_for
from examsite.reports.schedule import add_months
from examsite.reports.states import (
    OUTCOME,
    RECTIFICATION,
    SUBJECT,
    ReportError,
    ReportMode,
    VoteOutcome,
)


def record_report(
    subject: ReportSubject,
    *,
    delivered_on: date,
    mode: str,
    guidance: str,
    upload: tuple[str, bytes] | None,
    instance_path: str,
    max_bytes: int,
) -> None:
    SUBJECT.check(subject, "record")  # the date makes a pending subject delivered
    if upload:  # checked before anything changes
        check_upload(upload[0], upload[1], max_bytes)
    if mode not in MODES:
        raise ReportError(_("报告方式无效。"))
    check_report_date(subject, delivered_on, today=date.today())
    subject.delivered_on, subject.mode, subject.guidance = delivered_on, mode, guidance.strip()
    if upload:
        folder = upload_folder(instance_path, "reports")
        name, kind = store_upload(folder, upload[0], upload[1], max_bytes)
        subject.file_path, subject.file_name, subject.file_type = name, upload[0][:255], kind
    audit.record("report.record", target=subject, delivered=delivered_on.isoformat(), mode=mode)
    db.session.flush()


def check_report_date(subject: ReportSubject, day: date, *, today: date) -> None:
    """A report is given on a real day: not in the future, not before the appointment, within
    the term."""
    if day > today:
        raise ReportError(_("报告日期不能晚于今天（%(d)s）。", d=today.isoformat()))
    appointed = subject.appointment.vote_date
    if appointed is not None and day < appointed:
        raise ReportError(_("报告日期不能早于任命日期（%(d)s）。", d=appointed.isoformat()))
    term = subject.term
    if not term.starts_on <= day <= term.ends_on:
        raise ReportError(
            _(
                "报告日期须在第 %(n)s 届届期内（%(start)s 至 %(end)s）。",
                n=term.number,
                start=term.starts_on.isoformat(),
                end=term.ends_on.isoformat(),
            )
        )


def rectification_due(subject: ReportSubject, today: date) -> date:
    """The default due date of a new rectification: the body's period from today."""
    months = settings_for(db.session.get(Body, subject.body_id)).rectification_months  # type: ignore[arg-type]
    return add_months(today, months)


VOTE_MESSAGES = {
    "no_members": _l("出席人数必须大于 0。"),
    "negative": _l("票数不能为负数。"),
    "over_present": _l("满意、基本满意、不满意票数之和不能超过出席人数。"),
}


def record_vote(subject: ReportSubject, vote: voting.Vote) -> VoteOutcome:
    """满意度测评: refuses impossible counts; returns the outcome by the body's rule."""
    SUBJECT.check(subject, "vote")
    problems = voting.vote_problems(vote)
    if problems:
        raise ReportError(" ".join(str(VOTE_MESSAGES[p]) for p in problems))
    threshold = settings_for(db.session.get(Body, subject.body_id)).threshold_percent  # type: ignore[arg-type]
    result = VoteOutcome(voting.outcome(vote, threshold))
    subject.members_present = vote.present
    subject.votes_satisfied, subject.votes_basically = vote.satisfied, vote.basically
    subject.votes_unsatisfied = vote.unsatisfied
    subject.outcome = result
    audit.record(
        "report.vote",
        target=subject,
        present=vote.present,
        satisfied=vote.satisfied,
        basically=vote.basically,
        unsatisfied=vote.unsatisfied,
        outcome=result.value,
    )
    db.session.flush()
    return result


def require_rectification(subject: ReportSubject, *, actions: str, due_on: date) -> Rectification:
    OUTCOME.check(subject, "rectify")
    rect = subject.rectification or Rectification(
        body_id=subject.body_id, subject=subject, actions="", due_on=due_on
    )
    rect.actions, rect.due_on = actions.strip(), due_on
    db.session.add(rect)
    audit.record("report.rectification", target=subject, due=due_on.isoformat())
    db.session.flush()
    return rect


def follow_up(rect: Rectification, *, text: str, on: date, close: bool, user: Any) -> None:
    RECTIFICATION.check(rect, "follow_up")
    if close:
        RECTIFICATION.check(rect, "close")  # the closing time makes it closed
    rect.follow_up, rect.follow_up_on = text.strip(), on
    if close:
        rect.closed_at, rect.closed_by_id = utcnow(), user.id
    audit.record("report.follow_up", target=rect.subject, closed=close)
    db.session.flush()


audit.register_actions(
    {
        "report.record": _l("记录履职报告"),
        "report.vote": _l("记录满意度测评"),
        "report.rectification": _l("提出整改要求"),
        "report.follow_up": _l("记录整改情况"),
        "report.download": _l("下载履职报告文件"),
    }
)
# The log names the mode and the outcome, not their stored codes.
audit.register_values("mode", dict(ReportMode.labels()), action="report.record")
audit.register_values("outcome", dict(VoteOutcome.labels()), action="report.vote")
