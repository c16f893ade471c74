"""statements before votes and vote counts: the rule that the statement comes before the
vote (on for every body), the committee's members per term, and the counts of a vote

Votes recorded before this keep no counts (NULL, shown as "—").

Revision ID: b6425baef69f
Revises: 5e1c0a9d2b47
Create Date: 2026-12-07 17:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b6425baef69f'
down_revision = '5e1c0a9d2b47'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('committee_terms',
    sa.Column('body_id', sa.Integer(), nullable=False),
    sa.Column('term', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('members', sa.Integer(), nullable=False),
    sa.CheckConstraint('members > 0', name=op.f('ck_committee_terms_members_positive')),
    sa.ForeignKeyConstraint(['body_id'], ['bodies.id'], name=op.f('fk_committee_terms_body_id_bodies')),
    sa.PrimaryKeyConstraint('body_id', 'term', name=op.f('pk_committee_terms'))
    )

    with op.batch_alter_table('appointment_rules', schema=None) as batch_op:
        batch_op.add_column(sa.Column('require_statement', sa.Boolean(), server_default=sa.true(), nullable=False))

    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('vote_members', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('vote_present', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('votes_for', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('votes_against', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('vote_abstentions', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.drop_column('vote_abstentions')
        batch_op.drop_column('votes_against')
        batch_op.drop_column('votes_for')
        batch_op.drop_column('vote_present')
        batch_op.drop_column('vote_members')

    with op.batch_alter_table('appointment_rules', schema=None) as batch_op:
        batch_op.drop_column('require_statement')

    op.drop_table('committee_terms')
