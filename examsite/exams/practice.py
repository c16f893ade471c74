"""模拟练习: rounds of questions drawn from the practice set only, each answer graded
against the question that was on the page, the key and explanation shown after.

The practice set is not secret; the live bank is. No paper draws a practice question and
no practice shows an exam question (``pool_for(body, purpose)``), and a question once
shown in practice is marked so it can never be moved into the exam (``bank.editing``)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import update

from examsite.bank.models import PURPOSE_PRACTICE, Question, QuestionRevision
from examsite.core.body import Body
from examsite.core.timeutil import utcnow
from examsite.exams.domain.paper import PaperItem
from examsite.exams.papers import pool_for
from examsite.extensions import db

#: Questions in one practice round.
ROUND_SIZE = 10


@dataclass(frozen=True)
class Shown:
    """One practice question as the page shows it: options in a shuffled order."""

    revision: QuestionRevision
    #: Original option index for each displayed option.
    order: tuple[int, ...]
    #: Signed (revision, order, number): the answer is graded against this question.
    token: str

    @property
    def item(self) -> PaperItem:
        """The question as a one-item paper would hold it (practice counts no points)."""
        return PaperItem(self.revision.id, self.revision.qtype, 0.0, self.order)

    @property
    def options(self) -> list[str]:
        return self.item.displayed_options(self.revision.options)

    @property
    def correct(self) -> list[int]:
        """Displayed indexes of the right options."""
        return self.item.original_to_displayed(self.revision.answer)


@dataclass(frozen=True)
class Feedback:
    right: bool
    #: Displayed indexes the candidate chose.
    chosen: list[int]


def _serializer(secret: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt="examsite.practice")


def new_round(body: Body, rng: random.Random) -> dict[str, Any]:
    """A new round's state (kept in the session): which practice revisions, where we are."""
    pool = [item.revision_id for item in pool_for(body, PURPOSE_PRACTICE)]
    return {"b": body.id, "ids": rng.sample(pool, min(ROUND_SIZE, len(pool))), "i": 0, "right": 0}


def practice_revision(body: Body, revision_id: int) -> QuestionRevision | None:
    """The revision if it is one the body's practice may show now, else None."""
    if revision_id not in {i.revision_id for i in pool_for(body, PURPOSE_PRACTICE)}:
        return None
    return db.session.get(QuestionRevision, revision_id)


def show(revision: QuestionRevision, number: int, secret: str, rng: random.Random) -> Shown:
    """Shuffle the options (true/false keeps 对/错) and mark the question as shown."""
    order = list(range(len(revision.options)))
    if revision.qtype != "true_false":
        rng.shuffle(order)
    db.session.execute(
        update(Question)
        .where(Question.id == revision.question_id, Question.practice_shown_at.is_(None))
        .values(practice_shown_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    token = _serializer(secret).dumps({"r": revision.id, "o": order, "n": number})
    return Shown(revision=revision, order=tuple(order), token=token)


def from_token(body: Body, token: str, secret: str) -> tuple[Shown, int] | None:
    """The question a submitted answer is for, from the form's signed token; None when
    the token is forged or the question is no longer in the body's practice set."""
    try:
        data = _serializer(secret).loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("r"), int):
        return None
    revision = practice_revision(body, data["r"])
    order = data.get("o")
    if (
        revision is None
        or not isinstance(order, list)
        or sorted(order) != list(range(len(revision.options)))
    ):
        return None
    return Shown(revision=revision, order=tuple(order), token=token), int(data.get("n", 0))


def grade(shown: Shown, displayed: list[int]) -> Feedback:
    """Right when the chosen displayed options are exactly the right ones."""
    chosen = sorted({d for d in displayed if 0 <= d < len(shown.order)})
    return Feedback(right=chosen == shown.correct, chosen=chosen)
