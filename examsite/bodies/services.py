"""Creating and changing congress bodies."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from examsite.bodies.forms import LEVEL_LABELS
from examsite.core import audit
from examsite.core.body import LEVEL_COUNTY, LEVELS, Body
from examsite.core.errors import UserError
from examsite.extensions import db


class BodyError(UserError):
    """A body cannot be created or changed as asked; the message says why."""


def find_conflicts(code: str, name: str, exclude_id: int | None = None) -> list[str]:
    """Which of "code" and "name" are already used by another body."""
    stmt = select(Body.code, Body.name).where(or_(Body.code == code, Body.name == name))
    if exclude_id is not None:
        stmt = stmt.where(Body.id != exclude_id)
    found = []
    for row_code, row_name in db.session.execute(stmt):
        if row_code == code:
            found.append("code")
        if row_name == name:
            found.append("name")
    return found


def create_body(*, code: str, name: str, level: str, parent: Body | None) -> Body:
    """Add a body; the caller has checked the parent is within the actor's reach."""
    if level not in LEVELS:
        raise BodyError(_l("未知的级别：%(level)s", level=level))
    if level == LEVEL_COUNTY and parent is None:
        raise BodyError(_l("区县级机关必须指定上级机关。"))
    if parent is not None and parent.level == LEVEL_COUNTY:
        raise BodyError(_l("区县级机关之下不能再设机关。"))
    conflicts = find_conflicts(code.strip().lower(), name.strip())
    if "code" in conflicts:
        raise BodyError(_l("代码“%(code)s”已被使用。", code=code))
    if "name" in conflicts:
        raise BodyError(_l("名称“%(name)s”已被使用。", name=name))
    body = Body(code=code.strip().lower(), name=name.strip(), level=level, parent=parent)
    db.session.add(body)
    audit.record(
        "body.create",
        target=body,
        code=body.code,
        name=body.name,
        level=level,
        parent=parent.code if parent else None,
    )
    db.session.flush()
    return body


def update_body(
    body: Body,
    *,
    name: str,
    uses_parent_bank: bool,
    own_questions: bool,
    public_practice: bool | None = None,
) -> None:
    """Rename a body, set how it uses the question bank and whether its practice is open
    to anyone on its network (None: unchanged)."""
    changes: dict[str, Any] = {}
    for field, value in (
        ("name", name.strip()),
        ("uses_parent_bank", uses_parent_bank),
        ("own_questions", own_questions),
        ("public_practice", body.public_practice if public_practice is None else public_practice),
    ):
        if getattr(body, field) != value:
            changes[field] = [getattr(body, field), value]
            setattr(body, field, value)
    audit.record("body.update", target=body, **changes)
    db.session.flush()


audit.register_values("level", dict(LEVEL_LABELS))  # the log names levels, not "county"
