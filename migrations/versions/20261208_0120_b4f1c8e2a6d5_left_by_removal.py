"""left by removal: the removal whose vote ended a post, so that undoing the vote gives the
post back

Revision ID: b4f1c8e2a6d5
Revises: e3b7c5a1d902
Create Date: 2026-12-08 01:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b4f1c8e2a6d5'
down_revision = 'e3b7c5a1d902'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('left_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_appointments_left_by_id_appointments'), 'appointments', ['left_by_id'], ['id']
        )


def downgrade():
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_appointments_left_by_id_appointments'), type_='foreignkey')
        batch_op.drop_column('left_by_id')
