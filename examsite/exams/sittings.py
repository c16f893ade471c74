"""Paper templates, sittings and enrolment: create, enrol, open, close, release, make-up."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from examsite.core import audit
from examsite.core.body import Body
from examsite.core.timeutil import utcnow
from examsite.exams.answering import finish_attempt
from examsite.exams.domain import paper_spec
from examsite.exams.models import (
    ATTEMPT_IN_PROGRESS,
    SITTING_OPEN,
    Attempt,
    Candidate,
    PaperTemplate,
    Sitting,
)
from examsite.exams.papers import (
    describe_shortfalls,
    draw_for,
)
from examsite.exams.states import (
    ATTEMPT,
    SITTING,
    ExamError,
    ensure_unlocked,
)
from examsite.extensions import db

#: Admission codes: no 0/O, 1/I/L; 32^8 ≈ 10^12 codes.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


CODE_LENGTH = 8


def new_admission_code() -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        exists = db.session.scalar(
            select(func.count()).select_from(Attempt).where(Attempt.admission_code == code)
        )
        if not exists:
            return code


def save_template(body: Body, template: PaperTemplate | None, **fields: Any) -> PaperTemplate:
    if template is None:
        template = PaperTemplate(body_id=body.id, **fields)
        db.session.add(template)
        audit.record("template.create", target=template, body=body, name=template.name)
    else:
        for key, value in fields.items():
            setattr(template, key, value)
        audit.record("template.update", target=template, name=template.name)
    db.session.flush()
    return template


def save_sitting(body: Body, sitting: Sitting | None, **fields: Any) -> Sitting:
    invigilators = fields.pop("invigilators", None)
    if sitting is not None:
        ensure_unlocked(sitting)
    if sitting is not None and not SITTING.can(sitting, "edit_paper"):
        # Once papers are drawn, only what does not change them may be edited.
        for locked in ("template_id", "category_templates", "scoring", "starts_at"):
            if locked in fields and fields[locked] != getattr(sitting, locked):
                SITTING.check(sitting, "edit_paper")
    if sitting is None:
        sitting = Sitting(body_id=body.id, **fields)
        db.session.add(sitting)
        action = "sitting.create"
    else:
        for key, value in fields.items():
            setattr(sitting, key, value)
        action = "sitting.update"
    if invigilators is not None:
        sitting.invigilators = list(invigilators)
    if sitting.ends_at <= sitting.starts_at:
        raise ExamError(_("结束时间必须晚于开始时间。"))
    audit.record(action, target=sitting, body=body, title=sitting.title)
    db.session.flush()
    return sitting


def enroll(sitting: Sitting, candidates: Iterable[Candidate]) -> int:
    """Enrol candidates (each once) and give each an admission code."""
    ensure_unlocked(sitting)
    SITTING.check(sitting, "enroll")
    present = {a.candidate_id for a in sitting.attempts}
    added = 0
    for candidate in candidates:
        if candidate.id in present or candidate.body_id != sitting.body_id:
            continue
        attempt = Attempt(
            body_id=sitting.body_id,
            sitting=sitting,
            candidate=candidate,
            admission_code=new_admission_code(),
        )
        db.session.add(attempt)
        if sitting.status == SITTING_OPEN:
            db.session.flush()
            draw_for(sitting, [attempt])
        added += 1
    audit.record("sitting.enroll", target=sitting, count=added)
    db.session.flush()
    return added


def unenroll(attempt: Attempt) -> None:
    ensure_unlocked(attempt.sitting)
    ATTEMPT.check(attempt, "unenroll")
    if attempt.started_at is not None:  # readmitted after a start: the paper is in use
        raise ExamError(str(ATTEMPT.transitions["unenroll"].refusal))
    audit.record("sitting.unenroll", target=attempt.sitting, candidate=attempt.candidate.name)
    db.session.delete(attempt)
    db.session.flush()


def open_sitting(sitting: Sitting) -> int:
    """Draw every enrolled candidate's paper now, so the exam-start burst only reads."""
    ensure_unlocked(sitting)
    SITTING.check(sitting, "open")
    attempts = [a for a in sitting.attempts if a.paper is None]
    if not sitting.attempts:
        raise ExamError(_("还没有报名的考生。"))
    try:
        draw_for(sitting, attempts)
    except paper_spec.DrawError as exc:
        raise ExamError(
            _("题库题目不足，无法组卷：%(detail)s", detail=describe_shortfalls(exc.shortfalls))
        ) from exc
    SITTING.apply(sitting, "open")
    sitting.opened_at = utcnow()
    audit.record("sitting.open", target=sitting, papers=len(attempts))
    db.session.flush()
    return len(attempts)


def close_sitting(sitting: Sitting) -> None:
    """End the sitting: unfinished papers are graded, no-shows marked absent."""
    ensure_unlocked(sitting)
    SITTING.check(sitting, "close")
    for attempt in sitting.attempts:
        if attempt.status == ATTEMPT_IN_PROGRESS:
            finish_attempt(attempt, reason="closed")
        elif ATTEMPT.can(attempt, "absent"):
            ATTEMPT.apply(attempt, "absent")
    SITTING.apply(sitting, "close")
    sitting.closed_at = utcnow()
    audit.record("sitting.close", target=sitting)
    db.session.flush()


def release_results(sitting: Sitting, released: bool = True) -> None:
    """Publish (or withdraw) the results; allowed after sign-off (see exams.signed)."""
    sitting.results_released = released
    audit.record("sitting.release" if released else "sitting.unrelease", target=sitting)
    db.session.flush()


#: The settings a make-up sitting (补考) takes from the sitting it makes up for: everything
#: but the title, the window and the state.
MAKEUP_COPIES = (
    "room",
    "late_entry_minutes",
    "template_id",
    "category_templates",
    "show_score",
    "allow_review",
    "allowed_networks",
    "second_login",
    "scoring",
)


def create_makeup(sitting: Sitting, *, starts_at: datetime, ends_at: datetime) -> Sitting:
    """A make-up sitting (补考) with every candidate who failed or missed this one.

    Allowed after sign-off: it creates a new sitting and only reads this one."""
    failed = [a.candidate for a in sitting.attempts if a.passed is False]
    settings = {key: getattr(sitting, key) for key in MAKEUP_COPIES}
    settings["category_templates"] = dict(sitting.category_templates or {})
    makeup = Sitting(
        body_id=sitting.body_id,
        title=_("%(title)s（补考）", title=sitting.title),
        starts_at=starts_at,
        ends_at=ends_at,
        makeup_of_id=sitting.id,
        **settings,
    )
    if ends_at <= starts_at:
        raise ExamError(_("结束时间必须晚于开始时间。"))
    db.session.add(makeup)
    db.session.flush()
    for candidate in failed:
        db.session.add(
            Attempt(
                body_id=sitting.body_id,
                sitting=makeup,
                candidate=candidate,
                admission_code=new_admission_code(),
            )
        )
    audit.record("sitting.makeup", target=makeup, of=sitting.id, candidates=len(failed))
    db.session.flush()
    return makeup


audit.register_actions(
    {
        "template.create": _l("新建试卷方案"),
        "template.update": _l("修改试卷方案"),
        "sitting.create": _l("新建考试场次"),
        "sitting.update": _l("修改考试场次"),
        "sitting.enroll": _l("考生报名"),
        "sitting.unenroll": _l("取消报名"),
        "sitting.open": _l("开放考试（组卷）"),
        "sitting.close": _l("结束考试"),
        "sitting.release": _l("发布成绩"),
        "sitting.unrelease": _l("撤回成绩发布"),
        "sitting.makeup": _l("安排补考"),
        "sitting.export": _l("导出成绩"),
        "sitting.print_slips": _l("打印准考证"),
        "attempt.reissue_code": _l("重新生成准考证号"),
        "attempt.reset_login": _l("重置考生登录"),
        "attempt.extend": _l("延长考试时间"),
    }
)
