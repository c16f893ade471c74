"""What is due, the terms with their plans and subjects, the proposed schedule, settings."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from examsite.appointments.models import Appointment
from examsite.core.actions import act
from examsite.core.body import Body
from examsite.core.forms import ConfirmForm
from examsite.core.params import id_arg
from examsite.core.roles import ROLE_BODY_ADMIN, ROLE_STAFF
from examsite.core.tenancy import body_required
from examsite.core.tenancy import get_in_body_or_404 as _get
from examsite.core.transaction import refused
from examsite.extensions import db
from examsite.reports import exports, plans, reminders, scheduling
from examsite.reports.forms import (
    MODE_LABELS,
    PlanForm,
    ProposeForm,
    ReasonForm,
    SettingsForm,
    TermForm,
)
from examsite.reports.models import ReportPlan, ReportSubject, Term
from examsite.reports.states import ReportError
from examsite.reports.views import bp

PROBLEM_LABELS = {
    "no_meeting": _l("没有可安排的会议（在任期或截止日期之前）"),
    "capacity": _l("可安排的会议都已满"),
    "fixed_conflict": _l("已确认的安排与会议或任职情况冲突"),
    "no_window": _l("截止日期前没有可安排的时间"),
}


@bp.get("/")
@body_required(ROLE_STAFF)
def index(body: Body) -> Any:
    """What is due in the next 30 days and what is overdue; the terms."""
    soon, late = reminders.upcoming([body.id], date.today())
    terms = db.session.scalars(
        select(Term).where(Term.body_id == body.id).order_by(Term.number.desc())
    ).all()
    return render_template(
        "reports/index.html", body=body, soon=soon, late=late, terms=terms, form=TermForm()
    )


@bp.post("/terms")
@body_required(ROLE_STAFF)
def term_new(body: Body) -> Any:
    form = TermForm()
    if not form.validate_on_submit():
        for field in form:
            for error in field.errors:
                flash(f"{field.label.text}：{error}", "error")
        return redirect(url_for("reports.index", code=body.code))
    try:
        term = plans.save_term(
            body,
            number=form.number.data or 0,
            starts_on=form.starts_on.data,
            ends_on=form.ends_on.data,
        )
    except ReportError as exc:
        flash(refused(exc), "error")
        return redirect(url_for("reports.index", code=body.code))
    return redirect(url_for("reports.term", code=body.code, term_id=term.id))


@bp.get("/terms/<int:term_id>")
@body_required(ROLE_STAFF)
def term(body: Body, term_id: int) -> Any:
    """A term's plans and subjects, with the schedule and its conflicts."""
    term_ = _get(Term, body, term_id)
    subjects = db.session.scalars(
        select(ReportSubject)
        .where(ReportSubject.term_id == term_.id)
        .order_by(ReportSubject.id)
        .options(*scheduling.SUBJECT_ROW)
    ).all()
    plan_rows = db.session.scalars(select(ReportPlan).where(ReportPlan.term_id == term_.id)).all()
    listed = {s.appointment_id for s in subjects}
    appointed = [
        a
        for a in db.session.scalars(
            plans.reporting_matters(body.id).options(joinedload(Appointment.candidate))
        )
        if a.id not in listed
    ]
    return render_template(
        "reports/term.html",
        body=body,
        term=term_,
        subjects=subjects,
        plans=plan_rows,
        plan_form=PlanForm(),
        propose_form=ProposeForm(
            deadline=term_.ends_on, max_per_meeting=plans.settings_for(body).max_oral_per_meeting
        ),
        meetings=scheduling.meetings_of(term_),
        appointed=appointed,
        confirm=ConfirmForm(),
        reason=ReasonForm(),
        coverage=exports.coverage(term_),
    )


@bp.post("/terms/<int:term_id>/plans")
@body_required(ROLE_STAFF)
def plan_new(body: Body, term_id: int) -> Any:
    term_ = _get(Term, body, term_id)
    form = PlanForm()
    if form.validate_on_submit():
        _plan, added = plans.create_plan(
            body,
            term_,
            name=form.name.data or "",
            mode=form.mode.data or "oral",
            post_categories=list(form.post_categories.data or []),
            post_keyword=form.post_keyword.data or "",
        )
        flash(_("计划已建立，新增报告对象 %(n)s 人。", n=added), "success")
    else:
        flash(_("请填写计划名称。"), "error")
    return redirect(url_for("reports.term", code=body.code, term_id=term_.id))


@bp.post("/terms/<int:term_id>/subjects")
@body_required(ROLE_STAFF)
def subject_add(body: Body, term_id: int) -> Any:
    term_ = _get(Term, body, term_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    appointment = _get(Appointment, body, id_arg("appointment_id", source=request.form) or 0)
    mode = request.form.get("mode", "oral")
    return act(
        lambda: plans.add_subject(term_, appointment, mode if mode in MODE_LABELS else "oral"),
        "",
        url_for("reports.term", code=body.code, term_id=term_.id),
    )


@bp.post("/terms/<int:term_id>/propose")
@body_required(ROLE_STAFF)
def propose(body: Body, term_id: int) -> Any:
    """Let the site propose a schedule; confirmed items are never moved."""
    term_ = _get(Term, body, term_id)
    form = ProposeForm()
    if not form.validate_on_submit():
        flash(_("请填写每次会议的人数上限和完成日期。"), "error")
        return redirect(url_for("reports.term", code=body.code, term_id=term_.id))
    try:
        result = scheduling.propose(
            term_, max_oral_per_meeting=form.max_per_meeting.data or 1, deadline=form.deadline.data
        )
    except ReportError as exc:
        flash(refused(exc), "error")
        return redirect(url_for("reports.term", code=body.code, term_id=term_.id))
    if result.problems:
        names = {s.id: s.appointment.candidate.name for s in scheduling.open_subjects(term_)}
        for problem in result.problems:
            who = names.get(problem.subject_id, problem.subject_id)
            flash(f"{who}：{PROBLEM_LABELS[problem.code]}", "error")
    flash(_("已安排 %(n)s 项，请逐项确认。", n=len(result.placements)), "success")
    return redirect(url_for("reports.term", code=body.code, term_id=term_.id))


@bp.route("/settings", methods=["GET", "POST"])
@body_required(ROLE_BODY_ADMIN)
def settings(body: Body) -> Any:
    current = plans.settings_for(body)
    form = SettingsForm(obj=current)
    if form.validate_on_submit():
        plans.save_settings(
            body,
            threshold_percent=form.threshold_percent.data or 50,
            reminder_email=form.reminder_email.data or "",
            first_report_months=form.first_report_months.data or 12,
            max_oral_per_meeting=form.max_oral_per_meeting.data or 4,
            rectification_months=form.rectification_months.data or 3,
        )
        flash(_("已保存。"), "success")
        return redirect(url_for("reports.settings", code=body.code))
    return render_template("reports/settings.html", body=body, form=form)
