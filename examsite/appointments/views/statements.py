"""A person's 任前表态发言: its record and its file."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash
from flask_babel import gettext as _

from examsite.appointments import statements
from examsite.appointments.forms import StatementForm
from examsite.appointments.models import Appointment
from examsite.appointments.views import bp
from examsite.appointments.views.common import back_to_record
from examsite.core import audit
from examsite.core.body import Body
from examsite.core.filecheck import UploadError
from examsite.core.roles import ROLE_STAFF
from examsite.core.tenancy import body_required
from examsite.core.tenancy import get_in_body_or_404 as _get
from examsite.core.transaction import refused
from examsite.core.uploads import UPLOAD_MESSAGES, send_upload


@bp.post("/<int:appointment_id>/statement")
@body_required(ROLE_STAFF)
def statement(body: Body, appointment_id: int) -> Any:
    record = _get(Appointment, body, appointment_id)
    form = StatementForm()
    if not form.validate_on_submit():
        for field in form:
            for error in field.errors:
                flash(f"{field.label.text}：{error}", "error")
        return back_to_record(body, record)
    upload = None
    if form.file.data and getattr(form.file.data, "filename", ""):
        limit = int(current_app.config["EXAMSITE_MAX_UPLOAD_MB"]) * 1024 * 1024
        upload = (form.file.data.filename, form.file.data.read(limit + 1))
    try:
        statements.save_statement(
            record,
            order=form.order.data or 0,
            delivered=bool(form.delivered.data),
            delivered_on=form.delivered_on.data,
            text=form.text.data or "",
            text_format=statements.TEXT_HTML
            if form.text_format.data == statements.TEXT_HTML
            else statements.TEXT_PLAIN,
            upload=upload,
            instance_path=current_app.instance_path,
            max_bytes=int(current_app.config["EXAMSITE_MAX_UPLOAD_MB"]) * 1024 * 1024,
        )
    except UploadError as exc:
        refused(exc)
        flash(str(UPLOAD_MESSAGES[exc.code]), "error")
    else:
        flash(_("已保存表态发言记录。"), "success")
    return back_to_record(body, record)


@bp.get("/<int:appointment_id>/statement/file")
@body_required(ROLE_STAFF)
def statement_file(body: Body, appointment_id: int) -> Any:
    """The statement file, only to the body's staff, never from the web root."""
    record = _get(Appointment, body, appointment_id)
    stmt = record.statement
    if stmt is None:
        abort(404)
    response = send_upload("statements", stmt.file_path, stmt.file_type, stmt.file_name)
    audit.record("statement.download", target=record, file=stmt.file_name)
    return response
