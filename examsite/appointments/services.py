"""Appointments: records and their rules, statements, oath ceremonies, check-in, figures."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import nh3
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from examsite.appointments.check_in import (
    WINDOW_OPEN,
    CheckInWindow,
    check_in_window,
    normalize_name,
)
from examsite.appointments.models import (
    VOTE_APPOINTED,
    VOTE_OUTCOMES,
    Appointment,
    AppointmentRules,
    Ceremony,
    CeremonyParticipant,
    Meeting,
    Statement,
)
from examsite.appointments.oath_text import OATH_TEXT, OATH_VERSION
from examsite.auth.services import (
    ThrottleSettings,
    clear_failures,
    lock_remaining_minutes,
    register_failure,
)
from examsite.core import audit
from examsite.core.body import Body
from examsite.core.errors import UserError
from examsite.core.filecheck import check_upload, store_upload
from examsite.core.timeutil import local_day_start_utc, utcnow
from examsite.core.uploads import upload_folder
from examsite.exams.domain import idcard
from examsite.exams.models import ATTEMPT_GRADED, SITTING_CLOSED, Attempt, Candidate, Sitting
from examsite.extensions import db

#: Formatting a statement may keep; everything else (scripts, styles, links) is dropped.
STATEMENT_TAGS = {"p", "br", "strong", "b", "em", "i", "u", "ul", "ol", "li", "h3", "h4"}
#: The length of Ceremony.check_in_code: a longer code in a URL is unknown without a query.
CHECK_IN_CODE_MAX = 32


class AppointmentError(UserError):
    """A step refused by the rules; the message says why (Chinese)."""


def rules_for(body: Body) -> AppointmentRules:
    return db.session.get(AppointmentRules, body.id) or AppointmentRules(
        body_id=body.id, require_test=True, require_appointed_for_oath=True
    )


def save_rules(body: Body, *, require_test: bool, require_appointed_for_oath: bool) -> None:
    rules = db.session.get(AppointmentRules, body.id)
    if rules is None:
        rules = AppointmentRules(body_id=body.id)
        db.session.add(rules)
    rules.require_test = require_test
    rules.require_appointed_for_oath = require_appointed_for_oath
    audit.record(
        "appointment.rules",
        target=body,
        body=body,
        require_test=require_test,
        require_appointed_for_oath=require_appointed_for_oath,
    )
    db.session.commit()


# --------------------------------------------------------------------------- meetings


def save_meeting(body: Body, meeting: Meeting | None, **fields: Any) -> Meeting:
    clash = db.session.scalars(
        select(Meeting).where(
            Meeting.body_id == body.id,
            Meeting.term == fields["term"],
            Meeting.number == fields["number"],
            *([Meeting.id != meeting.id] if meeting else []),
        )
    ).first()
    if clash is not None:
        raise AppointmentError(_("本届已有第 %(n)s 次会议。", n=fields["number"]))
    if meeting is None:
        meeting = Meeting(body_id=body.id, **fields)
        db.session.add(meeting)
        action = "meeting.create"
    else:
        for key, value in fields.items():
            setattr(meeting, key, value)
        action = "meeting.update"
    audit.record(action, target=meeting, body=body, number=meeting.number)
    db.session.commit()
    return meeting


# --------------------------------------------------------------------------- appointment record


def passed_attempt(candidate: Candidate) -> Attempt | None:
    """The candidate's latest passed test in the body."""
    return db.session.scalars(
        select(Attempt)
        .where(Attempt.candidate_id == candidate.id, Attempt.passed.is_(True))
        .order_by(Attempt.graded_at.desc())
    ).first()


def create_appointment(
    body: Body, candidate: Candidate, meeting: Meeting | None, proposed_post: str
) -> Appointment:
    passed = passed_attempt(candidate)
    appointment = Appointment(
        body_id=body.id,
        candidate=candidate,
        meeting=meeting,
        proposed_post=proposed_post or candidate.proposed_post,
        test_attempt_id=passed.id if passed else None,
    )
    db.session.add(appointment)
    audit.record("appointment.create", target=appointment, body=body, name=candidate.name)
    db.session.commit()
    return appointment


def exempt(appointment: Appointment, reason: str, user: Any) -> None:
    """Record that no test is needed (e.g. re-appointment to the same post)."""
    appointment.exemption_reason = reason.strip()
    appointment.exempted_by_id = user.id
    appointment.exempted_at = utcnow()
    audit.record("appointment.exempt", target=appointment, reason=reason.strip())
    db.session.commit()


def test_done(appointment: Appointment) -> bool:
    return appointment.test_attempt_id is not None or bool(appointment.exemption_reason)


def record_vote(appointment: Appointment, outcome: str, on: date) -> None:
    """任命 / 未通过 / 撤回; an appointment needs a passed test or an exemption."""
    if outcome not in VOTE_OUTCOMES:
        raise AppointmentError(_("表决结果无效。"))
    if appointment.test_attempt_id is None:
        passed = passed_attempt(appointment.candidate)
        appointment.test_attempt_id = passed.id if passed else None
    if (
        outcome == VOTE_APPOINTED
        and rules_for(appointment.body).require_test
        and not test_done(appointment)
    ):
        db.session.rollback()
        raise AppointmentError(
            _(
                "%(name)s 尚未通过任前法律知识考试，也没有免考记录，不能记为已任命。",
                name=appointment.candidate.name,
            )
        )
    if outcome != VOTE_APPOINTED and any(p.checked_in_at for p in appointment.oaths):
        db.session.rollback()
        raise AppointmentError(_("该人员已进行宪法宣誓，不能改为未任命。"))
    appointment.vote = outcome
    appointment.vote_date = on
    audit.record("appointment.vote", target=appointment, outcome=outcome, date=on.isoformat())
    db.session.commit()


# --------------------------------------------------------------------------- statements


def sanitize(html: str) -> str:
    return nh3.clean(html or "", tags=STATEMENT_TAGS, attributes={}).strip()


def save_statement(
    appointment: Appointment,
    *,
    order: int,
    delivered: bool,
    delivered_on: date | None,
    text: str,
    upload: tuple[str, bytes] | None,
    instance_path: str,
    max_bytes: int,
) -> Statement:
    """Record the statement; an uploaded file is checked before anything is written."""
    if upload:  # checked before anything changes
        check_upload(upload[0], upload[1], max_bytes)
    statement = appointment.statement or Statement(
        body_id=appointment.body_id, appointment=appointment
    )
    statement.order = order
    statement.delivered = delivered
    statement.delivered_on = delivered_on if delivered else None
    statement.text = sanitize(text)
    if upload:
        name, kind = store_upload(
            upload_folder(instance_path, "statements"), upload[0], upload[1], max_bytes
        )
        statement.file_path, statement.file_name, statement.file_type = name, upload[0][:255], kind
    db.session.add(statement)
    audit.record(
        "statement.save", target=appointment, delivered=delivered, file=statement.file_name or None
    )
    db.session.commit()
    return statement


# --------------------------------------------------------------------------- ceremonies


def _check_in_code() -> str:
    """A fresh ceremony code: 128 random bits, URL-safe (22 characters)."""
    while True:
        code = secrets.token_urlsafe(16)
        if not db.session.scalar(
            select(func.count()).select_from(Ceremony).where(Ceremony.check_in_code == code)
        ):
            return code


def save_ceremony(body: Body, ceremony: Ceremony | None, **fields: Any) -> Ceremony:
    if fields["ends_at"] <= fields["starts_at"]:
        raise AppointmentError(_("结束时间必须晚于开始时间。"))
    if ceremony is None:
        ceremony = Ceremony(
            body_id=body.id,
            oath_text=OATH_TEXT,
            oath_version=OATH_VERSION,
            check_in_code=_check_in_code(),
            **fields,
        )
        db.session.add(ceremony)
        action = "ceremony.create"
    else:
        for key, value in fields.items():
            setattr(ceremony, key, value)
        action = "ceremony.update"
    audit.record(action, target=ceremony, body=body, title=ceremony.title)
    db.session.commit()
    return ceremony


def rotate_check_in_code(ceremony: Ceremony) -> str:
    """Give the ceremony a new check-in code: the old one and its QR code stop working,
    and the ceremony's failure count starts again."""
    ceremony.check_in_code = _check_in_code()
    clear_failures(_ceremony_key(ceremony))
    audit.record("ceremony.rotate_code", target=ceremony, body=ceremony.body_id)
    db.session.commit()
    return ceremony.check_in_code


def add_participants(ceremony: Ceremony, appointments: list[Appointment]) -> int:
    """Add people to a ceremony; only the appointed may swear when the rule is on."""
    body = db.session.get(Body, ceremony.body_id)
    assert body is not None
    require = rules_for(body).require_appointed_for_oath
    refused = [a.candidate.name for a in appointments if require and a.vote != VOTE_APPOINTED]
    if refused:
        raise AppointmentError(
            _("以下人员尚未被任命，不能参加宪法宣誓：%(names)s", names="、".join(refused))
        )
    present = {p.appointment_id for p in ceremony.participants}
    added = 0
    for appointment in appointments:
        if appointment.id in present or appointment.body_id != ceremony.body_id:
            continue
        db.session.add(
            CeremonyParticipant(
                body_id=ceremony.body_id,
                ceremony=ceremony,
                appointment=appointment,
                token=secrets.token_urlsafe(12),
            )
        )
        added += 1
    audit.record("ceremony.participants", target=ceremony, added=added)
    db.session.commit()
    return added


@dataclass(frozen=True)
class OathSettings:
    """The public check-in's window and throttle (EXAMSITE_OATH_* in the configuration)."""

    open_before_minutes: int = 30
    close_after_minutes: int = 120
    max_failures: int = 10
    failure_window_minutes: int = 10

    @property
    def throttle(self) -> ThrottleSettings:
        return ThrottleSettings(
            max_failures_per_account=self.max_failures,
            max_failures_per_ip=self.max_failures,
            lock_minutes=self.failure_window_minutes,
        )


@dataclass(frozen=True)
class CheckIn:
    #: ok, already, closed, not_open, unknown, ambiguous, locked
    status: str
    participant: CeremonyParticipant | None = None
    #: For "locked": minutes until the check-in may be tried again.
    minutes: int = 0


@dataclass(frozen=True)
class CheckInPage:
    """What the public check-in page of a code may show, before any form is read."""

    #: open, not_open, closed (the window), unknown (no such code), locked
    status: str
    ceremony: Ceremony | None = None
    window: CheckInWindow | None = None
    #: For "locked": minutes until the check-in may be tried again.
    minutes: int = 0


def ceremony_window(ceremony: Ceremony, settings: OathSettings) -> CheckInWindow:
    """When the ceremony's participants may check in on their phones."""
    return check_in_window(
        ceremony.starts_at,
        ceremony.ends_at,
        open_before_minutes=settings.open_before_minutes,
        close_after_minutes=settings.close_after_minutes,
    )


def _client_key(ip: str) -> str:
    return f"oath-ip:{ip[:64]}"  # fits LoginThrottle.key


def _ceremony_key(ceremony: Ceremony) -> str:
    return f"oath:{ceremony.id}"


def check_in_page(
    code: str, ip: str, settings: OathSettings, now: datetime | None = None
) -> CheckInPage:
    """The ceremony of a check-in code (matched exactly) as one client may see it; an
    unknown code counts as a failure of the client. Commits when it counts one."""
    locked = lock_remaining_minutes([_client_key(ip)])
    if locked:
        return CheckInPage("locked", minutes=locked)
    ceremony = None
    if len(code) <= CHECK_IN_CODE_MAX:
        ceremony = db.session.scalars(
            select(Ceremony).where(Ceremony.check_in_code == code)
        ).first()
    if ceremony is None:
        register_failure([(_client_key(ip), settings.max_failures)], settings.throttle)
        db.session.commit()
        return CheckInPage("unknown")
    locked = lock_remaining_minutes([_ceremony_key(ceremony)])
    if locked:
        return CheckInPage("locked", ceremony, minutes=locked)
    window = ceremony_window(ceremony, settings)
    return CheckInPage(window.status(now or utcnow()), ceremony, window)


def check_in_public(
    ceremony: Ceremony,
    name: str,
    id_tail: str,
    ip: str,
    settings: OathSettings,
    now: datetime | None = None,
) -> CheckIn:
    """A participant's phone: name and ID tail, throttled per client and per ceremony."""
    keys = [
        (_client_key(ip), settings.max_failures),
        (_ceremony_key(ceremony), settings.max_failures),
    ]
    locked = lock_remaining_minutes([key for key, _ in keys])
    if locked:
        return CheckIn("locked", minutes=locked)
    result = check_in_self(ceremony, id_tail, name, now=now, settings=settings)
    if result.status == "unknown":
        register_failure(keys, settings.throttle)
        db.session.commit()
    return result


def _check_in(participant: CeremonyParticipant, method: str, now: datetime) -> CheckIn:
    if participant.checked_in_at is not None:
        return CheckIn("already", participant)  # duplicates are ignored
    participant.checked_in_at = now
    participant.check_in_method = method
    audit.record(
        "ceremony.check_in",
        target=participant,
        body=participant.body_id,
        actor=f"{method}:{participant.appointment.candidate.name}",
        method=method,
    )
    db.session.commit()
    return CheckIn("ok", participant)


def check_in_self(
    ceremony: Ceremony,
    id_tail: str,
    name: str | None = None,
    *,
    now: datetime | None = None,
    settings: OathSettings | None = None,
) -> CheckIn:
    """Self check-in with the last 6 characters of the ID number and, from the public page
    (always), the name; only within the ceremony's window. Not throttled: the public page
    goes through check_in_public."""
    now = now or utcnow()
    window_status = ceremony_window(ceremony, settings or OathSettings()).status(now)
    if window_status != WINDOW_OPEN:
        return CheckIn(window_status)
    tail = idcard.normalize(id_tail)[-6:]
    typed = normalize_name(name) if name is not None else None
    matches = [
        p
        for p in ceremony.participants
        if len(tail) == 6
        and secrets.compare_digest(idcard.tail6(p.appointment.candidate.id_number), tail)
        and (
            typed is None
            or secrets.compare_digest(
                normalize_name(p.appointment.candidate.name).encode(), typed.encode()
            )
        )
    ]
    if not matches:
        return CheckIn("unknown")
    if len(matches) > 1:
        return CheckIn("ambiguous")
    return _check_in(matches[0], "self", now)


def check_in_token(ceremony: Ceremony, token: str, now: datetime | None = None) -> CheckIn:
    """Staff scan the personal QR code on the printed list."""
    now = now or utcnow()
    if now > ceremony.ends_at:
        return CheckIn("closed")
    participant = next(
        (p for p in ceremony.participants if secrets.compare_digest(p.token, token)), None
    )
    if participant is None:
        return CheckIn("unknown")
    return _check_in(participant, "staff", now)


def set_attendance(participant: CeremonyParticipant, present: bool) -> None:
    """Attendance from the paper sign-in sheet (ceremonies held without network)."""
    participant.checked_in_at = (participant.checked_in_at or utcnow()) if present else None
    participant.check_in_method = "manual" if present else ""
    audit.record(
        "ceremony.attendance", target=participant, body=participant.body_id, present=present
    )
    db.session.commit()


# --------------------------------------------------------------------------- figures


@dataclass(frozen=True)
class Figures:
    """The counts an annual work report quotes, for one body and period."""

    tests_held: int
    candidates_tested: int
    candidates_passed: int
    statements_delivered: int
    ceremonies_held: int
    persons_sworn_in: int
    appointed: int


def figures(body_ids: list[int], start: date, end: date, zone: str = "Asia/Shanghai") -> Figures:
    """Counts for the local calendar days [start, end], in a few aggregate queries."""
    start_at = local_day_start_utc(start, zone)
    end_at = local_day_start_utc(end + timedelta(days=1), zone) - timedelta(microseconds=1)
    sittings = select(Sitting.id).where(
        Sitting.body_id.in_(body_ids),
        Sitting.status == SITTING_CLOSED,
        Sitting.starts_at >= start_at,
        Sitting.starts_at <= end_at,
    )
    tests_held = db.session.scalar(select(func.count()).select_from(sittings.subquery())) or 0
    graded = (
        select(Attempt)
        .where(Attempt.sitting_id.in_(sittings), Attempt.status == ATTEMPT_GRADED)
        .subquery()
    )
    tested = db.session.scalar(select(func.count(func.distinct(graded.c.candidate_id)))) or 0
    passed = (
        db.session.scalar(
            select(func.count(func.distinct(graded.c.candidate_id))).where(
                graded.c.passed.is_(True)
            )
        )
        or 0
    )
    statements = (
        db.session.scalar(
            select(func.count())
            .select_from(Statement)
            .where(
                Statement.body_id.in_(body_ids),
                Statement.delivered.is_(True),
                Statement.delivered_on >= start,
                Statement.delivered_on <= end,
            )
        )
        or 0
    )
    ceremonies = select(Ceremony.id).where(
        Ceremony.body_id.in_(body_ids), Ceremony.starts_at >= start_at, Ceremony.starts_at <= end_at
    )
    held = (
        db.session.scalar(
            select(func.count(func.distinct(CeremonyParticipant.ceremony_id))).where(
                CeremonyParticipant.ceremony_id.in_(ceremonies),
                CeremonyParticipant.checked_in_at.is_not(None),
            )
        )
        or 0
    )
    sworn = (
        db.session.scalar(
            select(func.count(func.distinct(CeremonyParticipant.appointment_id))).where(
                CeremonyParticipant.ceremony_id.in_(ceremonies),
                CeremonyParticipant.checked_in_at.is_not(None),
            )
        )
        or 0
    )
    appointed = (
        db.session.scalar(
            select(func.count())
            .select_from(Appointment)
            .where(
                Appointment.body_id.in_(body_ids),
                Appointment.vote == VOTE_APPOINTED,
                Appointment.vote_date >= start,
                Appointment.vote_date <= end,
            )
        )
        or 0
    )
    return Figures(tests_held, tested, passed, statements, held, sworn, appointed)


audit.register_actions(
    {
        "appointment.rules": _l("修改任免规则"),
        "meeting.create": _l("新建常委会会议"),
        "meeting.update": _l("修改常委会会议"),
        "appointment.create": _l("新建任免记录"),
        "appointment.exempt": _l("记录免考"),
        "appointment.vote": _l("记录表决结果"),
        "statement.save": _l("记录任前表态发言"),
        "statement.download": _l("下载表态发言文件"),
        "ceremony.create": _l("新建宪法宣誓仪式"),
        "ceremony.update": _l("修改宪法宣誓仪式"),
        "ceremony.participants": _l("添加宣誓人员"),
        "ceremony.check_in": _l("宣誓签到"),
        "ceremony.rotate_code": _l("更换宣誓签到码"),
        "ceremony.attendance": _l("登记宣誓出席"),
        "appointment.export": _l("导出任免数据"),
    }
)
