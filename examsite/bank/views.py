"""Question-bank pages: list, question, edit with history, retire, import, export."""

from __future__ import annotations

from datetime import date
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
from flask_login import current_user
from sqlalchemy import select

from examsite.bank import services
from examsite.bank.diffing import revision_changes
from examsite.bank.formats.fields import FIELD_LABELS, FIELDS
from examsite.bank.formats.template import blank_template_xlsx
from examsite.bank.forms import (
    PURPOSE_LABELS,
    QTYPE_LABELS,
    STATUS_LABELS,
    ConfirmImportForm,
    ExportForm,
    ImportForm,
    QuestionFilterForm,
    QuestionForm,
    problem_text,
)
from examsite.bank.models import (
    IMPORT_PREVIEWED,
    PURPOSE_EXAM,
    STATUS_ACTIVE,
    STATUS_RETIRED,
    BankImport,
    Question,
)
from examsite.bank.usage import question_stats
from examsite.core.body import Body
from examsite.core.forms import ConfirmForm, select_choices
from examsite.core.pagination import paginate
from examsite.core.roles import ROLE_BODY_ADMIN
from examsite.core.tenancy import body_required, visible_body_ids
from examsite.extensions import db

bp = Blueprint("bank", __name__, template_folder="templates", url_prefix="/bodies/<code>/bank")


@bp.app_context_processor
def _labels() -> dict[str, Any]:
    return {
        "QTYPE_LABELS": QTYPE_LABELS,
        "STATUS_LABELS": STATUS_LABELS,
        "PURPOSE_LABELS": PURPOSE_LABELS,
        # The question's fields (formats.fields); labels are N_-marked: pages translate.
        "QUESTION_FIELDS": FIELDS,
        "QUESTION_FIELD_LABELS": FIELD_LABELS,
    }


def _categories(body: Body) -> list[str]:
    rows = db.session.scalars(
        select(Question.category)
        .distinct()
        .where(services.in_bank(body))
        .order_by(Question.category)
    )
    return [c for c in rows if c]


def _question_or_404(body: Body, question_id: int) -> Question:
    question = db.session.scalars(
        services.visible_questions(body).where(Question.id == question_id)
    ).first()
    if question is None:
        abort(404)
    return question


def _check_own_questions(body: Body) -> None:
    """A body set up to use only the shared bank cannot add questions of its own."""
    if not body.own_questions:
        abort(403)


def _own_question_or_403(body: Body, question_id: int) -> Question:
    """Shared questions of a body above are visible but read-only."""
    question = _question_or_404(body, question_id)
    if question.body_id != body.id:
        abort(403)
    return question


@bp.get("/")
@body_required()
def index(body: Body) -> Any:
    """The questions the body sees, searchable and filtered, a page at a time."""
    form = QuestionFilterForm(request.args)
    form.category.choices = select_choices([("", _("全部"))] + [(c, c) for c in _categories(body)])
    stmt = services.visible_questions(body)
    status = "active"
    if form.validate():
        if form.q.data:
            stmt = stmt.where(Question.stem.contains(form.q.data.strip()))
        if form.category.data:
            stmt = stmt.where(Question.category == form.category.data)
        if form.qtype.data:
            stmt = stmt.where(Question.qtype == form.qtype.data)
        if form.difficulty.data:
            stmt = stmt.where(Question.difficulty == int(form.difficulty.data))
        if form.purpose.data:
            stmt = stmt.where(Question.purpose == form.purpose.data)
        if form.owner.data == "own":
            stmt = stmt.where(Question.body_id == body.id)
        elif form.owner.data == "shared":
            stmt = stmt.where(Question.body_id != body.id)
        status = form.status.data or "active"
    if status != "all":
        stmt = stmt.where(Question.status == status)
    page = paginate(stmt.order_by(Question.category, Question.id))
    return render_template(
        "bank/index.html",
        confirm=ConfirmForm(),
        body=body,
        form=form,
        page=page,
        can_edit=current_user.has_role(ROLE_BODY_ADMIN),
        counts=services.bank_counts(body),
        hidden=services.hidden_ids(body),
        published=services.published_revisions(list(page.items), body),
        unpublished=services.unpublished_count(body) if body.children else 0,
    )


@bp.get("/stats")
@body_required()
def stats(body: Body) -> Any:
    """Active questions per law and type."""
    return render_template("bank/stats.html", body=body, counts=services.bank_counts(body))


@bp.route("/new", methods=["GET", "POST"])
@body_required(ROLE_BODY_ADMIN)
def new(body: Body) -> Any:
    """Write a new question for the body's own bank."""
    _check_own_questions(body)
    form = QuestionForm()
    if form.validate_on_submit():
        question = _save(form, body, None)
        if question is not None:
            flash(_("题目已保存。"), "success")
            return redirect(url_for("bank.detail", code=body.code, question_id=question.id))
    return render_template(
        "bank/form.html", body=body, form=form, question=None, categories=_categories(body)
    )


def _save(form: QuestionForm, body: Body, question: Question | None) -> Question | None:
    data, problems = form.to_question()
    if data is None:
        form.form_errors.extend(problem_text(p, _) for p in problems)
        return None
    try:
        if question is None:
            return services.create_question(body, data, user_id=current_user.id)
        if not services.update_question(question, data, user_id=current_user.id):
            flash(_("内容没有变化，未生成新版本。"), "info")
        return question
    except services.BankError as exc:
        form.form_errors.extend(str(p) for p in exc.problems)
        return None


@bp.get("/<int:question_id>")
@body_required()
def detail(body: Body, question_id: int) -> Any:
    """One question with its answer, explanation and revision history."""
    question = _question_or_404(body, question_id)
    shared = question.body_id != body.id
    return render_template(
        "bank/detail.html",
        shown=services.published_revisions([question], body)[question.id] if shared else question,
        stats=question_stats(question.id, visible_body_ids(current_user)),
        body=body,
        question=question,
        own=question.body_id == body.id,
        hidden=question.id in services.hidden_ids(body),
        can_edit=current_user.has_role(ROLE_BODY_ADMIN) and question.body_id == body.id,
        confirm=ConfirmForm(),
    )


@bp.route("/<int:question_id>/edit", methods=["GET", "POST"])
@body_required(ROLE_BODY_ADMIN)
def edit(body: Body, question_id: int) -> Any:
    """Edit a question; saving creates a new revision, papers keep the old one."""
    question = _own_question_or_403(body, question_id)
    form = QuestionForm()
    if request.method == "GET":
        form.fill_from(question)
    elif form.validate_on_submit() and _save(form, body, question) is not None:
        flash(_("已保存为第 %(n)s 版。", n=question.revision), "success")
        return redirect(url_for("bank.detail", code=body.code, question_id=question.id))
    return render_template(
        "bank/form.html", body=body, form=form, question=question, categories=_categories(body)
    )


@bp.post("/<int:question_id>/status")
@body_required(ROLE_BODY_ADMIN)
def set_status(body: Body, question_id: int) -> Any:
    """Retire a question (never drawn again) or restore it."""
    question = _own_question_or_403(body, question_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    target = STATUS_RETIRED if question.is_active else STATUS_ACTIVE
    try:
        services.set_status(question, target)
    except services.BankError as exc:
        flash(str(exc.problems[0]), "error")
    else:
        flash(_("题目已停用。") if target == STATUS_RETIRED else _("题目已恢复使用。"), "success")
    return redirect(url_for("bank.detail", code=body.code, question_id=question.id))


@bp.post("/<int:question_id>/hidden")
@body_required(ROLE_BODY_ADMIN)
def set_hidden(body: Body, question_id: int) -> Any:
    """A county stops (or resumes) drawing a question shared from above."""
    question = _question_or_404(body, question_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    hide = question.id not in services.hidden_ids(body)
    try:
        services.set_hidden(body, question, hide)
    except services.BankError as exc:
        flash(str(exc.problems[0]), "error")
    else:
        flash(
            _("本机关组卷时将不再使用此题。") if hide else _("本机关组卷时将重新使用此题。"),
            "success",
        )
    return redirect(url_for("bank.detail", code=body.code, question_id=question.id))


@bp.post("/publish")
@body_required(ROLE_BODY_ADMIN)
def publish(body: Body) -> Any:
    """Send the current revisions of the body's questions to the bodies below it."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    count = services.publish(body)
    flash(_("已向下级机关发布 %(n)s 道题目的最新版本。", n=count), "success")
    return redirect(url_for("bank.index", code=body.code))


@bp.get("/<int:question_id>/diff")
@body_required()
def diff(body: Body, question_id: int) -> Any:
    """What changed between two revisions of a question (the owner's bank only)."""
    question = _question_or_404(body, question_id)
    if question.body_id != body.id:
        abort(404)
    numbers = [r.number for r in question.revisions]
    new_n = request.args.get("b", type=int) or question.revision
    old_n = request.args.get("a", type=int) or max(new_n - 1, 1)
    if old_n not in numbers or new_n not in numbers:
        abort(404)
    by_number = {r.number: r for r in question.revisions}
    changes = revision_changes(by_number[old_n].content(), by_number[new_n].content())
    return render_template(
        "bank/diff.html",
        body=body,
        question=question,
        old=by_number[old_n],
        new=by_number[new_n],
        changes=changes,
        numbers=numbers,
    )


# --------------------------------------------------------------------------- import


def _max_bytes() -> int:
    return int(current_app.config["EXAMSITE_MAX_UPLOAD_MB"]) * 1024 * 1024


@bp.route("/import", methods=["GET", "POST"])
@body_required(ROLE_BODY_ADMIN)
def import_upload(body: Body) -> Any:
    """Upload a file; nothing is written to the bank until the preview is confirmed."""
    _check_own_questions(body)
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        data = upload.read(_max_bytes() + 1)
        record, _result = services.preview_import(
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
    result = None
    if record.status == IMPORT_PREVIEWED and record.data is not None:
        result = services.parse_for_body(body, record.filename, record.data, _max_bytes())
    return render_template(
        "bank/preview.html",
        body=body,
        record=record,
        result=result,
        form=ConfirmImportForm(),
        confirm=ConfirmForm(),
        render=lambda p: p.render(_),
    )


@bp.post("/import/<int:import_id>/confirm")
@body_required(ROLE_BODY_ADMIN)
def import_confirm(body: Body, import_id: int) -> Any:
    """Import the previewed file: all or nothing unless "valid questions only" is ticked."""
    _check_own_questions(body)
    record = _import_or_404(body, import_id)
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        result = services.confirm_import(
            record,
            valid_only=bool(form.valid_only.data),
            user_id=current_user.id,
            max_bytes=_max_bytes(),
            purpose=form.purpose.data or PURPOSE_EXAM,
        )
    except services.BankError as exc:
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
    services.discard_import(record)
    flash(_("已放弃此次导入。"), "info")
    return redirect(url_for("bank.import_upload", code=body.code))


# --------------------------------------------------------------------------- export


@bp.get("/template.xlsx")
@body_required()
def template(body: Body) -> Response:
    """The blank import template with one example row."""
    return Response(
        blank_template_xlsx(),
        mimetype=services.EXPORT_FORMATS["xlsx"][0],
        headers={"Content-Disposition": "attachment; filename=question-template.xlsx"},
    )


@bp.get("/export")
@body_required(ROLE_BODY_ADMIN)
def export(body: Body) -> Any:
    """Download the body's own active questions (cells escaped against formulas)."""
    form = ExportForm(request.args)
    form.category.choices = select_choices([("", _("全部"))] + [(c, c) for c in _categories(body)])
    if "format" not in request.args or not form.validate():
        return render_template("bank/export.html", body=body, form=form)
    fmt = form.format.data or "xlsx"
    data = services.export_bank(
        body, fmt, category=form.category.data or None, purpose=form.purpose.data or None
    )
    mimetype, ext = services.EXPORT_FORMATS[fmt]
    filename = f"{body.code}-bank-{date.today():%Y%m%d}.{ext}"
    return Response(
        data,
        mimetype=mimetype,
        headers={"Content-Disposition": f"attachment; filename={filename}"},
    )
