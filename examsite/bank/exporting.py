"""Exporting a body's own active questions: the import template (xlsx/csv) or GIFT."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from examsite.bank.formats.fields import parsed_values
from examsite.bank.formats.gift import write_gift
from examsite.bank.formats.model import ParsedQuestion
from examsite.bank.formats.template_csv import dump_csv
from examsite.bank.formats.template_xlsx import dump_xlsx
from examsite.bank.models import STATUS_ACTIVE, Question
from examsite.core import audit
from examsite.core.body import Body
from examsite.extensions import db


def to_parsed(question: Question) -> ParsedQuestion:
    """A stored question as the formats take it."""
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
    db.session.flush()
    if fmt == "xlsx":
        return dump_xlsx(questions)
    if fmt == "csv":
        return dump_csv(questions)
    if fmt == "gift":
        return write_gift(questions).encode("utf-8")
    raise ValueError(fmt)


audit.register_actions({"bank.export": _l("导出题目")})
