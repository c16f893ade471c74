"""Staff pages for exams: candidates, paper templates, sittings, slips, results."""

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
from sqlalchemy import or_, select

from examsite.auth.models import User
from examsite.bank.models import QuestionRevision
from examsite.core import audit
from examsite.core.actions import act
from examsite.core.body import Body
from examsite.core.controlchars import first_control
from examsite.core.errors import UserError
from examsite.core.exports import xlsx_response
from examsite.core.forms import ConfirmForm, select_choices
from examsite.core.pagination import paginate
from examsite.core.params import InvalidParameter, ids_arg, parse_id
from examsite.core.qr import qr_svg
from examsite.core.roles import ROLE_BODY_ADMIN, ROLE_STAFF
from examsite.core.tenancy import body_required
from examsite.core.tenancy import get_in_body_or_404 as _get
from examsite.core.timeutil import local_to_utc, utc_to_local
from examsite.exams import candidates as exam_candidates
from examsite.exams import loaders, papers, states
from examsite.exams import sittings as exam_sittings
from examsite.exams.domain.candidates_file import candidates_template_xlsx, parse_candidates
from examsite.exams.forms import (
    CandidateFilterForm,
    CandidateForm,
    MakeupForm,
    SittingForm,
    TemplateForm,
    UploadForm,
)
from examsite.exams.models import (
    POST_CATEGORIES,
    Candidate,
    PaperTemplate,
    Sitting,
)
from examsite.exams.results import item_stats_by
from examsite.exams.signed import refuse_changes_to_signed_sittings
from examsite.exams.states import SittingStatus
from examsite.extensions import db

bp = Blueprint("exams", __name__, template_folder="templates", url_prefix="/bodies/<code>/exams")
# App-wide, so every blueprint's routes under a sitting are covered (invigilation's too).
bp.before_app_request(refuse_changes_to_signed_sittings)


@bp.app_context_processor
def _labels() -> dict[str, Any]:
    return {"POST_CATEGORIES": POST_CATEGORIES}


# --------------------------------------------------------------------------- candidates


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
            form.form_errors.append(str(exc))
        except states.ExamError as exc:
            form.id_number.errors.append(str(exc))
        else:
            flash(_("已保存：%(name)s", name=saved.name), "success")
            return redirect(url_for("exams.candidates", code=body.code))
    return render_template(
        "exams/candidate_form.html",
        body=body,
        form=form,
        candidate=candidate,
        frozen=candidate is not None and exam_candidates.identity_frozen(candidate),
    )


@bp.post("/candidates/<int:candidate_id>/delete")
@body_required(ROLE_BODY_ADMIN)
def candidate_delete(body: Body, candidate_id: int) -> Any:
    candidate = _get(Candidate, body, candidate_id)
    _confirmed()
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
    db.session.commit()
    return render_template("exams/candidate_reveal.html", body=body, candidate=candidate)


@bp.get("/candidates/template.xlsx")
@body_required(ROLE_STAFF)
def candidates_template(body: Body) -> Response:
    return Response(
        candidates_template_xlsx(),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": "attachment; filename=candidates-template.xlsx"},
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


# --------------------------------------------------------------------------- templates


@bp.get("/templates")
@body_required(ROLE_STAFF)
def templates(body: Body) -> Any:
    rows = db.session.scalars(
        select(PaperTemplate).where(PaperTemplate.body_id == body.id).order_by(PaperTemplate.name)
    ).all()
    return render_template("exams/templates.html", body=body, templates=rows)


@bp.route("/templates/new", methods=["GET", "POST"])
@body_required(ROLE_BODY_ADMIN)
def template_new(body: Body) -> Any:
    return _template_form(body, None)


@bp.route("/templates/<int:template_id>", methods=["GET", "POST"])
@body_required(ROLE_STAFF)
def template_edit(body: Body, template_id: int) -> Any:
    return _template_form(body, _get(PaperTemplate, body, template_id))


def _template_form(body: Body, template: PaperTemplate | None) -> Any:
    form = TemplateForm()
    if request.method == "GET" and template is not None:
        form.fill_from(template)
    if request.method == "POST" and not current_user.has_role(ROLE_BODY_ADMIN):
        abort(403)
    if form.validate_on_submit():
        saved = exam_sittings.save_template(
            body,
            template,
            name=(form.name.data or "").strip(),
            duration_minutes=form.duration_minutes.data,
            pass_mark=float(form.pass_mark.data or 0),
            sections=form.sections(),
            post_categories=list(form.post_categories.data or []),
        )
        missing = papers.shortfalls(body, saved)
        if missing:
            flash(
                _(
                    "已保存，但题库题目不足，暂时无法组卷：%(d)s",
                    d=papers.describe_shortfalls(missing),
                ),
                "error",
            )
        else:
            flash(_("已保存，题库题目足够组卷。"), "success")
        return redirect(url_for("exams.template_edit", code=body.code, template_id=saved.id))
    missing = papers.shortfalls(body, template) if template is not None else []
    return render_template(
        "exams/template_form.html",
        body=body,
        form=form,
        template=template,
        shortfall=papers.describe_shortfalls(missing) if missing else "",
    )


# --------------------------------------------------------------------------- sittings


@bp.get("/sittings")
@body_required(ROLE_STAFF)
def sittings(body: Body) -> Any:
    page = paginate(
        select(Sitting)
        .where(Sitting.body_id == body.id)
        .order_by(Sitting.starts_at.desc())
        .options(loaders.WITH_ATTEMPT_IDS)
    )
    return render_template("exams/sittings.html", body=body, page=page)


def _sitting_form(body: Body, sitting: Sitting | None) -> tuple[SittingForm, list[PaperTemplate]]:
    form = SittingForm()
    templates_ = db.session.scalars(
        select(PaperTemplate).where(PaperTemplate.body_id == body.id).order_by(PaperTemplate.name)
    ).all()
    form.template_id.choices = select_choices((str(t.id), t.name) for t in templates_)
    staff = db.session.scalars(
        select(User).where(User.body_id == body.id, User.active.is_(True)).order_by(User.name)
    ).all()
    form.invigilators.choices = select_choices((str(u.id), u.name) for u in staff)
    if request.method == "GET" and sitting is not None:
        form.process(obj=sitting)
        form.starts_at.data = utc_to_local(sitting.starts_at)
        form.ends_at.data = utc_to_local(sitting.ends_at)
        form.invigilators.data = [u.id for u in sitting.invigilators]
    return form, list(templates_)


@bp.route("/sittings/new", methods=["GET", "POST"])
@body_required(ROLE_BODY_ADMIN)
def sitting_new(body: Body) -> Any:
    return _sitting_edit(body, None)


@bp.route("/sittings/<int:sitting_id>/edit", methods=["GET", "POST"])
@body_required(ROLE_BODY_ADMIN)
def sitting_edit(body: Body, sitting_id: int) -> Any:
    return _sitting_edit(body, loaders.sitting_in(body, sitting_id))


def _sitting_edit(body: Body, sitting: Sitting | None) -> Any:
    form, templates_ = _sitting_form(body, sitting)
    if not templates_:
        flash(_("请先建立试卷方案。"), "info")
        return redirect(url_for("exams.template_new", code=body.code))
    category_templates = dict(sitting.category_templates) if sitting else {}
    if form.validate_on_submit():
        template_ids = {t.id for t in templates_}
        chosen_templates = {
            key: parse_id(request.form.get(f"cat_{key}")) for key in POST_CATEGORIES
        }
        category_templates = {
            key: template_id
            for key, template_id in chosen_templates.items()
            if template_id in template_ids
        }
        staff = db.session.scalars(
            select(User).where(User.body_id == body.id, User.id.in_(form.invigilators.data or []))
        ).all()
        try:
            saved = exam_sittings.save_sitting(
                body,
                sitting,
                title=(form.title.data or "").strip(),
                room=(form.room.data or "").strip(),
                starts_at=local_to_utc(form.starts_at.data),
                ends_at=local_to_utc(form.ends_at.data),
                late_entry_minutes=form.late_entry_minutes.data or 0,
                template_id=form.template_id.data,
                category_templates=category_templates,
                show_score=form.show_score.data,
                allow_review=bool(form.allow_review.data),
                scoring=form.scoring.data,
                second_login=form.second_login.data,
                allowed_networks=(form.allowed_networks.data or "").strip(),
                invigilators=staff,
            )
        except states.ExamError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            flash(_("已保存。"), "success")
            return redirect(url_for("exams.sitting", code=body.code, sitting_id=saved.id))
    return render_template(
        "exams/sitting_form.html",
        body=body,
        form=form,
        sitting=sitting,
        templates=templates_,
        category_templates=category_templates,
    )


@bp.get("/sittings/<int:sitting_id>")
@body_required(ROLE_STAFF)
def sitting(body: Body, sitting_id: int) -> Any:
    """A sitting: settings, roster with each candidate's state, and the actions."""
    sitting_ = loaders.sitting_in(body, sitting_id, loaders.WITH_ROSTER)
    enrolled = {a.candidate_id for a in sitting_.attempts}
    available = []
    if sitting_.status != SittingStatus.CLOSED:
        stmt = select(Candidate).where(Candidate.body_id == body.id)
        batch = request.args.get("batch", "")
        if first_control(batch) is not None:
            raise InvalidParameter(_("不能包含控制字符。"))
        if batch:
            stmt = stmt.where(Candidate.batch == batch)
        available = [
            c for c in db.session.scalars(stmt.order_by(Candidate.name)) if c.id not in enrolled
        ]
    return render_template(
        "exams/sitting.html",
        body=body,
        sitting=sitting_,
        available=available,
        confirm=ConfirmForm(),
        makeup=MakeupForm(),
        is_admin=current_user.has_role(ROLE_BODY_ADMIN),
        # The room's actions (reissue a code, ...) are the invigilators' (one route each).
        may_invigilate=loaders.may_invigilate(current_user, sitting_),
    )


def _confirmed() -> None:
    if not ConfirmForm().validate_on_submit():
        abort(400)


def _back(body: Body, sitting: Sitting) -> str:
    return url_for("exams.sitting", code=body.code, sitting_id=sitting.id)


# Opening, closing, reissuing a code and the other actions on a room or a candidate are the
# invigilation panel's routes (one route each); this page's buttons post there.


@bp.post("/sittings/<int:sitting_id>/enroll")
@body_required(ROLE_STAFF)
def sitting_enroll(body: Body, sitting_id: int) -> Any:
    sitting_ = loaders.sitting_in(body, sitting_id)
    _confirmed()
    ids = ids_arg("candidate_ids", source=request.form)
    chosen = db.session.scalars(
        select(Candidate).where(Candidate.body_id == body.id, Candidate.id.in_(ids))
    ).all()
    return act(
        lambda: exam_sittings.enroll(sitting_, chosen),
        lambda added: _("已报名 %(n)s 人。", n=added),
        _back(body, sitting_),
    )


@bp.post("/sittings/<int:sitting_id>/attempts/<int:attempt_id>/unenroll")
@body_required(ROLE_STAFF)
def attempt_unenroll(body: Body, sitting_id: int, attempt_id: int) -> Any:
    sitting_ = loaders.sitting_in(body, sitting_id)
    attempt = loaders.attempt_in(sitting_, attempt_id)
    _confirmed()
    return act(lambda: exam_sittings.unenroll(attempt), _("已取消报名。"), _back(body, sitting_))


@bp.post("/sittings/<int:sitting_id>/release")
@body_required(ROLE_BODY_ADMIN)
def sitting_release(body: Body, sitting_id: int) -> Any:
    sitting_ = loaders.sitting_in(body, sitting_id)
    _confirmed()
    return act(
        lambda: exam_sittings.release_results(sitting_, not sitting_.results_released),
        lambda _result: str(
            _("成绩已发布。") if sitting_.results_released else _("已撤回成绩发布。")
        ),
        _back(body, sitting_),
    )


@bp.post("/sittings/<int:sitting_id>/makeup")
@body_required(ROLE_BODY_ADMIN)
def sitting_makeup(body: Body, sitting_id: int) -> Any:
    sitting_ = loaders.sitting_in(body, sitting_id)
    form = MakeupForm()
    if not form.validate_on_submit():
        flash(_("请填写补考的开始和结束时间，结束须晚于开始。"), "error")
        return redirect(_back(body, sitting_))
    starts_at, ends_at = local_to_utc(form.starts_at.data), local_to_utc(form.ends_at.data)
    assert starts_at is not None and ends_at is not None  # DataRequired
    try:
        makeup = exam_sittings.create_makeup(sitting_, starts_at=starts_at, ends_at=ends_at)
    except UserError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(_back(body, sitting_))
    flash(_("已安排补考，%(n)s 名未通过的考生已报名。", n=len(makeup.attempts)), "success")
    return redirect(_back(body, makeup))


# --------------------------------------------------------------------------- slips


def _login_url(code: str) -> str:
    return url_for("exam.login", code=code, _external=True)


@bp.get("/sittings/<int:sitting_id>/slips")
@body_required(ROLE_STAFF)
def slips(body: Body, sitting_id: int) -> Any:
    """Printable admission slips (A4, one per page) for the whole sitting or one candidate."""
    sitting_ = loaders.sitting_in(body, sitting_id)
    attempts = sitting_.attempts
    only = request.args.get("attempt", type=int)
    if only is not None:
        attempts = [loaders.attempt_in(sitting_, only)]
    audit.record("sitting.print_slips", target=sitting_, count=len(attempts))
    db.session.commit()
    if only is None:  # the commit expired the roster: reload it, candidates with it, at once
        sitting_ = loaders.sitting_in(body, sitting_id, loaders.WITH_ROSTER)
        attempts = sitting_.attempts
    return render_template(
        "exams/slips.html",
        body=body,
        sitting=sitting_,
        slips=[
            (a, qr_svg(_login_url(a.admission_code or ""))) for a in attempts if a.admission_code
        ],
    )


# --------------------------------------------------------------------------- results


def _result_rows(sitting_: Sitting) -> list[list[Any]]:
    rows = []
    for a in sitting_.attempts:
        rows.append(
            [
                a.candidate.name,
                a.candidate.masked_id,
                a.candidate.work_unit,
                a.candidate.proposed_post,
                a.candidate.post_category_label,
                a.status,
                a.score if a.score is not None else "",
                a.max_score or "",
                ("通过" if a.passed else "未通过") if a.passed is not None else "",
            ]
        )
    return rows


@bp.get("/sittings/<int:sitting_id>/results")
@body_required(ROLE_STAFF)
def results(body: Body, sitting_id: int) -> Any:
    sitting_ = loaders.sitting_in(body, sitting_id, loaders.WITH_ROSTER)
    graded = [a for a in sitting_.attempts if a.score is not None]
    passed = sum(1 for a in graded if a.passed)
    return render_template(
        "exams/results.html",
        body=body,
        sitting=sitting_,
        graded=len(graded),
        passed=passed,
    )


@bp.get("/sittings/<int:sitting_id>/results.xlsx")
@body_required(ROLE_STAFF)
def results_xlsx(body: Body, sitting_id: int) -> Response:
    sitting_ = loaders.sitting_in(body, sitting_id)
    headers = [
        "姓名",
        "身份证号",
        "工作单位",
        "拟任职务",
        "职务类别",
        "状态",
        "得分",
        "满分",
        "结果",
    ]
    audit.record("sitting.export", target=sitting_, rows=len(sitting_.attempts))
    db.session.commit()
    # The commit expired the roster: reload it, candidates with it, at once.
    sitting_ = loaders.sitting_in(body, sitting_id, loaders.WITH_ROSTER)
    name = f"results-{sitting_.id}-{date.today():%Y%m%d}"
    return xlsx_response(name, headers, _result_rows(sitting_))


@bp.get("/sittings/<int:sitting_id>/attempts/<int:attempt_id>/report")
@body_required(ROLE_STAFF)
def score_report(body: Body, sitting_id: int, attempt_id: int) -> Any:
    """The printable score report, with a QR code that verifies it on the site."""
    sitting_ = loaders.sitting_in(body, sitting_id)
    attempt = loaders.attempt_in(sitting_, attempt_id)
    if attempt.result_token is None:
        abort(404)
    url = url_for("exam.verify", token=attempt.result_token, _external=True)
    return render_template(
        "exams/score_report.html",
        body=body,
        sitting=sitting_,
        attempt=attempt,
        qr=qr_svg(url, box=4),
        verify_url=url,
    )


def sitting_item_stats(sitting_: Sitting) -> list[dict[str, Any]]:
    """Facility, discrimination and option counts of each question on this sitting's papers."""
    stats = item_stats_by(sitting_.attempts, key=lambda item: item.revision_id)
    revisions = {
        r.id: r
        for r in db.session.scalars(
            select(QuestionRevision).where(QuestionRevision.id.in_(list(stats)))
        )
    }
    rows: list[dict[str, Any]] = [
        {"revision": revisions[rid], "stats": item} for rid, item in stats.items()
    ]
    rows.sort(key=lambda r: r["stats"].facility if r["stats"].facility is not None else 2)
    return rows


@bp.get("/sittings/<int:sitting_id>/analysis")
@body_required(ROLE_STAFF)
def item_analysis(body: Body, sitting_id: int) -> Any:
    sitting_ = loaders.sitting_in(body, sitting_id)
    return render_template(
        "exams/analysis.html", body=body, sitting=sitting_, rows=sitting_item_stats(sitting_)
    )
