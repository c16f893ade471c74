"""Loads candidates for Flask-Login from "c:<attempt id>:<session token>".

A candidate's session lives on the server: logging out, a reset by the invigilator or a
login on another computer clears or replaces the token, and the cookie opens nothing any
more. It is also bound to the address it logged in from, so a copied cookie does not work
on another computer.
"""

from __future__ import annotations

import secrets
from typing import Any

from flask import g, has_request_context, request
from flask_login import user_logged_out

from examsite.core.identity import register_loader
from examsite.core.params import parse_id
from examsite.exams.access import end_session
from examsite.exams.models import Attempt
from examsite.extensions import db

#: Why a candidate's cookie was refused (in ``g.candidate_refusal``), for the page to say.
REPLACED = "session_replaced"  # a login on another computer took the session over
MOVED = "session_moved"  # the cookie came from another address than the login's


def _refuse(reason: str) -> None:
    if has_request_context():
        g.candidate_refusal = reason


def _load_candidate(rest: str) -> Attempt | None:
    raw_id, _, token = rest.partition(":")
    attempt_id = parse_id(raw_id)
    if attempt_id is None or not token:
        return None
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or not secrets.compare_digest(attempt.session_token or "", token):
        if attempt is not None and attempt.session_token:
            _refuse(REPLACED)
        return None
    if (
        has_request_context()
        and attempt.session_ip
        and attempt.session_ip != (request.remote_addr or "")[:64]
    ):
        _refuse(MOVED)
        return None
    return attempt


def refusal() -> str | None:
    """Why this request's candidate cookie was refused, if it was."""
    return g.get("candidate_refusal") if has_request_context() else None


register_loader("c", _load_candidate)


@user_logged_out.connect
def _end_candidate_session(_app: Any, user: Any = None, **_: Any) -> None:
    """A candidate who logs out loses the server-side token (the auth feature's logout only
    ends the browser session; it knows nothing of candidates)."""
    if isinstance(user, Attempt) and user.session_token:  # not yet ended by exam.logout
        end_session(user)
