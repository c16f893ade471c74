"""Login, throttling and staff-account operations (no HTTP here; views call these)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from math import ceil
from typing import Any

from flask import current_app
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from examsite.auth.models import LoginThrottle, User
from examsite.auth.passwords import temporary_password
from examsite.core import audit
from examsite.core.body import LEVEL_COUNTY, Body
from examsite.core.roles import ROLE_ADMIN, ROLE_BODY_ADMIN, ROLE_STAFF
from examsite.core.timeutil import utcnow
from examsite.extensions import db

# Compared against when the username is unknown, so timing does not reveal which names exist.
_DUMMY_HASH = generate_password_hash("not-a-real-password-0", method="scrypt")
#: No user name is longer (auth.forms.USERNAME_RE); a longer typed name is never looked up.
USERNAME_MAX = 64


@dataclass(frozen=True)
class ThrottleSettings:
    max_failures_per_account: int = 5
    max_failures_per_ip: int = 5
    lock_minutes: int = 15


@dataclass(frozen=True)
class LoginOutcome:
    user: User | None = None
    #: "ok", "invalid", "locked", "disabled" or "expired" (a temporary password too old).
    status: str = "invalid"
    locked_minutes: int = 0


def throttle_keys(username: str, ip: str) -> list[tuple[str, str]]:
    """(key, kind) pairs checked for one attempt (a typed name counts by its first 64
    characters, so the key fits its column)."""
    return [
        (f"user:{username.strip().lower()[:USERNAME_MAX]}", "account"),
        (f"ip:{ip[:64]}", "ip"),
    ]


def lock_remaining_minutes(keys: list[str]) -> int:
    """Minutes until the longest active lock among these keys ends; 0 when none."""
    now = utcnow()
    rows = db.session.scalars(select(LoginThrottle).where(LoginThrottle.key.in_(keys))).all()
    remaining = [
        (row.locked_until - now).total_seconds()
        for row in rows
        if row.locked_until is not None and row.locked_until > now
    ]
    return ceil(max(remaining) / 60) if remaining else 0


def register_failure(keys: list[tuple[str, int]], settings: ThrottleSettings) -> None:
    """Count one failure against each key; lock a key that reaches its limit."""
    now = utcnow()
    window = timedelta(minutes=settings.lock_minutes)
    for key, limit in keys:
        row = db.session.get(LoginThrottle, key)
        if row is None:
            row = LoginThrottle(key=key, failures=0, window_start=now)
            db.session.add(row)
        if row.window_start < now - window or (row.locked_until and row.locked_until <= now):
            row.failures, row.window_start, row.locked_until = 0, now, None
        row.failures += 1
        if row.failures >= limit:
            row.locked_until = now + window


def clear_failures(key: str) -> None:
    row = db.session.get(LoginThrottle, key)
    if row is not None:
        db.session.delete(row)


def authenticate(username: str, password: str, ip: str, settings: ThrottleSettings) -> LoginOutcome:
    """Check a staff login, applying the per-account and per-IP throttle; commits."""
    name = username.strip().lower()
    account_key, ip_key = (key for key, _ in throttle_keys(name, ip))
    locked = lock_remaining_minutes([account_key, ip_key])
    if locked:
        audit.record_failure("auth.login_locked", actor=name, username=name)
        db.session.flush()
        return LoginOutcome(status="locked", locked_minutes=locked)

    user = (
        db.session.scalars(select(User).where(User.username == name)).first()
        if len(name) <= USERNAME_MAX
        else None
    )
    valid = user.check_password(password) if user else _dummy_check(password)
    if user is None or not valid:
        register_failure(
            [
                (account_key, settings.max_failures_per_account),
                (ip_key, settings.max_failures_per_ip),
            ],
            settings,
        )
        # At most 64 characters of the name, and one entry per client and minute.
        audit.record_failure(
            "auth.login_failed",
            body=user.body_id if user else None,
            actor=name,
            username=name,
        )
        db.session.flush()
        locked = lock_remaining_minutes([account_key, ip_key])
        if locked:
            return LoginOutcome(status="locked", locked_minutes=locked)
        return LoginOutcome(status="invalid")
    if not user.active:
        audit.record("auth.login_disabled", target=user, user=user)
        db.session.flush()
        return LoginOutcome(status="disabled")
    if user.password_expired:
        audit.record("auth.login_expired_password", target=user, user=user)
        db.session.flush()
        return LoginOutcome(status="expired")
    clear_failures(account_key)
    user.last_login_at = utcnow()
    audit.record("auth.login", target=user, user=user)
    db.session.flush()
    return LoginOutcome(user=user, status="ok")


def _dummy_check(password: str) -> bool:
    check_password_hash(_DUMMY_HASH, password)
    return False


def change_password(user: User, new_password: str) -> None:
    """Set a password chosen by the user; other sessions of the user end."""
    user.set_password(new_password)
    user.must_change_password = False
    user.password_expires_at = None
    user.end_sessions()
    audit.record("auth.password_changed", target=user, user=user)
    db.session.flush()


def username_taken(username: str) -> bool:
    name = username.strip().lower()
    return (db.session.scalar(select(func.count()).where(User.username == name)) or 0) > 0


def allowed_roles(actor: User, body: Body) -> list[str]:
    """Roles an actor may give in a body: admin only at non-county level by a municipal admin."""
    roles = [ROLE_STAFF, ROLE_BODY_ADMIN]
    if actor.role == ROLE_ADMIN and body.level != LEVEL_COUNTY:
        roles.append(ROLE_ADMIN)
    return roles


def temporary_password_expiry() -> datetime:
    """When a temporary password given now stops working (EXAMSITE_TEMP_PASSWORD_HOURS)."""
    return utcnow() + timedelta(hours=int(current_app.config["EXAMSITE_TEMP_PASSWORD_HOURS"]))


def create_staff(
    body: Body, *, username: str, name: str, role: str, password: str | None = None
) -> tuple[User, str]:
    """Create a staff account; without a password a temporary one is made (must change,
    expires after EXAMSITE_TEMP_PASSWORD_HOURS)."""
    temp = password is None
    plain = password if password is not None else temporary_password()
    user = User(
        body_id=body.id,
        username=username.strip().lower(),
        name=name.strip(),
        role=role,
        must_change_password=temp,
        password_expires_at=temporary_password_expiry() if temp else None,
    )
    user.set_password(plain)
    db.session.add(user)
    audit.record("user.create", target=user, body=body, username=user.username, role=role)
    db.session.flush()
    return user, plain


def update_staff(user: User, *, name: str, role: str) -> None:
    changes: dict[str, Any] = {}
    if user.name != name.strip():
        changes["name"] = [user.name, name.strip()]
    if user.role != role:
        changes["role"] = [user.role, role]
        user.end_sessions()  # new powers or fewer: start a fresh session
    user.name, user.role = name.strip(), role
    audit.record("user.update", target=user, **changes)
    db.session.flush()


def set_active(user: User, active: bool) -> None:
    user.active = active
    if not active:
        user.end_sessions()
    audit.record("user.enable" if active else "user.disable", target=user)
    db.session.flush()


def reset_password(user: User) -> str:
    """Give the user a new temporary password (it expires after EXAMSITE_TEMP_PASSWORD_HOURS;
    this is also how an expired one is re-issued); returns it to show once."""
    plain = temporary_password()
    user.set_password(plain)
    user.must_change_password = True
    user.password_expires_at = temporary_password_expiry()
    user.end_sessions()
    clear_failures(f"user:{user.username}")
    audit.record("user.reset_password", target=user)
    db.session.flush()
    return plain
