"""The candidate's session: login by admission code and ID tail, throttling, logout, liveness."""

from __future__ import annotations

import ipaddress
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from examsite.auth.services import ThrottleSettings, clear_failures, lock_remaining_minutes
from examsite.auth.services import register_failure as register_login_failure
from examsite.core import audit
from examsite.core.timeutil import utcnow
from examsite.core.transaction import begin_writing
from examsite.exams import disclosure
from examsite.exams.domain import idcard
from examsite.exams.models import (
    ATTEMPT_ABSENT,
    ATTEMPT_ENROLLED,
    ATTEMPT_IN_PROGRESS,
    SECOND_LOGIN_TAKEOVER,
    SITTING_CLOSED,
    SITTING_OPEN,
    Attempt,
    Candidate,
    Sitting,
)
from examsite.extensions import db

#: Candidates may log in (waiting room, practice) this long before the start.
EARLY_LOGIN = timedelta(minutes=60)


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
        db.session.flush()
        locked = lock_remaining_minutes([k for k, _ in keys])
        return CandidateLogin(status="locked" if locked else "invalid", minutes=locked)
    sitting = attempt.sitting
    now = utcnow()
    status = _login_window_status(sitting, attempt, now)
    if status == "ok" and not network_allowed(sitting, ip):
        status = "network"
    # A handed-in paper cannot be changed: logging in again to read the result may take the
    # session over whatever the room's rule for a second login.
    if (
        status == "ok"
        and attempt.session_token
        and sitting.second_login != SECOND_LOGIN_TAKEOVER
        and not attempt.finished
    ):
        attempt.refused_logins += 1
        status = "taken"
    if status != "ok":
        audit.record("candidate.login_refused", target=attempt, actor=f"code:{code}", reason=status)
        db.session.flush()
        return CandidateLogin(attempt=None, status=status)
    clear_failures(code_key)
    if attempt.session_token and not attempt.finished:
        # A login elsewhere ends the first browser's session (its page says so) and the
        # panel counts the switch.
        attempt.session_switches += 1
        audit.record("candidate.session_replaced", target=attempt, actor=f"code:{code}", ip=ip[:64])
    attempt.session_token = takeover_token
    attempt.session_ip = ip[:64]
    attempt.last_ip = ip
    attempt.last_seen_at = now
    audit.record("candidate.login", target=attempt, actor=f"code:{code}")
    db.session.flush()
    return CandidateLogin(attempt=attempt, status="ok")


def end_session(attempt: Attempt) -> None:
    """The candidate logged out: the session token goes, so no cookie opens the paper
    again until the next login (which needs the code and the ID tail)."""
    attempt.session_token = None
    attempt.session_ip = ""
    audit.record("candidate.logout", target=attempt, actor=f"code:{attempt.admission_code}")
    db.session.flush()


def _login_window_status(sitting: Sitting, attempt: Attempt, now: datetime) -> str:
    if attempt.status == ATTEMPT_ABSENT:
        return "ended"
    if attempt.finished:
        # Back for the result once it is published (exams.disclosure), even after the end.
        return "ok" if disclosure.result_visible(attempt) else "finished"
    if sitting.status == SITTING_CLOSED or now >= sitting.ends_at:
        return "ended"
    if sitting.status != SITTING_OPEN or now < sitting.starts_at - EARLY_LOGIN:
        return "not_open"
    return "ok"


#: How stale the invigilator's "last seen" may get. The page polls every 15 s; writing on
#: every poll made the polls of a large sitting as many writes as its answers.
LAST_SEEN_EVERY = timedelta(seconds=45)


def touch(attempt: Attempt, ip: str, now: datetime | None = None) -> None:
    """Note that the candidate's page is alive (for the invigilator's "last seen").

    May end the caller's reading transaction (the attempt is expired afterwards)."""
    now = now or utcnow()
    if attempt.status not in (ATTEMPT_ENROLLED, ATTEMPT_IN_PROGRESS):
        return  # a handed-in paper's row stays as it was (and a signed sitting's, always)
    if attempt.last_seen_at is not None and now - attempt.last_seen_at <= LAST_SEEN_EVERY:
        return
    attempt_id = attempt.id
    # The poll has only read so far: its write begins a transaction of its own, IMMEDIATE
    # on SQLite (see begin_writing).
    begin_writing()
    db.session.execute(
        update(Attempt)
        .where(Attempt.id == attempt_id)
        .values(last_seen_at=now, last_ip=ip[:64])
        .execution_options(synchronize_session=False)
    )
    db.session.flush()


def record_event(attempt: Attempt, kind: str) -> None:
    if kind == "blur":
        db.session.execute(
            update(Attempt)
            # Only while answering: after hand-in (and so in a signed sitting) it is not news.
            .where(Attempt.id == attempt.id, Attempt.status == ATTEMPT_IN_PROGRESS)
            .values(focus_losses=Attempt.focus_losses + 1)
            .execution_options(synchronize_session=False)
        )
        db.session.flush()


audit.register_actions(
    {
        "candidate.login": _l("考生登录"),
        "candidate.login_failed": _l("考生登录失败"),
        "candidate.login_refused": _l("考生登录被拒绝"),
        "candidate.code_locked": _l("准考证号因多次输错被锁定"),
        "candidate.logout": _l("考生退出登录"),
        "candidate.session_replaced": _l("考生在其他电脑登录（原会话结束）"),
    }
)
