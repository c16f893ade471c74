"""question law version and exclusion group: the version of the law a question's key
follows, and the group of questions that give each other away (one per paper)

Revision ID: c9a3e5d7f1b2
Revises: b4f1c8e2a6d5
Create Date: 2026-12-08 01:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c9a3e5d7f1b2'
down_revision = 'b4f1c8e2a6d5'
branch_labels = None
depends_on = None

TABLES = ('questions', 'question_revisions')


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column('law_version', sa.String(length=100), server_default='', nullable=False)
            )
            batch_op.add_column(
                sa.Column('exclusion_group', sa.String(length=100), server_default='', nullable=False)
            )


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('exclusion_group')
            batch_op.drop_column('law_version')
