"""Loads candidates for Flask-Login from "c:<attempt id>:<session token>"."""

from __future__ import annotations

import secrets

from examsite.core.identity import register_loader
from examsite.exams.models import Attempt
from examsite.extensions import db


def _load_candidate(rest: str) -> Attempt | None:
    attempt_id, _, token = rest.partition(":")
    if not attempt_id.isdigit() or not token:
        return None
    attempt = db.session.get(Attempt, int(attempt_id))
    if attempt is None or not secrets.compare_digest(attempt.session_token or "", token):
        return None
    return attempt


register_loader("c", _load_candidate)
