"""Oath ceremonies: the ceremony and its check-in code, its participants, and the check-in
(on a phone, by a staff scan, or from the paper sheet)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

# Who may be sworn at a ceremony is ceremony_people's; its callers find it here too.
from examsite.appointments.ceremony_people import add_elected as add_elected
from examsite.appointments.ceremony_people import add_participants as add_participants
from examsite.appointments.ceremony_people import ceremony_day as ceremony_day
from examsite.appointments.ceremony_people import local_date
from examsite.appointments.check_in import (
    WINDOW_OPEN,
    CheckInWindow,
    check_in_window,
    normalize_name,
)
from examsite.appointments.forms import CHECK_IN_METHOD_LABELS
from examsite.appointments.models import (
    CHECK_IN_MANUAL,
    CHECK_IN_SELF,
    CHECK_IN_STAFF,
    KIND_MEETING,
    KIND_SESSION,
    Ceremony,
    CeremonyParticipant,
    Meeting,
)
from examsite.appointments.oath_text import OATH_TEXT, OATH_VERSION
from examsite.appointments.states import AppointmentError
from examsite.auth.services import (
    ThrottleSettings,
    clear_failures,
    lock_remaining_minutes,
    register_failure,
)
from examsite.core import audit
from examsite.core.body import Body
from examsite.core.timeutil import utcnow
from examsite.exams.domain import idcard
from examsite.extensions import db

#: A check-in before the ceremony's start (宣誓仪式尚未开始).
NOT_STARTED = "not_started"

#: The length of Ceremony.check_in_code: a longer code in a URL is unknown without a query.
CHECK_IN_CODE_MAX = 32


def _check_in_code() -> str:
    """A fresh ceremony code: 128 random bits, URL-safe (22 characters)."""
    while True:
        code = secrets.token_urlsafe(16)
        if not db.session.scalar(
            select(func.count()).select_from(Ceremony).where(Ceremony.check_in_code == code)
        ):
            return code


def _meeting_on_or_before(body: Body, day: date) -> Meeting | None:
    """The body's latest meeting held on or before ``day`` (not a cancelled one)."""
    return db.session.scalars(
        select(Meeting)
        .where(Meeting.body_id == body.id, Meeting.date <= day, Meeting.cancelled.is_(False))
        .order_by(Meeting.date.desc(), Meeting.id.desc())
    ).first()


def save_ceremony(
    body: Body,
    ceremony: Ceremony | None,
    *,
    kind: str = KIND_MEETING,
    meeting: Meeting | None = None,
    session_name: str = "",
    **fields: Any,
) -> Ceremony:
    """Create or change a ceremony. A committee-meeting ceremony belongs to a meeting of the
    body held on or before its day (without one given: the latest such meeting); a session
    ceremony names its congress session instead."""
    if fields["ends_at"] <= fields["starts_at"]:
        raise AppointmentError(_("结束时间必须晚于开始时间。"))
    day = local_date(fields["starts_at"])
    if kind == KIND_SESSION:
        session_name = session_name.strip()
        if not session_name:
            raise AppointmentError(_("请填写人民代表大会会议名称。"))
        meeting = None
    elif kind == KIND_MEETING:
        session_name = ""
        if meeting is None:
            meeting = _meeting_on_or_before(body, day)
        if meeting is None or meeting.body_id != body.id:
            raise AppointmentError(_("请选择宣誓仪式所属的常委会会议。"))
        if meeting.date > day:
            raise AppointmentError(
                _(
                    "宣誓仪式不能早于所属会议（%(date)s）。",
                    date=meeting.date.isoformat(),
                )
            )
    else:
        raise AppointmentError(_("宣誓仪式类型无效。"))
    if ceremony is not None and ceremony.confirmed and fields["starts_at"] != ceremony.starts_at:
        raise AppointmentError(_("宣誓仪式已确认举行，不能修改时间。"))
    fields.update(kind=kind, meeting=meeting, session_name=session_name)
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
    db.session.flush()
    return ceremony


def confirm_held(ceremony: Ceremony, user: Any, now: datetime | None = None) -> None:
    """Staff confirm the ceremony took place (确认宣誓仪式已举行): from then on, those
    checked in count as sworn. Not before its start, not without anyone checked in."""
    now = now or utcnow()
    if ceremony.confirmed:
        raise AppointmentError(_("宣誓仪式已确认举行。"))
    if now < ceremony.starts_at:
        raise AppointmentError(_("宣誓仪式尚未开始，不能确认已举行。"))
    present = sum(1 for p in ceremony.participants if p.checked_in_at is not None)
    if not present:
        raise AppointmentError(_("还没有人签到，不能确认宣誓仪式已举行。"))
    ceremony.confirmed_at = now
    ceremony.confirmed_by_id = user.id
    audit.record("ceremony.confirm", target=ceremony, body=ceremony.body_id, sworn=present)
    db.session.flush()


def rotate_check_in_code(ceremony: Ceremony) -> str:
    """Give the ceremony a new check-in code: the old one and its QR code stop working,
    and the ceremony's failure count starts again."""
    ceremony.check_in_code = _check_in_code()
    clear_failures(_ceremony_key(ceremony))
    audit.record("ceremony.rotate_code", target=ceremony, body=ceremony.body_id)
    db.session.flush()
    return ceremony.check_in_code


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
    #: ok, already, closed, not_open, not_started, unknown, ambiguous, locked
    status: str
    participant: CeremonyParticipant | None = None
    #: For "locked": minutes until the check-in may be tried again.
    minutes: int = 0


@dataclass(frozen=True)
class CheckInPage:
    """What the public check-in page of a code may show, before any form is read."""

    #: open, not_open, closed (the window), not_started (the window is open but the
    #: ceremony has not begun), unknown (no such code), locked
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
        db.session.flush()
        return CheckInPage("unknown")
    locked = lock_remaining_minutes([_ceremony_key(ceremony)])
    if locked:
        return CheckInPage("locked", ceremony, minutes=locked)
    window = ceremony_window(ceremony, settings)
    now = now or utcnow()
    status = window.status(now)
    if status == WINDOW_OPEN and now < ceremony.starts_at:
        status = NOT_STARTED
    return CheckInPage(status, ceremony, window)


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
        db.session.flush()
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
        actor=f"{method}:{participant.name}",
        method=method,
    )
    db.session.flush()
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
    if now < ceremony.starts_at:
        return CheckIn(NOT_STARTED)
    tail = idcard.normalize(id_tail)[-6:]
    typed = normalize_name(name) if name is not None else None
    matches = [
        p
        for p in ceremony.participants
        # An elected person has no ID number on record: staff check them in.
        if p.elected_person_id is None
        and len(tail) == 6
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
    return _check_in(matches[0], CHECK_IN_SELF, now)


def check_in_token(ceremony: Ceremony, token: str, now: datetime | None = None) -> CheckIn:
    """Staff scan the personal QR code on the printed list."""
    now = now or utcnow()
    if now < ceremony.starts_at:
        return CheckIn(NOT_STARTED)
    if now > ceremony.ends_at:
        return CheckIn("closed")
    participant = next(
        (p for p in ceremony.participants if secrets.compare_digest(p.token, token)), None
    )
    if participant is None:
        return CheckIn("unknown")
    return _check_in(participant, CHECK_IN_STAFF, now)


def set_attendance(
    participant: CeremonyParticipant, present: bool, now: datetime | None = None
) -> None:
    """Attendance from the paper sign-in sheet (ceremonies held without network); not
    before the ceremony starts, and not changed once it is confirmed held."""
    if (now or utcnow()) < participant.ceremony.starts_at:
        raise AppointmentError(_("宣誓仪式尚未开始。"))
    if participant.ceremony.confirmed:
        raise AppointmentError(_("宣誓仪式已确认举行，不能再修改出席情况。"))
    participant.checked_in_at = (participant.checked_in_at or utcnow()) if present else None
    participant.check_in_method = CHECK_IN_MANUAL if present else ""
    audit.record(
        "ceremony.attendance", target=participant, body=participant.body_id, present=present
    )
    db.session.flush()


audit.register_actions(
    {
        "ceremony.create": _l("新建宪法宣誓仪式"),
        "ceremony.update": _l("修改宪法宣誓仪式"),
        "ceremony.participants": _l("添加宣誓人员"),
        "ceremony.elected": _l("添加人代会选举产生的宣誓人员"),
        "ceremony.check_in": _l("宣誓签到"),
        "ceremony.rotate_code": _l("更换宣誓签到码"),
        "ceremony.attendance": _l("登记宣誓出席"),
        "ceremony.confirm": _l("确认宣誓仪式已举行"),
    }
)
audit.register_targets({"ElectedPerson": _l("人代会选举产生的宣誓人员")})
audit.register_details({"sworn": _l("宣誓人数")}, action="ceremony.confirm")
audit.register_details({"name": _l("姓名"), "post": _l("职务")}, action="ceremony.elected")
# The log names the check-in method (手机签到), not its stored value.
audit.register_values("method", dict(CHECK_IN_METHOD_LABELS), action="ceremony.check_in")
