"""Papers: the pool a body draws from, template specs, drawing a room's papers, the key."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable, Sequence

from flask_babel import gettext as _
from sqlalchemy import case, func, select

from examsite.bank.models import (
    PURPOSE_EXAM,
    STATUS_ACTIVE,
    HiddenQuestion,
    Question,
    QuestionRevision,
)
from examsite.bank.services import in_bank
from examsite.core.body import Body
from examsite.exams.domain import drawing, grading
from examsite.exams.models import (
    Answer,
    Attempt,
    Candidate,
    PaperTemplate,
    Sitting,
)
from examsite.extensions import db


def pool_for(body: Body, purpose: str = PURPOSE_EXAM) -> list[drawing.PoolItem]:
    """The active questions of the body's bank for one purpose (exam or practice), each as
    the revision the body may draw: its own as edited, a shared one as published.

    Type, law, difficulty and options come from that revision, never from the question's
    current row: an unpublished edit above must not reach a county's paper."""
    rows = db.session.execute(
        select(
            QuestionRevision.id,
            QuestionRevision.qtype,
            QuestionRevision.category,
            QuestionRevision.difficulty,
            QuestionRevision.options,
        )
        .join(
            Question,
            (QuestionRevision.question_id == Question.id)
            & (
                QuestionRevision.number
                == case(
                    (Question.body_id == body.id, Question.revision),
                    else_=Question.published_revision,
                )
            ),
        )
        .where(
            in_bank(body),
            Question.status == STATUS_ACTIVE,
            Question.purpose == purpose,
            Question.id.not_in(
                select(HiddenQuestion.question_id).where(HiddenQuestion.body_id == body.id)
            ),
        )
    )
    return [
        drawing.PoolItem(
            revision_id=rid,
            qtype=qtype,
            category=category,
            difficulty=difficulty,
            n_options=len(options),
        )
        for rid, qtype, category, difficulty, options in rows
    ]


def spec_of(template: PaperTemplate) -> drawing.PaperSpec:
    return drawing.PaperSpec(
        sections=tuple(
            drawing.Section(
                qtype=s["qtype"],
                count=int(s["count"]),
                points=float(s["points"]),
                law_quotas={k: int(v) for k, v in (s.get("law_quotas") or {}).items()},
                difficulty_quotas={
                    int(k): int(v) for k, v in (s.get("difficulty_quotas") or {}).items()
                },
            )
            for s in template.sections
            if int(s["count"]) > 0
        )
    )


def shortfalls(body: Body, template: PaperTemplate) -> list[drawing.Shortfall]:
    return drawing.check_spec(pool_for(body), spec_of(template))


def describe_shortfalls(items: Iterable[drawing.Shortfall]) -> str:
    from examsite.bank.forms import QTYPE_LABELS

    parts = []
    for s in items:
        what = str(QTYPE_LABELS.get(s.qtype, s.qtype))
        if s.law:
            what += f" {s.law}"
        if s.difficulty:
            what += " " + _("难度%(n)s", n=s.difficulty)
        parts.append(
            _(
                "%(what)s 需要 %(needed)s 道，题库只有 %(available)s 道",
                what=what,
                needed=s.needed,
                available=s.available,
            )
        )
    return "；".join(parts)


def template_for(sitting: Sitting, candidate: Candidate) -> PaperTemplate:
    template_id = (sitting.category_templates or {}).get(candidate.post_category)
    if template_id:
        template = db.session.get(PaperTemplate, int(template_id))
        if template is not None and template.body_id == sitting.body_id:
            return template
    return sitting.template


def draw_for(sitting: Sitting, attempts: Sequence[Attempt]) -> None:
    """Draw papers for these attempts; the room's draw is a pure function of the seed."""
    if sitting.seed is None:
        sitting.seed = random.SystemRandom().randrange(1, 2**62)
    pool = pool_for(sitting.body)
    groups: dict[int, list[Attempt]] = defaultdict(list)
    for attempt in attempts:
        groups[template_for(sitting, attempt.candidate).id].append(attempt)
    for template_id, members in groups.items():
        template = db.session.get(PaperTemplate, template_id)
        assert template is not None
        spec = spec_of(template)
        # Each template group's papers are numbered after those already drawn from it.
        taken = db.session.scalar(
            select(func.coalesce(func.max(Attempt.paper_index), -1)).where(
                Attempt.sitting_id == sitting.id, Attempt.template_id == template_id
            )
        )
        start = int(taken if taken is not None else -1) + 1
        papers = drawing.draw_papers(
            pool, spec, seed=sitting.seed + template_id, count=start + len(members)
        )
        for offset, attempt in enumerate(members):
            items = papers[start + offset]
            attempt.template_id = template_id
            attempt.paper_index = start + offset
            attempt.paper = [
                {"r": i.revision_id, "t": i.qtype, "p": i.points, "o": list(i.option_order)}
                for i in items
            ]
            attempt.duration_minutes = template.duration_minutes
            attempt.pass_mark = template.pass_mark
            attempt.max_score = round(sum(i.points for i in items), 2)


def answer_key(attempt: Attempt) -> list[grading.KeyItem]:
    """The grading key of a paper, from the revisions it drew (edits never change it)."""
    assert attempt.paper is not None
    ids = [item["r"] for item in attempt.paper]
    revisions = {
        r.id: r
        for r in db.session.scalars(select(QuestionRevision).where(QuestionRevision.id.in_(ids)))
    }
    return [
        grading.KeyItem(
            qtype=item["t"],
            correct=frozenset(revisions[item["r"]].answer),
            points=float(item["p"]),
            category=revisions[item["r"]].category,
        )
        for item in attempt.paper
    ]


def answers_by_position(attempt: Attempt) -> dict[int, Answer]:
    return {
        a.position: a
        for a in db.session.scalars(select(Answer).where(Answer.attempt_id == attempt.id))
    }
