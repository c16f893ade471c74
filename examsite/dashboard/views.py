"""The staff home page: who you are, where you work, where to go next."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select

from examsite.auth.models import User
from examsite.core import audit
from examsite.core.audit import AuditEvent
from examsite.core.audit_labels import ACTION_LABELS
from examsite.core.body import Body
from examsite.core.roles import ROLE_ADMIN, ROLE_STAFF
from examsite.core.tenancy import body_for_code_or_404, role_required, scoped
from examsite.core.timeutil import utcnow
from examsite.dashboard import rollout, todo
from examsite.extensions import db

bp = Blueprint("dashboard", __name__, template_folder="templates")


@bp.app_context_processor
def _chart_helpers() -> dict[str, Any]:
    def chart_items(rows: list[rollout.BodyFigures], field: str) -> list[tuple[str, int]]:
        return [(r.body.name, getattr(r, field)) for r in rows]

    return {"chart_items": chart_items}


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

SORTABLE = {
    "code",
    "staff",
    "sittings",
    "tested",
    "pass_rate",
    "statements",
    "sworn",
    "reports",
    "coverage",
    "last_activity",
    "created_at",
}


def _visible_bodies() -> list[Body]:
    return list(db.session.scalars(scoped(select(Body), Body, current_user).order_by(Body.code)))


def _sort_key(field: str) -> Any:
    def key(row: rollout.BodyFigures) -> Any:
        if field == "code":
            return row.body.code
        if field == "created_at":
            return row.body.created_at
        value = getattr(row, field)
        return (value is not None, value if value is not None else 0)

    return key


@bp.get("/rollout")
@role_required(ROLE_ADMIN)
def rollout_page() -> Any:
    """One row per body below the municipality: is it live, is it used."""
    level = request.args.get("level", "")
    activity = request.args.get("activity", "")
    bodies = [b for b in _visible_bodies() if not level or b.level == level]
    rows = rollout.figures_by_body(bodies)
    cutoff = utcnow() - timedelta(days=30)
    if activity == "active":
        rows = [r for r in rows if r.last_activity and r.last_activity >= cutoff]
    elif activity == "inactive":
        rows = [r for r in rows if not r.last_activity or r.last_activity < cutoff]
    sort = request.args.get("sort", "code")
    sort = sort if sort in SORTABLE else "code"
    descending = request.args.get("dir", "desc" if sort != "code" else "asc") == "desc"
    rows.sort(key=_sort_key(sort), reverse=descending)
    return render_template(
        "dashboard/rollout.html",
        rows=rows,
        totals=rollout.totals(rows),
        sort=sort,
        descending=descending,
        level=level,
        activity=activity,
        chart_max=max([r.tested for r in rows] or [0]) or 1,
    )


@bp.get("/rollout/<code>")
@role_required(ROLE_ADMIN)
def rollout_body(code: str) -> Any:
    """A read-only look at one body's figures and recent activity (the view is audited)."""
    body = body_for_code_or_404(code, current_user)
    (row,) = rollout.figures_by_body([body])
    recent = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.body_id == body.id)
        .order_by(AuditEvent.id.desc())
        .limit(20)
    ).all()
    audit.record("rollout.view", target=body, body=body)
    return render_template(
        "dashboard/rollout_body.html", body=body, row=row, recent=recent, labels=ACTION_LABELS
    )
