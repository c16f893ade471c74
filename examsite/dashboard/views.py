"""The staff home page: who you are, where you work, where to go next."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import func, select

from examsite.auth.models import ROLE_STAFF, User
from examsite.bodies.models import Body
from examsite.core.tenancy import role_required, scoped
from examsite.extensions import db

bp = Blueprint("dashboard", __name__, template_folder="templates")


@bp.get("/")
@role_required(ROLE_STAFF)
def index() -> Any:
    """Home page with the figures of the bodies the user may see."""
    body_count = db.session.scalar(scoped(select(func.count(Body.id)), Body, current_user))
    staff_count = db.session.scalar(
        scoped(select(func.count(User.id)), User, current_user).where(User.active.is_(True))
    )
    return render_template("dashboard/index.html", body_count=body_count, staff_count=staff_count)
