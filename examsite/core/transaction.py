"""One transaction per request and per CLI command: services flush, this module commits.

A request's writes are committed once, after its view (and every hook) has run, when the
answer is a success (below 400) or a redirect; any other answer, and any exception, rolls
them back, so a refused or failing request leaves the database as it was, however many
rows it had touched. A view that shows a refusal on a 200 page (or redirects after one)
calls ``refused(exc)`` so that what the service wrote before refusing goes too.

The few answers that are refusals *and* must keep a write (the check-in throttle counting
a failure on its 429, the answer API grading an expired paper on its 403) say so with
``keep_writes()``; a 5xx never keeps anything.

A CLI command commits when it returns (or exits on purpose, ``SystemExit``) and rolls back
when it raises; one that works item by item (one file of several) gives each item its own
savepoint.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar

import click
from flask import Flask, g
from sqlalchemy import event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction
from werkzeug.wrappers import Response

from examsite.extensions import db

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])


def keep_writes() -> None:
    """Commit this request's writes even though its answer is a refusal (4xx)."""
    g.keep_writes = True


def refused(exc: BaseException) -> str:
    """Undo what the request wrote before the service refused; the refusal's words."""
    db.session.rollback()
    return str(exc)


def begin_writing() -> None:
    """The request is about to write after only reading (a poll noting when the candidate
    was last seen). On SQLite, a reading transaction that writes fails whenever another
    connection committed since it began, and the whole view would run again; so one that
    has written nothing is ended (there is nothing in it to keep) and the next begins
    IMMEDIATE, waiting for the write lock instead. One that has written holds it already."""
    session = db.session()  # the request's Session itself (the scoped proxy lacks a few)
    if session.info.get("wrote"):
        return
    if session.in_transaction():
        session.commit()  # ends a transaction that only read
    session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, _context: Any) -> None:
    session.info["wrote"] = True


@event.listens_for(Session, "do_orm_execute")
def _executed(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info["wrote"] = True


@event.listens_for(Session, "after_transaction_end")
def _ended(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop("wrote", None)


def end_request(response: Response) -> Response:
    """Commit a successful request's writes, roll back any other's (after_request)."""
    keep = g.pop("keep_writes", False) and response.status_code < 500
    if response.status_code < 400 or keep:
        db.session.commit()
    else:
        try:
            db.session.rollback()
        except SQLAlchemyError:  # the database is gone: the 503 page is already answered
            log.warning("rollback failed: the database is unreachable")
    return response


def install(app: Flask) -> None:
    """Commit at the end of every request. Registered before any other after_request hook,
    it runs after all of them (Flask runs them in reverse), so their writes are in too."""
    app.after_request(end_request)


def committed(command: F) -> F:
    """A CLI command's callback in one transaction."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            result = command(*args, **kwargs)
        except (SystemExit, click.exceptions.Exit):
            # A deliberate exit (the per-file import reporting a failed file) keeps what
            # succeeded; the failed items were rolled back to their savepoints.
            db.session.commit()
            raise
        except BaseException:
            db.session.rollback()
            raise
        db.session.commit()
        return result

    return run  # type: ignore[return-value]


def commit_each_command(command: click.Command) -> None:
    """Wrap a command (every command of a group and its sub-groups) in ``committed``. The
    feature groups are module-level objects shared by every app built: wrap them once."""
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            commit_each_command(sub)
    elif command.callback is not None and not getattr(command, "_committed", False):
        command.callback = committed(command.callback)
        command._committed = True  # type: ignore[attr-defined]
