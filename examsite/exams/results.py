"""Results: grading a paper and item statistics over graded papers."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select

from examsite.bank.models import (
    QuestionRevision,
)
from examsite.bank.usage import provide_question_stats
from examsite.core.timeutil import utcnow
from examsite.exams.domain import grading
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


@provide_question_stats
def question_stats(question_id: int, body_ids: Iterable[int], limit: int = 5000) -> Any:
    """Item statistics of one question over every graded paper of these bodies.

    Papers hold revision ids in JSON, so the newest ``limit`` graded attempts are scanned.
    """
    from examsite.exams.domain import analysis

    revisions = {
        r.id: r
        for r in db.session.scalars(
            select(QuestionRevision).where(QuestionRevision.question_id == question_id)
        )
    }
    if not revisions:
        return None
    n_options = max(len(r.options) for r in revisions.values())
    attempts = db.session.scalars(
        select(Attempt)
        .where(Attempt.body_id.in_(list(body_ids)), Attempt.status == ATTEMPT_GRADED)
        .order_by(Attempt.id.desc())
        .limit(limit)
    )
    hits = [
        (attempt, position)
        for attempt in attempts
        for position, item in enumerate(attempt.paper or [])
        if item["r"] in revisions
    ]
    chosen = {
        (a.attempt_id, a.position): a.choice
        for a in db.session.scalars(
            select(Answer).where(Answer.attempt_id.in_({attempt.id for attempt, _ in hits}))
        )
    }
    responses = []
    for attempt, position in hits:
        earned, points = (attempt.result or {}).get("items", [])[position]
        responses.append(
            analysis.Response(
                attempt_score=float(attempt.score or 0),
                correct=earned >= points,
                chosen=frozenset(chosen.get((attempt.id, position), ())),
            )
        )
    return analysis.item_stats(responses, n_options)
