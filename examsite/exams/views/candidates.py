"""Staff pages for candidates (拟任命人员): the list, a person's form, deleting, showing a
whole ID number once, and the spreadsheet template and import."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import or_, select

from examsite.core import audit
from examsite.core.actions import act
from examsite.core.body import Body
from examsite.core.exports import attachment
from examsite.core.forms import ConfirmForm, select_choices
from examsite.core.pagination import paginate
from examsite.core.roles import ROLE_BODY_ADMIN, ROLE_STAFF
from examsite.core.tenancy import body_required
from examsite.core.tenancy import get_in_body_or_404 as _get
from examsite.core.transaction import refused
from examsite.exams import candidates as exam_candidates
from examsite.exams import history, states
from examsite.exams.domain.candidates_file import candidates_template_xlsx
from examsite.exams.domain.candidates_import import parse_candidates
from examsite.exams.forms import CandidateFilterForm, CandidateForm, UploadForm
from examsite.exams.models import Candidate
from examsite.exams.views import bp, confirmed
from examsite.extensions import db


@bp.get("/candidates")
@body_required(ROLE_STAFF)
def candidates(body: Body) -> Any:
    """Candidates of the body, searchable, by batch and category."""
    form = CandidateFilterForm(request.args)
    batches = db.session.scalars(
        select(Candidate.batch)
        .distinct()
        .where(Candidate.body_id == body.id, Candidate.batch != "")
        .order_by(Candidate.batch)
    ).all()
    form.batch.choices = select_choices([("", _("全部"))] + [(b, b) for b in batches])
    stmt = select(Candidate).where(Candidate.body_id == body.id)
    if form.validate():
        if form.q.data:
            like = f"%{form.q.data.strip()}%"
            stmt = stmt.where(or_(Candidate.name.like(like), Candidate.work_unit.like(like)))
        if form.batch.data:
            stmt = stmt.where(Candidate.batch == form.batch.data)
        if form.category.data:
            stmt = stmt.where(Candidate.post_category == form.category.data)
    page = paginate(stmt.order_by(Candidate.id.desc()))
    return render_template(
        "exams/candidates.html", body=body, form=form, page=page, confirm=ConfirmForm()
    )


@bp.route("/candidates/new", methods=["GET", "POST"])
@body_required(ROLE_STAFF)
def candidate_new(body: Body) -> Any:
    return _candidate_form(body, None)


@bp.route("/candidates/<int:candidate_id>/edit", methods=["GET", "POST"])
@body_required(ROLE_STAFF)
def candidate_edit(body: Body, candidate_id: int) -> Any:
    return _candidate_form(body, _get(Candidate, body, candidate_id))


def _candidate_form(body: Body, candidate: Candidate | None) -> Any:
    form = CandidateForm()
    if candidate is None:
        del form.reason  # a new person has no old name to change
    if request.method == "GET" and candidate is not None:
        form.process(obj=candidate)
        form.id_number.data = ""  # never echo the whole number; blank keeps it
    if candidate is not None:
        form.id_number.validators = []  # editing: leave blank to keep the stored number
        form.id_number.flags.required = False
    if form.validate_on_submit():
        fields = {
            "name": (form.name.data or "").strip(),
            "id_number": (form.id_number.data or "").strip()
            or (candidate.id_number if candidate else ""),
            "work_unit": (form.work_unit.data or "").strip(),
            "proposed_post": (form.proposed_post.data or "").strip(),
            "post_category": form.post_category.data or "other",
            "batch": (form.batch.data or "").strip(),
            "phone": (form.phone.data or "").strip(),
        }
        try:
            saved = exam_candidates.save_candidate(
                body, candidate, fields, reason=(form.reason.data or "") if candidate else ""
            )
        except exam_candidates.IdentityLocked as exc:
            form.form_errors.append(refused(exc))
        except states.ExamError as exc:
            form.id_number.errors.append(refused(exc))
        else:
            flash(_("已保存：%(name)s", name=saved.name), "success")
            return redirect(url_for("exams.candidates", code=body.code))
    return render_template(
        "exams/candidate_form.html",
        body=body,
        form=form,
        candidate=candidate,
        frozen=candidate is not None and exam_candidates.identity_frozen(candidate),
        attempts=history.candidate_attempts(candidate) if candidate is not None else [],
        kind=history.kind,
        result_text=history.result_text,
    )


@bp.post("/candidates/<int:candidate_id>/delete")
@body_required(ROLE_BODY_ADMIN)
def candidate_delete(body: Body, candidate_id: int) -> Any:
    candidate = _get(Candidate, body, candidate_id)
    confirmed()
    return act(
        lambda: exam_candidates.delete_candidate(candidate),
        _("已删除。"),
        url_for("exams.candidates", code=body.code),
    )


@bp.post("/candidates/<int:candidate_id>/reveal")
@body_required(ROLE_BODY_ADMIN)
def candidate_reveal(body: Body, candidate_id: int) -> Any:
    """Show a body admin the whole ID number once; the request is audited."""
    candidate = _get(Candidate, body, candidate_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    audit.record("candidate.reveal_id", target=candidate, name=candidate.name)
    return render_template("exams/candidate_reveal.html", body=body, candidate=candidate)


@bp.get("/candidates/template.xlsx")
@body_required(ROLE_STAFF)
def candidates_template(body: Body) -> Response:
    return Response(
        candidates_template_xlsx(),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": attachment(_("拟任命人员导入模板") + ".xlsx")},
    )


@bp.route("/candidates/import", methods=["GET", "POST"])
@body_required(ROLE_STAFF)
def candidates_import(body: Body) -> Any:
    """All or nothing: a file with any bad row adds nobody and lists every bad row."""
    form = UploadForm()
    result = None
    if form.validate_on_submit():
        upload = form.file.data
        limit = int(current_app.config["EXAMSITE_MAX_UPLOAD_MB"]) * 1024 * 1024
        data = upload.read(limit + 1)
        result = parse_candidates(
            upload.filename or "upload",
            data,
            existing_ids=exam_candidates.existing_id_numbers(body),
            max_bytes=limit,
        )
        if result.ok and result.rows:
            count = exam_candidates.import_candidates(body, result.rows, upload.filename or "")
            flash(_("已导入 %(n)s 名拟任命人员。", n=count), "success")
            return redirect(url_for("exams.candidates", code=body.code))
    return render_template(
        "exams/candidates_import.html",
        body=body,
        form=form,
        result=result,
        render=lambda p: p.render(_),
    )
