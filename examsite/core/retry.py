"""The Flask class of the site: a view that hits SQLite's write lock is run again.

On SQLite a read-only request begins a deferred transaction (readers never wait in WAL
mode). If such a request then writes (a GET that records the candidate's last contact,
say) after another connection committed, SQLite refuses at once with "database is
locked" (SQLITE_BUSY_SNAPSHOT): waiting cannot help, the snapshot is stale. The whole view
is rolled back and run again, now beginning with BEGIN IMMEDIATE, which waits for the
write lock (busy_timeout) instead. Writing requests (POST and the like) begin with BEGIN
IMMEDIATE from the start (see sqlite.py). The user never sees the error.

The view's writes are flushed inside the retry; core.transaction commits them once the
answer is known.
"""

from __future__ import annotations

import time
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy.exc import OperationalError

from examsite.extensions import db

#: Runs of a view that hit the lock before it is reported as a 503.
MAX_RUNS = 4


def is_sqlite_locked(error: BaseException) -> bool:
    text = str(getattr(error, "orig", error))
    return "database is locked" in text or "database table is locked" in text


class ExamsiteFlask(Flask):
    def dispatch_request(self) -> Any:
        for run in range(1, MAX_RUNS + 1):
            try:
                response = super().dispatch_request()
                # The view's writes reach the database here, inside the retry, so the
                # commit at the end of the request (core.transaction) cannot hit the lock.
                db.session.flush()
                return response
            except OperationalError as error:
                if run == MAX_RUNS or not is_sqlite_locked(error):
                    raise
                db.session.rollback()
                g.sqlite_begin = "IMMEDIATE"
                current_app.logger.info("SQLite was locked; running the view again (%d)", run)
                time.sleep(0.02 * run)
        raise AssertionError("unreachable")  # the loop returns or raises
