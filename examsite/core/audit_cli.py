"""`flask audit verify`: walk every body's audit chain and report the first broken link, and
every chain that should exist but is gone."""

from __future__ import annotations

from collections.abc import Generator
from contextlib import closing
from typing import Any

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from examsite.core.audit import CHAIN_OPENED, AuditChainHead, AuditEvent
from examsite.core.auditchain import FIELDS, Break, verify_chain
from examsite.core.body import Body
from examsite.extensions import db


@click.group()
def audit() -> None:
    """The audit log."""


def _entries(chain: int, upto: int | None = None) -> Generator[Any, None, None]:
    columns = [getattr(AuditEvent, name) for name in ("id", *FIELDS, "prev_hash", "hash")]
    stmt = select(*columns).where(AuditEvent.chain == chain)
    if upto is not None:
        stmt = stmt.where(AuditEvent.chain_seq <= upto)
    # The log grows without bound: stream it.
    stmt = stmt.order_by(AuditEvent.chain_seq, AuditEvent.id).execution_options(yield_per=2000)
    result = db.session.execute(stmt)
    try:
        for row in result:
            yield row._mapping
    finally:
        result.close()  # a break found early leaves a server-side cursor open otherwise


def verify_all() -> tuple[int, list[Break]]:
    """Check every chain, and that none is gone; return the number of chains and the breaks."""
    heads = {h.chain: h for h in db.session.scalars(select(AuditChainHead))}
    chains = set(heads) | set(db.session.scalars(select(AuditEvent.chain).distinct()))
    breaks = []
    for chain in sorted(chains):
        head = heads.get(chain)
        if head is None:
            breaks.append(Break(chain, None, 0, "the chain head is missing (deleted)"))
            continue
        with closing(_entries(chain)) as entries:
            found = verify_chain(chain, entries, head.seq, head.hash)
        if found is not None:
            breaks.append(found)
    breaks.extend(_missing_chains(chains))
    return len(chains), breaks


def _missing_chains(present: set[int]) -> list[Break]:
    """Chains that must exist and do not, events and head deleted alike.

    The global chain (0) names each chain as it opens (``audit.chain_opened``, see
    ``audit._link``); every body has a chain from its creation on; and every chain but the
    global one must be named there (or the global chain lost entries).
    """
    opened = {
        int(chain)
        for chain in db.session.scalars(
            select(AuditEvent.target_id).where(
                AuditEvent.chain == 0, AuditEvent.action == CHAIN_OPENED
            )
        )
        if chain.isdigit()
    }
    bodies = set(db.session.scalars(select(Body.id)))
    breaks = []
    if 0 not in present and present:
        breaks.append(Break(0, None, 0, "the global chain is missing (deleted)"))
    for chain in sorted((opened | bodies) - present):
        reason = (
            "the whole chain is missing (deleted), opened in the global chain"
            if chain in opened
            else "the body has no audit chain: its entries and chain head are missing (deleted)"
        )
        breaks.append(Break(chain, None, 0, reason))
    if 0 in present:
        for chain in sorted(present - opened - {0}):
            breaks.append(
                Break(
                    chain,
                    None,
                    0,
                    "the global chain does not name this chain (its entry was deleted)",
                )
            )
    return breaks


def verify_digest(digest: str) -> tuple[Any, Break | None]:
    """The entry whose hash is ``digest`` (None if there is none), and the first broken
    link of its chain from the start up to and including it (None if intact)."""
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.hash == digest.strip().lower()).limit(1)
    ).first()
    if event is None:
        return None, None
    # The entry itself stands in for the head: the walk must end exactly on it.
    with closing(_entries(event.chain, upto=event.chain_seq)) as entries:
        found = verify_chain(event.chain, entries, event.chain_seq, event.hash)
    return event, found


def _verify_one(digest: str) -> None:
    """`flask audit verify --digest`: a filed document's digest against the log."""
    event, found = verify_digest(digest)
    if event is None:
        click.echo(f"NOT FOUND: no audit entry has the digest {digest}", err=True)
        raise SystemExit(1)
    body = db.session.scalar(select(Body.code).where(Body.id == event.body_id)) or "(no body)"
    where = f"body {body} (chain {event.chain}), entry number {event.chain_seq}, id {event.id}"
    if found is not None:
        click.echo(
            f"BROKEN: {where} is in the log but the chain up to it is not intact: "
            f"entry number {found.chain_seq}: {found.reason}",
            err=True,
        )
        raise SystemExit(1)
    click.echo(
        f"OK: {where}, {event.action} at {event.created_at.isoformat()} UTC is in the chain, "
        "intact up to it"
    )


@audit.command("verify")
@click.option(
    "--digest",
    default=None,
    help="Check one entry (e.g. the sign-off digest printed on a filed record): whether it "
    "is in the log and its chain is intact up to it.",
)
@with_appcontext
def verify(digest: str | None) -> None:
    """Recompute every body's audit hash chain; exit 1 at the first broken link of any."""
    if digest is not None:
        _verify_one(digest)
        return
    checked, breaks = verify_all()
    names = {row.id: row.code for row in db.session.execute(select(Body.id, Body.code))}
    for found in breaks:
        body = names.get(found.chain, "(no body)") if found.chain else "(no body)"
        if found.entry_id is not None:
            where = f"entry number {found.chain_seq}, entry id {found.entry_id}"
        elif found.chain_seq:
            where = f"entry number {found.chain_seq}, chain head"
        else:
            where = "the whole chain"
        click.echo(f"BROKEN: body {body} (chain {found.chain}), {where}: {found.reason}", err=True)
    if breaks:
        raise SystemExit(1)
    # The heads, to keep with the annual records: a chain rewritten later would not match.
    for head in db.session.scalars(select(AuditChainHead).order_by(AuditChainHead.chain)):
        body = names.get(head.chain, "(no body)") if head.chain else "(no body)"
        click.echo(f"{body}\t{head.seq} entries\thead {head.hash}")
    click.echo(f"OK: {checked} chains verified, no broken link")
