"""personnel matters: the kind of each decision on a person (任命, 免职, ...), its post
kind, nominating organ and (for an election) session; the post kinds a body adds; a
body's steps per kind of matter

Revision ID: a7d2e4c1f9b3
Revises: 5c1e9a7d3b42
Create Date: 2026-12-07 20:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7d2e4c1f9b3'
down_revision = '5c1e9a7d3b42'
branch_labels = None
depends_on = None

KINDS = (
    'appoint', 'decide_appoint', 'remove', 'dismiss', 'accept_resignation',
    'approve_appoint', 'approve_remove', 'decide_acting', 'elect',
)


def upgrade():
    # Every existing record was an appointment through the test.
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('kind', sa.String(length=24), server_default='appoint', nullable=False)
        )
        batch_op.add_column(
            sa.Column('post_kind', sa.String(length=64), server_default='', nullable=False)
        )
        batch_op.add_column(
            sa.Column('nominating_organ', sa.String(length=100), server_default='', nullable=False)
        )
        batch_op.add_column(
            sa.Column('session_name', sa.String(length=200), server_default='', nullable=False)
        )
        batch_op.create_check_constraint(batch_op.f('ck_appointments_kind_valid'), f"kind IN {KINDS!r}")
    op.create_table(
        'post_kinds',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('body_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['body_id'], ['bodies.id'], name=op.f('fk_post_kinds_body_id_bodies')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_post_kinds')),
        sa.UniqueConstraint('body_id', 'name', name=op.f('uq_post_kinds_body_id_name')),
    )
    with op.batch_alter_table('post_kinds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_post_kinds_body_id'), ['body_id'], unique=False)
    op.create_table(
        'matter_rules',
        sa.Column('body_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=24), nullable=False),
        sa.Column('needs_test', sa.Boolean(), nullable=False),
        sa.Column('needs_statement', sa.Boolean(), nullable=False),
        sa.Column('needs_oath', sa.Boolean(), nullable=False),
        sa.Column('needs_reports', sa.Boolean(), nullable=False),
        sa.CheckConstraint(f"kind IN {KINDS!r}", name=op.f('ck_matter_rules_kind_valid')),
        sa.ForeignKeyConstraint(['body_id'], ['bodies.id'], name=op.f('fk_matter_rules_body_id_bodies')),
        sa.PrimaryKeyConstraint('body_id', 'kind', name=op.f('pk_matter_rules')),
    )


def downgrade():
    op.drop_table('matter_rules')
    with op.batch_alter_table('post_kinds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_post_kinds_body_id'))
    op.drop_table('post_kinds')
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_appointments_kind_valid'), type_='check')
        batch_op.drop_column('session_name')
        batch_op.drop_column('nominating_organ')
        batch_op.drop_column('post_kind')
        batch_op.drop_column('kind')
