"""Question pages of the bank: list, stats, question, write and edit (each save a revision),
diff of revisions, retire and restore, hide a shared question, publish to the bodies below."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from examsite.bank import editing, scope, sharing
from examsite.bank.diffing import revision_changes
from examsite.bank.errors import BankError
from examsite.bank.forms import QuestionFilterForm, QuestionForm, problem_text
from examsite.bank.models import STATUS_ACTIVE, STATUS_RETIRED, Question
from examsite.bank.usage import question_stats
from examsite.bank.views import bp
from examsite.bank.views.common import categories, check_own_questions
from examsite.core.body import Body
from examsite.core.forms import ConfirmForm, select_choices
from examsite.core.pagination import paginate
from examsite.core.roles import ROLE_BODY_ADMIN
from examsite.core.tenancy import body_required, visible_body_ids
from examsite.core.transaction import refused
from examsite.extensions import db


def _question_or_404(body: Body, question_id: int) -> Question:
    question = db.session.scalars(
        scope.visible_questions(body).where(Question.id == question_id)
    ).first()
    if question is None:
        abort(404)
    return question


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
    form.category.choices = select_choices([("", _("全部"))] + [(c, c) for c in categories(body)])
    stmt = scope.visible_questions(body)
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
    # A shared question is in use below until the owner publishes its retirement.
    if status == STATUS_ACTIVE:
        stmt = stmt.where(scope.in_use(body))
    elif status == STATUS_RETIRED:
        stmt = stmt.where(~scope.in_use(body))
    page = paginate(stmt.order_by(Question.category, Question.id))
    return render_template(
        "bank/index.html",
        confirm=ConfirmForm(),
        body=body,
        form=form,
        page=page,
        can_edit=current_user.has_role(ROLE_BODY_ADMIN),
        counts=scope.bank_counts(body),
        hidden=sharing.hidden_ids(body),
        published=sharing.published_revisions(list(page.items), body),
        unpublished=sharing.unpublished_count(body) if body.children else 0,
    )


@bp.get("/stats")
@body_required()
def stats(body: Body) -> Any:
    """Active questions per law and type."""
    return render_template("bank/stats.html", body=body, counts=scope.bank_counts(body))


@bp.route("/new", methods=["GET", "POST"])
@body_required(ROLE_BODY_ADMIN)
def new(body: Body) -> Any:
    """Write a new question for the body's own bank."""
    check_own_questions(body)
    form = QuestionForm()
    if form.validate_on_submit():
        question = _save(form, body, None)
        if question is not None:
            flash(_("题目已保存。"), "success")
            return redirect(url_for("bank.detail", code=body.code, question_id=question.id))
    return render_template(
        "bank/form.html", body=body, form=form, question=None, categories=categories(body)
    )


def _save(form: QuestionForm, body: Body, question: Question | None) -> Question | None:
    data, problems = form.to_question()
    if data is None:
        form.form_errors.extend(problem_text(p, _) for p in problems)
        return None
    try:
        if question is None:
            return editing.create_question(body, data, user_id=current_user.id)
        if not editing.update_question(question, data, user_id=current_user.id):
            flash(_("内容没有变化，未生成新版本。"), "info")
        return question
    except BankError as exc:
        refused(exc)
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
        shown=sharing.published_revisions([question], body)[question.id] if shared else question,
        stats=question_stats(question.id, visible_body_ids(current_user)),
        body=body,
        question=question,
        own=question.body_id == body.id,
        hidden=question.id in sharing.hidden_ids(body),
        # The bodies below still draw it: retiring waits for the publish, or is done now.
        used_below=question.body_id == body.id
        and bool(body.children)
        and question.published_revision is not None,
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
        "bank/form.html", body=body, form=form, question=question, categories=categories(body)
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
        editing.set_status(question, target)
    except BankError as exc:
        refused(exc)
        flash(str(exc.problems[0]), "error")
    else:
        if target == STATUS_ACTIVE:
            flash(_("题目已恢复使用。"), "success")
        elif body.children and question.published_revision is not None:
            flash(_("题目已停用；下级机关在下次发布题库后停止使用。"), "success")
        else:
            flash(_("题目已停用。"), "success")
    return redirect(url_for("bank.detail", code=body.code, question_id=question.id))


@bp.post("/<int:question_id>/retire-now")
@body_required(ROLE_BODY_ADMIN)
def retire_now(body: Body, question_id: int) -> Any:
    """Retire a question for the bodies below too, without waiting for the next publish."""
    question = _own_question_or_403(body, question_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    editing.retire_now(question)
    flash(_("题目已停用，下级机关的新试卷也不再抽到此题。"), "success")
    return redirect(url_for("bank.detail", code=body.code, question_id=question.id))


@bp.post("/<int:question_id>/hidden")
@body_required(ROLE_BODY_ADMIN)
def set_hidden(body: Body, question_id: int) -> Any:
    """A county stops (or resumes) drawing a question shared from above."""
    question = _question_or_404(body, question_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    hide = question.id not in sharing.hidden_ids(body)
    try:
        sharing.set_hidden(body, question, hide)
    except BankError as exc:
        refused(exc)
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
    count = sharing.publish(body)
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
