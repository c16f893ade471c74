"""report schedule rules: first report months, the per-meeting cap and the rectification
period in the body's report settings; the reason a report was confirmed over the cap; the
deliberation opinions on a report and the reporter's answer on their handling

Revision ID: 5c1e9a7d3b42
Revises: cc308b597bba
Create Date: 2026-12-07 17:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5c1e9a7d3b42'
down_revision = 'cc308b597bba'
branch_labels = None
depends_on = None


def upgrade():
    # Existing bodies get the defaults the code used so far (a year, 4 per meeting, 3 months).
    with op.batch_alter_table('report_settings', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('first_report_months', sa.Integer(), server_default='12', nullable=False)
        )
        batch_op.add_column(
            sa.Column('max_oral_per_meeting', sa.Integer(), server_default='4', nullable=False)
        )
        batch_op.add_column(
            sa.Column('rectification_months', sa.Integer(), server_default='3', nullable=False)
        )
    with op.batch_alter_table('report_subjects', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('over_cap_reason', sa.String(length=300), server_default='', nullable=False)
        )
        batch_op.add_column(sa.Column('opinions', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('opinions_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('handling_due_on', sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column('handling_report', sa.Text(), server_default='', nullable=False)
        )
        batch_op.add_column(sa.Column('handling_reported_on', sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table('report_subjects', schema=None) as batch_op:
        batch_op.drop_column('handling_reported_on')
        batch_op.drop_column('handling_report')
        batch_op.drop_column('handling_due_on')
        batch_op.drop_column('opinions_on')
        batch_op.drop_column('opinions')
        batch_op.drop_column('over_cap_reason')
    with op.batch_alter_table('report_settings', schema=None) as batch_op:
        batch_op.drop_column('rectification_months')
        batch_op.drop_column('max_oral_per_meeting')
        batch_op.drop_column('first_report_months')
