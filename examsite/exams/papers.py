"""Papers: the pool a body draws from, template specs, drawing a room's papers, the key,
the paper as pages show it."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Integer, case, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from examsite.bank.formats.model import TRUE_FALSE_ANSWER_LABELS
from examsite.bank.models import (
    PURPOSE_EXAM,
    HiddenQuestion,
    Question,
    QuestionRevision,
)
from examsite.bank.scope import in_use
from examsite.core.body import Body
from examsite.exams.domain import drawing, grading, paper_spec
from examsite.exams.domain.paper import Paper
from examsite.exams.models import (
    POST_CATEGORIES,
    Answer,
    Attempt,
    PaperTemplate,
    Sitting,
)
from examsite.exams.paper_choice import body_templates, template_for
from examsite.exams.states import ExamError
from examsite.extensions import db


def pool_for(body: Body, purpose: str = PURPOSE_EXAM) -> list[paper_spec.PoolItem]:
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
            in_use(body),
            Question.purpose == purpose,
            Question.id.not_in(
                select(HiddenQuestion.question_id).where(HiddenQuestion.body_id == body.id)
            ),
        )
    )
    return [
        paper_spec.PoolItem(
            revision_id=rid,
            qtype=qtype,
            category=category,
            difficulty=difficulty,
            n_options=len(options),
        )
        for rid, qtype, category, difficulty, options in rows
    ]


def spec_of(template: PaperTemplate) -> paper_spec.PaperSpec:
    return paper_spec.PaperSpec(
        sections=tuple(
            paper_spec.Section(
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


def bank_laws(body: Body) -> dict[str, dict[str, int]]:
    """The laws (question categories) of the body's exam bank, by name, each with how
    many questions of each type it has: what a template's law quotas are picked from."""
    laws: dict[str, dict[str, int]] = {}
    for item in pool_for(body):
        if item.category:
            by_type = laws.setdefault(item.category, {})
            by_type[item.qtype] = by_type.get(item.qtype, 0) + 1
    return dict(sorted(laws.items()))


def shortfalls(body: Body, template: PaperTemplate) -> list[paper_spec.Shortfall]:
    return drawing.check_spec(pool_for(body), spec_of(template))


def describe_shortfalls(items: Iterable[paper_spec.Shortfall]) -> str:
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


def draw_for(sitting: Sitting, attempts: Sequence[Attempt]) -> None:
    """Draw papers for these attempts; the room's draw is a pure function of the seed."""
    if sitting.seed is None:
        sitting.seed = random.SystemRandom().randrange(1, 2**62)
    templates = body_templates(sitting.body_id)
    groups: dict[int, list[Attempt]] = defaultdict(list)
    missing: dict[str, list[str]] = defaultdict(list)
    for attempt in attempts:
        choice = template_for(sitting, attempt.candidate, templates)
        if choice is None:
            missing[attempt.candidate.post_category].append(attempt.candidate.name)
        else:
            groups[choice.template.id].append(attempt)
    if missing:  # enrolled before a template or the sitting changed
        raise ExamError(
            "".join(
                _(
                    "%(category)s类别没有适用的试卷方案，无法为 %(names)s 抽取试卷；"
                    "请先在试卷方案中勾选该职务类别或在考试中指定。",
                    category=str(POST_CATEGORIES.get(c, c)),
                    names="、".join(names),
                )
                for c, names in missing.items()
            )
        )
    pool = pool_for(sitting.body)
    by_id = {t.id: t for t in templates}
    for template_id, members in groups.items():
        template = by_id[template_id]
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
            attempt.paper = Paper.from_drawn(items).to_json()
            attempt.duration_minutes = template.duration_minutes
            attempt.pass_mark = template.pass_mark
            attempt.max_score = round(sum(i.points for i in items), 2)


def answer_key(attempt: Attempt) -> list[grading.KeyItem]:
    """The grading key of a paper, from the revisions it drew (edits never change it)."""
    paper = attempt.paper_items
    assert paper is not None
    revisions = revisions_of(paper)
    return [
        grading.KeyItem(
            qtype=item.qtype,
            correct=frozenset(revisions[item.revision_id].answer),
            points=item.points,
            category=revisions[item.revision_id].category,
        )
        for item in paper
    ]


def answers_by_position(attempt: Attempt) -> dict[int, Answer]:
    return {
        a.position: a
        for a in db.session.scalars(select(Answer).where(Answer.attempt_id == attempt.id))
    }


def revisions_of(paper: Paper) -> dict[int, QuestionRevision]:
    """The revisions a paper drew, by id, in one query."""
    return {
        r.id: r
        for r in db.session.scalars(
            select(QuestionRevision).where(QuestionRevision.id.in_(paper.revision_ids))
        )
    }


@dataclass(frozen=True)
class DisplayedItem:
    """One question as a page shows it: options and choices in displayed order.

    The key fields (``correct``, ``earned``, ``explanation``, ``legal_basis``) are None
    unless the paper was built ``with_key``, which only a finished attempt allows."""

    position: int
    qtype: str
    points: float
    stem: str
    options: list[str]
    #: Displayed indexes of the saved answer.
    selected: list[int]
    seq: int
    flagged: bool
    correct: list[int] | None = None
    earned: float | None = None
    explanation: str | None = None
    legal_basis: str | None = None


def displayed_paper(
    attempt: Attempt,
    revisions: Mapping[int, QuestionRevision] | None = None,
    answers: Mapping[int, Answer] | None = None,
    *,
    with_key: bool = False,
) -> list[DisplayedItem]:
    """What the candidate sees of the paper (the test page, the review, the printed copy).

    ``revisions`` and ``answers`` are loaded when not given (a caller with many papers
    can load them in bulk). ``with_key`` adds the key, and is refused before grading:
    the test page must never carry it."""
    if with_key and not attempt.finished:
        raise ValueError("the key is shown only once the paper is in")
    paper = attempt.paper_items
    if paper is None:
        return []
    if revisions is None:
        revisions = revisions_of(paper)
    if answers is None:
        answers = answers_by_position(attempt)
    earned = (attempt.result or {}).get("items", []) if with_key else []
    shown = []
    for position, item in enumerate(paper):
        rev = revisions[item.revision_id]
        answer = answers.get(position)
        key: dict[str, Any] = {}
        if with_key:
            key = {
                "correct": item.original_to_displayed(rev.answer),
                "earned": earned[position][0] if position < len(earned) else 0,
                "explanation": rev.explanation,
                "legal_basis": rev.legal_basis,
            }
        shown.append(
            DisplayedItem(
                position=position,
                qtype=item.qtype,
                points=item.points,
                stem=rev.stem,
                # True/false options are fixed: every page labels them 对/错.
                options=list(TRUE_FALSE_ANSWER_LABELS)
                if item.qtype == "true_false"
                else item.displayed_options(rev.options),
                selected=item.original_to_displayed(answer.choice) if answer else [],
                seq=answer.seq if answer else 0,
                flagged=answer.flagged if answer else False,
                **key,
            )
        )
    return shown


class question_count(FunctionElement[int]):
    """SQL: how many questions a stored paper holds (either version; NULL when not drawn),
    for queries that read plain columns instead of loading attempts."""

    type = Integer()
    inherit_cache = True
    name = "question_count"


@compiles(question_count, "sqlite")
def _question_count_sqlite(element: question_count, compiler: Any, **kw: Any) -> str:
    paper = compiler.process(element.clauses, **kw)
    return (
        f"CASE json_type({paper}) WHEN 'array' THEN json_array_length({paper}) "
        f"WHEN 'object' THEN json_array_length({paper}, '$.items') END"
    )


@compiles(question_count, "postgresql")
def _question_count_postgresql(element: question_count, compiler: Any, **kw: Any) -> str:
    paper = compiler.process(element.clauses, **kw)
    return (
        f"CASE json_typeof({paper}) WHEN 'array' THEN json_array_length({paper}) "
        f"WHEN 'object' THEN json_array_length({paper} -> 'items') END"
    )
