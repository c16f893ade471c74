"""The migrations build exactly the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from examsite.extensions import db


def test_upgrade_from_empty_matches_the_models(app):
    # The session's database was built by `flask db upgrade` from empty (see conftest).
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "render_as_batch": True}
        )
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_every_table_is_created(app):
    with app.app_context(), db.engine.connect() as conn:
        tables = set(db.inspect(conn).get_table_names())
    assert set(db.metadata.tables) <= tables
    assert "alembic_version" in tables
