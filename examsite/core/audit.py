"""The audit log: one table, one helper. Every staff action goes through record()."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from flask import has_request_context, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from examsite.bodies.models import Body
from examsite.core.timeutil import utcnow
from examsite.extensions import Model, db

#: Human labels of audit actions, for the log page and its filter; features add theirs
#: with register_actions().
ACTION_LABELS: dict[str, Any] = {}


def register_actions(labels: dict[str, Any]) -> None:
    ACTION_LABELS.update(labels)


register_actions(
    {
        "auth.login": _l("登录"),
        "auth.logout": _l("退出登录"),
        "auth.login_failed": _l("登录失败"),
        "auth.login_locked": _l("锁定期间尝试登录"),
        "auth.login_disabled": _l("停用账号尝试登录"),
        "auth.password_changed": _l("修改本人密码"),
        "user.create": _l("新建账号"),
        "user.update": _l("修改账号"),
        "user.enable": _l("启用账号"),
        "user.disable": _l("停用账号"),
        "user.reset_password": _l("重置密码"),
        "body.create": _l("新建机关"),
        "body.update": _l("修改机关"),
    }
)


class AuditEvent(Model):
    """Who did what to which record, when and from where."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    #: The acting staff member; empty for anonymous events such as a failed login.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    #: The acting user's name at that time, kept even if the account is renamed.
    actor: Mapped[str] = mapped_column(String(64), default="")
    body_id: Mapped[int | None] = mapped_column(ForeignKey("bodies.id"), index=True)
    #: Dotted verb, e.g. "auth.login", "user.create".
    action: Mapped[str] = mapped_column(String(64), index=True)
    target_type: Mapped[str] = mapped_column(String(32), default="")
    target_id: Mapped[str] = mapped_column(String(64), default="")
    details: Mapped[str] = mapped_column(Text, default="")
    ip: Mapped[str] = mapped_column(String(64), default="")

    body: Mapped[Body | None] = relationship()

    @property
    def details_dict(self) -> dict[str, Any]:
        return json.loads(self.details) if self.details else {}


def record(
    action: str,
    *,
    target: Any = None,
    body: Body | int | None = None,
    user: Any = None,
    actor: str | None = None,
    **details: Any,
) -> AuditEvent:
    """Add an audit event to the current transaction (the caller commits).

    ``body`` defaults to the target's body, then the acting user's body.
    """
    if target is not None and getattr(target, "id", 0) is None:
        db.session.flush()  # the event must name the new row's id
    if user is None and has_request_context() and current_user.is_authenticated:
        user = current_user
    staff = user if getattr(user, "is_staff", False) else None
    body_id: int | None
    if isinstance(body, Body):
        body_id = body.id
    elif body is not None:
        body_id = body
    elif target is not None and getattr(target, "body_id", None) is not None:
        body_id = target.body_id
    elif target is not None and isinstance(target, Body):
        body_id = target.id
    else:
        body_id = getattr(user, "body_id", None)
    event = AuditEvent(
        user_id=staff.id if staff is not None else None,
        actor=actor
        if actor is not None
        else (getattr(user, "username", "") or ("" if has_request_context() else "cli")),
        body_id=body_id,
        action=action,
        target_type=type(target).__name__ if target is not None else "",
        target_id=str(getattr(target, "id", "")) if target is not None else "",
        details=json.dumps(details, ensure_ascii=False, default=str) if details else "",
        ip=(request.remote_addr or "") if has_request_context() else "cli",
    )
    db.session.add(event)
    return event
