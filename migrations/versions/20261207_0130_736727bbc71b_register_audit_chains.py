"""register audit chains: the global chain names every body's chain

From now on a body's first audit event also adds an "audit.chain_opened" entry to the global
chain (0), so that `flask audit verify` finds a chain deleted whole, head and all. This names
the chains that already exist, in the same way. Data only: the schema does not change.

Revision ID: 736727bbc71b
Revises: daa337a4f4cc
Create Date: 2026-12-07 01:30:00.000000

"""
import json
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa

from examsite.core.auditchain import GENESIS, entry_hash


# revision identifiers, used by Alembic.
revision = '736727bbc71b'
down_revision = 'daa337a4f4cc'
branch_labels = None
depends_on = None

CHAIN_OPENED = 'audit.chain_opened'


def upgrade():
    conn = op.get_bind()
    heads = sa.table(
        'audit_chain_heads',
        sa.column('chain', sa.Integer()),
        sa.column('seq', sa.Integer()),
        sa.column('hash', sa.String()),
    )
    events = sa.table(
        'audit_events',
        sa.column('created_at', sa.DateTime()),
        sa.column('user_id', sa.Integer()),
        sa.column('actor', sa.String()),
        sa.column('body_id', sa.Integer()),
        sa.column('action', sa.String()),
        sa.column('target_type', sa.String()),
        sa.column('target_id', sa.String()),
        sa.column('details', sa.Text()),
        sa.column('ip', sa.String()),
        sa.column('repeats', sa.Integer()),
        sa.column('chain', sa.Integer()),
        sa.column('chain_seq', sa.Integer()),
        sa.column('prev_hash', sa.String()),
        sa.column('hash', sa.String()),
    )
    named = set(
        conn.execute(
            sa.select(events.c.target_id).where(
                events.c.chain == 0, events.c.action == CHAIN_OPENED
            )
        ).scalars()
    )
    chains = sorted(
        chain
        for chain in conn.execute(sa.select(heads.c.chain)).scalars()
        if chain != 0 and str(chain) not in named
    )
    if not chains:
        return
    head = conn.execute(sa.select(heads.c.seq, heads.c.hash).where(heads.c.chain == 0)).first()
    if head is None:
        seq, prev = 0, GENESIS
        conn.execute(heads.insert().values(chain=0, seq=0, hash=GENESIS))
    else:
        seq, prev = head.seq, head.hash
    now = datetime.now(UTC).replace(tzinfo=None)  # naive UTC, as every DateTime column
    for chain in chains:
        seq += 1
        entry = {
            'chain': 0,
            'chain_seq': seq,
            'created_at': now,
            'user_id': None,
            'actor': 'migration',
            'body_id': None,
            'action': CHAIN_OPENED,
            'target_type': 'chain',
            'target_id': str(chain),
            'details': json.dumps({'chain': chain}),
            'ip': 'cli',
        }
        digest = entry_hash(prev, entry)
        conn.execute(events.insert().values(**entry, repeats=1, prev_hash=prev, hash=digest))
        prev = digest
    conn.execute(heads.update().where(heads.c.chain == 0).values(seq=seq, hash=prev))


def downgrade():
    # The entries stay: removing them would break the global chain they are part of, and
    # the older code simply does not look at them.
    pass
