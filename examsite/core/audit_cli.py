"""`flask audit verify`: walk every body's audit chain and report the first broken link."""

from __future__ import annotations

from collections.abc import Generator
from contextlib import closing
from typing import Any

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from examsite.bodies.models import Body
from examsite.core.audit import AuditChainHead, AuditEvent
from examsite.core.auditchain import FIELDS, GENESIS, Break, verify_chain
from examsite.extensions import db


@click.group()
def audit() -> None:
    """The audit log."""


def _entries(chain: int) -> Generator[Any, None, None]:
    columns = [getattr(AuditEvent, name) for name in ("id", *FIELDS, "prev_hash", "hash")]
    stmt = (
        select(*columns)
        .where(AuditEvent.chain == chain)
        .order_by(AuditEvent.chain_seq, AuditEvent.id)
        .execution_options(yield_per=2000)  # the log grows without bound: stream it
    )
    result = db.session.execute(stmt)
    try:
        for row in result:
            yield row._mapping
    finally:
        result.close()  # a break found early leaves a server-side cursor open otherwise


def verify_all() -> tuple[int, list[Break]]:
    """Check every chain; return the number of chains and the breaks found."""
    heads = {h.chain: h for h in db.session.scalars(select(AuditChainHead))}
    chains = set(heads) | set(db.session.scalars(select(AuditEvent.chain).distinct()))
    breaks = []
    for chain in sorted(chains):
        head = heads.get(chain)
        with closing(_entries(chain)) as entries:
            found = verify_chain(
                chain, entries, head.seq if head else 0, head.hash if head else GENESIS
            )
        if found is not None:
            breaks.append(found)
    return len(chains), breaks


@audit.command("verify")
@with_appcontext
def verify() -> None:
    """Recompute every body's audit hash chain; exit 1 at the first broken link of any."""
    checked, breaks = verify_all()
    names = {row.id: row.code for row in db.session.execute(select(Body.id, Body.code))}
    for found in breaks:
        body = names.get(found.chain, "(no body)") if found.chain else "(no body)"
        where = f"entry id {found.entry_id}" if found.entry_id is not None else "chain head"
        click.echo(
            f"BROKEN: body {body} (chain {found.chain}), entry number {found.chain_seq}, "
            f"{where}: {found.reason}",
            err=True,
        )
    if breaks:
        raise SystemExit(1)
    # The heads, to keep with the annual records: a chain rewritten later would not match.
    for head in db.session.scalars(select(AuditChainHead).order_by(AuditChainHead.chain)):
        body = names.get(head.chain, "(no body)") if head.chain else "(no body)"
        click.echo(f"{body}\t{head.seq} entries\thead {head.hash}")
    click.echo(f"OK: {checked} chains verified, no broken link")
