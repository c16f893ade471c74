"""matter rules replace appointment rules: each body's require_test / require_statement
become its steps for 任命 and 决定任命 (only where they differ from the defaults), then the
appointment_rules table goes

Revision ID: e3b8f05c6a21
Revises: a7d2e4c1f9b3
Create Date: 2026-12-07 21:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e3b8f05c6a21'
down_revision = 'a7d2e4c1f9b3'
branch_labels = None
depends_on = None

#: The kinds the old rules governed (every record was an appointment through the test).
OLD_KINDS = ('appoint', 'decide_appoint')

rules = sa.table(
    'appointment_rules',
    sa.column('body_id', sa.Integer),
    sa.column('require_test', sa.Boolean),
    sa.column('require_appointed_for_oath', sa.Boolean),
    sa.column('require_statement', sa.Boolean),
)
matter_rules = sa.table(
    'matter_rules',
    sa.column('body_id', sa.Integer),
    sa.column('kind', sa.String),
    sa.column('needs_test', sa.Boolean),
    sa.column('needs_statement', sa.Boolean),
    sa.column('needs_oath', sa.Boolean),
    sa.column('needs_reports', sa.Boolean),
)


def upgrade():
    conn = op.get_bind()
    # Both kinds default to all four steps: a body that kept both old rules on needs no row.
    rows = conn.execute(
        sa.select(rules.c.body_id, rules.c.require_test, rules.c.require_statement).where(
            sa.or_(rules.c.require_test.is_(False), rules.c.require_statement.is_(False))
        )
    ).all()
    taken = {
        (r.body_id, r.kind)
        for r in conn.execute(sa.select(matter_rules.c.body_id, matter_rules.c.kind))
    }
    new = [
        {
            'body_id': r.body_id,
            'kind': kind,
            'needs_test': bool(r.require_test),
            'needs_statement': bool(r.require_statement),
            'needs_oath': True,
            'needs_reports': True,
        }
        for r in rows
        for kind in OLD_KINDS
        if (r.body_id, kind) not in taken
    ]
    if new:
        op.bulk_insert(matter_rules, new)
    op.drop_table('appointment_rules')


def downgrade():
    op.create_table(
        'appointment_rules',
        sa.Column('body_id', sa.Integer(), nullable=False),
        sa.Column('require_test', sa.Boolean(), nullable=False),
        sa.Column('require_appointed_for_oath', sa.Boolean(), nullable=False),
        sa.Column(
            'require_statement', sa.Boolean(), server_default=sa.true(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ['body_id'], ['bodies.id'], name=op.f('fk_appointment_rules_body_id_bodies')
        ),
        sa.PrimaryKeyConstraint('body_id', name=op.f('pk_appointment_rules')),
    )
    conn = op.get_bind()
    back = [
        {
            'body_id': r.body_id,
            'require_test': bool(r.needs_test),
            'require_appointed_for_oath': True,
            'require_statement': bool(r.needs_statement),
        }
        for r in conn.execute(
            sa.select(
                matter_rules.c.body_id, matter_rules.c.needs_test, matter_rules.c.needs_statement
            ).where(matter_rules.c.kind == 'appoint')
        )
    ]
    if back:
        op.bulk_insert(rules, back)
