"""Sharing a bank down the hierarchy: publishing the current revisions to the bodies
below, which revision a body below sees, and a body below hiding shared questions."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from examsite.bank.errors import BankError
from examsite.bank.models import (
    STATUS_ACTIVE,
    STATUS_RETIRED,
    HiddenQuestion,
    Question,
    QuestionRevision,
)
from examsite.core import audit
from examsite.core.body import Body
from examsite.extensions import db


def _pending(body: Body) -> Any:
    """Own questions whose state the bodies below do not have yet: an active one whose
    current revision is not published, a retired one they still draw."""
    return (Question.body_id == body.id) & (
        (
            (Question.status == STATUS_ACTIVE)
            & (
                (Question.published_revision.is_(None))
                | (Question.published_revision != Question.revision)
            )
        )
        | ((Question.status == STATUS_RETIRED) & Question.published_revision.is_not(None))
    )


def unpublished_count(body: Body) -> int:
    """Own questions with a change the bodies below do not have yet (an edit, a new
    question, a retirement)."""
    return db.session.scalar(select(func.count()).select_from(Question).where(_pending(body))) or 0


def publish(body: Body) -> int:
    """Publish every pending change of the body's own questions to the bodies below: the
    current revision of each active question, and each retirement (the question leaves
    their draws)."""
    rows = db.session.scalars(select(Question).where(_pending(body))).all()
    retired = 0
    for question in rows:
        if question.status == STATUS_RETIRED:
            question.published_revision = None
            retired += 1
        else:
            question.published_revision = question.revision
    audit.record(
        "bank.publish", target=body, body=body, questions=len(rows) - retired, retired=retired
    )
    db.session.flush()
    return len(rows)


def published_revisions(questions: list[Question], body: Body) -> dict[int, QuestionRevision]:
    """For shared questions on a page: the published revision the body sees (one query)."""
    wanted = {q.id: q.published_revision for q in questions if q.body_id != body.id}
    if not wanted:
        return {}
    rows = db.session.scalars(
        select(QuestionRevision).where(QuestionRevision.question_id.in_(list(wanted)))
    )
    return {r.question_id: r for r in rows if wanted.get(r.question_id) == r.number}


def hidden_ids(body: Body) -> set[int]:
    """Shared questions this body has hidden from its draws."""
    return set(
        db.session.scalars(
            select(HiddenQuestion.question_id).where(HiddenQuestion.body_id == body.id)
        )
    )


def set_hidden(body: Body, question: Question, hidden: bool) -> None:
    """Hide a question shared from above from this body's draws (or show it again)."""
    if question.body_id == body.id:
        raise BankError([_("本机关自己的题目请直接停用。")])
    row = db.session.get(HiddenQuestion, (body.id, question.id))
    if hidden and row is None:
        db.session.add(HiddenQuestion(body_id=body.id, question_id=question.id))
    elif not hidden and row is not None:
        db.session.delete(row)
    audit.record("question.hide" if hidden else "question.unhide", target=question, body=body)
    db.session.flush()


audit.register_actions(
    {
        "question.hide": _l("不使用上级共享题目"),
        "bank.publish": _l("发布题库给下级机关"),
        "question.unhide": _l("恢复使用上级共享题目"),
    }
)
