"""Which paper a candidate gets: the post category chooses the paper template (the rule is
``choose_template``; ``template_for`` applies it to a sitting's candidate). Used by paper
drawing (``papers.draw_for``), enrolment (``sittings.enroll``) and the sitting's pages."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from examsite.exams.models import POST_CATEGORIES, Candidate, PaperTemplate, Sitting
from examsite.extensions import db


def body_templates(body_id: int) -> list[PaperTemplate]:
    """The body's paper templates, in one query: what ``template_for`` chooses from."""
    return list(
        db.session.scalars(
            select(PaperTemplate)
            .where(PaperTemplate.body_id == body_id)
            .order_by(PaperTemplate.name, PaperTemplate.id)
        )
    )


@dataclass(frozen=True)
class PaperChoice:
    """The paper a candidate of a category gets, and whether the sitting's own
    per-category choice decided it (“考试指定”) rather than the automatic rule."""

    template: PaperTemplate
    by_sitting: bool = False


def choose_template(
    category: str,
    *,
    general_id: int | None,
    override_id: int | None,
    templates: Sequence[PaperTemplate],
) -> PaperChoice | None:
    """THE rule for which paper a post category gets (no query; ``templates`` are the
    body's, so another body's id never matches):

    1. the sitting's explicit choice for the category (``category_templates``);
    2. else the template whose ``post_categories`` lists the category; of several, the
       sitting's general template if it is one of them, else the most recently updated
       (then created, then highest id: deterministic);
    3. else the sitting's general template if it lists no categories (a general paper);
    4. else none: the candidate cannot be enrolled."""
    by_id = {t.id: t for t in templates}
    if override_id is not None and override_id in by_id:
        return PaperChoice(by_id[override_id], by_sitting=True)
    meant = [t for t in templates if category in (t.post_categories or [])]
    if meant:
        if general_id is not None and general_id in {t.id for t in meant}:
            return PaperChoice(by_id[general_id])
        return PaperChoice(max(meant, key=lambda t: (t.updated_at, t.created_at, t.id)))
    general = by_id.get(general_id) if general_id is not None else None
    if general is not None and not general.post_categories:
        return PaperChoice(general)
    return None


def template_for(
    sitting: Sitting, candidate: Candidate, templates: Sequence[PaperTemplate]
) -> PaperChoice | None:
    """The paper this candidate gets in this sitting (see ``choose_template``): used by
    paper drawing, enrolment and the sitting page."""
    return category_paper(sitting, candidate.post_category, templates)


def category_paper(
    sitting: Sitting, category: str, templates: Sequence[PaperTemplate]
) -> PaperChoice | None:
    """The paper a candidate of ``category`` gets in this sitting."""
    override = (sitting.category_templates or {}).get(category)
    return choose_template(
        category,
        general_id=sitting.template_id,
        override_id=int(override) if override else None,
        templates=templates,
    )


def longest_paper(
    sitting: Sitting, categories: Iterable[str], templates: Sequence[PaperTemplate]
) -> PaperTemplate | None:
    """The longest paper the sitting gives: its general paper, each per-category choice
    and the paper each of ``categories`` (its candidates' post categories) gets. The
    sitting's window must hold it (``sittings.check_window``)."""
    used = [t for t in templates if t.id == sitting.template_id]
    for category in {*categories, *(sitting.category_templates or {})}:
        choice = category_paper(sitting, category, templates)
        used += [choice.template] if choice else []
    return max(used, key=lambda t: t.duration_minutes, default=None)


def roster_papers(
    sitting: Sitting, templates: Sequence[PaperTemplate]
) -> dict[int, PaperChoice | None]:
    """Per attempt id, the paper: the one drawn once drawn, else the one it will get."""
    by_id = {t.id: t for t in templates}
    chosen = sitting.category_templates or {}
    out = {}
    for a in sitting.attempts:
        drawn = by_id.get(a.template_id) if a.template_id is not None else None
        override = chosen.get(a.candidate.post_category) or 0
        out[a.id] = (
            PaperChoice(drawn, by_sitting=int(override) == drawn.id)
            if drawn is not None
            else template_for(sitting, a.candidate, templates)
        )
    return out


def no_template_message(category: str, names: Iterable[str]) -> str:
    """Why candidates of a post category cannot be enrolled (or get a paper)."""
    return _(
        "%(category)s类别没有适用的试卷方案，请先在试卷方案中勾选该职务类别或在考试中指定"
        "（未报名：%(names)s）。",
        category=str(POST_CATEGORIES.get(category, category)),
        names="、".join(names),
    )
