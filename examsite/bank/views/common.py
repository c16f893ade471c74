"""What the question and the file pages of the bank share."""

from __future__ import annotations

from flask import abort
from sqlalchemy import select

from examsite.bank import scope
from examsite.bank.models import Question
from examsite.core.body import Body
from examsite.extensions import db


def categories(body: Body) -> list[str]:
    """The categories (laws) in the body's bank, for the filter and export forms."""
    rows = db.session.scalars(
        select(Question.category).distinct().where(scope.in_bank(body)).order_by(Question.category)
    )
    return [c for c in rows if c]


def check_own_questions(body: Body) -> None:
    """A body set up to use only the shared bank cannot add questions of its own."""
    if not body.own_questions:
        abort(403)
