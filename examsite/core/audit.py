"""The audit log: one table, one helper. Every staff action goes through record()."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import has_request_context, request
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, select, update
from sqlalchemy.orm import Mapped, mapped_column, relationship

from examsite.core.auditchain import FIELDS, GENESIS, entry_hash
from examsite.core.body import Body
from examsite.core.dialect import insert_for, session_dialect
from examsite.core.roles import ROLE_LABELS
from examsite.core.timeutil import utcnow
from examsite.extensions import Model, db

#: Human labels of audit actions, for the log page and its filter; features add theirs
#: with register_actions().
ACTION_LABELS: dict[str, Any] = {}


def register_actions(labels: dict[str, Any]) -> None:
    ACTION_LABELS.update(labels)


register_actions(
    {
        "auth.login": _l("登录"),
        "auth.logout": _l("退出登录"),
        "auth.login_failed": _l("登录失败"),
        "auth.login_locked": _l("锁定期间尝试登录"),
        "auth.login_disabled": _l("停用账号尝试登录"),
        "auth.login_expired_password": _l("临时密码过期后尝试登录"),
        "auth.password_changed": _l("修改本人密码"),
        "user.create": _l("新建账号"),
        "user.update": _l("修改账号"),
        "user.enable": _l("启用账号"),
        "user.disable": _l("停用账号"),
        "user.reset_password": _l("重置密码"),
        "body.create": _l("新建机关"),
        "body.update": _l("修改机关"),
        "audit.chain_opened": _l("建立审计链"),
    }
)

# --------------------------------------------------------------------------- labels of details
#
# What an entry names is shown in words, never as a stored key: the target's record type
# (TARGET_LABELS), each detail key (DETAIL_LABELS, with per-action overrides) and the known
# values of a key (VALUE_LABELS: enums; booleans are always 是/否). Labels are lazy
# translations or N_-marked Chinese strings; describe() translates both.

#: The record type an entry's target is (its class name) -> label.
TARGET_LABELS: dict[str, Any] = {
    "Answer": _l("答题记录"),
    "Appointment": _l("任命事项"),
    "AppointmentRules": _l("任命规则"),
    "Attempt": _l("考生考试记录"),
    "AuditChainHead": _l("审计链"),
    "AuditEvent": _l("审计记录"),
    "BankImport": _l("题库导入"),
    "Body": _l("机关"),
    "Candidate": _l("拟任命人员"),
    "Ceremony": _l("宪法宣誓仪式"),
    "CeremonyParticipant": _l("宣誓人员"),
    "HiddenQuestion": _l("不使用的共享题目"),
    "Incident": _l("考场情况记录"),
    "LoginThrottle": _l("登录限制"),
    "Meeting": _l("常委会会议"),
    "PaperEntry": _l("纸质答题卡录入"),
    "PaperTemplate": _l("试卷方案"),
    "Question": _l("题目"),
    "QuestionRevision": _l("题目版本"),
    "Rectification": _l("整改"),
    "ReminderLog": _l("提醒记录"),
    "ReportPlan": _l("报告计划"),
    "ReportSettings": _l("报告设置"),
    "ReportSubject": _l("报告人员"),
    "Sitting": _l("考试场次"),
    "Statement": _l("表态发言"),
    "Term": _l("届次"),
    "User": _l("账号"),
    "chain": _l("审计链"),
}

#: Detail key -> label, for every key any record() call writes (tests/test_labels.py
#: checks this against the source). (action, key) entries override the plain key's.
DETAIL_LABELS: dict[Any, Any] = {
    "added": _l("新增人数"),
    "admin": _l("管理员账号"),
    "after_signoff": _l("签字确认后修改"),  # in entries written before signed sittings froze
    "answered": _l("已录入题数"),
    "basically": _l("基本满意"),
    "candidate": _l("考生"),
    "candidates": _l("考生人数"),
    "category": _l("类别"),
    "chain": _l("审计链"),
    "closed": _l("结束跟踪"),
    "code": _l("代码"),
    "count": _l("数量"),
    "date": _l("日期"),
    "delivered": _l("已发言"),
    "due": _l("截止日期"),
    "errors": _l("错误数"),
    "fields": _l("修改的字段"),
    "file": _l("文件"),
    "filename": _l("文件名"),
    "format": _l("格式"),
    "id_number": _l("身份证号"),
    "identity": _l("身份信息"),
    "imported": _l("导入题数"),
    "ip": _l("IP 地址"),
    "level": _l("级别"),
    "meeting": _l("会议"),
    "method": _l("方式"),
    "minutes": _l("分钟数"),
    "mode": _l("报告方式"),
    "name": _l("名称"),
    "new": _l("新值"),
    "number": _l("编号"),
    "of": _l("原考试场次"),
    "old": _l("原值"),
    "outcome": _l("结果"),
    "own_questions": _l("可自行出题"),
    "papers": _l("试卷数"),
    "parent": _l("上级机关"),
    "placed": _l("已安排人数"),
    "post_categories": _l("职务类别"),
    "post_keyword": _l("职务包含"),
    "present": _l("出席"),
    "problems": _l("问题数"),
    "public_practice": _l("公开模拟练习"),
    "purpose": _l("用途"),
    "questions": _l("题目数"),
    "reason": _l("原因"),
    "require_appointed_for_oath": _l("只有已任命的人员才能参加宪法宣誓"),
    "require_test": _l("未通过考试且无免考记录的，不能记为已任命"),
    "revision": _l("版本"),
    "role": _l("角色"),
    "rows": _l("行数"),
    "satisfied": _l("满意"),
    "score": _l("得分"),
    "seat": _l("座位"),
    "sitting": _l("考试场次"),
    "skipped": _l("跳过数"),
    "subjects": _l("报告人员数"),
    "templates": _l("试卷方案"),
    "threshold": _l("满意票（满意 + 基本满意）须超过出席人数的百分之几"),
    "title": _l("名称"),
    "unsatisfied": _l("不满意"),
    "username": _l("用户名"),
    "uses_parent_bank": _l("使用上级题库"),
    "valid_only": _l("只导入无误的题目"),
    "what": _l("导出内容"),
    # A person's name, not a record's.
    ("appointment.create", "name"): _l("姓名"),
    ("candidate.create", "name"): _l("姓名"),
    ("candidate.delete", "name"): _l("姓名"),
    ("candidate.reveal_id", "name"): _l("姓名"),
    ("candidate.update", "name"): _l("姓名"),
    ("report.subject_add", "name"): _l("姓名"),
    ("user.update", "name"): _l("姓名"),
    # The candidate fields an edit names (candidate.update "fields" and "identity").
    ("candidate.update", "work_unit"): _l("工作单位"),
    ("candidate.update", "proposed_post"): _l("拟任职务"),
    ("candidate.update", "post_category"): _l("职务类别"),
    ("candidate.update", "batch"): _l("任命批次"),
    ("candidate.update", "phone"): _l("联系电话"),
    ("candidate.login_failed", "code"): _l("准考证号"),
    ("meeting.create", "number"): _l("会议次数"),
    ("meeting.update", "number"): _l("会议次数"),
    ("term.create", "number"): _l("届次"),
    ("appointment.vote", "outcome"): _l("表决结果"),
    ("appointment.vote", "date"): _l("表决日期"),
    ("report.vote", "outcome"): _l("测评结果"),
    ("report.vote", "present"): _l("出席人数"),
    ("report.record", "delivered"): _l("报告日期"),
    ("report.rectification", "due"): _l("整改期限"),
    ("ceremony.check_in", "method"): _l("签到方式"),
    ("appointment.export", "what"): _l("导出内容"),
}

#: Keys whose value lists the names of changed fields: each name is shown as a label.
FIELD_LIST_KEYS = frozenset({"fields"})

#: (action or None, key) -> {stored value: label}; features add theirs with register_values.
VALUE_LABELS: dict[tuple[str | None, str], dict[Any, Any]] = {}


def register_targets(labels: dict[str, Any]) -> None:
    TARGET_LABELS.update(labels)


def register_details(labels: dict[str, Any], *, action: str | None = None) -> None:
    """Labels of detail keys; with ``action``, only for that action's entries."""
    DETAIL_LABELS.update({(action, k) if action else k: v for k, v in labels.items()})


def register_values(key: str, labels: dict[Any, Any], *, action: str | None = None) -> None:
    """Labels of the known values of a detail key (an enum's stored values)."""
    VALUE_LABELS.setdefault((action, key), {}).update(labels)


register_values("role", dict(ROLE_LABELS))


def _text(label: Any) -> str:
    """A label in the UI's language: a lazy string, or an N_-marked one."""
    return gettext(label) if isinstance(label, str) else str(label)


def detail_label(action: str, key: str) -> str:
    label = DETAIL_LABELS.get((action, key), DETAIL_LABELS.get(key))
    return key if label is None else _text(label)


def _value_label(action: str, key: str, value: Any) -> str | None:
    for scope in ((action, key), (None, key)):
        labels = VALUE_LABELS.get(scope)
        if labels is not None and isinstance(value, str | int) and value in labels:
            return _text(labels[value])
    return None


def detail_text(action: str, key: str, value: Any) -> str:
    """A detail value in words: 是/否, known values by label, old → new, lists with 、."""
    if isinstance(value, bool):
        return gettext("是") if value else gettext("否")
    if value is None or value == "":
        return "—"
    if isinstance(value, dict):
        return "；".join(
            f"{detail_label(action, k)}：{detail_text(action, k, v)}" for k, v in value.items()
        )
    if isinstance(value, list | tuple):
        if key in FIELD_LIST_KEYS:
            return "、".join(
                _value_label(action, key, name) or detail_label(action, str(name)) for name in value
            )
        items = [detail_text(action, key, item) for item in value]
        # A change is recorded as [old, new].
        return " → ".join(items) if len(items) == 2 else "、".join(items)
    label = _value_label(action, key, value)
    return label if label is not None else str(value)


@dataclass(frozen=True)
class Described:
    """An entry as the log shows it: every key and known value in words."""

    action: str
    target: str
    details: list[tuple[str, str]]


def describe(event: AuditEvent) -> Described:
    action = ACTION_LABELS.get(event.action)
    target = ""
    if event.target_type:
        kind = TARGET_LABELS.get(event.target_type)
        name = event.target_type if kind is None else _text(kind)
        target = f"{name} #{event.target_id}" if event.target_id else name
    return Described(
        action=event.action if action is None else _text(action),
        target=target,
        details=[
            (detail_label(event.action, key), detail_text(event.action, key, value))
            for key, value in event.details_dict.items()
        ],
    )


#: The action of the global chain's entry that names each new chain (see _link).
CHAIN_OPENED = "audit.chain_opened"
#: How much of a typed value (a user name, an admission code) a failure entry keeps.
FAILURE_TEXT_MAX = 64


class AuditEvent(Model):
    """Who did what to which record, when and from where.

    Entries are never edited or deleted by the site; each carries the hash of the previous
    entry of its body's chain (see auditchain.py and `flask audit verify`).
    """

    __tablename__ = "audit_events"
    __table_args__ = (UniqueConstraint("chain", "chain_seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    #: The acting staff member; empty for anonymous events such as a failed login.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    #: The acting user's name at that time, kept even if the account is renamed.
    actor: Mapped[str] = mapped_column(String(64), default="")
    body_id: Mapped[int | None] = mapped_column(ForeignKey("bodies.id"), index=True)
    #: Dotted verb, e.g. "auth.login", "user.create".
    action: Mapped[str] = mapped_column(String(64), index=True)
    target_type: Mapped[str] = mapped_column(String(32), default="")
    target_id: Mapped[str] = mapped_column(String(64), default="")
    details: Mapped[str] = mapped_column(Text, default="")
    ip: Mapped[str] = mapped_column(String(64), default="")
    #: Repeated failed logins from one client within one minute share one entry; this
    #: counts them (outside the hash: the entry was sealed at the first of them).
    repeats: Mapped[int] = mapped_column(default=1, server_default="1")
    #: The hash chain: the body's id (0 for events of no body), the entry's number in that
    #: chain, the previous entry's hash and this entry's.
    chain: Mapped[int]
    chain_seq: Mapped[int]
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    body: Mapped[Body | None] = relationship()

    def chain_fields(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in FIELDS}

    @property
    def details_dict(self) -> dict[str, Any]:
        return json.loads(self.details) if self.details else {}


def record(
    action: str,
    *,
    target: Any = None,
    body: Body | int | None = None,
    user: Any = None,
    actor: str | None = None,
    **details: Any,
) -> AuditEvent:
    """Add an audit event to the current transaction (the caller commits).

    ``body`` defaults to the target's body, then the acting user's body.
    """
    if target is not None and getattr(target, "id", 0) is None:
        db.session.flush()  # the event must name the new row's id
    if user is None and has_request_context() and current_user.is_authenticated:
        user = current_user
    staff = user if getattr(user, "is_staff", False) else None
    body_id: int | None
    if isinstance(body, Body):
        body_id = body.id
    elif body is not None:
        body_id = body
    elif target is not None and getattr(target, "body_id", None) is not None:
        body_id = target.body_id
    elif target is not None and isinstance(target, Body):
        body_id = target.id
    else:
        body_id = getattr(user, "body_id", None)
    if actor is None:
        actor = getattr(user, "username", "") or ("" if has_request_context() else "cli")
    event = AuditEvent(
        user_id=staff.id if staff is not None else None,
        # Typed input (a failed login's user name) may be longer than the column.
        actor=actor[:64],
        body_id=body_id,
        action=action,
        target_type=type(target).__name__ if target is not None else "",
        target_id=str(getattr(target, "id", ""))[:64] if target is not None else "",
        details=json.dumps(details, ensure_ascii=False, default=str) if details else "",
        ip=(request.remote_addr or "")[:64] if has_request_context() else "cli",
    )
    _link(event)
    db.session.add(event)
    return event


def record_failure(
    action: str,
    *,
    actor: str,
    body: Body | int | None = None,
    **details: Any,
) -> AuditEvent:
    """Add a failed attempt by a client that is not signed in (the caller commits).

    For input typed by anyone, e.g. ``record_failure("auth.login_failed", actor=name,
    body=user.body_id if user else None, username=name)``: ``actor`` and every text in
    ``details`` keep at most ``FAILURE_TEXT_MAX`` characters. A repeat of the same ``action``
    from the same client address, for the same body, within the same clock minute does not
    add an entry: it adds one to the ``repeats`` of the first (whose fields, sealed in the
    hash chain, stay those of the first attempt; ``repeats`` is outside the hash).
    """
    body_id = body.id if isinstance(body, Body) else body
    ip = (request.remote_addr or "")[:64] if has_request_context() else "cli"
    now = utcnow()
    minute = now.replace(second=0, microsecond=0)
    same = db.session.scalar(
        select(AuditEvent)
        .where(
            AuditEvent.action == action,
            AuditEvent.ip == ip,
            AuditEvent.body_id.is_(None) if body_id is None else AuditEvent.body_id == body_id,
            AuditEvent.created_at >= minute,
            AuditEvent.created_at < minute + timedelta(minutes=1),
        )
        .order_by(AuditEvent.id)
        .limit(1)
    )
    if same is not None:
        # One UPDATE adding 1, so concurrent repeats are all counted.
        db.session.execute(
            update(AuditEvent)
            .where(AuditEvent.id == same.id)
            .values(repeats=AuditEvent.repeats + 1)
            .execution_options(synchronize_session=False)
        )
        db.session.refresh(same, ["repeats"])
        return same
    cut = {
        key: value[:FAILURE_TEXT_MAX] if isinstance(value, str) else value
        for key, value in details.items()
    }
    # No acting user, whoever else may be signed in on that browser (a candidate on a shared
    # exam PC): the entry belongs to the body given, or to none.
    event = AuditEvent(
        user_id=None,
        actor=actor[:FAILURE_TEXT_MAX],
        body_id=body_id,
        action=action,
        target_type="",
        target_id="",
        details=json.dumps(cut, ensure_ascii=False, default=str) if cut else "",
        ip=ip,
        created_at=now,
    )
    _link(event)
    db.session.add(event)
    return event


class AuditChainHead(Model):
    """The newest entry of each chain, so that deleting the last entries shows."""

    __tablename__ = "audit_chain_heads"

    chain: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(default=0)
    hash: Mapped[str] = mapped_column(String(64), default=GENESIS)


def _link(event: AuditEvent) -> None:
    """Append the event to its chain.

    The head row is locked (FOR UPDATE on PostgreSQL; SQLite has one writer at a time) until
    the transaction ends, so two concurrent transactions cannot fork a chain; the unique
    (chain, chain_seq) constraint backs this up. A body's first event also adds an entry
    to the global chain (0) naming the new chain, so that deleting a whole chain, head and
    all, still shows (`flask audit verify`).
    """
    event.chain = event.body_id or 0
    event.created_at = event.created_at or utcnow()
    insert = insert_for(session_dialect())
    head = db.session.scalar(
        select(AuditChainHead).where(AuditChainHead.chain == event.chain).with_for_update()
    )
    if head is None:
        db.session.execute(
            insert(AuditChainHead)
            .values(chain=event.chain, seq=0, hash=GENESIS)
            .on_conflict_do_nothing(index_elements=["chain"])
        )
        head = db.session.scalars(
            select(AuditChainHead)
            .where(AuditChainHead.chain == event.chain)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).one()
        if event.chain != 0 and head.seq == 0:
            _register_chain(event)
    event.chain_seq = head.seq + 1
    event.prev_hash = head.hash
    event.hash = entry_hash(head.hash, event.chain_fields())
    head.seq, head.hash = event.chain_seq, event.hash


def _register_chain(first: AuditEvent) -> None:
    """Note in the global chain that ``first`` opens a new chain (who and whence as it)."""
    entry = AuditEvent(
        user_id=first.user_id,
        actor=first.actor,
        body_id=None,
        action=CHAIN_OPENED,
        target_type="chain",
        target_id=str(first.chain),
        details=json.dumps({"chain": first.chain}),
        ip=first.ip,
        created_at=first.created_at,
    )
    _link(entry)
    db.session.add(entry)
