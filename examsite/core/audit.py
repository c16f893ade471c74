"""The audit log: its two tables and the helpers every feature calls.

``record()`` adds a staff action to the current transaction, ``record_failure()`` a failed
attempt by someone not signed in; each entry is linked into its body's hash chain.  The
``register_*()`` functions name a feature's actions, record types, detail keys and values
in ``audit_labels``, which shows entries in words.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, select, update
from sqlalchemy.orm import Mapped, mapped_column, relationship

from examsite.core.audit_labels import ACTION_LABELS, DETAIL_LABELS, TARGET_LABELS, VALUE_LABELS
from examsite.core.auditchain import FIELDS, GENESIS, entry_hash
from examsite.core.body import Body
from examsite.core.dialect import insert_for, session_dialect
from examsite.core.timeutil import utcnow
from examsite.extensions import Model, db


def register_actions(labels: dict[str, Any]) -> None:
    """Labels of a feature's actions, for the log page and its filter."""
    ACTION_LABELS.update(labels)


def register_targets(labels: dict[str, Any]) -> None:
    """Labels of record types (a target's class name), for a feature's own models."""
    TARGET_LABELS.update(labels)


def register_details(labels: dict[str, Any], *, action: str | None = None) -> None:
    """Labels of detail keys; with ``action``, only for that action's entries."""
    DETAIL_LABELS.update({(action, k) if action else k: v for k, v in labels.items()})


def register_values(key: str, labels: dict[Any, Any], *, action: str | None = None) -> None:
    """Labels of the known values of a detail key (an enum's stored values)."""
    VALUE_LABELS.setdefault((action, key), {}).update(labels)


#: The action of the global chain's entry that names each new chain (see _link).
CHAIN_OPENED = "audit.chain_opened"
#: How much of a typed value (a user name, an admission code) a failure entry keeps.
FAILURE_TEXT_MAX = 64


class AuditEvent(Model):
    """Who did what to which record, when and from where.

    Entries are never edited or deleted by the site; each carries the hash of the previous
    entry of its body's chain (see auditchain.py and `flask audit verify`).
    """

    __tablename__ = "audit_events"
    __table_args__ = (UniqueConstraint("chain", "chain_seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    #: The acting staff member; empty for anonymous events such as a failed login.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    #: The acting user's name at that time, kept even if the account is renamed.
    actor: Mapped[str] = mapped_column(String(64), default="")
    body_id: Mapped[int | None] = mapped_column(ForeignKey("bodies.id"), index=True)
    #: Dotted verb, e.g. "auth.login", "user.create".
    action: Mapped[str] = mapped_column(String(64), index=True)
    target_type: Mapped[str] = mapped_column(String(32), default="")
    target_id: Mapped[str] = mapped_column(String(64), default="")
    details: Mapped[str] = mapped_column(Text, default="")
    ip: Mapped[str] = mapped_column(String(64), default="")
    #: Repeated failed logins from one client within one minute share one entry; this
    #: counts them (outside the hash: the entry was sealed at the first of them).
    repeats: Mapped[int] = mapped_column(default=1, server_default="1")
    #: The hash chain: the body's id (0 for events of no body), the entry's number in that
    #: chain, the previous entry's hash and this entry's.
    chain: Mapped[int]
    chain_seq: Mapped[int]
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    body: Mapped[Body | None] = relationship()

    def chain_fields(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in FIELDS}

    @property
    def details_dict(self) -> dict[str, Any]:
        return json.loads(self.details) if self.details else {}


def record(
    action: str,
    *,
    target: Any = None,
    body: Body | int | None = None,
    user: Any = None,
    actor: str | None = None,
    **details: Any,
) -> AuditEvent:
    """Add an audit event to the current transaction (the caller commits).

    ``body`` defaults to the target's body, then the acting user's body.
    """
    if target is not None and getattr(target, "id", 0) is None:
        db.session.flush()  # the event must name the new row's id
    if user is None and has_request_context() and current_user.is_authenticated:
        user = current_user
    staff = user if getattr(user, "is_staff", False) else None
    body_id: int | None
    if isinstance(body, Body):
        body_id = body.id
    elif body is not None:
        body_id = body
    elif target is not None and getattr(target, "body_id", None) is not None:
        body_id = target.body_id
    elif target is not None and isinstance(target, Body):
        body_id = target.id
    else:
        body_id = getattr(user, "body_id", None)
    if actor is None:
        actor = getattr(user, "username", "") or ("" if has_request_context() else "cli")
    event = AuditEvent(
        user_id=staff.id if staff is not None else None,
        # Typed input (a failed login's user name) may be longer than the column.
        actor=actor[:64],
        body_id=body_id,
        action=action,
        target_type=type(target).__name__ if target is not None else "",
        target_id=str(getattr(target, "id", ""))[:64] if target is not None else "",
        details=json.dumps(details, ensure_ascii=False, default=str) if details else "",
        ip=(request.remote_addr or "")[:64] if has_request_context() else "cli",
    )
    _link(event)
    db.session.add(event)
    return event


def record_failure(
    action: str,
    *,
    actor: str,
    body: Body | int | None = None,
    **details: Any,
) -> AuditEvent:
    """Add a failed attempt by a client that is not signed in (the caller commits).

    For input typed by anyone, e.g. ``record_failure("auth.login_failed", actor=name,
    body=user.body_id if user else None, username=name)``: ``actor`` and every text in
    ``details`` keep at most ``FAILURE_TEXT_MAX`` characters. A repeat of the same ``action``
    from the same client address, for the same body, within the same clock minute does not
    add an entry: it adds one to the ``repeats`` of the first (whose fields, sealed in the
    hash chain, stay those of the first attempt; ``repeats`` is outside the hash).
    """
    body_id = body.id if isinstance(body, Body) else body
    ip = (request.remote_addr or "")[:64] if has_request_context() else "cli"
    now = utcnow()
    minute = now.replace(second=0, microsecond=0)
    same = db.session.scalar(
        select(AuditEvent)
        .where(
            AuditEvent.action == action,
            AuditEvent.ip == ip,
            AuditEvent.body_id.is_(None) if body_id is None else AuditEvent.body_id == body_id,
            AuditEvent.created_at >= minute,
            AuditEvent.created_at < minute + timedelta(minutes=1),
        )
        .order_by(AuditEvent.id)
        .limit(1)
    )
    if same is not None:
        # One UPDATE adding 1, so concurrent repeats are all counted.
        db.session.execute(
            update(AuditEvent)
            .where(AuditEvent.id == same.id)
            .values(repeats=AuditEvent.repeats + 1)
            .execution_options(synchronize_session=False)
        )
        db.session.refresh(same, ["repeats"])
        return same
    cut = {
        key: value[:FAILURE_TEXT_MAX] if isinstance(value, str) else value
        for key, value in details.items()
    }
    # No acting user, whoever else may be signed in on that browser (a candidate on a shared
    # exam PC): the entry belongs to the body given, or to none.
    event = AuditEvent(
        user_id=None,
        actor=actor[:FAILURE_TEXT_MAX],
        body_id=body_id,
        action=action,
        target_type="",
        target_id="",
        details=json.dumps(cut, ensure_ascii=False, default=str) if cut else "",
        ip=ip,
        created_at=now,
    )
    _link(event)
    db.session.add(event)
    return event


class AuditChainHead(Model):
    """The newest entry of each chain, so that deleting the last entries shows."""

    __tablename__ = "audit_chain_heads"

    chain: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(default=0)
    hash: Mapped[str] = mapped_column(String(64), default=GENESIS)


def _link(event: AuditEvent) -> None:
    """Append the event to its chain.

    The head row is locked (FOR UPDATE on PostgreSQL; SQLite has one writer at a time) until
    the transaction ends, so two concurrent transactions cannot fork a chain; the unique
    (chain, chain_seq) constraint backs this up. A body's first event also adds an entry
    to the global chain (0) naming the new chain, so that deleting a whole chain, head and
    all, still shows (`flask audit verify`).
    """
    event.chain = event.body_id or 0
    event.created_at = event.created_at or utcnow()
    insert = insert_for(session_dialect())
    head = db.session.scalar(
        select(AuditChainHead).where(AuditChainHead.chain == event.chain).with_for_update()
    )
    if head is None:
        db.session.execute(
            insert(AuditChainHead)
            .values(chain=event.chain, seq=0, hash=GENESIS)
            .on_conflict_do_nothing(index_elements=["chain"])
        )
        head = db.session.scalars(
            select(AuditChainHead)
            .where(AuditChainHead.chain == event.chain)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).one()
        if event.chain != 0 and head.seq == 0:
            _register_chain(event)
    event.chain_seq = head.seq + 1
    event.prev_hash = head.hash
    event.hash = entry_hash(head.hash, event.chain_fields())
    head.seq, head.hash = event.chain_seq, event.hash


def _register_chain(first: AuditEvent) -> None:
    """Note in the global chain that ``first`` opens a new chain (who and whence as it)."""
    entry = AuditEvent(
        user_id=first.user_id,
        actor=first.actor,
        body_id=None,
        action=CHAIN_OPENED,
        target_type="chain",
        target_id=str(first.chain),
        details=json.dumps({"chain": first.chain}),
        ip=first.ip,
        created_at=first.created_at,
    )
    _link(entry)
    db.session.add(entry)
