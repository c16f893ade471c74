"""Staff pages for paper templates and sittings: a sitting's form and page, enrolling and
unenrolling, publishing results, and the admission slips (a make-up sitting: makeups)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from examsite.auth.models import User
from examsite.core import audit
from examsite.core.actions import act
from examsite.core.body import Body
from examsite.core.controlchars import first_control
from examsite.core.forms import ConfirmForm, select_choices
from examsite.core.pagination import paginate
from examsite.core.params import InvalidParameter, ids_arg, parse_id
from examsite.core.qr import qr_svg
from examsite.core.roles import ROLE_BODY_ADMIN, ROLE_STAFF
from examsite.core.tenancy import body_required
from examsite.core.tenancy import get_in_body_or_404 as _get
from examsite.core.timeutil import local_to_utc, utc_to_local
from examsite.core.transaction import refused
from examsite.core.urls import external_url
from examsite.exams import candidates as exam_candidates
from examsite.exams import loaders, paper_choice, papers, states
from examsite.exams import sittings as exam_sittings
from examsite.exams.forms import MakeupForm, SittingForm, TemplateForm
from examsite.exams.models import POST_CATEGORIES, Candidate, PaperTemplate, Sitting
from examsite.exams.views import bp, confirmed
from examsite.extensions import db

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
    laws = papers.bank_laws(body)
    form.law_names = set(laws)
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
        laws=laws,
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
    templates_ = paper_choice.body_templates(body.id)
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
    if request.method == "POST":
        template_ids = {t.id for t in templates_}
        chosen_templates = {
            key: parse_id(request.form.get(f"cat_{key}")) for key in POST_CATEGORIES
        }
        category_templates = {
            key: template_id
            for key, template_id in chosen_templates.items()
            if template_id in template_ids
        }
    # The window is checked against the general paper and every per-category choice.
    form.template_durations = {t.id: (t.name, t.duration_minutes) for t in templates_}
    form.category_template_ids = list(category_templates.values())
    if form.validate_on_submit():
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
            form.form_errors.append(refused(exc))
        else:
            flash(_("已保存。"), "success")
            return redirect(url_for("exams.sitting", code=body.code, sitting_id=saved.id))
    # What each category gets without an override, shown as the empty option's text.
    general_id = form.template_id.data or (sitting.template_id if sitting else templates_[0].id)
    automatic = {
        key: paper_choice.choose_template(
            key, general_id=general_id, override_id=None, templates=templates_
        )
        for key in POST_CATEGORIES
    }
    return render_template(
        "exams/sitting_form.html",
        body=body,
        form=form,
        sitting=sitting,
        templates=templates_,
        category_templates=category_templates,
        automatic=automatic,
    )


@bp.get("/sittings/<int:sitting_id>")
@body_required(ROLE_STAFF)
def sitting(body: Body, sitting_id: int) -> Any:
    """A sitting: settings, roster with each candidate's state, and the actions."""
    sitting_ = loaders.sitting_in(body, sitting_id, loaders.WITH_ROSTER)
    enrol_filter = _enrolment_filter(request.args)
    available: list[tuple[Candidate, bool]] = []
    choices = None
    if sitting_.can("enroll"):
        choices = paginate(
            exam_candidates.enrolment_query(body, sitting_, **enrol_filter), ENROL_PAGE_SIZE
        )
        enrolled = exam_candidates.enrolled_among(sitting_, choices.items)
        available = [(c, c.id in enrolled) for c in choices.items]
    return render_template(
        "exams/sitting.html",
        body=body,
        sitting=sitting_,
        available=available,
        choices=choices,
        enrol_filter=enrol_filter,
        POST_CATEGORIES=POST_CATEGORIES,
        confirm=ConfirmForm(),
        # Which paper each enrolled candidate gets (one query for the body's templates).
        paper_of=paper_choice.roster_papers(sitting_, paper_choice.body_templates(body.id)),
        makeup=MakeupForm(),
        makeup_candidates=exam_sittings.makeup_candidates(sitting_),
        is_admin=current_user.has_role(ROLE_BODY_ADMIN),
        # The room's actions (reissue a code, ...) are the invigilators' (one route each).
        may_invigilate=loaders.may_invigilate(current_user, sitting_),
    )


def _back(body: Body, sitting: Sitting) -> str:
    return url_for("exams.sitting", code=body.code, sitting_id=sitting.id)


#: The enrolment list's page: a batch of a meeting (often 30–80 people) fits on one.
ENROL_PAGE_SIZE = 100


def _enrolment_filter(source: Mapping[str, str]) -> dict[str, Any]:
    """The enrolment filter (the list's query string, or the hidden fields of
    "报名全部筛选结果"): batch (any part of it), post category, and only those not yet
    enrolled (on until the filter form is sent without it)."""
    batch = source.get("batch", "").strip()
    if first_control(batch) is not None:
        raise InvalidParameter(_("不能包含控制字符。"))
    category = source.get("category", "")
    if category not in POST_CATEGORIES:
        category = ""
    only_new = "filtered" not in source or source.get("only_new") == "1"
    return {"batch": batch[:100], "category": category, "only_new": only_new}


def _enrolled_message(added: exam_sittings.Enrolled, already: int = 0, elsewhere: int = 0) -> str:
    """The count and why each of the others was skipped; (as an error) who was skipped for
    want of a paper, by name."""
    no_paper = sum(len(names) for names in added.skipped.values())
    too_long = sum(len(names) for names in added.too_long.values())
    if added.skipped or added.too_long:
        flash(added.skipped_message(), "error")
    message = str(_("已报名 %(n)s 人。", n=int(added)))
    reasons = []
    if already:
        reasons.append(_("%(n)s 人已报名本场考试", n=already))
    if elsewhere:
        reasons.append(_("%(n)s 人不属于本机关", n=elsewhere))
    if no_paper:
        reasons.append(_("%(n)s 人的职务类别没有适用的试卷", n=no_paper))
    if too_long:
        reasons.append(_("%(n)s 人的试卷时长超过考试时间", n=too_long))
    if reasons:
        total = already + elsewhere + no_paper + too_long
        message += _("跳过 %(n)s 人：%(reasons)s。", n=total, reasons="；".join(reasons))
    return message


# Opening, closing, reissuing a code and the other actions on a room or a candidate are the
# invigilation panel's routes (one route each); this page's buttons post there.


@bp.post("/sittings/<int:sitting_id>/enroll")
@body_required(ROLE_STAFF)
def sitting_enroll(body: Body, sitting_id: int) -> Any:
    sitting_ = loaders.sitting_in(body, sitting_id)
    confirmed()
    if request.form.get("all_matching") == "1":
        # Every candidate the filter finds, on all its pages (the filter is re-run here).
        query = exam_candidates.enrolment_query(body, sitting_, **_enrolment_filter(request.form))
        chosen = db.session.scalars(query).all()
        ids = {c.id for c in chosen}
        if not ids:
            flash(_("没有符合筛选条件的人员。"), "error")
            return redirect(_back(body, sitting_))
    else:
        ids = set(ids_arg("candidate_ids", source=request.form))
        if not ids:
            flash(_("请先勾选要报名的人员。"), "error")
            return redirect(_back(body, sitting_))
        chosen = db.session.scalars(
            select(Candidate).where(Candidate.body_id == body.id, Candidate.id.in_(ids))
        ).all()
    present = {a.candidate_id for a in sitting_.attempts}
    already = sum(1 for c in chosen if c.id in present)
    elsewhere = len(ids) - len(chosen)  # another body's ids (or deleted meanwhile)
    return act(
        lambda: exam_sittings.enroll(sitting_, chosen),
        lambda added: _enrolled_message(added, already, elsewhere),
        _back(body, sitting_),
    )


@bp.post("/sittings/<int:sitting_id>/attempts/<int:attempt_id>/unenroll")
@body_required(ROLE_STAFF)
def attempt_unenroll(body: Body, sitting_id: int, attempt_id: int) -> Any:
    sitting_ = loaders.sitting_in(body, sitting_id)
    attempt = loaders.attempt_in(sitting_, attempt_id)
    confirmed()
    return act(lambda: exam_sittings.unenroll(attempt), _("已取消报名。"), _back(body, sitting_))


@bp.post("/sittings/<int:sitting_id>/release")
@body_required(ROLE_BODY_ADMIN)
def sitting_release(body: Body, sitting_id: int) -> Any:
    sitting_ = loaders.sitting_in(body, sitting_id)
    confirmed()
    return act(
        lambda: exam_sittings.release_results(sitting_, not sitting_.results_released),
        lambda _result: str(
            _("成绩已发布。") if sitting_.results_released else _("已撤回成绩发布。")
        ),
        _back(body, sitting_),
    )


# --------------------------------------------------------------------------- slips


def _login_url(code: str) -> str:
    return external_url("exam.login", code=code)


@bp.get("/sittings/<int:sitting_id>/slips")
@body_required(ROLE_STAFF)
def slips(body: Body, sitting_id: int) -> Any:
    """Printable admission slips (A4, one per page) for the whole sitting or one candidate."""
    only = request.args.get("attempt", type=int)
    if only is not None:
        sitting_ = loaders.sitting_in(body, sitting_id)
        attempts = [loaders.attempt_in(sitting_, only)]
    else:  # the whole roster, candidates with it, at once
        sitting_ = loaders.sitting_in(body, sitting_id, loaders.WITH_ROSTER)
        attempts = list(sitting_.attempts)
    audit.record("sitting.print_slips", target=sitting_, count=len(attempts))
    return render_template(
        "exams/slips.html",
        body=body,
        sitting=sitting_,
        slips=[
            (a, qr_svg(_login_url(a.admission_code or ""))) for a in attempts if a.admission_code
        ],
    )
