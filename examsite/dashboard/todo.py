"""The staff home page's to-do list: per body, the next things to do, in the order a clerk
does them (bank → paper templates → candidates → sittings → slips → opening → signing →
results → statements and oaths → reports).

Each item is a sentence, a count and a link (an endpoint and its arguments; the page adds
the body's code).  Items already done are kept, ticked, for the steps of the preparation,
so a new county sees how far it has come; the later steps show only what is pending.  The
figures come from ``todo_figures`` in a fixed number of queries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import gettext as _

from examsite.core.body import Body
from examsite.dashboard.todo_figures import BodyFigures, SittingRow, figures
from examsite.exams.domain import drawing
from examsite.exams.domain.paper_spec import PoolItem, Section
from examsite.exams.models import POST_CATEGORIES, PaperTemplate
from examsite.exams.papers import describe_shortfalls, spec_of
from examsite.exams.states import SittingStatus

#: A draft sitting starting within this is "to open" (and its slips to print).
OPEN_SOON = timedelta(days=1)
SLIPS_SOON = timedelta(days=7)
#: Sittings listed one by one per step; more are summed up in one line.
MAX_SITTINGS = 5


@dataclass(frozen=True)
class Item:
    """One line of the list."""

    step: str
    text: str
    count: int
    endpoint: str
    args: dict[str, Any] = field(default_factory=dict)
    done: bool = False
    #: A time the page shows after the sentence (a sitting's start), in local time.
    when: datetime | None = None


@dataclass(frozen=True)
class BodyTodo:
    body: Body
    items: list[Item]

    @property
    def pending(self) -> list[Item]:
        return [i for i in self.items if not i.done]


def todo_lists(bodies: Sequence[Body], now: datetime, today: date) -> list[BodyTodo]:
    """The list of each body, in the order given (``now`` in UTC, ``today`` local)."""
    return [BodyTodo(body=f.body, items=_items(f, now)) for f in figures(bodies, now, today)]


def _items(f: BodyFigures, now: datetime) -> list[Item]:
    return [
        *_bank(f),
        *_templates(f),
        *_candidates(f),
        *_sittings(f, now),
        *_records(f),
    ]


# --------------------------------------------------------------------------- bank and templates


def templates_for(templates: Sequence[PaperTemplate], category: str) -> list[PaperTemplate]:
    """The templates meant for a post category: those naming it, else those for any."""
    named = [t for t in templates if category in (t.post_categories or [])]
    return named or [t for t in templates if not t.post_categories]


def _fits(item: PoolItem, section: Section) -> bool:
    """Whether a section could draw the question (a quota of 0 excludes a law)."""
    return (
        item.qtype == section.qtype
        and section.law_quotas.get(item.category, 1) > 0
        and section.difficulty_quotas.get(item.difficulty, 1) > 0
    )


def _category_names(keys: Sequence[str]) -> str:
    if len(keys) == len(POST_CATEGORIES):
        return _("各职务")
    return "、".join(str(POST_CATEGORIES[k]) for k in keys)


def _bank(f: BodyFigures) -> list[Item]:
    """题库: per post category, the questions its templates could draw and whether they
    suffice; categories in the same state share one line."""
    groups: dict[tuple[int, str, tuple[int, ...]], list[str]] = {}
    checked: dict[int, list[Any]] = {}  # each template is checked once, whatever it covers
    for category in POST_CATEGORIES:
        templates = templates_for(f.templates, category)
        short = ""
        if templates:
            sections = [s for t in templates for s in _spec(t)]
            available = sum(1 for i in f.pool if any(_fits(i, s) for s in sections))
            for template in templates:
                if template.id not in checked:
                    checked[template.id] = drawing.check_spec(f.pool, spec_of(template))
                lacking = checked[template.id]
                if lacking:
                    short = _(
                        "“%(template)s”还缺：%(what)s",
                        template=template.name,
                        what=describe_shortfalls(lacking),
                    )
                    break
        else:
            available = len(f.pool)
        key = (available, short, tuple(t.id for t in templates))
        groups.setdefault(key, []).append(category)
    items = []
    for (available, short, template_ids), categories in groups.items():
        text = _(
            "题库：%(categories)s类别可用题目 %(n)s 道",
            categories=_category_names(categories),
            n=available,
        )
        if short:
            text += _("，") + short
        elif template_ids:
            text += _("，够组卷")
        items.append(Item("bank", text, available, "bank.index", done=available > 0 and not short))
    return items


def _spec(template: PaperTemplate) -> tuple[Section, ...]:
    return spec_of(template).sections


def _templates(f: BodyFigures) -> list[Item]:
    """试卷方案: which post categories have none."""
    if not f.templates:
        return [Item("templates", _("试卷方案：尚未建立试卷方案"), 0, "exams.template_new")]
    missing = [c for c in POST_CATEGORIES if not templates_for(f.templates, c)]
    if missing:
        text = _(
            "试卷方案：%(categories)s类别没有适用的试卷方案", categories=_category_names(missing)
        )
        return [Item("templates", text, len(missing), "exams.template_new")]
    text = _("试卷方案：%(n)s 个方案，覆盖全部职务类别", n=len(f.templates))
    return [Item("templates", text, len(f.templates), "exams.templates", done=True)]


# --------------------------------------------------------------------------- candidates


def _candidates(f: BodyFigures) -> list[Item]:
    """拟任命人员: entered, and each in a sitting (or exempt); empty sittings to fill."""
    if not f.candidates:
        return [Item("candidates", _("拟任命人员：尚未录入"), 0, "exams.candidates")]
    items = []
    preparing = [s for s in f.sittings if s.status != SittingStatus.CLOSED]
    if f.unassigned:
        text = _("拟任命人员：%(n)s 人尚未安排考试", n=f.unassigned)
        target = "exams.sittings" if preparing else "exams.sitting_new"
        items.append(Item("candidates", text, f.unassigned, target))
    else:
        text = _("拟任命人员：%(n)s 人均已安排考试", n=f.candidates)
        items.append(Item("candidates", text, f.candidates, "exams.candidates", done=True))
    empty = [s for s in preparing if s.status == SittingStatus.DRAFT and not s.enrolled]
    items += _per_sitting(
        "enroll",
        empty,
        lambda s: _("报名：“%(title)s”尚未报名考生", title=s.title),
        "exams.sitting",
    )
    return items


# --------------------------------------------------------------------------- sittings


def _per_sitting(step: str, rows: list[SittingRow], say: Any, endpoint: str) -> list[Item]:
    items = [
        Item(step, say(s), max(s.enrolled, 1), endpoint, {"sitting_id": s.id}, when=s.starts_at)
        for s in rows[:MAX_SITTINGS]
    ]
    if len(rows) > MAX_SITTINGS:
        more = len(rows) - MAX_SITTINGS
        items.append(Item(step, _("另有 %(n)s 场", n=more), more, "exams.sittings"))
    return items


def _sittings(f: BodyFigures, now: datetime) -> list[Item]:
    """打印准考证, 开放考试, 结束考试, 签字确认, 发布成绩: each sitting where it stands."""
    draft = [s for s in f.sittings if s.status == SittingStatus.DRAFT and s.enrolled]
    live = [s for s in f.sittings if s.status == SittingStatus.OPEN]
    closed = [s for s in f.sittings if s.status == SittingStatus.CLOSED and s.enrolled]
    slips = [
        s
        for s in draft + live
        if s.ends_at > now and s.starts_at <= now + SLIPS_SOON and not s.slips_printed
    ]
    to_open = [s for s in draft if s.starts_at <= now + OPEN_SOON]
    overdue = [s for s in live if s.ends_at <= now]
    return [
        *_per_sitting(
            "slips",
            slips,
            lambda s: _("打印准考证：“%(title)s”%(n)s 名考生", title=s.title, n=s.enrolled),
            "exams.slips",
        ),
        *_per_sitting(
            "open",
            to_open,
            lambda s: _("开放考试：“%(title)s”即将开始，尚未开放", title=s.title),
            "exams.sitting",
        ),
        *_per_sitting(
            "close",
            overdue,
            lambda s: _("结束考试：“%(title)s”考试时间已过，尚未结束", title=s.title),
            "invigilation.panel",
        ),
        *_per_sitting(
            "sign",
            [s for s in closed if not s.signed],
            lambda s: _("考场记录：“%(title)s”尚待签字确认", title=s.title),
            "invigilation.record",
        ),
        *_per_sitting(
            "release",
            [s for s in closed if not s.released],
            lambda s: _("发布成绩：“%(title)s”成绩尚未发布", title=s.title),
            "exams.sitting",
        ),
    ]


# --------------------------------------------------------------------------- records


def _records(f: BodyFigures) -> list[Item]:
    """表态发言, 宪法宣誓, 履职报告: only what is owed."""
    items = []
    if f.statements_missing:
        text = _("表态发言：%(n)s 人的表态发言尚未记录", n=f.statements_missing)
        items.append(Item("statements", text, f.statements_missing, "appointments.index"))
    if f.oaths_missing:
        text = _("宪法宣誓：%(n)s 名已任命人员尚未宣誓", n=f.oaths_missing)
        items.append(Item("oaths", text, f.oaths_missing, "appointments.ceremonies"))
    if f.reports_late:
        text = _("履职报告：%(n)s 项已逾期", n=f.reports_late)
        items.append(Item("reports", text, f.reports_late, "reports.index"))
    if f.reports_soon:
        text = _("履职报告：%(n)s 项 30 天内到期", n=f.reports_soon)
        items.append(Item("reports", text, f.reports_soon, "reports.index"))
    return items
