"""SQLite connection setup, applied to every SQLite engine the process creates."""

from __future__ import annotations

import sqlite3
from typing import Any

from flask import has_request_context
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine


@event.listens_for(Engine, "connect")
def _on_connect(dbapi_connection: Any, _record: Any) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # pysqlite's own transaction handling breaks SAVEPOINT; we emit BEGIN ourselves
    # (SQLAlchemy's documented recipe).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _on_begin(conn: Connection) -> None:
    if conn.dialect.name != "sqlite":
        return
    # Work outside a web request (cron jobs, the CLI, imports) usually reads then writes;
    # a deferred transaction would then fail at once with "database is locked" whenever
    # another writer committed in between. BEGIN IMMEDIATE takes the write lock first and
    # waits (busy_timeout) instead. A connection may ask for a plain BEGIN explicitly.
    mode = conn.get_execution_options().get("sqlite_begin")
    if mode is None:
        mode = "DEFERRED" if has_request_context() else "IMMEDIATE"
    conn.exec_driver_sql("BEGIN IMMEDIATE" if mode == "IMMEDIATE" else "BEGIN")
