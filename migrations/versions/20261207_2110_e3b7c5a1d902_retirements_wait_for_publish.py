"""retirements wait for publish: a retired question's published revision now means the
bodies below still draw it (until the owner publishes); clear it for the questions retired
before, which the bodies below had already stopped drawing

Revision ID: e3b7c5a1d902
Revises: e3b8f05c6a21
Create Date: 2026-12-07 21:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e3b7c5a1d902'
down_revision = 'e3b8f05c6a21'
branch_labels = None
depends_on = None


def upgrade():
    # Data only: without it, every question retired so far would reach the counties again.
    op.execute("UPDATE questions SET published_revision = NULL WHERE status = 'retired'")


def downgrade():
    # Nothing to undo: under the old rule a retired question's published revision was unused.
    pass
