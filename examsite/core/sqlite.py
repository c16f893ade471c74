"""SQLite connection setup, applied to every SQLite engine the process creates."""

from __future__ import annotations

import sqlite3
from typing import Any

from flask import g, has_request_context, request
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
    # Writing work (cron jobs, the CLI, imports, and web requests other than GET/HEAD) reads
    # then writes; a deferred transaction would then fail at once with "database is locked"
    # whenever another writer committed in between. BEGIN IMMEDIATE takes the write lock
    # first and waits (busy_timeout) instead. Reading requests stay deferred so that they
    # never queue behind writers; one that writes after all is run again by retry.py.
    # A connection may ask for a mode explicitly (execution option sqlite_begin).
    conn.exec_driver_sql("BEGIN IMMEDIATE" if _begin_mode(conn) == "IMMEDIATE" else "BEGIN")


def _begin_mode(conn: Connection) -> str:
    mode = conn.get_execution_options().get("sqlite_begin")
    if mode is not None:
        return str(mode)
    if not has_request_context():
        return "IMMEDIATE"
    if g.get("sqlite_begin") == "IMMEDIATE" or request.method not in ("GET", "HEAD", "OPTIONS"):
        return "IMMEDIATE"
    return "DEFERRED"
