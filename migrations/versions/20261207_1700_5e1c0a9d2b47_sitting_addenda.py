"""sitting addenda: 补充说明 added to a signed sitting record

A signed record never changes; a fact learnt later is added beside it as an addendum,
with who added it and when (and its own audit event). A new table: existing rows are
untouched.

Revision ID: 5e1c0a9d2b47
Revises: 736727bbc71b
Create Date: 2026-12-07 17:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e1c0a9d2b47'
down_revision = '736727bbc71b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sitting_addenda',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('body_id', sa.Integer(), nullable=False),
    sa.Column('sitting_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['body_id'], ['bodies.id'], name=op.f('fk_sitting_addenda_body_id_bodies')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_sitting_addenda_created_by_id_users')),
    sa.ForeignKeyConstraint(['sitting_id'], ['sittings.id'], name=op.f('fk_sitting_addenda_sitting_id_sittings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sitting_addenda'))
    )
    with op.batch_alter_table('sitting_addenda', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sitting_addenda_body_id'), ['body_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sitting_addenda_sitting_id'), ['sitting_id'], unique=False)


def downgrade():
    with op.batch_alter_table('sitting_addenda', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sitting_addenda_sitting_id'))
        batch_op.drop_index(batch_op.f('ix_sitting_addenda_body_id'))

    op.drop_table('sitting_addenda')
