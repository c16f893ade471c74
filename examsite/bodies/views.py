"""Pages for congress bodies: the list, a body's page with its staff, create and rename."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, or_, select

from examsite.auth.models import User
from examsite.bodies import onboarding, services
from examsite.bodies.forms import (
    BodyEditForm,
    BodyFilterForm,
    BodyForm,
    OnboardForm,
    OnboardUploadForm,
    StaffFilterForm,
)
from examsite.core.body import LEVEL_COUNTY, Body
from examsite.core.forms import ConfirmForm
from examsite.core.pagination import paginate
from examsite.core.roles import ROLE_ADMIN, ROLE_BODY_ADMIN
from examsite.core.tenancy import body_required, role_required, scoped
from examsite.core.transaction import refused
from examsite.extensions import db

bp = Blueprint("bodies", __name__, template_folder="templates")


@bp.get("/bodies")
@login_required
def index() -> Any:
    """The bodies the user may see; others go straight to their own body."""
    if not getattr(current_user, "is_staff", False):
        abort(403)  # a candidate's session: bodies are staff pages
    if current_user.role != ROLE_ADMIN:
        return redirect(url_for("bodies.detail", code=current_user.body.code))
    form = BodyFilterForm(request.args)
    stmt = scoped(select(Body), Body, current_user)
    if form.validate():
        if form.q.data:
            like = f"%{form.q.data.strip()}%"
            stmt = stmt.where(or_(Body.name.like(like), Body.code.like(like)))
        if form.level.data:
            stmt = stmt.where(Body.level == form.level.data)
    page = paginate(stmt.order_by(Body.level, Body.code))
    ids = [b.id for b in page.items]
    staff_counts = dict(
        db.session.execute(
            select(User.body_id, func.count()).where(User.body_id.in_(ids)).group_by(User.body_id)
        ).all()
    )
    return render_template("bodies/index.html", form=form, page=page, staff_counts=staff_counts)


def _parent_choices() -> list[tuple[str, str]]:
    bodies = db.session.scalars(
        scoped(select(Body), Body, current_user)
        .where(Body.level != LEVEL_COUNTY)
        .order_by(Body.code)
    ).all()
    return [(b.code, b.name) for b in bodies]


@bp.route("/bodies/new", methods=["GET", "POST"])
@role_required(ROLE_ADMIN)
def new() -> Any:
    """Create a body below one the administrator manages."""
    form = BodyForm(parents=_parent_choices())
    if request.method == "GET":
        form.parent.data = current_user.body.code
    if form.validate_on_submit():
        parent = db.session.scalars(
            scoped(select(Body), Body, current_user).where(Body.code == form.parent.data)
        ).first()
        try:
            body = services.create_body(
                code=form.code.data or "",
                name=form.name.data or "",
                level=form.level.data or "",
                parent=parent,
            )
        except services.BodyError as exc:
            form.form_errors.append(refused(exc))
        else:
            flash(_("已创建机关：%(name)s", name=body.name), "success")
            return redirect(url_for("bodies.detail", code=body.code))
    return render_template("bodies/form.html", form=form, body=None)


@bp.get("/bodies/<code>")
@body_required()
def detail(body: Body) -> Any:
    """A body's page: its details, the bodies below it, and (for admins) its staff."""
    page = form = None
    if current_user.has_role(ROLE_BODY_ADMIN):
        form = StaffFilterForm(request.args)
        stmt = select(User).where(User.body_id == body.id)
        if form.validate():
            if form.q.data:
                like = f"%{form.q.data.strip()}%"
                stmt = stmt.where(or_(User.name.like(like), User.username.like(like.lower())))
            if form.status.data:
                stmt = stmt.where(User.active.is_(form.status.data == "active"))
        page = paginate(stmt.order_by(User.username))
    children = list(body.children) if current_user.role == ROLE_ADMIN else []
    return render_template(
        "bodies/detail.html",
        body=body,
        page=page,
        form=form,
        children=children,
        confirm=ConfirmForm(),
    )


@bp.route("/bodies/<code>/edit", methods=["GET", "POST"])
@body_required(ROLE_ADMIN)
def edit(body: Body) -> Any:
    """Rename a body (its code stays: it is in every URL and export)."""
    form = BodyEditForm(obj=body)
    if form.validate_on_submit():
        name = (form.name.data or "").strip()
        if services.find_conflicts("", name, exclude_id=body.id):
            form.name.errors.append(_("该名称已被其他机关使用。"))
        else:
            services.update_body(
                body,
                name=name,
                uses_parent_bank=bool(form.uses_parent_bank.data),
                own_questions=bool(form.own_questions.data),
                public_practice=bool(form.public_practice.data),
            )
            flash(_("已保存。"), "success")
            return redirect(url_for("bodies.detail", code=body.code))
    return render_template("bodies/form.html", form=form, body=body)


# --------------------------------------------------------------------------- onboarding


def _allowed_parents() -> dict[str, Body]:
    return {
        b.code: b
        for b in db.session.scalars(
            scoped(select(Body), Body, current_user).where(Body.level != LEVEL_COUNTY)
        )
    }


@bp.route("/bodies/onboard", methods=["GET", "POST"])
@role_required(ROLE_ADMIN)
def onboard() -> Any:
    """Guided onboarding of one county, or many from one spreadsheet."""
    bulk = request.method == "POST" and (
        request.form.get("bulk-submit") is not None or "bulk-file" in request.files
    )
    # Only the submitted form reads the request: an unticked box is absent from a POST, so
    # the other form bound to it would lose its ticked defaults (a county onboarded next
    # got no bank and no templates).
    single_posted = request.method == "POST" and not bulk
    form = OnboardForm(parents=_parent_choices(), **({} if single_posted else {"formdata": None}))
    upload = OnboardUploadForm(prefix="bulk", **({} if bulk else {"formdata": None}))
    problems: list[str] = []
    done: list[onboarding.Onboarded] = []
    if not single_posted:
        form.parent.data = current_user.body.code
    if bulk:
        if upload.validate_on_submit():
            limit = int(current_app.config["EXAMSITE_MAX_UPLOAD_MB"]) * 1024 * 1024
            file = upload.file.data
            plan = onboarding.read_file(file.filename or "", file.read(limit + 1), limit)
            problems = plan.problems
            if not problems:
                try:
                    done = onboarding.onboard(
                        plan.rows, _allowed_parents(), bool(upload.copy_templates.data)
                    )
                except onboarding.OnboardingError as exc:
                    refused(exc)
                    problems = exc.problems
    elif form.validate_on_submit():
        row = {
            "uses_parent_bank": bool(form.uses_parent_bank.data),
            "own_questions": bool(form.own_questions.data),
            "line": 1,
            "code": form.code.data or "",
            "name": form.name.data or "",
            "parent": form.parent.data or "",
            "username": form.username.data or "",
            "admin_name": form.admin_name.data or "",
        }
        try:
            done = onboarding.onboard([row], _allowed_parents(), bool(form.copy_templates.data))
        except onboarding.OnboardingError as exc:
            refused(exc)
            problems = [p.split("：", 1)[-1] for p in exc.problems]
    if done:
        return render_template("bodies/onboarded.html", done=done)
    return render_template("bodies/onboard.html", form=form, upload=upload, problems=problems)
