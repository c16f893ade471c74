"""Question-bank files: import (upload, preview, confirm or discard), the blank template,
export."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from examsite.bank import exporting, importing
from examsite.bank.errors import BankError
from examsite.bank.formats.template_xlsx import blank_template_xlsx
from examsite.bank.forms import ConfirmImportForm, ExportForm, ImportForm
from examsite.bank.models import IMPORT_PREVIEWED, PURPOSE_EXAM, BankImport
from examsite.bank.views import bp
from examsite.bank.views.common import categories, check_own_questions
from examsite.core.body import Body
from examsite.core.exports import attachment
from examsite.core.forms import ConfirmForm, select_choices
from examsite.core.roles import ROLE_BODY_ADMIN
from examsite.core.tenancy import body_required
from examsite.core.transaction import refused
from examsite.extensions import db

# --------------------------------------------------------------------------- import


def _max_bytes() -> int:
    return int(current_app.config["EXAMSITE_MAX_UPLOAD_MB"]) * 1024 * 1024


@bp.route("/import", methods=["GET", "POST"])
@body_required(ROLE_BODY_ADMIN)
def import_upload(body: Body) -> Any:
    """Upload a file; nothing is written to the bank until the preview is confirmed."""
    check_own_questions(body)
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        data = upload.read(_max_bytes() + 1)
        record, _result = importing.preview_import(
            body, upload.filename or "upload", data, user_id=current_user.id, max_bytes=_max_bytes()
        )
        return redirect(url_for("bank.import_preview", code=body.code, import_id=record.id))
    recent = db.session.scalars(
        select(BankImport)
        .where(BankImport.body_id == body.id)
        .order_by(BankImport.id.desc())
        .limit(10)
    ).all()
    return render_template("bank/import.html", body=body, form=form, recent=recent)


def _import_or_404(body: Body, import_id: int) -> BankImport:
    record = db.session.scalars(
        select(BankImport).where(BankImport.id == import_id, BankImport.body_id == body.id)
    ).first()
    if record is None:
        abort(404)
    return record


@bp.get("/import/<int:import_id>")
@body_required(ROLE_BODY_ADMIN)
def import_preview(body: Body, import_id: int) -> Any:
    """What the file holds and every problem, before (or after) importing it."""
    record = _import_or_404(body, import_id)
    result = lint_report = None
    if record.status == IMPORT_PREVIEWED and record.data is not None:
        result = importing.parse_for_body(body, record.filename, record.data, _max_bytes())
        lint_report = importing.lint_preview(record.filename, record.data, result)
    return render_template(
        "bank/preview.html",
        body=body,
        record=record,
        result=result,
        lint_report=lint_report,
        form=ConfirmImportForm(),
        confirm=ConfirmForm(),
        render=lambda p: p.render(_),
    )


@bp.post("/import/<int:import_id>/confirm")
@body_required(ROLE_BODY_ADMIN)
def import_confirm(body: Body, import_id: int) -> Any:
    """Import the previewed file: all or nothing unless "valid questions only" is ticked."""
    check_own_questions(body)
    record = _import_or_404(body, import_id)
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        result = importing.confirm_import(
            record,
            valid_only=bool(form.valid_only.data),
            user_id=current_user.id,
            max_bytes=_max_bytes(),
            purpose=form.purpose.data or PURPOSE_EXAM,
        )
    except BankError as exc:
        refused(exc)
        flash(
            _(
                "文件中有 %(n)s 处错误，未导入任何题目。请修改文件后重新上传，"
                "或勾选“只导入无误的题目”。",
                n=len(exc.problems),
            ),
            "error",
        )
        return redirect(url_for("bank.import_preview", code=body.code, import_id=record.id))
    flash(
        _(
            "已导入 %(n)s 道题目；跳过 %(skipped)s 道，错误 %(errors)s 处。",
            n=record.imported_count,
            skipped=len(result.skipped),
            errors=len(result.errors),
        ),
        "success",
    )
    return redirect(url_for("bank.import_preview", code=body.code, import_id=record.id))


@bp.post("/import/<int:import_id>/discard")
@body_required(ROLE_BODY_ADMIN)
def import_discard(body: Body, import_id: int) -> Any:
    record = _import_or_404(body, import_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    importing.discard_import(record)
    flash(_("已放弃此次导入。"), "info")
    return redirect(url_for("bank.import_upload", code=body.code))


# --------------------------------------------------------------------------- export


@bp.get("/template.xlsx")
@body_required()
def template(body: Body) -> Response:
    """The blank import template with one example row."""
    return Response(
        blank_template_xlsx(),
        mimetype=exporting.EXPORT_FORMATS["xlsx"][0],
        headers={"Content-Disposition": attachment(_("题库导入模板") + ".xlsx")},
    )


@bp.get("/export")
@body_required(ROLE_BODY_ADMIN)
def export(body: Body) -> Any:
    """Download the body's own active questions (cells escaped against formulas)."""
    form = ExportForm(request.args)
    form.category.choices = select_choices([("", _("全部"))] + [(c, c) for c in categories(body)])
    if "format" not in request.args or not form.validate():
        return render_template("bank/export.html", body=body, form=form)
    fmt = form.format.data or "xlsx"
    data = exporting.export_bank(
        body, fmt, category=form.category.data or None, purpose=form.purpose.data or None
    )
    mimetype, ext = exporting.EXPORT_FORMATS[fmt]
    filename = _("题库-%(body)s-%(date)s", body=body.name, date=f"{date.today():%Y%m%d}")
    return Response(
        data,
        mimetype=mimetype,
        headers={"Content-Disposition": attachment(f"{filename}.{ext}")},
    )
