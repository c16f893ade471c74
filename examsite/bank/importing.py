"""Importing a file into a body's bank: preview (the file kept, nothing added), then confirm
(all or nothing, or only the valid questions) or discard; bulk inserts in batches."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import insert

from examsite.bank.errors import BankError
from examsite.bank.formats import lint
from examsite.bank.formats.detect import parse_file
from examsite.bank.formats.fields import revision_content
from examsite.bank.formats.model import LABEL_BY_PURPOSE, ParsedQuestion, ParseResult, Problem
from examsite.bank.models import (
    IMPORT_DISCARDED,
    IMPORT_DONE,
    IMPORT_PREVIEWED,
    PURPOSE_EXAM,
    PURPOSES,
    STATUS_ACTIVE,
    BankImport,
    Question,
    QuestionRevision,
)
from examsite.bank.scope import existing_keys, stem_key
from examsite.core import audit
from examsite.core.body import Body
from examsite.core.timeutil import utcnow
from examsite.extensions import db

_BATCH = 1000


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
                **revision_content(q),
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
                    **revision_content(q),
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


def lint_preview(filename: str, data: bytes, result: ParseResult) -> lint.FileReport:
    """The lint's figures for the file's valid questions (a warning, never blocking)."""
    bank_file = lint.BankFile(filename, result.questions)
    return lint.lint_files([bank_file]).total


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
    db.session.flush()
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
        db.session.flush()
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
    db.session.flush()
    return result


def discard_import(record: BankImport) -> None:
    if record.status == IMPORT_PREVIEWED:
        record.status = IMPORT_DISCARDED
        record.data = None
        record.finished_at = utcnow()
        audit.record("bank.import_discard", target=record, filename=record.filename)
        db.session.flush()


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


audit.register_actions(
    {
        "bank.import_preview": _l("上传题库文件"),
        "bank.import": _l("导入题目"),
        "bank.import_discard": _l("放弃导入"),
    }
)
audit.register_values("purpose", dict(LABEL_BY_PURPOSE), action="bank.import")
