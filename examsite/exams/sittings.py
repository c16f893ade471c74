"""Paper templates, sittings and enrolment: create, enrol, open, close, release, make-up."""

from __future__ import annotations

import secrets
from collections.abc import Collection, Iterable
from dataclasses import dataclass
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
    ATTEMPT_ABSENT,
    ATTEMPT_IN_PROGRESS,
    SITTING_OPEN,
    Attempt,
    Candidate,
    PaperTemplate,
    Sitting,
)
from examsite.exams.paper_choice import (
    body_templates,
    longest_paper,
    no_template_message,
    template_for,
)
from examsite.exams.papers import describe_shortfalls, draw_for
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
    # The window must hold the paper of every candidate already enrolled, the papers
    # their categories get automatically included (the form checks only its own choices).
    check_window(sitting, {a.candidate.post_category for a in sitting.attempts})
    audit.record(action, target=sitting, body=body, title=sitting.title)
    db.session.flush()
    return sitting


class Enrolled(int):
    """How many candidates ``enroll`` enrolled (an int, as callers count them), and who
    was skipped: because their post category has no paper ({category: [names]}), or
    because their paper is longer than the sitting's window ({template: [names]})."""

    skipped: dict[str, list[str]]
    too_long: dict[PaperTemplate, list[str]]

    def __new__(
        cls,
        added: int,
        skipped: dict[str, list[str]] | None = None,
        too_long: dict[PaperTemplate, list[str]] | None = None,
    ) -> Enrolled:
        self = super().__new__(cls, added)
        self.skipped = skipped or {}
        self.too_long = too_long or {}
        return self

    def skipped_message(self) -> str:
        """What the staff are told about the skipped ones ("" when none was)."""
        return "".join(no_template_message(c, names) for c, names in self.skipped.items()) + (
            "".join(self._too_long_message(t, names) for t, names in self.too_long.items())
        )

    @staticmethod
    def _too_long_message(template: PaperTemplate, names: list[str]) -> str:
        return _(
            "试卷方案“%(name)s”考试时长 %(duration)s 分钟，长于本场考试时间，请延后结束时间"
            "（未报名：%(names)s）。",
            name=template.name,
            duration=template.duration_minutes,
            names="、".join(names),
        )


def enroll(sitting: Sitting, candidates: Iterable[Candidate]) -> Enrolled:
    """Enrol candidates (each once) and give each an admission code; a candidate whose
    post category gets no paper (``paper_choice.template_for``) is skipped, the others enrolled."""
    ensure_unlocked(sitting)
    SITTING.check(sitting, "enroll")
    present = {a.candidate_id for a in sitting.attempts}
    templates = body_templates(sitting.body_id)
    window = window_minutes(sitting.starts_at, sitting.ends_at)
    added = 0
    skipped: dict[str, list[str]] = {}
    too_long: dict[PaperTemplate, list[str]] = {}
    for candidate in candidates:
        if candidate.id in present or candidate.body_id != sitting.body_id:
            continue
        choice = template_for(sitting, candidate, templates)
        if choice is None:
            skipped.setdefault(candidate.post_category, []).append(candidate.name)
            continue
        if choice.template.duration_minutes > window:
            too_long.setdefault(choice.template, []).append(candidate.name)
            continue
        present.add(candidate.id)
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
    return Enrolled(added, skipped, too_long)


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


def window_minutes(starts_at: datetime, ends_at: datetime) -> int:
    return int((ends_at - starts_at).total_seconds() // 60)


def check_window(sitting: Sitting, categories: Iterable[str]) -> None:
    """THE window rule: a sitting's window holds the longest paper it gives (see
    ``paper_choice.longest_paper``), or the change is refused with both figures."""
    longest = longest_paper(sitting, categories, body_templates(sitting.body_id))
    window = window_minutes(sitting.starts_at, sitting.ends_at)
    if longest is not None and window < longest.duration_minutes:
        raise ExamError(short_window_message(window, longest))


def short_window_message(window: int, template: PaperTemplate) -> str:
    """The refusal of a window shorter than a paper's duration (the form says it too)."""
    return _(
        "考试时间只有 %(window)s 分钟，短于试卷方案“%(name)s”的考试时长 %(duration)s 分钟，"
        "请延后结束时间或缩短考试时长。",
        window=window,
        name=template.name,
        duration=template.duration_minutes,
    )


@dataclass(frozen=True)
class MakeupCandidate:
    """One who may sit the make-up: absent (缺考) or failed, with the reason shown."""

    attempt: Attempt
    reason: str


def makeup_candidates(sitting: Sitting) -> list[MakeupCandidate]:
    """The sitting's absent and failed candidates, in roster order (no query beyond the
    roster's)."""
    out = []
    for a in sitting.attempts:
        if a.status == ATTEMPT_ABSENT:
            out.append(MakeupCandidate(a, _("缺考")))
        elif a.passed is False:
            score = f"{a.score or 0:g}"
            out.append(MakeupCandidate(a, _("未通过（%(score)s 分）", score=score)))
    return out


@dataclass(frozen=True)
class Makeup:
    sitting: Sitting
    enrolled: Enrolled


def create_makeup(
    sitting: Sitting,
    *,
    starts_at: datetime,
    ends_at: datetime,
    candidate_ids: Collection[int] | None = None,
) -> Makeup:
    """A make-up sitting (补考) for the absent and failed candidates of this one (those of
    ``candidate_ids`` only, when given), with its settings and invigilators.

    The late-entry cutoff is clamped to the make-up's end; a window shorter than a
    chosen paper's duration is refused. Allowed after sign-off: it creates a new sitting
    and only reads this one."""
    if ends_at <= starts_at:
        raise ExamError(_("结束时间必须晚于开始时间。"))
    chosen = [
        m.attempt.candidate
        for m in makeup_candidates(sitting)
        if candidate_ids is None or m.attempt.candidate_id in candidate_ids
    ]
    settings = {key: getattr(sitting, key) for key in MAKEUP_COPIES}
    settings["category_templates"] = dict(sitting.category_templates or {})
    window = window_minutes(starts_at, ends_at)
    settings["late_entry_minutes"] = max(0, min(sitting.late_entry_minutes, window))
    makeup = Sitting(
        body_id=sitting.body_id,
        title=_("%(title)s（补考）", title=sitting.title),
        starts_at=starts_at,
        ends_at=ends_at,
        makeup_of_id=sitting.id,
        **settings,
    )
    makeup.invigilators = list(sitting.invigilators)
    check_window(makeup, {c.post_category for c in chosen})
    db.session.add(makeup)
    db.session.flush()
    enrolled = enroll(makeup, chosen)
    audit.record("sitting.makeup", target=makeup, of=sitting.id, candidates=int(enrolled))
    db.session.flush()
    return Makeup(makeup, enrolled)


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
