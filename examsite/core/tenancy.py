"""Tenancy in one place: which congress bodies a user may see, and the view guard.

Every query for a body-owned record goes through ``scoped()`` or takes a body that
came from ``body_required``; a body outside the user's reach answers 404.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, g
from flask_login import current_user, login_required
from sqlalchemy import Select, select

from examsite.core.body import Body
from examsite.core.roles import ROLE_ADMIN, ROLE_STAFF
from examsite.extensions import db

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")


def subtree_ids(root_id: int) -> set[int]:
    """The ids of a body and every body below it (one query, walked in Python)."""
    rows = db.session.execute(select(Body.id, Body.parent_id)).all()
    children: dict[int | None, list[int]] = {}
    for body_id, parent_id in rows:
        children.setdefault(parent_id, []).append(body_id)
    found = {root_id}
    stack = [root_id]
    while stack:
        for child in children.get(stack.pop(), ()):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def visible_body_ids(user: Any) -> set[int]:
    """Bodies the user may read: a municipal admin sees its subtree, others their own body."""
    cache = g.setdefault("_visible_body_ids", {})
    key = (user.id, user.role, user.body_id)
    if key not in cache:
        cache[key] = subtree_ids(user.body_id) if user.role == ROLE_ADMIN else {user.body_id}
    return set(cache[key])


def scoped(stmt: Select[Any], model: Any, user: Any) -> Select[Any]:
    """Restrict a select on a body-owned model to the bodies the user may see."""
    column = model.id if model is Body else model.body_id
    return stmt.where(column.in_(visible_body_ids(user)))


def get_scoped_or_404(model: type[T], ident: Any, user: Any) -> T:
    """Load one body-owned row by primary key, or 404 if it is outside the user's reach."""
    stmt = scoped(select(model), model, user).where(model.id == ident)  # type: ignore[attr-defined]
    obj = db.session.scalars(stmt).first()
    if obj is None:
        abort(404)
    return obj


def body_for_code_or_404(code: str, user: Any) -> Body:
    """The body named in the URL, if the user may see it; otherwise 404."""
    body = db.session.scalars(select(Body).where(Body.code == code)).first()
    if body is None or body.id not in visible_body_ids(user):
        abort(404)
    return body


def body_required(role: str = ROLE_STAFF) -> Callable[[F], F]:
    """Guard a view taking ``code``: log-in, body visibility (404) and role (403).

    The body is passed to the view as ``body`` and kept in ``g.body``.
    """

    def decorator(view: F) -> F:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, code: str, **kwargs: Any) -> Any:
            if not getattr(current_user, "is_staff", False):
                abort(403)
            body = body_for_code_or_404(code, current_user)
            if not current_user.has_role(role):
                abort(403)
            g.body = body
            return view(*args, body=body, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def role_required(role: str) -> Callable[[F], F]:
    """Guard a view that is not tied to one body by URL."""

    def decorator(view: F) -> F:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not getattr(current_user, "is_staff", False) or not current_user.has_role(role):
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def get_in_body_or_404(model: type[T], body: Body, ident: Any, *options: Any) -> T:
    """A row of a body-owned model by id, only if it belongs to this body; otherwise 404.

    ``options`` are loader options (``selectinload`` …): a page listing the row's children
    loads them with the row, in a fixed number of queries."""
    stmt = select(model).where(model.id == ident, model.body_id == body.id)  # type: ignore[attr-defined]
    obj = db.session.scalars(stmt.options(*options)).first()
    if obj is None:
        abort(404)
    return obj
