"""How far each county has come in its rollout, for the municipal administrator: its own
staff's logins and actions, the bank and templates per post category, sittings held, and
the status they give (``rollout_status``). A fixed number of grouped queries for any
number of bodies; nothing here reads the request."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, distinct, func, select

from examsite.auth.models import User
from examsite.core.audit import AuditEvent
from examsite.core.body import Body
from examsite.dashboard.rollout_status import STALE_AFTER, RolloutStatus, rollout_status
from examsite.dashboard.todo import templates_for
from examsite.dashboard.todo_figures import pools
from examsite.exams.domain import drawing
from examsite.exams.domain.paper_spec import PoolItem
from examsite.exams.models import POST_CATEGORIES, Attempt, Candidate, PaperTemplate, Sitting
from examsite.exams.papers import spec_of
from examsite.exams.states import SittingStatus
from examsite.extensions import db

STATUS_LABELS: dict[str, Any] = {
    RolloutStatus.NOT_STARTED: _l("未启用"),
    RolloutStatus.CONFIGURING: _l("配置中"),
    RolloutStatus.LIVE: _l("已上线"),
    RolloutStatus.STALLED: _l("停滞"),
}

#: The audit action of a successful staff login (auth.services.login).
LOGIN = "auth.login"


@dataclass(frozen=True)
class Missing:
    """One thing a body lacks, and the page (endpoint, with the body's code) that fixes it."""

    key: str
    text: str
    endpoint: str


@dataclass
class Readiness:
    """One body's rollout figures; ``status`` and ``missing`` are derived from them."""

    body: Body
    now: datetime
    staff: int = 0
    #: Active accounts whose one-time password has not been replaced yet (never logged in).
    unused_passwords: int = 0
    first_login: datetime | None = None
    #: Latest audited action by the body's own staff (logins included).
    last_activity: datetime | None = None
    #: The post categories that matter here: those of its candidates and templates, or all.
    categories: list[str] = field(default_factory=list)
    #: Per category: how many paper templates it may use.
    templates: dict[str, int] = field(default_factory=dict)
    #: Per category: whether the bank can fill its templates (or has a question, if none).
    bank: dict[str, bool] = field(default_factory=dict)
    first_sitting: datetime | None = None
    recent_sittings: int = 0
    recent_candidates: int = 0

    @property
    def bank_ready(self) -> bool:
        return all(self.bank.values())

    @property
    def templates_ready(self) -> bool:
        return all(self.templates.values())

    @property
    def status(self) -> RolloutStatus:
        return rollout_status(
            first_login=self.first_login,
            last_activity=self.last_activity,
            bank_ready=self.bank_ready,
            templates_ready=self.templates_ready,
            sitting_held=self.first_sitting is not None,
            now=self.now,
        )

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def missing(self) -> list[Missing]:
        """What the body still lacks, each with the page that fixes it."""
        items = []
        if self.first_login is None:
            items.append(Missing("login", _("本机关人员尚未登录"), "bodies.detail"))
        if self.unused_passwords:
            items.append(
                Missing(
                    "passwords",
                    _("%(n)s 个一次性密码未使用", n=self.unused_passwords),
                    "bodies.detail",
                )
            )
        short = [c for c in self.categories if not self.bank.get(c)]
        if short:
            items.append(Missing("bank", _("题库不够组卷：%(c)s", c=_names(short)), "bank.index"))
        lacking = [c for c in self.categories if not self.templates.get(c)]
        if lacking:
            items.append(
                Missing("templates", _("没有试卷方案：%(c)s", c=_names(lacking)), "exams.templates")
            )
        if self.first_sitting is None:
            items.append(Missing("sitting", _("尚未举行考试"), "exams.sittings"))
        return items


def _names(keys: Sequence[str]) -> str:
    return "、".join(str(POST_CATEGORIES.get(k, k)) for k in keys)


def readiness(bodies: Sequence[Body], now: datetime) -> list[Readiness]:
    """The rollout figures of each body, in the order given (``now`` in naive UTC)."""
    rows = {b.id: Readiness(body=b, now=now) for b in bodies}
    ids = list(rows)
    if not ids:
        return []
    for body_id, staff, unused, last_login in db.session.execute(
        select(
            User.body_id,
            func.count(User.id),
            func.sum(case((User.must_change_password.is_(True), 1), else_=0)),
            func.min(User.last_login_at),
        )
        .where(User.body_id.in_(ids), User.active.is_(True))
        .group_by(User.body_id)
    ):
        row = rows[body_id]
        row.staff, row.unused_passwords = staff, int(unused or 0)
        row.first_login = last_login  # the audit's first login replaces it below
    # Own staff only: the administrator above looking at a county is not its activity.
    for body_id, first_login, last in db.session.execute(
        select(
            User.body_id,
            func.min(case((AuditEvent.action == LOGIN, AuditEvent.created_at))),
            func.max(AuditEvent.created_at),
        )
        .join(User, AuditEvent.user_id == User.id)
        .where(User.body_id.in_(ids), AuditEvent.body_id == User.body_id)
        .group_by(User.body_id)
    ):
        row = rows[body_id]
        row.first_login = first_login or row.first_login
        row.last_activity = last
    _bank_and_templates(rows, ids)
    _sittings(rows, ids, now)
    return [rows[b.id] for b in bodies]


def _bank_and_templates(rows: dict[int, Readiness], ids: list[int]) -> None:
    """Per post category: the templates it may use, and whether the bank fills them."""
    templates: dict[int, list[PaperTemplate]] = defaultdict(list)
    for template in db.session.scalars(
        select(PaperTemplate).where(PaperTemplate.body_id.in_(ids)).order_by(PaperTemplate.id)
    ):
        templates[template.body_id].append(template)
    used: dict[int, set[str]] = defaultdict(set)
    for body_id, category in db.session.execute(
        select(Candidate.body_id, Candidate.post_category)
        .where(Candidate.body_id.in_(ids))
        .distinct()
    ):
        used[body_id].add(category)
    pool_of = pools([row.body for row in rows.values()])
    for body_id, row in rows.items():
        own = templates[body_id]
        for template in own:
            used[body_id].update(template.post_categories or [])
        row.categories = [c for c in POST_CATEGORIES if c in used[body_id]] or list(POST_CATEGORIES)
        pool = pool_of.get(body_id, [])
        checked: dict[int, bool] = {}  # each template is checked once, whatever it covers
        for category in row.categories:
            meant = templates_for(own, category)
            row.templates[category] = len(meant)
            row.bank[category] = _fills(pool, meant, checked)


def _fills(pool: list[PoolItem], templates: list[PaperTemplate], checked: dict[int, bool]) -> bool:
    """Whether the pool draws every one of the templates (one question, if there are none)."""
    if not templates:
        return bool(pool)
    for template in templates:
        if template.id not in checked:
            checked[template.id] = bool(pool) and not drawing.check_spec(pool, spec_of(template))
        if not checked[template.id]:
            return False
    return True


def _sittings(rows: dict[int, Readiness], ids: list[int], now: datetime) -> None:
    """The first sitting held (closed), and sittings held and candidates who sat them in the
    last ``STALE_AFTER``."""
    since = now - STALE_AFTER
    held = Sitting.status != SittingStatus.DRAFT
    recent = and_(held, Sitting.starts_at >= since, Sitting.starts_at <= now)
    for body_id, first, sittings, candidates in db.session.execute(
        select(
            Sitting.body_id,
            func.min(case((Sitting.status == SittingStatus.CLOSED, Sitting.starts_at))),
            func.count(distinct(case((recent, Sitting.id)))),
            func.count(distinct(case((recent, Attempt.candidate_id)))),
        )
        .outerjoin(Attempt, Attempt.sitting_id == Sitting.id)
        .where(Sitting.body_id.in_(ids))
        .group_by(Sitting.body_id)
    ):
        row = rows[body_id]
        row.first_sitting = first
        row.recent_sittings, row.recent_candidates = sittings, candidates


def counts(rows: Sequence[Readiness]) -> dict[str, int]:
    """How many bodies are in each status, every status listed."""
    found = {status.value: 0 for status in RolloutStatus}
    for row in rows:
        found[row.status.value] += 1
    return found
