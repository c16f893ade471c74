"""Staff accounts and the login throttle."""

from __future__ import annotations

import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from examsite.core.body import Body
from examsite.core.roles import ROLE_RANK, ROLES
from examsite.core.timeutil import utcnow
from examsite.extensions import Model

# Werkzeug's scrypt: a memory-hard KDF, salted per password.
PASSWORD_METHOD = "scrypt"  # noqa: S105 (a method name, not a password) # nosec B105


def _new_token() -> str:
    return secrets.token_urlsafe(16)


class User(UserMixin, Model):
    """A staff member of one congress body (candidates are a separate model)."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint(f"role IN {ROLES!r}", name="role_valid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id"), index=True)
    #: Stored lower-case; unique across the instance so login needs no body.
    username: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    #: Set for temporary passwords given by an administrator.
    must_change_password: Mapped[bool] = mapped_column(default=False)
    #: A temporary (one-time) password stops working at this time; None for one's own.
    password_expires_at: Mapped[datetime | None]
    #: Part of the login cookie; rotating it ends every session of the user.
    session_token: Mapped[str] = mapped_column(String(64), default=_new_token)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    body: Mapped[Body] = relationship()

    def __repr__(self) -> str:
        return f"<User {self.username}>"

    # Flask-Login
    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return f"s:{self.id}:{self.session_token}"

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method=PASSWORD_METHOD)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def end_sessions(self) -> None:
        """Invalidate every login cookie issued to this user."""
        self.session_token = _new_token()

    @property
    def password_expired(self) -> bool:
        """A temporary password past its expiry: it no longer logs in (re-issue it)."""
        return self.password_expires_at is not None and self.password_expires_at <= utcnow()

    def has_role(self, role: str) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[role]

    @property
    def is_staff(self) -> bool:
        return True


class LoginThrottle(Model):
    """Failed-login counter for one key ("user:<name>" or "ip:<addr>"), shared by all workers."""

    __tablename__ = "login_throttles"

    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    window_start: Mapped[datetime] = mapped_column(default=utcnow)
    locked_until: Mapped[datetime | None]
