"""audit hash chain

Revision ID: 74e79bc08889
Revises: 701a0bf94b4b
Create Date: 2026-11-24 07:41:49.581401

"""
from alembic import op
import sqlalchemy as sa

from examsite.core.auditchain import FIELDS, GENESIS, entry_hash


# revision identifiers, used by Alembic.
revision = '74e79bc08889'
down_revision = '701a0bf94b4b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('audit_chain_heads',
    sa.Column('chain', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('chain', name=op.f('pk_audit_chain_heads'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('chain', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('chain_seq', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('prev_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('hash', sa.String(length=64), nullable=True))

    # Existing entries become each body's chain, in the order they were written.
    conn = op.get_bind()
    events = sa.table(
        'audit_events',
        sa.column('id', sa.Integer()),
        *(sa.column(name) for name in FIELDS if name not in ('chain', 'chain_seq')),
        sa.column('chain', sa.Integer()),
        sa.column('chain_seq', sa.Integer()),
        sa.column('prev_hash', sa.String()),
        sa.column('hash', sa.String()),
    )
    heads = {}
    rows = conn.execute(sa.select(events).order_by(events.c.id)).mappings().all()
    for row in rows:
        entry = dict(row)
        entry['chain'] = entry['body_id'] or 0
        seq, prev = heads.get(entry['chain'], (0, GENESIS))
        entry['chain_seq'] = seq + 1
        if isinstance(entry['created_at'], str):  # SQLite without type information
            from datetime import datetime

            entry['created_at'] = datetime.fromisoformat(entry['created_at'])
        digest = entry_hash(prev, entry)
        conn.execute(
            events.update()
            .where(events.c.id == entry['id'])
            .values(chain=entry['chain'], chain_seq=entry['chain_seq'], prev_hash=prev, hash=digest)
        )
        heads[entry['chain']] = (entry['chain_seq'], digest)
    if heads:
        op.bulk_insert(
            sa.table('audit_chain_heads', sa.column('chain'), sa.column('seq'), sa.column('hash')),
            [{'chain': c, 'seq': s, 'hash': h} for c, (s, h) in heads.items()],
        )

    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.alter_column('chain', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('chain_seq', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('prev_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_audit_events_chain_chain_seq'), ['chain', 'chain_seq'])


def downgrade():
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_audit_events_chain_chain_seq'), type_='unique')
        batch_op.drop_column('hash')
        batch_op.drop_column('prev_hash')
        batch_op.drop_column('chain_seq')
        batch_op.drop_column('chain')

    op.drop_table('audit_chain_heads')
