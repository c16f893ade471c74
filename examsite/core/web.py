"""App-wide web behaviour: security headers, error pages, session expiry, template helpers."""

from __future__ import annotations

import logging
import math
import os
import time
from datetime import datetime
from typing import Any

from flask import (
    Flask,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import format_datetime, get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter, Map
from werkzeug.wrappers import Response

from examsite.core import transaction
from examsite.core.forms import install_field_checks
from examsite.core.params import ID_MAX, InvalidParameter
from examsite.extensions import db, login_manager

log = logging.getLogger(__name__)

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)

#: The idle warning's questions (auth/views.py): asked for JSON, an ended session answers
#: them 401, not with a redirect to the login page.
SESSION_ENDPOINTS = {"auth.session_status", "auth.session_keepalive"}
#: Asks how long the session has left without counting as activity (only the explicit
#: "继续工作", auth.session_keepalive, does).
_PASSIVE_ENDPOINTS = {"auth.session_status"}

# Endpoints a user who must change the password may still reach.
_OPEN_WHILE_PASSWORD_EXPIRED = {
    "auth.change_password",
    "auth.logout",
    "core.set_language",
    "core.healthz",
    "static",
    *SESSION_ENDPOINTS,
}


def init_web(app: Flask) -> None:
    """Install hooks, error handlers and template helpers on the app."""
    from examsite.core import identity  # noqa: F401  (registers the user loader)
    from examsite.core.roles import ROLE_LABELS

    # Before any blueprint adds its rules: an <int:…> id larger than any row is a 404, not an
    # overflow in the database driver.
    app.url_map.converters["int"] = RowIdConverter
    install_field_checks()

    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("请先登录。")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

    transaction.install(app)  # first after_request hook registered: it runs last
    app.before_request(_refuse_oversized_body)
    app.before_request(_expire_idle_staff_session)
    app.before_request(_require_password_change)
    app.after_request(_security_headers)

    if os.environ.get("EXAMSITE_BENCHMARK") == "1":
        # The load test's baseline (benchmarks/load/): the app's hooks but no database.
        app.add_url_rule("/benchmark/ping", "benchmark_ping", _benchmark_ping)

    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(OperationalError, _database_unavailable)
    if not app.testing:
        # Tests want the real exception, not the friendly page (tested on a non-test app).
        app.register_error_handler(Exception, _server_error)

    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters["localtime"] = _localtime
    app.jinja_env.globals["ROLE_LABELS"] = ROLE_LABELS
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.globals["staff_session_clock"] = staff_session_clock
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True


class RowIdConverter(IntegerConverter):
    """``<int:…>`` in ASCII digits and at most ``ID_MAX`` (other bounds may still be given)."""

    regex = r"[0-9]+"

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", ID_MAX)
        super().__init__(map, *args, **kwargs)


def _benchmark_ping() -> Response:
    return Response("pong", mimetype="text/plain")


def start_staff_session() -> None:
    """Start both clocks of a staff session at its login (the signed cookie carries them)."""
    now = time.time()
    session["_login_at"] = now
    session["_seen"] = now


def staff_session_clock() -> dict[str, int]:
    """Whole seconds this staff session has left before the idle timeout ("idle_left") and
    before its hard maximum ("max_left"), and how long before the nearer one the page warns
    ("warn"): for the warning dialog of base.html and auth.session_status."""
    cfg = current_app.config
    now = time.time()
    idle = 60 * int(cfg["EXAMSITE_SESSION_IDLE_MINUTES"])
    longest = 3600 * int(cfg["EXAMSITE_STAFF_SESSION_MAX_HOURS"])
    seen = float(session.get("_seen", now))
    login_at = float(session.get("_login_at", now))
    return {
        # Rounded up: the page must not give up while the server still holds the session.
        "idle_left": max(0, math.ceil(idle - (now - seen))),
        "max_left": max(0, math.ceil(longest - (now - login_at))),
        "warn": 60 * int(cfg["EXAMSITE_SESSION_WARN_MINUTES"]),
    }


def _expire_idle_staff_session() -> Response | None:
    """End a staff session after the configured idle time, and at the latest
    EXAMSITE_STAFF_SESSION_MAX_HOURS after its login however busy (the signed cookie carries
    when it was last used and when it began). Candidates' sessions last the whole exam."""
    if request.endpoint == "static" or not current_user.is_authenticated:
        return None
    if not getattr(current_user, "is_staff", False):
        return None
    cfg = current_app.config
    now = time.time()
    seen = session.get("_seen")
    # A session from before the hard maximum existed starts counting now.
    login_at = float(session.setdefault("_login_at", now))
    message = None
    if now - login_at > 3600 * int(cfg["EXAMSITE_STAFF_SESSION_MAX_HOURS"]):
        message = _l(
            "您本次登录已超过 %(hours)s 小时，请重新登录。",
            hours=cfg["EXAMSITE_STAFF_SESSION_MAX_HOURS"],
        )
    elif seen is not None and now - float(seen) > 60 * int(cfg["EXAMSITE_SESSION_IDLE_MINUTES"]):
        message = _l("您已长时间未操作，请重新登录。")
    if message is not None:
        lang = session.get("lang")
        logout_user()
        session.clear()
        if lang:
            session["lang"] = lang
        flash(message, "info")
        if request.endpoint in SESSION_ENDPOINTS and wants_json():
            return make_response(jsonify(code="session_ended", error=str(message)), 401)
        return redirect(url_for("auth.login", next=request.full_path))
    if request.endpoint not in _PASSIVE_ENDPOINTS:
        session["_seen"] = now
    return None


def _refuse_oversized_body() -> None:
    """Refuse a too-large upload from its header, before any of it is parsed or spooled."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit and request.content_length and request.content_length > limit:
        abort(413)


def _require_password_change() -> Response | None:
    if (
        current_user.is_authenticated
        and getattr(current_user, "must_change_password", False)
        and request.endpoint not in _OPEN_WHILE_PASSWORD_EXPIRED
    ):
        return redirect(url_for("auth.change_password"))
    return None


def _security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if _app_config("SESSION_COOKIE_SECURE"):
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if current_user.is_authenticated:
        # Pages behind a login must not be kept by shared browsers or proxies.
        headers.setdefault("Cache-Control", "no-store")
    return response


def _app_config(key: str) -> Any:
    return current_app.config[key]


def wants_json() -> bool:
    """The request is JSON or asks for JSON (the page scripts' fetch calls)."""
    return request.is_json or request.accept_mimetypes.best == "application/json"


def _error_response(status: int, title: Any, message: Any) -> tuple[Any, int]:
    if wants_json():
        return {"error": str(message), "status": status}, status
    return render_template("errors/error.html", status=status, title=title, message=message), status


_MESSAGES: dict[int, tuple[Any, Any]] = {
    400: (_l("请求有误"), _l("提交的内容无法处理，请返回上一页重试。")),
    403: (_l("没有权限"), _l("您没有权限执行此操作。如有需要，请联系本机关管理员。")),
    404: (_l("页面不存在"), _l("您访问的页面不存在，或您无权查看。")),
    405: (_l("请求方式不允许"), _l("此页面不支持该请求方式。")),
    413: (_l("文件过大"), _l("上传的文件超过了允许的大小。")),
    429: (_l("请求过于频繁"), _l("请求过于频繁，请稍后再试。")),
    500: (_l("系统错误"), _l("系统出现错误，已记录。请稍后重试或联系管理员。")),
    503: (_l("服务暂不可用"), _l("数据库暂时无法连接，请稍后刷新页面重试。")),
}


def _csrf_error(error: CSRFError) -> tuple[Any, int]:
    if wants_json():
        message = _l("页面已过期或表单校验失败，请刷新页面后重新提交。")
        return {"error": str(message), "status": 400, "code": "csrf_failed"}, 400
    return _error_response(
        400, _l("页面已过期"), _l("页面已过期或表单校验失败，请刷新页面后重新提交。")
    )


def _http_error(error: HTTPException) -> Any:
    code = error.code or 500
    if code not in _MESSAGES or code < 400:
        return error
    title, message = _MESSAGES[code]
    if isinstance(error, InvalidParameter):
        message = error.description  # says which value was wrong
    if code == 413:
        limit = _app_config("EXAMSITE_MAX_UPLOAD_MB")
        message = _l("上传的文件超过了允许的大小（%(mb)s MB）。", mb=limit)
    return _error_response(code, title, message)


def _database_unavailable(error: OperationalError) -> tuple[Any, int]:
    log.exception("database unavailable")
    try:
        db.session.rollback()
    except OperationalError:
        log.warning("rollback failed too: the database is unreachable")
    # The error page and the response hooks must not ask the database who is signed in:
    # they render for an anonymous visitor (the session cookie itself is kept).
    g._login_user = login_manager.anonymous_user()
    return _error_response(503, *_MESSAGES[503])


def _server_error(error: Exception) -> tuple[Any, int]:
    log.exception("unhandled error")
    try:
        db.session.rollback()
    except Exception:  # pragma: no cover - the session itself may be broken
        log.exception("rollback failed")
    return _error_response(500, *_MESSAGES[500])


def _localtime(value: datetime | None, fmt: str = "yyyy-MM-dd HH:mm") -> str:
    """Show a stored UTC time in the configured local timezone."""
    if value is None:
        return ""
    return format_datetime(value, fmt)
