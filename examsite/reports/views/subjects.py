"""One report subject: the schedule, the report and its file, the vote, the rectification."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from examsite.appointments.models import Meeting
from examsite.core import audit
from examsite.core.actions import act
from examsite.core.body import Body
from examsite.core.filecheck import UploadError
from examsite.core.params import id_arg
from examsite.core.roles import ROLE_STAFF
from examsite.core.tenancy import body_required
from examsite.core.tenancy import get_in_body_or_404 as _get
from examsite.core.transaction import refused
from examsite.core.uploads import UPLOAD_MESSAGES, send_upload
from examsite.reports import deliberation, plans, recording, scheduling, voting
from examsite.reports.forms import (
    FollowUpForm,
    HandlingForm,
    OpinionsForm,
    ReasonForm,
    RectificationForm,
    ReportForm,
    ScheduleConfirmForm,
    VoteForm,
)
from examsite.reports.models import ReportSubject
from examsite.reports.schedule import add_months
from examsite.reports.states import ReportError, VoteOutcome
from examsite.reports.views import bp


@bp.route("/subjects/<int:subject_id>", methods=["GET", "POST"])
@body_required(ROLE_STAFF)
def subject(body: Body, subject_id: int) -> Any:
    """One report: schedule, the report itself, the vote, rectification."""
    subject_ = _get(ReportSubject, body, subject_id)
    return render_template(
        "reports/subject.html",
        body=body,
        subject=subject_,
        meetings=scheduling.meetings_of(subject_.term),
        confirm=ScheduleConfirmForm(over_cap_reason=subject_.over_cap_reason),
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
        rect_form=RectificationForm(obj=subject_.rectification)
        if subject_.rectification
        else RectificationForm(due_on=recording.rectification_due(subject_, date.today())),
        today=date.today(),
        follow_form=FollowUpForm(),
        opinions_form=OpinionsForm(
            opinions=subject_.opinions,
            opinions_on=subject_.opinions_on or date.today(),
            handling_due_on=subject_.handling_due_on or add_months(date.today(), 2),
        ),
        handling_form=HandlingForm(
            handling_report=subject_.handling_report,
            handling_reported_on=subject_.handling_reported_on or date.today(),
        ),
        reason=ReasonForm(),
        conflicts=scheduling.conflicts(subject_),
    )


def _back(body: Body, subject_: ReportSubject) -> Any:
    return redirect(url_for("reports.subject", code=body.code, subject_id=subject_.id))


@bp.post("/subjects/<int:subject_id>/confirm")
@body_required(ROLE_STAFF)
def subject_confirm(body: Body, subject_id: int) -> Any:
    subject_ = _get(ReportSubject, body, subject_id)
    form = ScheduleConfirmForm()
    if not form.validate_on_submit():
        flash(_("理由不能超过 300 字。"), "error")
        return _back(body, subject_)
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
        lambda: scheduling.confirm(
            subject_, meeting=meeting, due_on=due, over_cap_reason=form.over_cap_reason.data or ""
        ),
        _("已确认安排。"),
        _back(body, subject_),
    )


@bp.post("/subjects/<int:subject_id>/exempt")
@body_required(ROLE_STAFF)
def subject_exempt(body: Body, subject_id: int) -> Any:
    subject_ = _get(ReportSubject, body, subject_id)
    form = ReasonForm()
    return act(
        lambda: plans.exempt_subject(subject_, form.reason.data or ""),
        _("已免于报告。"),
        _back(body, subject_),
        form=form,
        invalid=_("请填写理由。"),
    )


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
        recording.record_report(
            subject_,
            delivered_on=form.delivered_on.data,
            mode=form.mode.data or "oral",
            guidance=form.guidance.data or "",
            upload=upload,
            instance_path=current_app.instance_path,
            max_bytes=limit,
        )
    except UploadError as exc:
        refused(exc)
        flash(str(UPLOAD_MESSAGES[exc.code]), "error")
    except ReportError as exc:
        flash(refused(exc), "error")
    else:
        flash(_("已记录报告。"), "success")
    return _back(body, subject_)


@bp.get("/subjects/<int:subject_id>/file")
@body_required(ROLE_STAFF)
def subject_file(body: Body, subject_id: int) -> Any:
    subject_ = _get(ReportSubject, body, subject_id)
    response = send_upload("reports", subject_.file_path, subject_.file_type, subject_.file_name)
    audit.record("report.download", target=subject_, file=subject_.file_name)
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
        result = recording.record_vote(subject_, vote)
    except ReportError as exc:
        flash(refused(exc), "error")
    else:
        satisfied = result is VoteOutcome.SATISFIED
        flash(
            _("测评结果：满意。") if satisfied else _("测评结果：不满意，请提出整改要求。"),
            "success" if satisfied else "error",
        )
    return _back(body, subject_)


@bp.post("/subjects/<int:subject_id>/rectification")
@body_required(ROLE_STAFF)
def subject_rectification(body: Body, subject_id: int) -> Any:
    subject_ = _get(ReportSubject, body, subject_id)
    form = RectificationForm()
    return act(
        lambda: recording.require_rectification(
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
    rect = subject_.rectification
    if rect is None:
        abort(404)
    form = FollowUpForm()
    return act(
        lambda: recording.follow_up(
            rect,
            text=form.follow_up.data or "",
            on=form.follow_up_on.data,
            close=bool(form.close.data),
            user=current_user,
        ),
        _("已记录整改情况。"),
        _back(body, subject_),
        form=form,
        invalid=_("请填写整改情况和日期。"),
    )


@bp.post("/subjects/<int:subject_id>/opinions")
@body_required(ROLE_STAFF)
def subject_opinions(body: Body, subject_id: int) -> Any:
    """审议意见 on the report, with the deadline of the reporter's answer."""
    subject_ = _get(ReportSubject, body, subject_id)
    form = OpinionsForm()
    return act(
        lambda: deliberation.record_opinions(
            subject_,
            opinions=form.opinions.data or "",
            sent_on=form.opinions_on.data,
            due_on=form.handling_due_on.data,
            today=date.today(),
        ),
        _("已记录审议意见。"),
        _back(body, subject_),
        form=form,
        invalid=_("请填写审议意见、送交日期和报告期限（期限不能早于送交日期）。"),
    )


@bp.post("/subjects/<int:subject_id>/handling")
@body_required(ROLE_STAFF)
def subject_handling(body: Body, subject_id: int) -> Any:
    """The reporter's 研究处理情况报告 on the opinions."""
    subject_ = _get(ReportSubject, body, subject_id)
    form = HandlingForm()
    return act(
        lambda: deliberation.record_handling(
            subject_,
            text=form.handling_report.data or "",
            on=form.handling_reported_on.data,
            today=date.today(),
        ),
        _("已记录研究处理情况报告。"),
        _back(body, subject_),
        form=form,
        invalid=_("请填写研究处理情况和报告日期。"),
    )
