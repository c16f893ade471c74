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
from examsite.core.forms import ConfirmForm
from examsite.core.params import id_arg
from examsite.core.roles import ROLE_STAFF
from examsite.core.tenancy import body_required
from examsite.core.tenancy import get_in_body_or_404 as _get
from examsite.core.transaction import refused
from examsite.core.uploads import UPLOAD_MESSAGES, send_upload
from examsite.reports import plans, recording, scheduling, voting
from examsite.reports.forms import (
    FollowUpForm,
    ReasonForm,
    RectificationForm,
    ReportForm,
    VoteForm,
)
from examsite.reports.models import ReportSubject
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
        conflicts=scheduling.conflicts(subject_),
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
        lambda: scheduling.confirm(subject_, meeting=meeting, due_on=due),
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
