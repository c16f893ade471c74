"""The INSERT construct with ON CONFLICT of the database in use (PostgreSQL or SQLite)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from examsite.extensions import db


def insert_for(dialect: str) -> Any:
    """``insert`` of the dialect named, for upserts (``on_conflict_do_…``)."""
    return pg_insert if dialect == "postgresql" else sqlite_insert


def session_dialect() -> str:
    return str(db.session.get_bind().dialect.name)
