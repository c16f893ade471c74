"""Login, logout, password change, and staff-account pages for administrators."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from examsite.auth import services
from examsite.auth.forms import ChangePasswordForm, LoginForm, StaffEditForm, StaffForm
from examsite.auth.models import User
from examsite.core import audit
from examsite.core.body import Body
from examsite.core.forms import ConfirmForm
from examsite.core.params import safe_next
from examsite.core.roles import ROLE_BODY_ADMIN, ROLE_RANK
from examsite.core.tenancy import body_required
from examsite.core.web import staff_session_clock, start_staff_session, wants_json
from examsite.extensions import db, login_manager

bp = Blueprint("auth", __name__, template_folder="templates")


def _throttle_settings() -> services.ThrottleSettings:
    cfg = current_app.config
    return services.ThrottleSettings(
        max_failures_per_account=cfg["EXAMSITE_LOGIN_MAX_FAILURES"],
        max_failures_per_ip=cfg["EXAMSITE_LOGIN_MAX_FAILURES_PER_IP"],
        lock_minutes=cfg["EXAMSITE_LOGIN_LOCK_MINUTES"],
    )


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    """The staff login page (also for a shared exam PC where a candidate is still signed in:
    signing in as staff replaces that session)."""
    if getattr(current_user, "is_staff", False):
        return redirect(url_for("dashboard.index"))
    form = LoginForm()
    if form.validate_on_submit():
        outcome = services.authenticate(
            form.username.data or "",
            form.password.data or "",
            request.remote_addr or "",
            _throttle_settings(),
        )
        if outcome.status == "ok" and outcome.user is not None:
            # A fresh session at login: nothing set before it carries over (fixation).
            lang = session.get("lang")
            session.clear()
            if lang:
                session["lang"] = lang
            login_user(outcome.user)
            session.permanent = True
            start_staff_session()
            if outcome.user.must_change_password:
                flash(_("请先设置您自己的新密码。"), "info")
                return redirect(url_for("auth.change_password"))
            return redirect(safe_next(request.args.get("next")) or url_for("dashboard.index"))
        if outcome.status == "locked":
            flash(
                _(
                    "登录失败次数过多，已暂时锁定。请在 %(minutes)s 分钟后再试，或联系管理员。",
                    minutes=outcome.locked_minutes,
                ),
                "error",
            )
        elif outcome.status == "disabled":
            flash(_("该账号已停用，请联系本机关管理员。"), "error")
        elif outcome.status == "expired":
            flash(
                _(
                    "您的临时密码已过期（有效期 %(hours)s 小时），无法登录。"
                    "请联系本机关管理员重新签发临时密码。",
                    hours=current_app.config["EXAMSITE_TEMP_PASSWORD_HOURS"],
                ),
                "error",
            )
        else:
            flash(_("用户名或密码错误。"), "error")
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout() -> Any:
    """End the session everywhere: the login cookie is refused from now on (a candidate's
    token goes too: exams.identity listens to Flask-Login's user_logged_out)."""
    user = current_user._get_current_object()
    if isinstance(user, User):
        user.end_sessions()
        audit.record("auth.logout", target=user, user=user)
    lang = session.get("lang")
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("您已安全退出。"), "info")
    return redirect(url_for("auth.login"))


def _staff_session_refusal() -> Any:
    """The answer to a request of the session endpoints that no staff session makes: 401 in
    JSON to the page script, the login page to a browser; 403 for a candidate."""
    if not current_user.is_authenticated:
        if wants_json():
            return jsonify(code="session_ended", error=_("请先登录。")), 401
        return login_manager.unauthorized()
    if not getattr(current_user, "is_staff", False):
        abort(403)
    return None


@bp.get("/session/status")
def session_status() -> Any:
    """The time the staff session has left (JSON); asking does not count as activity."""
    return _staff_session_refusal() or jsonify(staff_session_clock())


@bp.post("/session/keepalive")
def session_keepalive() -> Any:
    """The idle warning's "继续工作": this request restarts the idle clock (core/web.py), the
    hard maximum stays; answers the time left (JSON)."""
    return _staff_session_refusal() or jsonify(staff_session_clock())


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> Any:
    """Change one's own password (forced after a temporary one)."""
    user = current_user._get_current_object()
    if not isinstance(user, User):
        abort(403)
    form = ChangePasswordForm(username=user.username)
    if form.validate_on_submit():
        if not user.check_password(form.current.data or ""):
            form.current.errors.append(_("当前密码不正确。"))
        else:
            services.change_password(user, form.new.data or "")
            # The token changed; log in again under it so this browser stays signed in.
            login_user(user)
            flash(_("密码已修改。"), "success")
            return redirect(url_for("dashboard.index"))
    return render_template("auth/change_password.html", form=form)


def _staff_or_404(body: Body, user_id: int) -> User:
    user = db.session.scalars(
        select(User).where(User.id == user_id, User.body_id == body.id)
    ).first()
    if user is None:
        abort(404)
    return user


def _check_may_manage(target: User) -> None:
    """Administrators manage accounts of equal or lower rank, never their own here."""
    if target.id == current_user.id or ROLE_RANK[target.role] > ROLE_RANK[current_user.role]:
        abort(403)


@bp.route("/bodies/<code>/staff/new", methods=["GET", "POST"])
@body_required(ROLE_BODY_ADMIN)
def staff_new(body: Body) -> Any:
    """Create a staff account; its temporary password is shown once."""
    form = StaffForm(roles=services.allowed_roles(current_user, body))
    if form.validate_on_submit():
        if services.username_taken(form.username.data or ""):
            form.username.errors.append(_("该用户名已被使用。"))
        else:
            user, password = services.create_staff(
                body,
                username=form.username.data or "",
                name=form.name.data or "",
                role=form.role.data or "",
            )
            return render_template(
                "auth/temporary_password.html",
                body=body,
                user=user,
                password=password,
                created=True,
            )
    return render_template("auth/staff_form.html", form=form, body=body, user=None)


@bp.route("/bodies/<code>/staff/<int:user_id>/edit", methods=["GET", "POST"])
@body_required(ROLE_BODY_ADMIN)
def staff_edit(body: Body, user_id: int) -> Any:
    """Change a staff member's name or role."""
    user = _staff_or_404(body, user_id)
    _check_may_manage(user)
    form = StaffEditForm(obj=user, roles=services.allowed_roles(current_user, body))
    if form.validate_on_submit():
        services.update_staff(user, name=form.name.data or "", role=form.role.data or "")
        flash(_("已保存。"), "success")
        return redirect(url_for("bodies.detail", code=body.code))
    return render_template(
        "auth/staff_form.html", form=form, body=body, user=user, confirm=ConfirmForm()
    )


@bp.post("/bodies/<code>/staff/<int:user_id>/active")
@body_required(ROLE_BODY_ADMIN)
def staff_toggle_active(body: Body, user_id: int) -> Any:
    """Disable or re-enable a staff account."""
    user = _staff_or_404(body, user_id)
    _check_may_manage(user)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    services.set_active(user, not user.active)
    flash(_("账号已启用。") if user.active else _("账号已停用。"), "success")
    return redirect(url_for("bodies.detail", code=body.code))


@bp.post("/bodies/<code>/staff/<int:user_id>/reset-password")
@body_required(ROLE_BODY_ADMIN)
def staff_reset_password(body: Body, user_id: int) -> Any:
    """Give a staff member a new temporary password, shown once."""
    user = _staff_or_404(body, user_id)
    _check_may_manage(user)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    password = services.reset_password(user)
    return render_template(
        "auth/temporary_password.html", body=body, user=user, password=password, created=False
    )
