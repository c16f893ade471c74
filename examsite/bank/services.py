"""Question-bank operations: which bank a body sees, edits with revisions, import, export."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, insert, select

from examsite.bank.formats.detect import parse_file
from examsite.bank.formats.fields import FIELD_LABELS, parsed_values, revision_content
from examsite.bank.formats.gift import write_gift
from examsite.bank.formats.model import (
    LABEL_BY_PURPOSE,
    ParsedQuestion,
    ParseResult,
    Problem,
    question_key,
)
from examsite.bank.formats.template import dump_csv, dump_xlsx
from examsite.bank.models import (
    IMPORT_DISCARDED,
    IMPORT_DONE,
    IMPORT_PREVIEWED,
    PURPOSE_EXAM,
    PURPOSES,
    STATUS_ACTIVE,
    BankImport,
    HiddenQuestion,
    Question,
    QuestionRevision,
)
from examsite.core import audit
from examsite.core.body import Body
from examsite.core.errors import UserError
from examsite.core.timeutil import utcnow
from examsite.extensions import db

_BATCH = 1000


class BankError(UserError):
    """A change to the bank was refused; ``problems`` says why (Chinese messages)."""

    def __init__(self, problems: Sequence[Problem | str]) -> None:
        super().__init__("; ".join(p if isinstance(p, str) else p.message for p in problems))
        self.problems = list(problems)


# --------------------------------------------------------------------------- which bank


def bank_body_ids(body: Body) -> list[int]:
    """The body and every body above it: the banks whose questions it may use."""
    ids = []
    current: Body | None = body
    while current is not None:
        ids.append(current.id)
        current = current.parent
    return ids


def in_bank(body: Body) -> Any:
    """The questions of a body's bank: its own (as edited) and the published ones of the
    bodies above it."""
    above = bank_body_ids(body)[1:] if body.uses_parent_bank else []
    return (Question.body_id == body.id) | (
        Question.body_id.in_(above) & Question.published_revision.is_not(None)
    )


def visible_questions(body: Body) -> Select[Any]:
    """Questions a body sees: its own and those shared from the bodies above it."""
    return select(Question).where(in_bank(body))


def stem_key(qtype: str, stem: str) -> str:
    """Indexed fingerprint of the normalized stem (duplicate checks in the database)."""
    # A fingerprint, not security.
    return hashlib.sha1(
        "\x1f".join(question_key(qtype, stem)).encode("utf-8"), usedforsecurity=False
    ).hexdigest()


def existing_keys(body: Body) -> set[tuple[str, str]]:
    """Duplicate keys of the active questions in the body's bank (its own and shared)."""
    rows = db.session.execute(
        select(Question.qtype, Question.stem).where(in_bank(body), Question.status == STATUS_ACTIVE)
    )
    return {question_key(qtype, stem) for qtype, stem in rows}


def find_duplicate(
    body: Body, qtype: str, stem: str, exclude_id: int | None = None
) -> Question | None:
    """An active question of the same type and normalized stem in the body's bank."""
    stmt = select(Question).where(
        in_bank(body),
        Question.status == STATUS_ACTIVE,
        Question.qtype == qtype,
        Question.stem_key == stem_key(qtype, stem),
    )
    if exclude_id is not None:
        stmt = stmt.where(Question.id != exclude_id)
    return db.session.scalars(stmt.limit(1)).first()


def unpublished_count(body: Body) -> int:
    """Own active questions whose current revision the bodies below do not have yet."""
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Question)
            .where(
                Question.body_id == body.id,
                Question.status == STATUS_ACTIVE,
                (Question.published_revision.is_(None))
                | (Question.published_revision != Question.revision),
            )
        )
        or 0
    )


def publish(body: Body) -> int:
    """Publish the current revision of every active own question to the bodies below."""
    rows = db.session.scalars(
        select(Question).where(
            Question.body_id == body.id,
            Question.status == STATUS_ACTIVE,
            (Question.published_revision.is_(None))
            | (Question.published_revision != Question.revision),
        )
    ).all()
    for question in rows:
        question.published_revision = question.revision
    audit.record("bank.publish", target=body, body=body, questions=len(rows))
    db.session.commit()
    return len(rows)


def published_revisions(questions: list[Question], body: Body) -> dict[int, QuestionRevision]:
    """For shared questions on a page: the published revision the body sees (one query)."""
    wanted = {q.id: q.published_revision for q in questions if q.body_id != body.id}
    if not wanted:
        return {}
    rows = db.session.scalars(
        select(QuestionRevision).where(QuestionRevision.question_id.in_(list(wanted)))
    )
    return {r.question_id: r for r in rows if wanted.get(r.question_id) == r.number}


def hidden_ids(body: Body) -> set[int]:
    """Shared questions this body has hidden from its draws."""
    return set(
        db.session.scalars(
            select(HiddenQuestion.question_id).where(HiddenQuestion.body_id == body.id)
        )
    )


def set_hidden(body: Body, question: Question, hidden: bool) -> None:
    """Hide a question shared from above from this body's draws (or show it again)."""
    if question.body_id == body.id:
        raise BankError([_("本机关自己的题目请直接停用。")])
    row = db.session.get(HiddenQuestion, (body.id, question.id))
    if hidden and row is None:
        db.session.add(HiddenQuestion(body_id=body.id, question_id=question.id))
    elif not hidden and row is not None:
        db.session.delete(row)
    audit.record("question.hide" if hidden else "question.unhide", target=question, body=body)
    db.session.commit()


# --------------------------------------------------------------------------- single edits


def _content(q: ParsedQuestion) -> dict[str, Any]:
    return revision_content(q)


def create_question(body: Body, data: ParsedQuestion, *, user_id: int | None) -> Question:
    """Add one question (revision 1); refuses a duplicate of an active one."""
    duplicate = find_duplicate(body, data.qtype, data.stem)
    if duplicate is not None:
        raise BankError([_("与已有题目 #%(id)s 重复。", id=duplicate.id)])
    content = _content(data)
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
    db.session.commit()
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
    content = _content(data)
    current = {name: getattr(question, name) for name in content}
    if content == current:
        if purpose == question.purpose:
            return False
        audit.record("question.purpose", target=question, old=question.purpose, new=purpose)
        question.purpose = purpose
        db.session.commit()
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
    db.session.commit()
    return True


def set_status(question: Question, status: str) -> None:
    """Retire (never drawn again, kept in old papers) or restore a question."""
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
    db.session.commit()


# --------------------------------------------------------------------------- bulk import


def add_questions(
    body: Body,
    questions: Sequence[ParsedQuestion],
    *,
    user_id: int | None,
    source: str,
    purpose: str = PURPOSE_EXAM,
) -> int:
    """Insert many questions with their first revisions in batches (no commit); a question
    whose file gave no purpose gets ``purpose``."""
    now = utcnow()
    for start in range(0, len(questions), _BATCH):
        chunk = questions[start : start + _BATCH]
        rows = [
            {
                **_content(q),
                "body_id": body.id,
                "status": STATUS_ACTIVE,
                "revision": 1,
                "stem_key": stem_key(q.qtype, q.stem),
                "purpose": q.purpose or purpose,
                "created_at": now,
                "updated_at": now,
            }
            for q in chunk
        ]
        ids = db.session.scalars(
            insert(Question).returning(Question.id, sort_by_parameter_order=True), rows
        ).all()
        db.session.execute(
            insert(QuestionRevision),
            [
                {
                    **_content(q),
                    "question_id": qid,
                    "number": 1,
                    "created_at": now,
                    "created_by_id": user_id,
                    "source": source[:200],
                }
                for qid, q in zip(ids, chunk, strict=True)
            ],
        )
    return len(questions)


def parse_for_body(body: Body, filename: str, data: bytes, max_bytes: int) -> ParseResult:
    """Parse an uploaded file, treating the body's active questions as existing."""
    return parse_file(filename, data, existing=existing_keys(body), max_bytes=max_bytes)


def _problem_dicts(problems: Iterable[Problem]) -> list[dict[str, Any]]:
    return [
        {"line": p.line, "code": p.code, "message": p.message, "skipped": p.skipped}
        for p in problems
    ]


def preview_import(
    body: Body, filename: str, data: bytes, *, user_id: int | None, max_bytes: int
) -> tuple[BankImport, ParseResult]:
    """Keep an uploaded file and what parsing it found, until the user confirms."""
    result = parse_for_body(body, filename, data, max_bytes)
    record = BankImport(
        body_id=body.id,
        user_id=user_id,
        filename=filename[:255],
        size=len(data),
        data=data,
        status=IMPORT_PREVIEWED,
        question_count=len(result.questions),
        problems=_problem_dicts(result.problems),
    )
    db.session.add(record)
    audit.record(
        "bank.import_preview",
        target=record,
        body=body,
        filename=filename,
        questions=len(result.questions),
        errors=len(result.errors),
        skipped=len(result.skipped),
    )
    db.session.commit()
    return record, result


def confirm_import(
    record: BankImport,
    *,
    valid_only: bool,
    user_id: int | None,
    max_bytes: int,
    purpose: str = PURPOSE_EXAM,
) -> ParseResult:
    """Import a previewed file: all or nothing, or only its valid questions when asked.

    The file is parsed again: the bank may have changed since the preview.
    """
    if record.status != IMPORT_PREVIEWED or record.data is None:
        raise BankError([_("该导入已处理，不能重复导入。")])
    body = db.session.get(Body, record.body_id)
    assert body is not None
    result = parse_for_body(body, record.filename, record.data, max_bytes)
    if result.errors and not valid_only:
        record.problems = _problem_dicts(result.problems)
        db.session.commit()
        raise BankError(result.errors)
    if purpose not in PURPOSES:
        raise BankError([_("用途无效。")])
    count = add_questions(
        body, result.questions, user_id=user_id, source=f"import:{record.filename}", purpose=purpose
    )
    record.status = IMPORT_DONE
    record.valid_only = valid_only
    record.imported_count = count
    record.question_count = len(result.questions)
    record.problems = _problem_dicts(result.problems)
    record.data = None
    record.finished_at = utcnow()
    audit.record(
        "bank.import",
        target=record,
        body=body,
        filename=record.filename,
        imported=count,
        errors=len(result.errors),
        skipped=len(result.skipped),
        valid_only=valid_only,
        purpose=purpose,
    )
    db.session.commit()
    return result


def discard_import(record: BankImport) -> None:
    if record.status == IMPORT_PREVIEWED:
        record.status = IMPORT_DISCARDED
        record.data = None
        record.finished_at = utcnow()
        audit.record("bank.import_discard", target=record, filename=record.filename)
        db.session.commit()


def import_file(
    body: Body,
    filename: str,
    data: bytes,
    *,
    valid_only: bool = False,
    user_id: int | None = None,
    max_bytes: int = 10 * 1024 * 1024,
    purpose: str = PURPOSE_EXAM,
) -> ParseResult:
    """Preview and confirm in one step (the CLI and the demo)."""
    record, _ = preview_import(body, filename, data, user_id=user_id, max_bytes=max_bytes)
    return confirm_import(
        record, valid_only=valid_only, user_id=user_id, max_bytes=max_bytes, purpose=purpose
    )


# --------------------------------------------------------------------------- export and counts


def to_parsed(question: Question) -> ParsedQuestion:
    return ParsedQuestion(**parsed_values(question))


EXPORT_FORMATS = {
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "csv": ("text/csv; charset=utf-8", "csv"),
    "gift": ("text/plain; charset=utf-8", "gift.txt"),
}


def export_bank(
    body: Body, fmt: str, *, category: str | None = None, purpose: str | None = None
) -> bytes:
    """The body's own active questions in the import template (xlsx/csv, with each one's
    用途) or GIFT; of one purpose when asked."""
    stmt = (
        select(Question)
        .where(Question.body_id == body.id, Question.status == STATUS_ACTIVE)
        .order_by(Question.category, Question.id)
    )
    if category:
        stmt = stmt.where(Question.category == category)
    if purpose:
        stmt = stmt.where(Question.purpose == purpose)
    questions = [to_parsed(q) for q in db.session.scalars(stmt)]
    audit.record("bank.export", target=body, body=body, format=fmt, questions=len(questions))
    db.session.commit()
    if fmt == "xlsx":
        return dump_xlsx(questions)
    if fmt == "csv":
        return dump_csv(questions)
    if fmt == "gift":
        return write_gift(questions).encode("utf-8")
    raise ValueError(fmt)


@dataclass(frozen=True)
class BankCounts:
    """Active questions per law and type in a body's bank."""

    rows: list[tuple[str, dict[str, int], int]]
    totals: dict[str, int]
    total: int


def bank_counts(body: Body) -> BankCounts:
    rows = db.session.execute(
        select(Question.category, Question.qtype, func.count())
        .where(in_bank(body), Question.status == STATUS_ACTIVE)
        .group_by(Question.category, Question.qtype)
        .order_by(Question.category)
    ).all()
    by_law: dict[str, dict[str, int]] = {}
    totals: dict[str, int] = {}
    for category, qtype, n in rows:
        by_law.setdefault(category, {})[qtype] = n
        totals[qtype] = totals.get(qtype, 0) + n
    table = [(law, types, sum(types.values())) for law, types in by_law.items()]
    return BankCounts(rows=table, totals=totals, total=sum(totals.values()))


audit.register_actions(
    {
        "question.create": _l("新建题目"),
        "question.update": _l("修改题目"),
        "question.purpose": _l("更改题目用途（考试/练习）"),
        "question.retire": _l("停用题目"),
        "question.restore": _l("恢复题目"),
        "bank.import_preview": _l("上传题库文件"),
        "bank.import": _l("导入题目"),
        "bank.import_discard": _l("放弃导入"),
        "bank.export": _l("导出题目"),
        "question.hide": _l("不使用上级共享题目"),
        "bank.publish": _l("发布题库给下级机关"),
        "question.unhide": _l("恢复使用上级共享题目"),
    }
)
# The log names changed fields and purposes by their labels (formats.fields, formats.model).
audit.register_values("fields", dict(FIELD_LABELS), action="question.update")
audit.register_values("purpose", dict(LABEL_BY_PURPOSE), action="bank.import")
audit.register_values("old", dict(LABEL_BY_PURPOSE), action="question.purpose")
audit.register_values("new", dict(LABEL_BY_PURPOSE), action="question.purpose")
audit.register_details({"old": _l("原用途"), "new": _l("新用途")}, action="question.purpose")
audit.register_details({"category": FIELD_LABELS["category"]}, action="question.create")
