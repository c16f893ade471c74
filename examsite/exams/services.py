"""Exam operations: candidates, templates, sittings, drawing, the candidate's session,
saving answers, grading, results. No HTTP here; views call these."""

from __future__ import annotations

import ipaddress
import random
import secrets
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, case, func, select, update

from examsite.auth.services import ThrottleSettings, clear_failures, lock_remaining_minutes
from examsite.auth.services import register_failure as register_login_failure
from examsite.bank.models import (
    PURPOSE_EXAM,
    STATUS_ACTIVE,
    HiddenQuestion,
    Question,
    QuestionRevision,
)
from examsite.bank.services import in_bank
from examsite.bodies.models import Body
from examsite.core import audit
from examsite.core.dialect import insert_for, session_dialect
from examsite.core.timeutil import utcnow
from examsite.exams.domain import drawing, grading, idcard
from examsite.exams.domain.candidates_file import CandidateRow
from examsite.exams.models import (
    ATTEMPT_ABSENT,
    ATTEMPT_ENROLLED,
    ATTEMPT_GRADED,
    ATTEMPT_IN_PROGRESS,
    ATTEMPT_SUBMITTED,
    SECOND_LOGIN_TAKEOVER,
    SITTING_CLOSED,
    SITTING_DRAFT,
    SITTING_OPEN,
    Answer,
    Attempt,
    Candidate,
    PaperTemplate,
    Sitting,
)
from examsite.extensions import db

#: Admission codes: no 0/O, 1/I/L; 32^8 ≈ 10^12 codes.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
#: Candidates may log in (waiting room, practice) this long before the start.
EARLY_LOGIN = timedelta(minutes=60)


class ExamError(ValueError):
    """A refused exam operation; the message is for the user (Chinese)."""


class SittingLocked(ExamError):
    """A change to a sitting whose record has been signed off (考场记录签字确认)."""


LOCKED_MESSAGE = _l("该场次记录已签字确认，不能再作修改。")


def sitting_locked(sitting: Sitting) -> bool:
    """Whether the sitting record is signed: from then on nothing changes the sitting.

    The one rule. Every service below that changes a sitting, its attempts or answers (and
    the invigilation services: incidents, paper entries) calls ``ensure_unlocked``; every
    non-GET request under a signed sitting's URL is refused before its view runs
    (``examsite.exams.signed``), which also lists the two actions the rule allows."""
    return sitting.signed_off_at is not None


def ensure_unlocked(sitting: Sitting) -> None:
    """Refuse any change to a signed sitting, for everyone: there is no override."""
    if sitting_locked(sitting):
        raise SittingLocked(str(LOCKED_MESSAGE))


# --------------------------------------------------------------------------- candidates


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
        db.session.commit()
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
    db.session.commit()
    return candidate


def import_candidates(body: Body, rows: Sequence[CandidateRow], filename: str) -> int:
    """Add parsed, valid rows (the caller has refused files with any error)."""
    for row in rows:
        db.session.add(Candidate(body_id=body.id, **candidate_fields(row)))
    audit.record("candidate.import", target=body, body=body, filename=filename, rows=len(rows))
    db.session.commit()
    return len(rows)


def delete_candidate(candidate: Candidate) -> None:
    taken = db.session.scalar(
        select(func.count()).select_from(Attempt).where(Attempt.candidate_id == candidate.id)
    )
    if taken:
        raise ExamError(_("该人员已参加或报名考试，记录须保留，不能删除。"))
    audit.record("candidate.delete", target=candidate, name=candidate.name)
    db.session.delete(candidate)
    db.session.commit()


# --------------------------------------------------------------------------- templates and pool


def pool_for(body: Body, purpose: str = PURPOSE_EXAM) -> list[drawing.PoolItem]:
    """The active questions of the body's bank for one purpose (exam or practice), each as
    the revision the body may draw: its own as edited, a shared one as published.

    Type, law, difficulty and options come from that revision, never from the question's
    current row: an unpublished edit above must not reach a county's paper."""
    rows = db.session.execute(
        select(
            QuestionRevision.id,
            QuestionRevision.qtype,
            QuestionRevision.category,
            QuestionRevision.difficulty,
            QuestionRevision.options,
        )
        .join(
            Question,
            (QuestionRevision.question_id == Question.id)
            & (
                QuestionRevision.number
                == case(
                    (Question.body_id == body.id, Question.revision),
                    else_=Question.published_revision,
                )
            ),
        )
        .where(
            in_bank(body),
            Question.status == STATUS_ACTIVE,
            Question.purpose == purpose,
            Question.id.not_in(
                select(HiddenQuestion.question_id).where(HiddenQuestion.body_id == body.id)
            ),
        )
    )
    return [
        drawing.PoolItem(
            revision_id=rid,
            qtype=qtype,
            category=category,
            difficulty=difficulty,
            n_options=len(options),
        )
        for rid, qtype, category, difficulty, options in rows
    ]


def spec_of(template: PaperTemplate) -> drawing.PaperSpec:
    return drawing.PaperSpec(
        sections=tuple(
            drawing.Section(
                qtype=s["qtype"],
                count=int(s["count"]),
                points=float(s["points"]),
                law_quotas={k: int(v) for k, v in (s.get("law_quotas") or {}).items()},
                difficulty_quotas={
                    int(k): int(v) for k, v in (s.get("difficulty_quotas") or {}).items()
                },
            )
            for s in template.sections
            if int(s["count"]) > 0
        )
    )


def shortfalls(body: Body, template: PaperTemplate) -> list[drawing.Shortfall]:
    return drawing.check_spec(pool_for(body), spec_of(template))


def save_template(body: Body, template: PaperTemplate | None, **fields: Any) -> PaperTemplate:
    if template is None:
        template = PaperTemplate(body_id=body.id, **fields)
        db.session.add(template)
        audit.record("template.create", target=template, body=body, name=template.name)
    else:
        for key, value in fields.items():
            setattr(template, key, value)
        audit.record("template.update", target=template, name=template.name)
    db.session.commit()
    return template


# --------------------------------------------------------------------------- sittings


def new_admission_code() -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        exists = db.session.scalar(
            select(func.count()).select_from(Attempt).where(Attempt.admission_code == code)
        )
        if not exists:
            return code


def save_sitting(body: Body, sitting: Sitting | None, **fields: Any) -> Sitting:
    invigilators = fields.pop("invigilators", None)
    if sitting is not None:
        ensure_unlocked(sitting)
    if sitting is not None and sitting.status != SITTING_DRAFT:
        # Once papers are drawn, only what does not change them may be edited.
        for locked in ("template_id", "category_templates", "scoring", "starts_at"):
            if locked in fields and fields[locked] != getattr(sitting, locked):
                raise ExamError(_("考试已开放，不能再修改试卷方案、评分方式或开始时间。"))
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
    db.session.commit()
    return sitting


def enroll(sitting: Sitting, candidates: Iterable[Candidate]) -> int:
    """Enrol candidates (each once) and give each an admission code."""
    ensure_unlocked(sitting)
    if sitting.status == SITTING_CLOSED:
        raise ExamError(_("考试已结束，不能再报名。"))
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
            _draw_for(sitting, [attempt])
        added += 1
    audit.record("sitting.enroll", target=sitting, count=added)
    db.session.commit()
    return added


def unenroll(attempt: Attempt) -> None:
    ensure_unlocked(attempt.sitting)
    if attempt.status != ATTEMPT_ENROLLED or attempt.started_at is not None:
        raise ExamError(_("考生已开始答题，不能取消报名。"))
    audit.record("sitting.unenroll", target=attempt.sitting, candidate=attempt.candidate.name)
    db.session.delete(attempt)
    db.session.commit()


def template_for(sitting: Sitting, candidate: Candidate) -> PaperTemplate:
    template_id = (sitting.category_templates or {}).get(candidate.post_category)
    if template_id:
        template = db.session.get(PaperTemplate, int(template_id))
        if template is not None and template.body_id == sitting.body_id:
            return template
    return sitting.template


def _draw_for(sitting: Sitting, attempts: Sequence[Attempt]) -> None:
    """Draw papers for these attempts; the room's draw is a pure function of the seed."""
    if sitting.seed is None:
        sitting.seed = random.SystemRandom().randrange(1, 2**62)
    pool = pool_for(sitting.body)
    groups: dict[int, list[Attempt]] = defaultdict(list)
    for attempt in attempts:
        groups[template_for(sitting, attempt.candidate).id].append(attempt)
    for template_id, members in groups.items():
        template = db.session.get(PaperTemplate, template_id)
        assert template is not None
        spec = spec_of(template)
        # Each template group's papers are numbered after those already drawn from it.
        taken = db.session.scalar(
            select(func.coalesce(func.max(Attempt.paper_index), -1)).where(
                Attempt.sitting_id == sitting.id, Attempt.template_id == template_id
            )
        )
        start = int(taken if taken is not None else -1) + 1
        papers = drawing.draw_papers(
            pool, spec, seed=sitting.seed + template_id, count=start + len(members)
        )
        for offset, attempt in enumerate(members):
            items = papers[start + offset]
            attempt.template_id = template_id
            attempt.paper_index = start + offset
            attempt.paper = [
                {"r": i.revision_id, "t": i.qtype, "p": i.points, "o": list(i.option_order)}
                for i in items
            ]
            attempt.duration_minutes = template.duration_minutes
            attempt.pass_mark = template.pass_mark
            attempt.max_score = round(sum(i.points for i in items), 2)


def open_sitting(sitting: Sitting) -> int:
    """Draw every enrolled candidate's paper now, so the exam-start burst only reads."""
    ensure_unlocked(sitting)
    if sitting.status != SITTING_DRAFT:
        raise ExamError(_("只有未开放的考试可以开放。"))
    attempts = [a for a in sitting.attempts if a.paper is None]
    if not sitting.attempts:
        raise ExamError(_("还没有报名的考生。"))
    try:
        _draw_for(sitting, attempts)
    except drawing.DrawError as exc:
        db.session.rollback()
        raise ExamError(
            _("题库题目不足，无法组卷：%(detail)s", detail=describe_shortfalls(exc.shortfalls))
        ) from exc
    sitting.status = SITTING_OPEN
    sitting.opened_at = utcnow()
    audit.record("sitting.open", target=sitting, papers=len(attempts))
    db.session.commit()
    return len(attempts)


def describe_shortfalls(items: Iterable[drawing.Shortfall]) -> str:
    from examsite.bank.forms import QTYPE_LABELS

    parts = []
    for s in items:
        what = str(QTYPE_LABELS.get(s.qtype, s.qtype))
        if s.law:
            what += f" {s.law}"
        if s.difficulty:
            what += " " + _("难度%(n)s", n=s.difficulty)
        parts.append(
            _(
                "%(what)s 需要 %(needed)s 道，题库只有 %(available)s 道",
                what=what,
                needed=s.needed,
                available=s.available,
            )
        )
    return "；".join(parts)


def close_sitting(sitting: Sitting) -> None:
    """End the sitting: unfinished papers are graded, no-shows marked absent."""
    ensure_unlocked(sitting)
    if sitting.status != SITTING_OPEN:
        raise ExamError(_("只有进行中的考试可以结束。"))
    for attempt in sitting.attempts:
        if attempt.status == ATTEMPT_IN_PROGRESS:
            finish_attempt(attempt, reason="closed")
        elif attempt.status == ATTEMPT_ENROLLED:
            attempt.status = ATTEMPT_ABSENT
    sitting.status = SITTING_CLOSED
    sitting.closed_at = utcnow()
    audit.record("sitting.close", target=sitting)
    db.session.commit()


def release_results(sitting: Sitting, released: bool = True) -> None:
    """Publish (or withdraw) the results; allowed after sign-off (see exams.signed)."""
    sitting.results_released = released
    audit.record("sitting.release" if released else "sitting.unrelease", target=sitting)
    db.session.commit()


def reissue_code(attempt: Attempt) -> str:
    """A new admission code; the old one stops working at once."""
    ensure_unlocked(attempt.sitting)
    attempt.admission_code = new_admission_code()
    audit.record("attempt.reissue_code", target=attempt, candidate=attempt.candidate.name)
    db.session.commit()
    return attempt.admission_code


def create_makeup(sitting: Sitting, *, starts_at: datetime, ends_at: datetime) -> Sitting:
    """A make-up sitting (补考) with every candidate who failed or missed this one.

    Allowed after sign-off: it creates a new sitting and only reads this one."""
    failed = [a.candidate for a in sitting.attempts if a.passed is False]
    makeup = Sitting(
        body_id=sitting.body_id,
        title=_("%(title)s（补考）", title=sitting.title),
        room=sitting.room,
        starts_at=starts_at,
        ends_at=ends_at,
        late_entry_minutes=sitting.late_entry_minutes,
        template_id=sitting.template_id,
        category_templates=dict(sitting.category_templates or {}),
        show_score=sitting.show_score,
        allow_review=sitting.allow_review,
        allowed_networks=sitting.allowed_networks,
        second_login=sitting.second_login,
        scoring=sitting.scoring,
        makeup_of_id=sitting.id,
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
    db.session.commit()
    return makeup


# --------------------------------------------------------------------------- candidate login


@dataclass(frozen=True)
class CandidateLogin:
    attempt: Attempt | None = None
    #: ok, invalid, locked, closed, not_open, ended, taken, network
    status: str = "invalid"
    minutes: int = 0


def network_allowed(sitting: Sitting, ip: str) -> bool:
    networks = [n.strip() for n in (sitting.allowed_networks or "").splitlines() if n.strip()]
    if not networks:
        return True
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(n, strict=False) for n in networks)


def code_throttle_key(code: Any) -> Any:
    """The throttle key of an admission code (a string, or the SQL expression of a column:
    the panel joins the locks to its rows with it)."""
    return "code:" + code


def code_locked(attempt: Attempt) -> bool:
    """Whether wrong ID tails have locked this admission code."""
    return lock_remaining_minutes([code_throttle_key(attempt.admission_code)]) > 0


def unlock_code(attempt: Attempt) -> None:
    """Lift the lock on the admission code (no commit; the invigilator's action audits it)."""
    clear_failures(code_throttle_key(attempt.admission_code))


#: Compared against when the admission code is unknown, so that a wrong code and a wrong
#: ID tail take the same work and get the same answer.
_NO_TAIL = "\0" * 6


def authenticate_candidate(
    code: str, id_tail: str, ip: str, settings: ThrottleSettings, *, takeover_token: str
) -> CandidateLogin:
    """Check an admission code and the ID number's last 6 characters; commits.

    Failures count against the code (5 lock it: the panel shows it, an invigilator
    unlocks it) and against the client address (a whole lab shares no address, so one
    mistyping candidate never locks out the room); never against browser headers."""
    code = code.strip().upper().replace(" ", "")
    tail = idcard.normalize(id_tail)[-6:]
    code_key = code_throttle_key(code)
    keys = [
        (code_key, settings.max_failures_per_account),
        (f"cip:{ip}", settings.max_failures_per_ip),
    ]
    locked = lock_remaining_minutes([k for k, _ in keys])
    if locked:
        return CandidateLogin(status="locked", minutes=locked)
    found = db.session.execute(
        select(Attempt, Candidate.id_number)
        .join(Candidate, Attempt.candidate_id == Candidate.id)
        .where(Attempt.admission_code == code)
    ).first()
    attempt, id_number = (found[0], found[1]) if found is not None else (None, None)
    expected = idcard.tail6(id_number) if id_number else _NO_TAIL
    matches = secrets.compare_digest(expected, tail.ljust(6, "\0")[:6])
    if attempt is None or len(tail) != 6 or not matches:
        register_login_failure(keys, settings)
        # One entry per client and minute, with a count: guesses cannot fill the log.
        audit.record_failure(
            "candidate.login_failed",
            body=attempt.body_id if attempt else None,
            actor=f"code:{code[:32]}",
            code=code[:32],
        )
        db.session.flush()
        code_now_locked = lock_remaining_minutes([code_key]) > 0
        if attempt is not None and code_now_locked:
            audit.record(
                "candidate.code_locked",
                target=attempt,
                actor=f"code:{code}",
                sitting=attempt.sitting_id,
            )
        db.session.commit()
        locked = lock_remaining_minutes([k for k, _ in keys])
        return CandidateLogin(status="locked" if locked else "invalid", minutes=locked)
    sitting = attempt.sitting
    now = utcnow()
    status = _login_window_status(sitting, attempt, now)
    if status == "ok" and not network_allowed(sitting, ip):
        status = "network"
    if status == "ok" and attempt.session_token and sitting.second_login != SECOND_LOGIN_TAKEOVER:
        attempt.refused_logins += 1
        status = "taken"
    if status != "ok":
        audit.record("candidate.login_refused", target=attempt, actor=f"code:{code}", reason=status)
        db.session.commit()
        return CandidateLogin(attempt=None, status=status)
    clear_failures(code_key)
    if attempt.session_token:
        # A login elsewhere ends the first browser's session (its page says so) and the
        # panel counts the switch.
        attempt.session_switches += 1
        audit.record("candidate.session_replaced", target=attempt, actor=f"code:{code}", ip=ip[:64])
    attempt.session_token = takeover_token
    attempt.session_ip = ip[:64]
    attempt.last_ip = ip
    attempt.last_seen_at = now
    audit.record("candidate.login", target=attempt, actor=f"code:{code}")
    db.session.commit()
    return CandidateLogin(attempt=attempt, status="ok")


def end_session(attempt: Attempt) -> None:
    """The candidate logged out: the session token goes, so no cookie opens the paper
    again until the next login (which needs the code and the ID tail)."""
    attempt.session_token = None
    attempt.session_ip = ""
    audit.record("candidate.logout", target=attempt, actor=f"code:{attempt.admission_code}")
    db.session.commit()


def _login_window_status(sitting: Sitting, attempt: Attempt, now: datetime) -> str:
    if attempt.finished or attempt.status == ATTEMPT_ABSENT:
        return "ended" if attempt.status == ATTEMPT_ABSENT else "finished"
    if sitting.status == SITTING_CLOSED or now >= sitting.ends_at:
        return "ended"
    if sitting.status != SITTING_OPEN or now < sitting.starts_at - EARLY_LOGIN:
        return "not_open"
    return "ok"


# --------------------------------------------------------------------------- taking the test


def can_start(attempt: Attempt, now: datetime | None = None) -> str:
    """ "ok", or why the candidate cannot begin now (early, late, closed)."""
    now = now or utcnow()
    sitting = attempt.sitting
    if attempt.status != ATTEMPT_ENROLLED:
        return "ok" if attempt.status == ATTEMPT_IN_PROGRESS else "finished"
    if sitting.status != SITTING_OPEN:
        return "closed"
    if now < sitting.starts_at:
        return "early"
    if now > sitting.entry_cutoff and not attempt.readmitted:
        return "late"
    return "ok"


def start_attempt(attempt: Attempt) -> None:
    """Begin the clock: the deadline is stored and the server enforces it."""
    if attempt.status == ATTEMPT_IN_PROGRESS:
        return
    reason = can_start(attempt)
    if reason != "ok":
        raise ExamError(reason)
    now = utcnow()
    duration = timedelta(minutes=attempt.duration_minutes or 60)
    attempt.started_at = now
    attempt.deadline = min(now + duration, attempt.sitting.ends_at) + timedelta(
        minutes=attempt.extra_minutes
    )
    attempt.status = ATTEMPT_IN_PROGRESS
    audit.record("candidate.start", target=attempt, actor=f"code:{attempt.admission_code}")
    db.session.commit()


@dataclass(frozen=True)
class SaveOutcome:
    #: ok, stale_sequence, deadline_passed, submitted, not_started, bad_request
    code: str
    message: str = ""


_SAVE_STATEMENTS: dict[str, Any] = {}


def _save_statement(dialect: str) -> Any:
    """The autosave's upsert, built once per dialect: it runs on every answer, and building
    it (ON CONFLICT ... excluded) costs more than executing it. A Core statement on the
    table, so no ORM bookkeeping either."""
    stmt = _SAVE_STATEMENTS.get(dialect)
    if stmt is None:
        table: Any = Answer.__table__
        base = insert_for(dialect)(table).values({name: bindparam(name) for name in SAVE_COLUMNS})
        stmt = base.on_conflict_do_update(
            index_elements=["attempt_id", "position"],
            set_={name: base.excluded[name] for name in ("choice", "seq", "flagged", "saved_at")},
            where=table.c.seq < base.excluded.seq,
        ).returning(table.c.id)
        _SAVE_STATEMENTS[dialect] = stmt
    return stmt


SAVE_COLUMNS = ("attempt_id", "position", "choice", "seq", "flagged", "saved_at")


def save_answer(
    attempt: Attempt,
    position: int,
    displayed: Sequence[int],
    seq: int,
    *,
    flagged: bool = False,
    grace_seconds: int = 10,
    now: datetime | None = None,
) -> SaveOutcome:
    """Save one answer with one indexed upsert; an older sequence never overwrites."""
    now = now or utcnow()
    if attempt.status in (ATTEMPT_SUBMITTED, ATTEMPT_GRADED):
        return SaveOutcome("submitted", _("试卷已提交，不能再修改答案。"))
    if attempt.status != ATTEMPT_IN_PROGRESS or attempt.paper is None or attempt.deadline is None:
        return SaveOutcome("not_started", _("尚未开始答题。"))
    if now > attempt.deadline + timedelta(seconds=grace_seconds):
        return SaveOutcome("deadline_passed", _("考试时间已到，答案未保存。"))
    if not 0 <= position < len(attempt.paper):
        return SaveOutcome("bad_request", _("该题不在您的试卷上。"))
    item = attempt.paper[position]
    order = item["o"]
    if any(not isinstance(d, int) or not 0 <= d < len(order) for d in displayed):
        return SaveOutcome("bad_request", _("选项不存在。"))
    original = sorted({order[d] for d in displayed})
    if item["t"] != "multiple" and len(original) > 1:
        return SaveOutcome("bad_request", _("该题只能选择一个答案。"))
    saved = db.session.execute(
        _save_statement(session_dialect()),
        {
            "attempt_id": attempt.id,
            "position": position,
            "choice": original,
            "seq": seq,
            "flagged": flagged,
            "saved_at": now,
        },
    ).first()
    db.session.commit()
    if saved is None:
        return SaveOutcome("stale_sequence", _("已有更新的答案，此次保存被忽略。"))
    return SaveOutcome("ok")


def answers_by_position(attempt: Attempt) -> dict[int, Answer]:
    return {
        a.position: a
        for a in db.session.scalars(select(Answer).where(Answer.attempt_id == attempt.id))
    }


def expired(attempt: Attempt, now: datetime | None = None) -> bool:
    return (
        attempt.status == ATTEMPT_IN_PROGRESS
        and attempt.deadline is not None
        and (now or utcnow()) > attempt.deadline
    )


def finalize_if_expired(attempt: Attempt) -> bool:
    """Grade a paper whose time is up (on next access or by the periodic job)."""
    if expired(attempt) and not sitting_locked(attempt.sitting):
        finish_attempt(attempt, reason="deadline")
        db.session.commit()
        return True
    return False


def submit(attempt: Attempt) -> bool:
    """Hand in the paper; True only for the request that actually submitted it."""
    if attempt.status != ATTEMPT_IN_PROGRESS or sitting_locked(attempt.sitting):
        return False
    done = finish_attempt(attempt, reason="submit")
    db.session.commit()
    return done


def finish_attempt(attempt: Attempt, *, reason: str) -> bool:
    ensure_unlocked(attempt.sitting)
    # A conditional update: of two tabs or a tab and the job, exactly one wins.
    now = utcnow()
    result = db.session.execute(
        update(Attempt)
        .where(Attempt.id == attempt.id, Attempt.status == ATTEMPT_IN_PROGRESS)
        .values(status=ATTEMPT_SUBMITTED, submitted_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        db.session.refresh(attempt)
        return False
    db.session.refresh(attempt)
    grade_attempt(attempt)
    audit.record(
        "candidate.submit",
        target=attempt,
        actor=f"code:{attempt.admission_code}",
        reason=reason,
        score=attempt.score,
    )
    return True


def answer_key(attempt: Attempt) -> list[grading.KeyItem]:
    """The grading key of a paper, from the revisions it drew (edits never change it)."""
    assert attempt.paper is not None
    ids = [item["r"] for item in attempt.paper]
    revisions = {
        r.id: r
        for r in db.session.scalars(select(QuestionRevision).where(QuestionRevision.id.in_(ids)))
    }
    return [
        grading.KeyItem(
            qtype=item["t"],
            correct=frozenset(revisions[item["r"]].answer),
            points=float(item["p"]),
            category=revisions[item["r"]].category,
        )
        for item in attempt.paper
    ]


def grade_attempt(attempt: Attempt) -> grading.GradeResult:
    key = answer_key(attempt)
    answers = {a.position: a.choice for a in answers_by_position(attempt).values()}
    result = grading.grade(
        key, answers, scheme=attempt.sitting.scoring, pass_mark=float(attempt.pass_mark or 60)
    )
    attempt.score = result.score
    attempt.max_score = result.max_score
    attempt.passed = result.passed
    attempt.result = {
        "items": [[i.earned, i.points] for i in result.items],
        "by_category": {k: list(v) for k, v in result.by_category.items()},
        "answered": result.answered,
        "correct": result.correct_count,
    }
    attempt.status = ATTEMPT_GRADED
    attempt.graded_at = utcnow()
    if attempt.result_token is None:
        attempt.result_token = secrets.token_urlsafe(16)
    return result


def grade_expired(now: datetime | None = None) -> int:
    """The periodic job: grade every paper whose deadline has passed."""
    now = now or utcnow()
    ids = db.session.scalars(
        select(Attempt.id)
        .join(Sitting, Attempt.sitting_id == Sitting.id)
        .where(
            Attempt.status == ATTEMPT_IN_PROGRESS,
            Attempt.deadline < now,
            Sitting.signed_off_at.is_(None),  # a signed sitting is never changed
        )
    ).all()
    count = 0
    for attempt_id in ids:
        attempt = db.session.get(Attempt, attempt_id)
        if attempt is not None and finish_attempt(attempt, reason="deadline"):
            count += 1
        db.session.commit()
    return count


#: How stale the invigilator's "last seen" may get. The page polls every 15 s; writing on
#: every poll made the polls of a large sitting as many writes as its answers.
LAST_SEEN_EVERY = timedelta(seconds=45)


def touch(attempt: Attempt, ip: str, now: datetime | None = None) -> None:
    """Note that the candidate's page is alive (for the invigilator's "last seen").

    Ends the caller's transaction (the attempt is expired afterwards)."""
    now = now or utcnow()
    if attempt.status not in (ATTEMPT_ENROLLED, ATTEMPT_IN_PROGRESS):
        return  # a handed-in paper's row stays as it was (and a signed sitting's, always)
    if attempt.last_seen_at is not None and now - attempt.last_seen_at <= LAST_SEEN_EVERY:
        return
    attempt_id = attempt.id
    # The write gets a short transaction of its own, begun IMMEDIATE on SQLite: upgrading
    # the poll's reading transaction would fail whenever another candidate's save had
    # committed in between, and the whole poll would be run again.
    db.session.commit()
    db.session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
    db.session.execute(
        update(Attempt)
        .where(Attempt.id == attempt_id)
        .values(last_seen_at=now, last_ip=ip[:64])
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def record_event(attempt: Attempt, kind: str) -> None:
    if kind == "blur":
        db.session.execute(
            update(Attempt)
            # Only while answering: after hand-in (and so in a signed sitting) it is not news.
            .where(Attempt.id == attempt.id, Attempt.status == ATTEMPT_IN_PROGRESS)
            .values(focus_losses=Attempt.focus_losses + 1)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()


audit.register_actions(
    {
        "candidate.create": _l("新建拟任命人员"),
        "candidate.update": _l("修改拟任命人员"),
        "candidate.delete": _l("删除拟任命人员"),
        "candidate.import": _l("导入拟任命人员"),
        "candidate.reveal_id": _l("查看完整身份证号"),
        "candidate.login": _l("考生登录"),
        "candidate.login_failed": _l("考生登录失败"),
        "candidate.login_refused": _l("考生登录被拒绝"),
        "candidate.code_locked": _l("准考证号因多次输错被锁定"),
        "candidate.logout": _l("考生退出登录"),
        "candidate.session_replaced": _l("考生在其他电脑登录（原会话结束）"),
        "candidate.start": _l("考生开始答题"),
        "candidate.submit": _l("考生交卷"),
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
        "attempt.reissue_code": _l("重新生成准考证号"),
        "attempt.reset_login": _l("重置考生登录"),
        "attempt.extend": _l("延长考试时间"),
    }
)


def question_stats(question_id: int, body_ids: Iterable[int], limit: int = 5000) -> Any:
    """Item statistics of one question over every graded paper of these bodies.

    Papers hold revision ids in JSON, so the newest ``limit`` graded attempts are scanned.
    """
    from examsite.exams.domain import analysis

    revisions = {
        r.id: r
        for r in db.session.scalars(
            select(QuestionRevision).where(QuestionRevision.question_id == question_id)
        )
    }
    if not revisions:
        return None
    n_options = max(len(r.options) for r in revisions.values())
    attempts = db.session.scalars(
        select(Attempt)
        .where(Attempt.body_id.in_(list(body_ids)), Attempt.status == ATTEMPT_GRADED)
        .order_by(Attempt.id.desc())
        .limit(limit)
    )
    hits = [
        (attempt, position)
        for attempt in attempts
        for position, item in enumerate(attempt.paper or [])
        if item["r"] in revisions
    ]
    chosen = {
        (a.attempt_id, a.position): a.choice
        for a in db.session.scalars(
            select(Answer).where(Answer.attempt_id.in_({attempt.id for attempt, _ in hits}))
        )
    }
    responses = []
    for attempt, position in hits:
        earned, points = (attempt.result or {}).get("items", [])[position]
        responses.append(
            analysis.Response(
                attempt_score=float(attempt.score or 0),
                correct=earned >= points,
                chosen=frozenset(chosen.get((attempt.id, position), ())),
            )
        )
    return analysis.item_stats(responses, n_options)
