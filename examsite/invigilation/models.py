"""Incidents recorded in the room and answers keyed in from paper."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from examsite.auth.models import User
from examsite.core.timeutil import utcnow
from examsite.extensions import Model

INCIDENT_CATEGORIES = ("equipment", "discipline", "other")


class Incident(Model):
    """Something that happened in the room: a broken computer, a breach of the rules."""

    __tablename__ = "incidents"
    __table_args__ = (
        CheckConstraint(f"category IN {INCIDENT_CATEGORIES!r}", name="category_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id"), index=True)
    sitting_id: Mapped[int] = mapped_column(ForeignKey("sittings.id"), index=True)
    #: The candidate it concerns; empty for the whole sitting.
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("attempts.id"))
    category: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    created_by: Mapped[User] = relationship()


class PaperEntry(Model):
    """One staff member's keying-in of a candidate's paper answer sheet (double entry)."""

    __tablename__ = "paper_entries"
    __table_args__ = (UniqueConstraint("attempt_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id"), index=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: {"0": [1], "1": [0, 2], ...}: DISPLAYED option indexes per position, as on the sheet.
    choices: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship()


class Addendum(Model):
    """补充说明: a fact learnt after the record was signed. The signed record never changes;
    a later fact is added beside it, signed by whoever adds it, with its own audit event."""

    __tablename__ = "sitting_addenda"

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id"), index=True)
    sitting_id: Mapped[int] = mapped_column(ForeignKey("sittings.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    created_by: Mapped[User] = relationship()
