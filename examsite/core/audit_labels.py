"""The audit log in words: what every action, record type, detail key and known value is
called, and ``describe()``, which shows an entry with them.

These tables hold the core's own labels; features add theirs with ``audit.register_*()``.
Labels are lazy translations or N_-marked Chinese strings; ``describe()`` translates both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from examsite.core.roles import ROLE_LABELS

if TYPE_CHECKING:
    from examsite.core.audit import AuditEvent

#: Human labels of audit actions, for the log page and its filter.
ACTION_LABELS: dict[str, Any] = {
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

# --------------------------------------------------------------------------- labels of details
#
# What an entry names is shown in words, never as a stored key: the target's record type
# (TARGET_LABELS), each detail key (DETAIL_LABELS, with per-action overrides) and the known
# values of a key (VALUE_LABELS: enums; booleans are always 是/否). Labels are lazy
# translations or N_-marked Chinese strings.

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
    "retired": _l("停用题目数"),
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
VALUE_LABELS: dict[tuple[str | None, str], dict[Any, Any]] = {(None, "role"): dict(ROLE_LABELS)}


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
    """The entry in words, for every page that lists entries."""
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
