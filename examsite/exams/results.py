"""Results: grading a paper and item statistics over graded papers."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from sqlalchemy import select

from examsite.bank.models import (
    QuestionRevision,
)
from examsite.bank.usage import provide_question_stats
from examsite.core.timeutil import utcnow
from examsite.exams.domain import analysis, grading
from examsite.exams.domain.paper import PaperItem
from examsite.exams.models import (
    ATTEMPT_GRADED,
    Answer,
    Attempt,
)
from examsite.exams.papers import (
    answer_key,
    answers_by_position,
)
from examsite.exams.states import ATTEMPT
from examsite.extensions import db

#: What item statistics are grouped by (a revision id, a question id).
K = TypeVar("K")


def grade_attempt(attempt: Attempt) -> grading.GradeResult:
    key = answer_key(attempt)
    answers = {a.position: a.choice for a in answers_by_position(attempt).values()}
    result = grading.grade(
        key, answers, scheme=attempt.sitting.scoring, pass_mark=float(attempt.pass_mark or 60)
    )
    attempt.score = result.score
    attempt.max_score = result.max_score
    attempt.passed = result.passed
    attempt.result = {
        "items": [[i.earned, i.points] for i in result.items],
        "by_category": {k: list(v) for k, v in result.by_category.items()},
        "answered": result.answered,
        "correct": result.correct_count,
    }
    ATTEMPT.apply(attempt, "grade")
    attempt.graded_at = utcnow()
    if attempt.result_token is None:
        attempt.result_token = secrets.token_urlsafe(16)
    return result


def item_stats_by(
    attempts: Iterable[Attempt],
    key: Callable[[PaperItem], K | None],
    n_options: Mapping[K, int] | None = None,
) -> dict[K, analysis.ItemStats]:
    """Item statistics over graded papers, the questions grouped by ``key`` (None: left
    out): one revision, one question over its revisions, whatever the caller counts.

    ``n_options`` gives each group's option count, and every group in it is answered (in
    its order, empty ones too); without it the groups are those seen, in first-seen order,
    counting the options their papers showed. Responses keep the attempts' order (it breaks
    ties in the discrimination). Answers are loaded in one query, whatever the number of
    papers."""
    hits: list[tuple[Attempt, int, PaperItem, K]] = []
    for attempt in attempts:
        paper = attempt.paper_items
        if attempt.score is None or not paper:
            continue
        for position, item in enumerate(paper):
            group = key(item)
            if group is not None:
                hits.append((attempt, position, item, group))
    chosen: dict[tuple[int, int], list[int]] = {}
    attempt_ids = list({attempt.id for attempt, _, _, _ in hits})
    if attempt_ids:
        rows = db.session.execute(
            select(Answer.attempt_id, Answer.position, Answer.choice).where(
                Answer.attempt_id.in_(attempt_ids)
            )
        )
        chosen = {(a, p): choice for a, p, choice in rows}
    responses: dict[K, list[analysis.Response]] = {k: [] for k in n_options or {}}
    counts: dict[K, int] = dict(n_options or {})
    for attempt, position, item, group in hits:
        earned, points = _earned(attempt, position, item)
        responses.setdefault(group, []).append(
            analysis.Response(
                attempt_score=float(attempt.score or 0),
                correct=earned >= points,
                chosen=frozenset(chosen.get((attempt.id, position), ())),
            )
        )
        if n_options is None:
            counts[group] = max(counts.get(group, 0), item.n_options)
    return {k: analysis.item_stats(r, counts[k]) for k, r in responses.items()}


def _earned(attempt: Attempt, position: int, item: PaperItem) -> tuple[float, float]:
    """(earned, points) of one question as graded; nothing earned if the result lacks it."""
    items = (attempt.result or {}).get("items", [])
    if position < len(items):
        earned, points = items[position]
        return earned, points
    return 0, item.points


@provide_question_stats
def question_stats(question_id: int, body_ids: Iterable[int], limit: int = 5000) -> Any:
    """Item statistics of one question over every graded paper of these bodies.

    Papers hold revision ids in JSON, so the newest ``limit`` graded attempts are scanned.
    """
    revisions = {
        r.id: r
        for r in db.session.scalars(
            select(QuestionRevision).where(QuestionRevision.question_id == question_id)
        )
    }
    if not revisions:
        return None
    attempts = db.session.scalars(
        select(Attempt)
        .where(Attempt.body_id.in_(list(body_ids)), Attempt.status == ATTEMPT_GRADED)
        .order_by(Attempt.id.desc())
        .limit(limit)
    )
    stats = item_stats_by(
        attempts,
        key=lambda item: question_id if item.revision_id in revisions else None,
        n_options={question_id: max(len(r.options) for r in revisions.values())},
    )
    return stats[question_id]
