"""Which questions a body's bank holds (its own and those shared from the bodies above),
the duplicate checks against it, and its counts."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select

from examsite.bank.formats.model import question_key
from examsite.bank.models import STATUS_ACTIVE, Question
from examsite.core.body import Body
from examsite.extensions import db


def bank_body_ids(body: Body) -> list[int]:
    """The body and every body above it: the banks whose questions it may use."""
    ids = []
    current: Body | None = body
    while current is not None:
        ids.append(current.id)
        current = current.parent
    return ids


def in_bank(body: Body) -> Any:
    """The questions of a body's bank: its own (as edited) and the published ones of the
    bodies above it."""
    above = bank_body_ids(body)[1:] if body.uses_parent_bank else []
    return (Question.body_id == body.id) | (
        Question.body_id.in_(above) & Question.published_revision.is_not(None)
    )


def in_use(body: Body) -> Any:
    """The questions a body's new papers may draw: its own active ones, and the shared ones
    as published to it. A retirement above reaches the bodies below at the next publish
    (which clears ``published_revision``), like any other change, unless the owner retires
    the question "now" (``editing.retire_now``)."""
    above = bank_body_ids(body)[1:] if body.uses_parent_bank else []
    return ((Question.body_id == body.id) & (Question.status == STATUS_ACTIVE)) | (
        Question.body_id.in_(above) & Question.published_revision.is_not(None)
    )


def is_in_use(question: Question, body: Body) -> bool:
    """``in_use`` for one question of the body's bank."""
    if question.body_id == body.id:
        return question.status == STATUS_ACTIVE
    return question.published_revision is not None


def visible_questions(body: Body) -> Select[Any]:
    """Questions a body sees: its own and those shared from the bodies above it."""
    return select(Question).where(in_bank(body))


def stem_key(qtype: str, stem: str) -> str:
    """Indexed fingerprint of the normalized stem (duplicate checks in the database)."""
    # A fingerprint, not security.
    return hashlib.sha1(
        "\x1f".join(question_key(qtype, stem)).encode("utf-8"), usedforsecurity=False
    ).hexdigest()


def existing_keys(body: Body) -> set[tuple[str, str]]:
    """Duplicate keys of the active questions in the body's bank (its own and shared)."""
    rows = db.session.execute(select(Question.qtype, Question.stem).where(in_use(body)))
    return {question_key(qtype, stem) for qtype, stem in rows}


def find_duplicate(
    body: Body, qtype: str, stem: str, exclude_id: int | None = None
) -> Question | None:
    """An active question of the same type and normalized stem in the body's bank."""
    stmt = select(Question).where(
        in_use(body),
        Question.qtype == qtype,
        Question.stem_key == stem_key(qtype, stem),
    )
    if exclude_id is not None:
        stmt = stmt.where(Question.id != exclude_id)
    return db.session.scalars(stmt.limit(1)).first()


@dataclass(frozen=True)
class BankCounts:
    """Active questions per law and type in a body's bank."""

    rows: list[tuple[str, dict[str, int], int]]
    totals: dict[str, int]
    total: int


def bank_counts(body: Body) -> BankCounts:
    rows = db.session.execute(
        select(Question.category, Question.qtype, func.count())
        .where(in_use(body))
        .group_by(Question.category, Question.qtype)
        .order_by(Question.category)
    ).all()
    by_law: dict[str, dict[str, int]] = {}
    totals: dict[str, int] = {}
    for category, qtype, n in rows:
        by_law.setdefault(category, {})[qtype] = n
        totals[qtype] = totals.get(qtype, 0) + n
    table = [(law, types, sum(types.values())) for law, types in by_law.items()]
    return BankCounts(rows=table, totals=totals, total=sum(totals.values()))
