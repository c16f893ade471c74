"""The staff home page: who you are, where you work, where to go next."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Blueprint, current_app, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select

from examsite.auth.models import User
from examsite.core import audit
from examsite.core.audit import AuditEvent
from examsite.core.audit_labels import ACTION_LABELS
from examsite.core.body import Body
from examsite.core.exports import day_text, xlsx_response
from examsite.core.roles import ROLE_ADMIN, ROLE_STAFF
from examsite.core.tenancy import body_for_code_or_404, role_required, scoped
from examsite.core.timeutil import utc_to_local, utcnow
from examsite.dashboard import readiness, todo
from examsite.dashboard.rollout_status import RolloutStatus
from examsite.exams.models import POST_CATEGORIES
from examsite.extensions import db
from examsite.statistics import figures, services

bp = Blueprint("dashboard", __name__, template_folder="templates")


audit.register_actions({"rollout.view": _l("查看区县概况")})

#: How many bodies' lists the home page shows open; the others are collapsed to one line.
TODO_EXPANDED = 3


@bp.get("/")
@role_required(ROLE_STAFF)
def index() -> Any:
    """Home page: the to-do list of each body the user may see (its own first), and two
    counters."""
    bodies = sorted(_visible_bodies(), key=lambda b: (b.id != current_user.body_id, b.code))
    staff_count = db.session.scalar(
        scoped(select(func.count(User.id)), User, current_user).where(User.active.is_(True))
    )
    return render_template(
        "dashboard/index.html",
        body_count=len(bodies),
        staff_count=staff_count,
        todos=todo.todo_lists(bodies, utcnow(), date.today()),
        expanded=TODO_EXPANDED,
    )


# --------------------------------------------------------------------------- rollout

#: Sort keys of the rollout table: a body's code and onboarding, then its readiness.
SORTABLE = {
    "code",
    "created_at",
    "status",
    "staff",
    "first_login",
    "unused_passwords",
    "first_sitting",
    "recent_sittings",
    "recent_candidates",
    "last_activity",
}
STATUS_ORDER = {status: n for n, status in enumerate(RolloutStatus)}


def _visible_bodies() -> list[Body]:
    return list(db.session.scalars(scoped(select(Body), Body, current_user).order_by(Body.code)))


def _sort_key(field: str) -> Any:
    def key(row: readiness.Readiness) -> Any:
        if field == "code":
            return row.body.code
        if field == "created_at":
            return row.body.created_at
        if field == "status":
            return STATUS_ORDER[row.status]
        value = getattr(row, field)
        return (value is not None, value if value is not None else 0)

    return key


def _day(value: datetime | None) -> str:
    local = utc_to_local(value)
    return day_text(local.date()) if local else ""


def _rollout_xlsx(rows: list[readiness.Readiness]) -> Any:
    headers = [
        _("机关"),
        _("状态"),
        _("接入时间"),
        _("首次登录"),
        _("未使用的一次性密码"),
        _("首次考试"),
        _("近 90 天考试场次"),
        _("近 90 天考生"),
        _("本机关人员最近操作"),
        _("待完善"),
    ]
    data = [
        [
            r.body.name,
            r.status_label,
            _day(r.body.created_at),
            _day(r.first_login),
            r.unused_passwords,
            _day(r.first_sitting),
            r.recent_sittings,
            r.recent_candidates,
            _day(r.last_activity),
            "；".join(m.text for m in r.missing),
        ]
        for r in rows
    ]
    today = day_text(date.today())
    return xlsx_response(
        _("推广情况-%(day)s", day=today),
        headers,
        data,
        sheet=_("推广情况"),
        title=_("%(day)s 各机关推广情况", day=today),
        body=current_user.body.name,
    )


@bp.get("/rollout")
@role_required(ROLE_ADMIN)
def rollout_page() -> Any:
    """One row per body below the municipality: its status (not started, configuring,
    live, stalled), counted at the top, and what it still lacks."""
    level = request.args.get("level", "")
    status = request.args.get("status", "")
    bodies = [b for b in _visible_bodies() if not level or b.level == level]
    rows = readiness.readiness(bodies, utcnow())
    by_status = readiness.counts(rows)
    if status in by_status:
        rows = [r for r in rows if r.status == status]
    else:
        status = ""
    sort = request.args.get("sort", "code")
    sort = sort if sort in SORTABLE else "code"
    descending = request.args.get("dir", "desc" if sort != "code" else "asc") == "desc"
    rows.sort(key=_sort_key(sort), reverse=descending)
    if request.args.get("format") == "xlsx":
        return _rollout_xlsx(rows)
    return render_template(
        "dashboard/rollout.html",
        rows=rows,
        by_status=by_status,
        labels=readiness.STATUS_LABELS,
        category_labels=POST_CATEGORIES,
        sort=sort,
        descending=descending,
        level=level,
        status=status,
    )


@bp.get("/rollout/<code>")
@role_required(ROLE_ADMIN)
def rollout_body(code: str) -> Any:
    """A read-only look at one body: its rollout status, this year's figures (those of
    /statistics) and its own staff's latest actions (the view is audited)."""
    body = body_for_code_or_404(code, current_user)
    period = services.year_period(date.today().year)
    zone = current_app.config["BABEL_DEFAULT_TIMEZONE"]
    (row,) = figures.compute([body], period.start, period.end, zone)
    (ready,) = readiness.readiness([body], utcnow())
    recent = db.session.scalars(
        select(AuditEvent)
        .join(User, AuditEvent.user_id == User.id)
        .where(AuditEvent.body_id == body.id, User.body_id == body.id)
        .order_by(AuditEvent.id.desc())
        .limit(20)
    ).all()
    audit.record("rollout.view", target=body, body=body)
    return render_template(
        "dashboard/rollout_body.html",
        body=body,
        row=row,
        year=period.year,
        ready=ready,
        recent=recent,
        labels=ACTION_LABELS,
        category_labels=POST_CATEGORIES,
    )
