"""Loads staff members for Flask-Login from "s:<id>:<session token>"."""

from __future__ import annotations

from examsite.auth.models import User
from examsite.core.identity import register_loader
from examsite.extensions import db


def _load_staff(rest: str) -> User | None:
    user_id, _, token = rest.partition(":")
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_token != token:
        return None
    return user


register_loader("s", _load_staff)
