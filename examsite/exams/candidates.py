"""Candidates (拟任命人员): create, change, import, delete; who they are is fixed once they sit."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select

from examsite.core import audit
from examsite.core.body import Body
from examsite.exams.domain import idcard
from examsite.exams.domain.candidates_file import CandidateRow
from examsite.exams.models import (
    ATTEMPT_GRADED,
    ATTEMPT_SUBMITTED,
    SITTING_OPEN,
    Attempt,
    Candidate,
    Sitting,
)
from examsite.exams.states import (
    ExamError,
)
from examsite.extensions import db


def candidate_fields(row: CandidateRow) -> dict[str, str]:
    return {
        "name": row.name,
        "id_number": row.id_number,
        "work_unit": row.work_unit,
        "proposed_post": row.proposed_post,
        "post_category": row.post_category,
        "batch": row.batch,
        "phone": row.phone,
    }


def existing_id_numbers(body: Body, exclude_id: int | None = None) -> set[str]:
    stmt = select(Candidate.id_number).where(Candidate.body_id == body.id)
    if exclude_id is not None:
        stmt = stmt.where(Candidate.id != exclude_id)
    return set(db.session.scalars(stmt))


#: Who the candidate is: the name and ID number the login, the slip and the record use.
IDENTITY_FIELDS = ("name", "id_number")


class IdentityLocked(ExamError):
    """A change of name or ID number refused (open sitting, results) or lacking a reason."""


def identity_frozen(candidate: Candidate) -> bool:
    """Whether the candidate sits in an open sitting or has results: then who they are is
    fixed (otherwise a staff member could put their own ID number on an enrolled candidate
    and sit the test as them)."""
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Attempt)
            .join(Sitting, Attempt.sitting_id == Sitting.id)
            .where(
                Attempt.candidate_id == candidate.id,
                (Sitting.status == SITTING_OPEN)
                | Attempt.score.is_not(None)
                | Attempt.status.in_((ATTEMPT_SUBMITTED, ATTEMPT_GRADED)),
            )
        )
        or 0
    ) > 0


def save_candidate(
    body: Body, candidate: Candidate | None, fields: dict[str, str], *, reason: str = ""
) -> Candidate:
    """Create or change a candidate; the ID number must be valid and unique in the body.

    A change of name or ID number is refused while the candidate sits in an open sitting
    or has results, and otherwise needs a reason; the audit entry keeps the old and new
    values (the ID number masked)."""
    number = idcard.normalize(fields["id_number"])
    if not idcard.is_valid(number):
        raise ExamError(_("身份证号不正确（请核对校验位和出生日期）。"))
    if number in existing_id_numbers(body, candidate.id if candidate else None):
        raise ExamError(_("本机关已有身份证号相同的拟任命人员。"))
    fields = {**fields, "id_number": number}
    if candidate is None:
        candidate = Candidate(body_id=body.id, **fields)
        db.session.add(candidate)
        audit.record("candidate.create", target=candidate, body=body, name=candidate.name)
        db.session.flush()
        return candidate
    identity = [k for k in IDENTITY_FIELDS if getattr(candidate, k) != fields[k]]
    if identity:
        if identity_frozen(candidate):
            raise IdentityLocked(
                _(
                    "该人员正在参加已开放的考试或已有考试成绩，不能修改姓名或身份证号。"
                    "如确有错误，请在考试结束后由本机关管理员核实处理。"
                )
            )
        if not reason.strip():
            raise IdentityLocked(_("修改姓名或身份证号须填写修改原因。"))
    values: dict[str, Any] = {}
    for key in identity:
        old, new = getattr(candidate, key), fields[key]
        if key == "id_number":
            old, new = idcard.mask(old), idcard.mask(new)
        values[key] = [old, new]
    changed = sorted(k for k, v in fields.items() if getattr(candidate, k) != v)
    for key, value in fields.items():
        setattr(candidate, key, value)
    details: dict[str, Any] = {"fields": changed}
    if identity:
        details.update(identity=values, reason=reason.strip()[:200])
    audit.record("candidate.update", target=candidate, **details)
    db.session.flush()
    return candidate


def import_candidates(body: Body, rows: Sequence[CandidateRow], filename: str) -> int:
    """Add parsed, valid rows (the caller has refused files with any error)."""
    for row in rows:
        db.session.add(Candidate(body_id=body.id, **candidate_fields(row)))
    audit.record("candidate.import", target=body, body=body, filename=filename, rows=len(rows))
    db.session.flush()
    return len(rows)


def enrolment_query(
    body: Body, sitting: Sitting, *, batch: str = "", category: str = "", only_new: bool = True
) -> Select[Candidate]:
    """The body's candidates a sitting's enrolment form lists (paged) or enrols at once
    ("报名全部筛选结果"), by name.

    ``batch`` matches any part of the batch (``第十二次`` finds 第十二次常委会会议),
    ``category`` one post category; ``only_new`` leaves out those already enrolled."""
    stmt = select(Candidate).where(Candidate.body_id == body.id)
    if batch:
        stmt = stmt.where(Candidate.batch.contains(batch, autoescape=True))
    if category:
        stmt = stmt.where(Candidate.post_category == category)
    if only_new:
        enrolled = (
            select(Attempt.id)
            .where(Attempt.sitting_id == sitting.id, Attempt.candidate_id == Candidate.id)
            .exists()
        )
        stmt = stmt.where(~enrolled)
    return stmt.order_by(Candidate.name, Candidate.id)


def enrolled_among(sitting: Sitting, candidates: Iterable[Candidate]) -> set[int]:
    """Which of these candidates are enrolled in the sitting: one query for a page."""
    ids = [c.id for c in candidates]
    if not ids:
        return set()
    return set(
        db.session.scalars(
            select(Attempt.candidate_id).where(
                Attempt.sitting_id == sitting.id, Attempt.candidate_id.in_(ids)
            )
        )
    )


def delete_candidate(candidate: Candidate) -> None:
    taken = db.session.scalar(
        select(func.count()).select_from(Attempt).where(Attempt.candidate_id == candidate.id)
    )
    if taken:
        raise ExamError(_("该人员已参加或报名考试，记录须保留，不能删除。"))
    audit.record("candidate.delete", target=candidate, name=candidate.name)
    db.session.delete(candidate)
    db.session.flush()


audit.register_actions(
    {
        "candidate.create": _l("新建拟任命人员"),
        "candidate.update": _l("修改拟任命人员"),
        "candidate.delete": _l("删除拟任命人员"),
        "candidate.import": _l("导入拟任命人员"),
        "candidate.reveal_id": _l("查看完整身份证号"),
    }
)
