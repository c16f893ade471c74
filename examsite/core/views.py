"""Health check, language switch and the audit log page."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select, text
from sqlalchemy.exc import SQLAlchemyError

from examsite.core.audit import AuditEvent
from examsite.core.audit_labels import ACTION_LABELS, Described, describe
from examsite.core.body import Body
from examsite.core.forms import AuditFilterForm, LanguageForm, select_choices
from examsite.core.pagination import paginate
from examsite.core.params import safe_next
from examsite.core.roles import ROLE_ADMIN, ROLE_BODY_ADMIN
from examsite.core.tenancy import role_required, scoped
from examsite.core.timeutil import local_day_start_utc
from examsite.extensions import csrf, db

bp = Blueprint("core", __name__, template_folder="templates")


@bp.app_template_global("audit_describe")
def _audit_describe(event: AuditEvent) -> Described:
    """An audit entry in words, for every page that lists entries."""
    return describe(event)


@bp.get("/healthz")
@csrf.exempt
def healthz() -> Any:
    """200 when the database answers, 503 otherwise (for load balancers and monitors)."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")


@bp.post("/language")
def set_language() -> Any:
    """Switch the interface language for this browser session."""
    form = LanguageForm()
    if form.validate_on_submit() and form.lang.data in current_app.config["EXAMSITE_LANGUAGES"]:
        session["lang"] = form.lang.data
    target = form.next.data or (request.referrer and _path(request.referrer))
    return redirect(safe_next(target) or url_for("dashboard.index"))


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _local_day_start_utc(day: date) -> datetime:
    return local_day_start_utc(day, current_app.config["BABEL_DEFAULT_TIMEZONE"])


@bp.get("/audit")
@role_required(ROLE_BODY_ADMIN)
def audit_log() -> Any:
    """The audit log of the bodies the user may see, newest first, filterable."""
    form = AuditFilterForm(request.args)
    bodies = db.session.scalars(scoped(select(Body), Body, current_user).order_by(Body.code)).all()
    form.action.choices = select_choices([("", _l("全部")), *sorted(ACTION_LABELS.items())])
    form.body.choices = select_choices([("", "—")] + [(b.code, b.name) for b in bodies])
    stmt = scoped(select(AuditEvent), AuditEvent, current_user)
    if current_user.role == ROLE_ADMIN and current_user.body.parent_id is None:
        # Events with no body (a failed login under an unknown name) belong to the top admin.
        stmt = select(AuditEvent).where(
            AuditEvent.body_id.in_([b.id for b in bodies]) | AuditEvent.body_id.is_(None)
        )
    if form.validate():
        if form.action.data:
            stmt = stmt.where(AuditEvent.action == form.action.data)
        if form.actor.data:
            stmt = stmt.where(AuditEvent.actor.contains(form.actor.data.strip().lower()))
        if form.body.data:
            stmt = stmt.where(AuditEvent.body.has(Body.code == form.body.data))
        if form.start.data:
            stmt = stmt.where(AuditEvent.created_at >= _local_day_start_utc(form.start.data))
        if form.end.data:
            end = _local_day_start_utc(form.end.data + timedelta(days=1))
            stmt = stmt.where(AuditEvent.created_at < end)
    stmt = stmt.order_by(AuditEvent.id.desc())
    page = paginate(stmt)
    body_names = {b.id: b.name for b in bodies}
    return render_template(
        "core/audit.html", form=form, page=page, body_names=body_names, labels=ACTION_LABELS
    )
