"""The candidate's login (admission code plus the ID number's last 6, throttled) and logout."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_user, logout_user

from examsite.auth.services import ThrottleSettings
from examsite.exams import access
from examsite.exams.candidate_forms import CandidateLoginForm
from examsite.exams.candidate_views import bp, current_attempt

LOGIN_MESSAGES = {
    "invalid": _l("准考证号或身份证号后 6 位不正确。"),
    "not_open": _l("考试尚未开放登录，请在考试开始前 1 小时内登录。"),
    "ended": _l("本场考试已结束，准考证已失效。"),
    "finished": _l("您已交卷，不能再次登录答题。成绩发布后可再次登录查看成绩。"),
    "taken": _l("该准考证已在其他电脑登录。如需换一台电脑，请举手联系监考人员。"),
    "network": _l("请在指定考场的电脑上登录考试。"),
}


def _throttle() -> ThrottleSettings:
    cfg = current_app.config
    return ThrottleSettings(
        max_failures_per_account=cfg["EXAMSITE_LOGIN_MAX_FAILURES"],
        # A whole room can share one address: the per-address limit is higher for candidates.
        max_failures_per_ip=cfg["EXAMSITE_CANDIDATE_MAX_FAILURES_PER_IP"],
        lock_minutes=cfg["EXAMSITE_LOGIN_LOCK_MINUTES"],
    )


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    """Admission code (typed or from the slip's QR code) plus the ID number's last 6."""
    attempt = current_attempt()
    form = CandidateLoginForm()
    if request.method == "GET":
        code = (request.args.get("code") or "").strip().upper()
        if attempt is not None and (not code or code == attempt.admission_code):
            return redirect(url_for("exam.home"))
        form.code.data = code or None
    if form.validate_on_submit():
        outcome = access.authenticate_candidate(
            form.code.data or "",
            form.id_tail.data or "",
            request.remote_addr or "",
            _throttle(),
            takeover_token=secrets.token_urlsafe(16),
        )
        if outcome.status == "ok" and outcome.attempt is not None:
            lang = session.get("lang")
            session.clear()
            if lang:
                session["lang"] = lang
            # Remembered for the exam's length: a long network cut must not log them out.
            login_user(outcome.attempt, remember=True, duration=timedelta(hours=8))
            session.permanent = True
            return redirect(url_for("exam.home"))
        if outcome.status == "locked":
            flash(
                _("输入错误次数过多，请 %(n)s 分钟后再试，或联系监考人员。", n=outcome.minutes),
                "error",
            )
        else:
            flash(str(LOGIN_MESSAGES[outcome.status]), "error")
    return render_template("exams/candidate_login.html", form=form)


@bp.post("/logout")
def logout() -> Any:
    """End the session on the server (the token is cleared: neither this cookie nor the
    remember cookie opens the paper again) and remove the cookies."""
    attempt = current_attempt()
    if attempt is None:  # a staff session on the same browser is left alone
        return redirect(url_for("exam.login"))
    access.end_session(attempt)
    logout_user()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    response = redirect(url_for("exam.login"))
    # session.clear() also drops Flask-Login's note to delete the remember cookie.
    cfg = current_app.config
    response.delete_cookie(
        cfg.get("REMEMBER_COOKIE_NAME", "remember_token"),
        domain=cfg.get("REMEMBER_COOKIE_DOMAIN"),
        path=cfg.get("REMEMBER_COOKIE_PATH", "/"),
    )
    return response
