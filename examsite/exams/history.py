"""A candidate's attempts over sittings: the first test (首考) and its make-ups (补考).

A make-up sitting points at the sitting it makes up for (``Sitting.makeup_of_id``); the
sittings linked that way, in either direction and over any number of steps, are one chain.
Each query here is one statement, whatever the number of sittings or candidates."""

from __future__ import annotations

from collections import defaultdict

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from examsite.exams.models import Attempt, Candidate, Sitting
from examsite.extensions import db

KIND_FIRST = _l("首考")
KIND_MAKEUP = _l("补考")


def kind(sitting: Sitting) -> str:
    """首考 or 补考: what the sitting was for its candidates."""
    return str(KIND_MAKEUP if sitting.makeup_of_id else KIND_FIRST)


def _score_text(score: float) -> str:
    return f"{score:g}"


def result_text(attempt: Attempt) -> str:
    """通过 / 未通过 for a graded attempt, else its state in words (缺考, 未开始 …)."""
    if attempt.passed is not None:
        return _("通过") if attempt.passed else _("未通过")
    return attempt.status_label


def summary(attempt: Attempt) -> str:
    """“补考 78 分 通过”: the attempt in one phrase (its sitting loaded)."""
    parts = [kind(attempt.sitting)]
    if attempt.score is not None:
        parts.append(_("%(score)s 分", score=_score_text(attempt.score)))
    parts.append(result_text(attempt))
    return " ".join(parts)


def chain_ids(sitting: Sitting) -> list[int]:
    """The ids of the sittings in the sitting's make-up chain (itself included), in one
    query over the body's sitting links."""
    links = db.session.execute(
        select(Sitting.id, Sitting.makeup_of_id).where(Sitting.body_id == sitting.body_id)
    ).all()
    neighbours: dict[int, set[int]] = defaultdict(set)
    for sid, of in links:
        if of is not None:
            neighbours[sid].add(of)
            neighbours[of].add(sid)
    seen, todo = {sitting.id}, [sitting.id]
    while todo:
        for other in neighbours[todo.pop()]:
            if other not in seen:
                seen.add(other)
                todo.append(other)
    return sorted(seen)


def chain_attempts(sitting: Sitting) -> dict[int, list[Attempt]]:
    """{candidate id: their attempts in the sitting's chain, oldest first} for every
    candidate of the sitting; empty when the sitting has no first test nor make-up."""
    ids = chain_ids(sitting)
    if len(ids) < 2:
        return {}
    roster = select(Attempt.candidate_id).where(Attempt.sitting_id == sitting.id)
    rows = db.session.scalars(
        select(Attempt)
        .join(Attempt.sitting)
        .where(
            Attempt.body_id == sitting.body_id,
            Attempt.sitting_id.in_(ids),
            Attempt.candidate_id.in_(roster),
        )
        .options(contains_eager(Attempt.sitting))
        .order_by(Sitting.starts_at, Sitting.id)
    )
    by_candidate: dict[int, list[Attempt]] = defaultdict(list)
    for attempt in rows:
        by_candidate[attempt.candidate_id].append(attempt)
    return dict(by_candidate)


def candidate_attempts(candidate: Candidate) -> list[Attempt]:
    """Every attempt of the candidate, with its sitting, oldest first (one query)."""
    return list(
        db.session.scalars(
            select(Attempt)
            .join(Attempt.sitting)
            .where(Attempt.body_id == candidate.body_id, Attempt.candidate_id == candidate.id)
            .options(contains_eager(Attempt.sitting))
            .order_by(Sitting.starts_at, Sitting.id)
        )
    )
