"""Reports: the body's settings, terms, the plans and the subjects they select, exemptions."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select

from examsite.appointments import records as appointment_records
from examsite.appointments.models import Appointment
from examsite.appointments.states import VoteOutcome as AppointmentVote
from examsite.core import audit
from examsite.core.body import Body
from examsite.extensions import db
from examsite.reports.models import MODES, ReportPlan, ReportSettings, ReportSubject, Term
from examsite.reports.post_match import matches_post
from examsite.reports.states import SUBJECT, ReportError


def settings_for(body: Body) -> ReportSettings:
    return db.session.get(ReportSettings, body.id) or ReportSettings(
        body_id=body.id,
        threshold_percent=50,
        reminder_email="",
        first_report_months=12,
        max_oral_per_meeting=4,
        rectification_months=3,
    )


def save_settings(
    body: Body,
    *,
    threshold_percent: int,
    reminder_email: str,
    first_report_months: int = 12,
    max_oral_per_meeting: int = 4,
    rectification_months: int = 3,
) -> None:
    row = db.session.get(ReportSettings, body.id)
    if row is None:
        row = ReportSettings(body_id=body.id)
        db.session.add(row)
    row.threshold_percent, row.reminder_email = threshold_percent, reminder_email.strip()
    row.first_report_months = first_report_months
    row.max_oral_per_meeting = max_oral_per_meeting
    row.rectification_months = rectification_months
    audit.record(
        "report.settings",
        target=body,
        body=body,
        threshold=threshold_percent,
        first_report_months=first_report_months,
        max_oral_per_meeting=max_oral_per_meeting,
        rectification_months=rectification_months,
    )
    db.session.flush()


def save_term(body: Body, *, number: int, starts_on: date, ends_on: date) -> Term:
    if ends_on <= starts_on:
        raise ReportError(_("届期结束日期必须晚于开始日期。"))
    if db.session.scalars(
        select(Term).where(Term.body_id == body.id, Term.number == number)
    ).first():
        raise ReportError(_("已有第 %(n)s 届。", n=number))
    term = Term(body_id=body.id, number=number, starts_on=starts_on, ends_on=ends_on)
    db.session.add(term)
    audit.record("term.create", target=term, body=body, number=number)
    db.session.flush()
    return term


# --------------------------------------------------------------------------- plans and subjects


def create_plan(
    body: Body, term: Term, *, name: str, mode: str, post_categories: list[str], post_keyword: str
) -> tuple[ReportPlan, int]:
    """A plan and the subjects it selects: persons appointed in the term that it covers."""
    if mode not in MODES:
        raise ReportError(_("报告方式无效。"))
    plan = ReportPlan(
        body_id=body.id,
        term=term,
        name=name.strip(),
        mode=mode,
        post_categories=post_categories,
        post_keyword=post_keyword.strip(),
    )
    db.session.add(plan)
    db.session.flush()
    added = _generate(plan)
    audit.record("report.plan", target=plan, body=body, name=plan.name, subjects=added)
    db.session.flush()
    return plan, added


def _generate(plan: ReportPlan) -> int:
    term = plan.term
    taken = set(
        db.session.scalars(
            select(ReportSubject.appointment_id).where(ReportSubject.term_id == term.id)
        )
    )
    candidates = db.session.scalars(
        reporting_matters(plan.body_id).where(
            Appointment.vote_date >= term.starts_on,
            Appointment.vote_date <= term.ends_on,
        )
    )
    added = 0
    for appointment in candidates:
        if appointment.id in taken:
            continue
        if plan.post_categories and appointment.candidate.post_category not in plan.post_categories:
            continue
        if not matches_post(appointment.proposed_post, plan.post_keyword):
            continue
        db.session.add(
            ReportSubject(
                body_id=plan.body_id,
                term_id=term.id,
                plan_id=plan.id,
                appointment_id=appointment.id,
                mode=plan.mode,
            )
        )
        added += 1
    return added


def reporting_matters(body_id: int) -> Select[Appointment]:
    """The body's matters that may be report subjects: voted through, of a kind whose steps
    in the body include reports (a removal's do not)."""
    steps = appointment_records.steps_by_kind(body_id)
    return select(Appointment).where(
        Appointment.body_id == body_id,
        Appointment.vote == AppointmentVote.APPOINTED,
        Appointment.kind.in_([kind for kind, needs in steps.items() if needs.reports]),
    )


def add_subject(term: Term, appointment: Appointment, mode: str) -> ReportSubject:
    """Staff add a person the plans did not select (of a matter that reports)."""
    allowed = db.session.scalar(
        reporting_matters(term.body_id)
        .where(Appointment.id == appointment.id)
        .with_only_columns(Appointment.id)
    )
    if allowed is None:
        raise ReportError(_("按任免规则，该任免事项无须报告履职情况，不能列为报告对象。"))
    exists = db.session.scalars(
        select(ReportSubject).where(
            ReportSubject.term_id == term.id, ReportSubject.appointment_id == appointment.id
        )
    ).first()
    if exists is not None:
        raise ReportError(_("该人员已是本届的报告对象。"))
    subject = ReportSubject(
        body_id=term.body_id, term_id=term.id, appointment_id=appointment.id, mode=mode
    )
    db.session.add(subject)
    audit.record(
        "report.subject_add", target=subject, body=term.body_id, name=appointment.candidate.name
    )
    db.session.flush()
    return subject


def exempt_subject(subject: ReportSubject, reason: str) -> None:
    SUBJECT.check(subject, "exempt")  # the reason makes the subject exempt
    subject.exempt_reason = reason.strip()
    audit.record("report.subject_exempt", target=subject, reason=reason.strip())
    db.session.flush()


audit.register_actions(
    {
        "report.settings": _l("修改履职报告设置"),
        "term.create": _l("新建届期"),
        "report.plan": _l("新建报告计划"),
        "report.subject_add": _l("添加报告对象"),
        "report.subject_exempt": _l("免于报告"),
    }
)
audit.register_details(
    {
        "first_report_months": _l("首次报告距任命的月数"),
        "max_oral_per_meeting": _l("每次会议最多口头报告人数"),
        "rectification_months": _l("整改期限（月）"),
    },
    action="report.settings",
)
