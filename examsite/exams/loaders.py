"""Loading a sitting or an attempt for a staff page: the one place that checks the row
belongs to the body in the URL (and, for the room, that the user may invigilate it).
Another body's id, or an attempt of another sitting, is a 404."""

from __future__ import annotations

from typing import Any

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from examsite.core.body import Body
from examsite.core.params import ID_MAX
from examsite.core.roles import ROLE_BODY_ADMIN
from examsite.core.tenancy import get_in_body_or_404
from examsite.exams.models import Attempt, Sitting
from examsite.extensions import db

#: For a page that lists the roster: the attempts and their candidates come with the
#: sitting, in one more query whatever the room's size (not one per candidate).
WITH_ROSTER = selectinload(Sitting.attempts).joinedload(Attempt.candidate)

#: For a list of sittings showing each one's number of candidates: only the attempts' ids,
#: for all the listed sittings in one query.
WITH_ATTEMPT_IDS = selectinload(Sitting.attempts).load_only(Attempt.id)


def sitting_in(body: Body, sitting_id: int, *options: Any) -> Sitting:
    return get_in_body_or_404(Sitting, body, sitting_id, *options)


def may_invigilate(user: Any, sitting: Sitting) -> bool:
    """Body admins, and staff assigned to the sitting."""
    return user.has_role(ROLE_BODY_ADMIN) or any(u.id == user.id for u in sitting.invigilators)


def room_of(body: Body, sitting_id: int, user: Any) -> Sitting:
    """The sitting for its invigilators (and the body's admins); anyone else gets a 404."""
    sitting = sitting_in(body, sitting_id)
    if not may_invigilate(user, sitting):
        abort(404)
    return sitting


def attempt_in(sitting: Sitting, attempt_id: int | None) -> Attempt:
    attempt = (
        db.session.scalars(
            select(Attempt).where(Attempt.id == attempt_id, Attempt.sitting_id == sitting.id)
        ).first()
        if attempt_id and 0 < attempt_id <= ID_MAX  # a larger number is no row (not a 500)
        else None
    )
    if attempt is None:
        abort(404)
    return attempt
