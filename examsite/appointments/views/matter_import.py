"""Importing a meeting's 任免名单 from the office's spreadsheet: upload and preview, then
confirm. All or nothing: a file with any bad row saves nothing and lists every bad row."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField
from wtforms.validators import DataRequired, Regexp

from examsite.appointments import nominations
from examsite.appointments.matter_import import MatterParseResult
from examsite.appointments.matters import MatterKind
from examsite.appointments.models import Meeting
from examsite.appointments.views import bp
from examsite.core.body import Body
from examsite.core.roles import ROLE_STAFF
from examsite.core.tenancy import body_required
from examsite.core.tenancy import get_in_body_or_404 as _get
from examsite.exams.domain import idcard


class MatterUploadForm(FlaskForm):
    file = FileField(
        _l("任免名单文件"),
        description=_l("Excel（.xlsx）文件，每行一人。"),
        validators=[FileRequired(_l("请选择要上传的文件。"))],
    )


class MatterConfirmForm(FlaskForm):
    token = HiddenField(
        validators=[
            DataRequired(_l("上传的文件已失效，请重新上传。")),
            Regexp(r"^[0-9a-f]{32}$", message=_l("上传的文件已失效，请重新上传。")),
        ]
    )
    #: The uploaded file's name, for the audit entry only.
    filename = HiddenField()


def _max_bytes() -> int:
    return int(current_app.config["EXAMSITE_MAX_UPLOAD_MB"]) * 1024 * 1024


def _page(body: Body, meeting: Meeting, result: MatterParseResult | None, **extra: Any) -> Any:
    return render_template(
        "appointments/matter_import.html",
        body=body,
        meeting=meeting,
        form=extra.pop("form", None) or MatterUploadForm(),
        result=result,
        render=lambda p: p.render(_),
        mask=idcard.mask,
        kind_label=lambda value: MatterKind(value).label,
        **extra,
    )


@bp.route("/meetings/<int:meeting_id>/import", methods=["GET", "POST"])
@body_required(ROLE_STAFF)
def matter_import(body: Body, meeting_id: int) -> Any:
    """Upload the list; a valid one is shown for confirmation, nothing is saved yet."""
    meeting = _get(Meeting, body, meeting_id)
    form = MatterUploadForm()
    if not form.validate_on_submit():
        return _page(body, meeting, None, form=form)
    upload = form.file.data
    data = upload.read(_max_bytes() + 1)
    filename = upload.filename or "upload"
    result = nominations.parse_for_meeting(body, meeting, filename, data, _max_bytes())
    if not result.ok:
        return _page(body, meeting, result, form=form)
    persons = nominations.persons_by_number(body, [row.id_number for row in result.rows])
    token = nominations.stash_upload(current_app.instance_path, body, meeting, data)
    return _page(
        body,
        meeting,
        result,
        form=form,
        confirm=MatterConfirmForm(token=token, filename=filename[:200], formdata=None),
        known=set(persons),
        filename=filename,
    )


@bp.post("/meetings/<int:meeting_id>/import/confirm")
@body_required(ROLE_STAFF)
def matter_import_confirm(body: Body, meeting_id: int) -> Any:
    """Save the previewed list, checked again: the body may have changed since."""
    meeting = _get(Meeting, body, meeting_id)
    form = MatterConfirmForm()
    data = None
    if form.validate_on_submit():
        data = nominations.stashed_upload(current_app.instance_path, body, meeting, form.token.data)
    if data is None:
        flash(_("上传的文件已失效，请重新上传。"), "error")
        return redirect(
            url_for("appointments.matter_import", code=body.code, meeting_id=meeting.id)
        )
    filename = (form.filename.data or "")[:200] or "upload.xlsx"
    result = nominations.parse_for_meeting(body, meeting, "upload.xlsx", data, _max_bytes())
    if not result.ok:
        return _page(body, meeting, result)
    count = nominations.save_matters(body, meeting, result.rows, filename)
    nominations.drop_stash(current_app.instance_path, body, meeting, form.token.data)
    flash(_("已导入 %(n)s 项任免事项。", n=count), "success")
    return redirect(url_for("appointments.meeting", code=body.code, meeting_id=meeting.id))
