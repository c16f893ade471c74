"""ceremony meeting and confirmation: a ceremony belongs to a meeting or a congress session,
names its presiding person, and is confirmed held; elected persons take the oath too

A ceremony gets its kind (committee meeting, the default of every existing row, or congress
session), its meeting (an existing ceremony is linked to the meeting of its body held on its
local day, where there is one; NULL otherwise), the session's name, the presiding person
(主持人) and when staff confirmed it took place. An existing ceremony that has begun and has a
check-in is taken as held (confirmed at its start, by nobody: recorded before confirmation
existed), so the oaths already counted in past work reports still count; a ceremony still
to come waits for staff to confirm it, which is the rule now.
A participant is either an appointment or a person elected by a congress session
(elected_persons), never both.

Revision ID: cc308b597bba
Revises: b6425baef69f
Create Date: 2026-12-07 17:00:00.000000

"""
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'cc308b597bba'
down_revision = 'b6425baef69f'
branch_labels = None
depends_on = None

# The site's zone (BABEL_DEFAULT_TIMEZONE's default): a ceremony's day is its local day.
ZONE = ZoneInfo('Asia/Shanghai')


def upgrade():
    op.create_table('elected_persons',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('body_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('post', sa.String(length=200), nullable=False),
    sa.Column('session_name', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['body_id'], ['bodies.id'], name=op.f('fk_elected_persons_body_id_bodies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_elected_persons'))
    )
    with op.batch_alter_table('elected_persons', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_elected_persons_body_id'), ['body_id'], unique=False)

    with op.batch_alter_table('ceremonies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=16), server_default='meeting', nullable=False))
        batch_op.add_column(sa.Column('meeting_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('session_name', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('presiding', sa.String(length=64), server_default='', nullable=False))
        batch_op.add_column(sa.Column('confirmed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('confirmed_by_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_ceremonies_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_ceremonies_meeting_id_meetings'), 'meetings', ['meeting_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_ceremonies_confirmed_by_id_users'), 'users', ['confirmed_by_id'], ['id'])
        batch_op.create_check_constraint(batch_op.f('ck_ceremonies_kind_valid'), "kind IN ('meeting', 'session')")

    with op.batch_alter_table('ceremony_participants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('elected_person_id', sa.Integer(), nullable=True))
        batch_op.alter_column('appointment_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_index(batch_op.f('ix_ceremony_participants_elected_person_id'), ['elected_person_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_ceremony_participants_elected_person_id_elected_persons'), 'elected_persons', ['elected_person_id'], ['id'])
        batch_op.create_check_constraint(batch_op.f('ck_ceremony_participants_one_person'), '(appointment_id IS NULL) <> (elected_person_id IS NULL)')

    _link_meetings_by_date()


def _link_meetings_by_date():
    """Each existing ceremony to its body's meeting held on the ceremony's local day; a
    begun one with a check-in confirmed as held."""
    conn = op.get_bind()
    ceremonies = sa.table(
        'ceremonies',
        sa.column('id', sa.Integer()),
        sa.column('body_id', sa.Integer()),
        sa.column('starts_at', sa.DateTime()),
        sa.column('meeting_id', sa.Integer()),
        sa.column('confirmed_at', sa.DateTime()),
    )
    participants = sa.table(
        'ceremony_participants',
        sa.column('ceremony_id', sa.Integer()),
        sa.column('checked_in_at', sa.DateTime()),
    )
    checked_in = sa.select(participants.c.ceremony_id).where(
        participants.c.checked_in_at.is_not(None)
    )
    conn.execute(
        ceremonies.update()
        .where(
            ceremonies.c.starts_at <= datetime.now(UTC).replace(tzinfo=None),
            ceremonies.c.id.in_(checked_in),
        )
        .values(confirmed_at=ceremonies.c.starts_at)
    )
    meetings = sa.table(
        'meetings',
        sa.column('id', sa.Integer()),
        sa.column('body_id', sa.Integer()),
        sa.column('date', sa.Date()),
    )
    rows = conn.execute(sa.select(ceremonies.c.id, ceremonies.c.body_id, ceremonies.c.starts_at)).all()
    for ceremony_id, body_id, starts_at in rows:
        day = starts_at.replace(tzinfo=UTC).astimezone(ZONE).date()
        meeting_id = conn.execute(
            sa.select(meetings.c.id)
            .where(meetings.c.body_id == body_id, meetings.c.date == day)
            .order_by(meetings.c.id)
            .limit(1)
        ).scalar()
        if meeting_id is not None:
            conn.execute(
                ceremonies.update().where(ceremonies.c.id == ceremony_id).values(meeting_id=meeting_id)
            )


def downgrade():
    with op.batch_alter_table('ceremony_participants', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_ceremony_participants_one_person'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_ceremony_participants_elected_person_id_elected_persons'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_ceremony_participants_elected_person_id'))
        batch_op.drop_column('elected_person_id')
    # An elected person's row has no appointment: it cannot stay once the column is required.
    op.execute('DELETE FROM ceremony_participants WHERE appointment_id IS NULL')
    with op.batch_alter_table('ceremony_participants', schema=None) as batch_op:
        batch_op.alter_column('appointment_id', existing_type=sa.Integer(), nullable=False)

    with op.batch_alter_table('ceremonies', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_ceremonies_kind_valid'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_ceremonies_confirmed_by_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_ceremonies_meeting_id_meetings'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_ceremonies_meeting_id'))
        batch_op.drop_column('confirmed_by_id')
        batch_op.drop_column('confirmed_at')
        batch_op.drop_column('presiding')
        batch_op.drop_column('session_name')
        batch_op.drop_column('meeting_id')
        batch_op.drop_column('kind')

    with op.batch_alter_table('elected_persons', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_elected_persons_body_id'))
    op.drop_table('elected_persons')
