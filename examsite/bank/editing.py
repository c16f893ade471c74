"""Writing one question at a time: create, edit (each change of content a new revision,
papers keep the old one), change of purpose, retire and restore."""

from __future__ import annotations

from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from examsite.bank.errors import BankError
from examsite.bank.formats.fields import FIELD_LABELS, revision_content
from examsite.bank.formats.model import LABEL_BY_PURPOSE, ParsedQuestion
from examsite.bank.models import (
    PURPOSE_EXAM,
    PURPOSES,
    STATUS_ACTIVE,
    STATUS_RETIRED,
    Question,
    QuestionRevision,
)
from examsite.bank.scope import find_duplicate, stem_key
from examsite.core import audit
from examsite.core.body import Body
from examsite.extensions import db


def create_question(body: Body, data: ParsedQuestion, *, user_id: int | None) -> Question:
    """Add one question (revision 1); refuses a duplicate of an active one."""
    duplicate = find_duplicate(body, data.qtype, data.stem)
    if duplicate is not None:
        raise BankError([_("与已有题目 #%(id)s 重复。", id=duplicate.id)])
    content = revision_content(data)
    question = Question(
        body_id=body.id,
        stem_key=stem_key(data.qtype, data.stem),
        purpose=data.purpose or PURPOSE_EXAM,
        **content,
    )
    question.revisions.append(
        QuestionRevision(number=1, created_by_id=user_id, source="create", **content)
    )
    db.session.add(question)
    audit.record("question.create", target=question, body=body, category=data.category)
    db.session.flush()
    return question


def check_purpose(question: Question, purpose: str) -> None:
    """A practice question once shown (with its key) can never become an exam question."""
    if purpose not in PURPOSES:
        raise BankError([_("用途无效。")])
    if purpose == PURPOSE_EXAM and question.is_practice and question.practice_shown_at:
        raise BankError(
            [
                _(
                    "该题已于 %(when)s 在模拟练习中展示过（答案已公开），不能改为考试题；"
                    "请另写一道新题。",
                    when=format_datetime(question.practice_shown_at, "yyyy-MM-dd HH:mm"),
                )
            ]
        )


def update_question(question: Question, data: ParsedQuestion, *, user_id: int | None) -> bool:
    """Save an edit as a new revision (a change of purpose alone makes none); returns
    False when nothing changed."""
    purpose = data.purpose or question.purpose
    check_purpose(question, purpose)
    content = revision_content(data)
    current = {name: getattr(question, name) for name in content}
    if content == current:
        if purpose == question.purpose:
            return False
        audit.record("question.purpose", target=question, old=question.purpose, new=purpose)
        question.purpose = purpose
        db.session.flush()
        return True
    if purpose != question.purpose:
        audit.record("question.purpose", target=question, old=question.purpose, new=purpose)
        question.purpose = purpose
    if question.is_active:
        duplicate = find_duplicate(question.body, data.qtype, data.stem, exclude_id=question.id)
        if duplicate is not None:
            raise BankError([_("与已有题目 #%(id)s 重复。", id=duplicate.id)])
    question.revision += 1
    for name, value in content.items():
        setattr(question, name, value)
    question.stem_key = stem_key(data.qtype, data.stem)
    question.revisions.append(
        QuestionRevision(number=question.revision, created_by_id=user_id, source="edit", **content)
    )
    changed = sorted(name for name in content if content[name] != current[name])
    audit.record("question.update", target=question, revision=question.revision, fields=changed)
    db.session.flush()
    return True


def set_status(question: Question, status: str) -> None:
    """Retire (never drawn again, kept in old papers) or restore a question. The owner's
    papers stop drawing a retired question at once; the bodies below at the next publish
    (``sharing.publish``), like any other change, unless it is retired now
    (``retire_now``)."""
    if status == question.status:
        return
    if status == STATUS_ACTIVE:
        duplicate = find_duplicate(
            question.body, question.qtype, question.stem, exclude_id=question.id
        )
        if duplicate is not None:
            raise BankError([_("已有相同的在用题目 #%(id)s，不能恢复。", id=duplicate.id)])
    question.status = status
    audit.record(
        "question.restore" if status == STATUS_ACTIVE else "question.retire", target=question
    )
    db.session.flush()


def retire_now(question: Question) -> None:
    """Retire a question for the bodies below too, without waiting for the next publish:
    their next papers do not draw it (papers already drawn keep it)."""
    if question.status == STATUS_ACTIVE:
        set_status(question, STATUS_RETIRED)
    if question.published_revision is None:
        return
    question.published_revision = None
    audit.record("question.retire_now", target=question)
    db.session.flush()


audit.register_actions(
    {
        "question.retire_now": _l("立即停用题目（下级机关同时停用）"),
        "question.create": _l("新建题目"),
        "question.update": _l("修改题目"),
        "question.purpose": _l("更改题目用途（考试/练习）"),
        "question.retire": _l("停用题目"),
        "question.restore": _l("恢复题目"),
    }
)
# The log names changed fields and purposes by their labels (formats.fields, formats.model).
audit.register_values("fields", dict(FIELD_LABELS), action="question.update")
audit.register_values("old", dict(LABEL_BY_PURPOSE), action="question.purpose")
audit.register_values("new", dict(LABEL_BY_PURPOSE), action="question.purpose")
audit.register_details({"old": _l("原用途"), "new": _l("新用途")}, action="question.purpose")
audit.register_details({"category": FIELD_LABELS["category"]}, action="question.create")
