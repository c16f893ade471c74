"""Pages for post-appointment performance reports."""

from __future__ import annotations

import calendar
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from examsite.appointments.models import VOTE_APPOINTED, Appointment, Meeting
from examsite.core import audit
from examsite.core.actions import act
from examsite.core.body import Body
from examsite.core.exports import xlsx_response
from examsite.core.filecheck import UploadError
from examsite.core.forms import ConfirmForm
from examsite.core.params import id_arg, month_arg
from examsite.core.roles import ROLE_BODY_ADMIN, ROLE_STAFF
from examsite.core.tenancy import body_required
from examsite.core.tenancy import get_in_body_or_404 as _get
from examsite.core.uploads import UPLOAD_MESSAGES, send_upload
from examsite.extensions import db
from examsite.reports import services, voting
from examsite.reports.forms import (
    MODE_LABELS,
    FollowUpForm,
    PlanForm,
    ProposeForm,
    ReasonForm,
    RectificationForm,
    ReportForm,
    SettingsForm,
    TermForm,
    VoteForm,
)
from examsite.reports.models import ReportPlan, ReportSubject, Term

bp = Blueprint(
    "reports", __name__, template_folder="templates", url_prefix="/bodies/<code>/reports"
)

PROBLEM_LABELS = {
    "no_meeting": _l("没有可安排的会议（在任期或截止日期之前）"),
    "capacity": _l("可安排的会议都已满"),
    "fixed_conflict": _l("已确认的安排与会议或任职情况冲突"),
    "no_window": _l("截止日期前没有可安排的时间"),
}


@bp.app_context_processor
def _labels() -> dict[str, Any]:
    return {
        "MODE_LABELS": MODE_LABELS,
        "due_date": services.due_date,
        "report_conflicts": services.conflicts,
    }


@bp.get("/")
@body_required(ROLE_STAFF)
def index(body: Body) -> Any:
    """What is due in the next 30 days and what is overdue; the terms."""
    soon, late = services.upcoming([body.id], date.today())
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
        term = services.save_term(
            body,
            number=form.number.data or 0,
            starts_on=form.starts_on.data,
            ends_on=form.ends_on.data,
        )
    except services.ReportError as exc:
        flash(str(exc), "error")
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
        .options(*services.SUBJECT_ROW)
    ).all()
    plans = db.session.scalars(select(ReportPlan).where(ReportPlan.term_id == term_.id)).all()
    listed = {s.appointment_id for s in subjects}
    appointed = [
        a
        for a in db.session.scalars(
            select(Appointment)
            .where(Appointment.body_id == body.id, Appointment.vote == VOTE_APPOINTED)
            .options(joinedload(Appointment.candidate))
        )
        if a.id not in listed
    ]
    return render_template(
        "reports/term.html",
        body=body,
        term=term_,
        subjects=subjects,
        plans=plans,
        plan_form=PlanForm(),
        propose_form=ProposeForm(deadline=term_.ends_on),
        meetings=services.meetings_of(term_),
        appointed=appointed,
        confirm=ConfirmForm(),
        reason=ReasonForm(),
        coverage=services.coverage(term_),
    )


@bp.post("/terms/<int:term_id>/plans")
@body_required(ROLE_STAFF)
def plan_new(body: Body, term_id: int) -> Any:
    term_ = _get(Term, body, term_id)
    form = PlanForm()
    if form.validate_on_submit():
        _plan, added = services.create_plan(
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
        lambda: services.add_subject(term_, appointment, mode if mode in MODE_LABELS else "oral"),
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
    result = services.propose(
        term_, max_oral_per_meeting=form.max_per_meeting.data or 1, deadline=form.deadline.data
    )
    if result.problems:
        names = {s.id: s.appointment.candidate.name for s in services.open_subjects(term_)}
        for problem in result.problems:
            who = names.get(problem.subject_id, problem.subject_id)
            flash(f"{who}：{PROBLEM_LABELS[problem.code]}", "error")
    flash(_("已安排 %(n)s 项，请逐项确认。", n=len(result.placements)), "success")
    return redirect(url_for("reports.term", code=body.code, term_id=term_.id))


@bp.route("/subjects/<int:subject_id>", methods=["GET", "POST"])
@body_required(ROLE_STAFF)
def subject(body: Body, subject_id: int) -> Any:
    """One report: schedule, the report itself, the vote, rectification."""
    subject_ = _get(ReportSubject, body, subject_id)
    return render_template(
        "reports/subject.html",
        body=body,
        subject=subject_,
        meetings=services.meetings_of(subject_.term),
        confirm=ConfirmForm(),
        report_form=ReportForm(
            delivered_on=subject_.delivered_on or date.today(),
            mode=subject_.mode,
            guidance=subject_.guidance,
        ),
        vote_form=VoteForm(
            present=subject_.members_present,
            satisfied=subject_.votes_satisfied,
            basically=subject_.votes_basically,
            unsatisfied=subject_.votes_unsatisfied,
        ),
        rect_form=RectificationForm(obj=subject_.rectification),
        follow_form=FollowUpForm(),
        reason=ReasonForm(),
        conflicts=services.conflicts(subject_),
    )


def _back(body: Body, subject_: ReportSubject) -> Any:
    return redirect(url_for("reports.subject", code=body.code, subject_id=subject_.id))


@bp.post("/subjects/<int:subject_id>/confirm")
@body_required(ROLE_STAFF)
def subject_confirm(body: Body, subject_id: int) -> Any:
    subject_ = _get(ReportSubject, body, subject_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    meeting = None
    meeting_id = id_arg("meeting_id", source=request.form)
    if meeting_id is not None:
        meeting = _get(Meeting, body, meeting_id)
    due = None
    if request.form.get("due_on"):
        try:
            due = date.fromisoformat(request.form["due_on"])
        except ValueError:
            flash(_("日期格式不正确。"), "error")
            return _back(body, subject_)
    return act(
        lambda: services.confirm(subject_, meeting=meeting, due_on=due),
        _("已确认安排。"),
        _back(body, subject_),
    )


@bp.post("/subjects/<int:subject_id>/exempt")
@body_required(ROLE_STAFF)
def subject_exempt(body: Body, subject_id: int) -> Any:
    subject_ = _get(ReportSubject, body, subject_id)
    form = ReasonForm()
    if form.validate_on_submit():
        services.exempt_subject(subject_, form.reason.data or "")
        flash(_("已免于报告。"), "success")
    else:
        flash(_("请填写理由。"), "error")
    return _back(body, subject_)


@bp.post("/subjects/<int:subject_id>/report")
@body_required(ROLE_STAFF)
def subject_report(body: Body, subject_id: int) -> Any:
    subject_ = _get(ReportSubject, body, subject_id)
    form = ReportForm()
    if not form.validate_on_submit():
        flash(_("请填写报告日期。"), "error")
        return _back(body, subject_)
    limit = int(current_app.config["EXAMSITE_MAX_UPLOAD_MB"]) * 1024 * 1024
    upload = None
    if form.file.data and getattr(form.file.data, "filename", ""):
        upload = (form.file.data.filename, form.file.data.read(limit + 1))
    try:
        services.record_report(
            subject_,
            delivered_on=form.delivered_on.data,
            mode=form.mode.data or "oral",
            guidance=form.guidance.data or "",
            upload=upload,
            instance_path=current_app.instance_path,
            max_bytes=limit,
        )
    except UploadError as exc:
        flash(str(UPLOAD_MESSAGES[exc.code]), "error")
    except services.ReportError as exc:
        flash(str(exc), "error")
    else:
        flash(_("已记录报告。"), "success")
    return _back(body, subject_)


@bp.get("/subjects/<int:subject_id>/file")
@body_required(ROLE_STAFF)
def subject_file(body: Body, subject_id: int) -> Any:
    subject_ = _get(ReportSubject, body, subject_id)
    response = send_upload("reports", subject_.file_path, subject_.file_type, subject_.file_name)
    audit.record("report.download", target=subject_, file=subject_.file_name)
    db.session.commit()
    return response


@bp.post("/subjects/<int:subject_id>/vote")
@body_required(ROLE_STAFF)
def subject_vote(body: Body, subject_id: int) -> Any:
    subject_ = _get(ReportSubject, body, subject_id)
    form = VoteForm()
    if not form.validate_on_submit():
        flash(_("请填写出席人数和各项票数（不能为负数）。"), "error")
        return _back(body, subject_)
    vote = voting.Vote(
        present=form.present.data or 0,
        satisfied=form.satisfied.data or 0,
        basically=form.basically.data or 0,
        unsatisfied=form.unsatisfied.data or 0,
    )
    try:
        result = services.record_vote(subject_, vote)
    except services.ReportError as exc:
        flash(str(exc), "error")
    else:
        flash(
            _("测评结果：满意。")
            if result == voting.SATISFIED
            else _("测评结果：不满意，请提出整改要求。"),
            "success" if result == voting.SATISFIED else "error",
        )
    return _back(body, subject_)


@bp.post("/subjects/<int:subject_id>/rectification")
@body_required(ROLE_STAFF)
def subject_rectification(body: Body, subject_id: int) -> Any:
    subject_ = _get(ReportSubject, body, subject_id)
    form = RectificationForm()
    return act(
        lambda: services.require_rectification(
            subject_, actions=form.actions.data or "", due_on=form.due_on.data
        ),
        _("已提出整改要求。"),
        _back(body, subject_),
        form=form,
        invalid=_("请填写整改要求和期限。"),
    )


@bp.post("/subjects/<int:subject_id>/follow-up")
@body_required(ROLE_STAFF)
def subject_follow_up(body: Body, subject_id: int) -> Any:
    subject_ = _get(ReportSubject, body, subject_id)
    if subject_.rectification is None:
        abort(404)
    form = FollowUpForm()
    if not form.validate_on_submit():
        flash(_("请填写整改情况和日期。"), "error")
        return _back(body, subject_)
    services.follow_up(
        subject_.rectification,
        text=form.follow_up.data or "",
        on=form.follow_up_on.data,
        close=bool(form.close.data),
        user=current_user,
    )
    flash(_("已记录整改情况。"), "success")
    return _back(body, subject_)


# --------------------------------------------------------------------------- calendar, coverage


@bp.get("/calendar")
@body_required(ROLE_STAFF)
def calendar_view(body: Body) -> Any:
    """A month of reports: oral ones on their meeting day, written ones on their due date."""
    today = date.today()
    first = month_arg("month", default=today.replace(day=1), label=_l("月份"))
    days_in = calendar.monthrange(first.year, first.month)[1]
    last = first.replace(day=days_in)
    rows = db.session.scalars(
        select(ReportSubject)
        .where(ReportSubject.body_id == body.id, ReportSubject.exempt_reason == "")
        .options(*services.SUBJECT_ROW)
    )
    by_day: dict[date, list[ReportSubject]] = defaultdict(list)
    for s in rows:
        due = services.due_date(s)
        if due is not None and first <= due <= last:
            by_day[due].append(s)
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    prev_month = (first - timedelta(days=1)).strftime("%Y-%m")
    next_month = (last + timedelta(days=1)).strftime("%Y-%m")
    return render_template(
        "reports/calendar.html",
        body=body,
        weeks=weeks,
        by_day=by_day,
        first=first,
        prev_month=prev_month,
        next_month=next_month,
        today=today,
    )


@bp.get("/calendar.ics")
@body_required(ROLE_STAFF)
def calendar_ics(body: Body) -> Response:
    subjects = list(
        db.session.scalars(
            select(ReportSubject)
            .where(ReportSubject.body_id == body.id, ReportSubject.exempt_reason == "")
            .options(*services.SUBJECT_ROW)
        )
    )
    return Response(
        services.ics(subjects, body),
        mimetype="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f"attachment; filename=reports-{body.code}.ics"},
    )


@bp.get("/terms/<int:term_id>/coverage")
@body_required(ROLE_STAFF)
def coverage(body: Body, term_id: int) -> Any:
    """全覆盖: who has reported in the term, oral vs written, who has not."""
    term_ = _get(Term, body, term_id)
    result = services.coverage(term_)
    if request.args.get("format") == "xlsx":
        rows = [
            [
                s.appointment.candidate.name,
                s.appointment.proposed_post,
                str(MODE_LABELS[s.mode]),
                s.delivered_on.isoformat() if s.delivered_on else "",
                s.outcome or "",
                s.exempt_reason,
            ]
            for s in db.session.scalars(
                select(ReportSubject)
                .where(ReportSubject.term_id == term_.id)
                .options(*services.SUBJECT_ROW)
            )
        ]
        headers = [
            _("姓名"),
            _("职务"),
            _("报告方式"),
            _("报告日期"),
            _("测评结果"),
            _("免于报告理由"),
        ]
        return xlsx_response(f"coverage-term{term_.number}", headers, rows)
    return render_template("reports/coverage.html", body=body, term=term_, result=result)


@bp.route("/settings", methods=["GET", "POST"])
@body_required(ROLE_BODY_ADMIN)
def settings(body: Body) -> Any:
    current = services.settings_for(body)
    form = SettingsForm(obj=current)
    if form.validate_on_submit():
        services.save_settings(
            body,
            threshold_percent=form.threshold_percent.data or 50,
            reminder_email=form.reminder_email.data or "",
        )
        flash(_("已保存。"), "success")
        return redirect(url_for("reports.settings", code=body.code))
    return render_template("reports/settings.html", body=body, form=form)
