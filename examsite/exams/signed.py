"""A signed sitting record is final: the web side of the rule in ``states.sitting_locked``.

One hook, run before every view of every blueprint: a request that is not a GET, under a
URL carrying ``sitting_id`` of a signed sitting, is refused before its view runs. A route
added later under a sitting is covered without being listed anywhere. The services refuse
the same changes themselves (``states.ensure_unlocked``), for the CLI and any other path.
"""

from __future__ import annotations

from typing import Any

from flask import flash, jsonify, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select

from examsite.core.body import Body
from examsite.core.tenancy import scoped
from examsite.exams import states
from examsite.exams.models import Sitting
from examsite.extensions import db

#: The only requests under a signed sitting that still go through, and why. Neither changes
#: the signed record: its roster, attendance, scores, incidents and interventions stay as
#: signed. Keep tests/test_signed_sitting.py's list in step.
ALLOWED_AFTER_SIGNOFF: dict[str, str] = {
    # Results are announced at the committee meeting, or published within a scope, after
    # the test (DOMAIN.md): publishing them, or withdrawing a publication made by mistake,
    # is a notice about the record, not a change to it. Only ``results_released`` changes.
    "exams.sitting_release": "publishing results announces the signed record",
    # A candidate who fails may sit one make-up test (补考): a NEW sitting of those who
    # failed; the signed one is only read.
    "exams.sitting_makeup": "the make-up test is a new sitting",
    # 补充说明: a later fact is added beside the signed record, in its own signed row with
    # its own audit event; the record itself stays as signed (the service refuses an
    # addendum to an unsigned record).
    "invigilation.addendum": "an addendum is added beside the signed record",
}

#: Where a refused form goes back to, by blueprint (otherwise the sitting's staff page).
_SITTING_PAGE = {"invigilation": "invigilation.panel"}

_READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _signed_sitting(args: dict[str, Any]) -> Sitting | None:
    """The URL's sitting if the current staff user may reach it and it is signed."""
    if not getattr(current_user, "is_staff", False):
        return None  # the view itself sends them to the login or refuses them
    stmt = scoped(select(Sitting), Sitting, current_user).where(Sitting.id == args["sitting_id"])
    if "code" in args:
        stmt = stmt.join(Body, Sitting.body_id == Body.id).where(Body.code == args["code"])
    sitting = db.session.scalars(stmt).first()
    if sitting is None or not states.sitting_locked(sitting):
        return None  # another body's sitting answers 404 from its view, as before
    return sitting


def refuse_changes_to_signed_sittings() -> Any:
    """Refuse a non-GET request under a signed sitting (HTTP 303 back, or 409 as JSON)."""
    args = request.view_args or {}
    if (
        request.method in _READ_ONLY_METHODS
        or "sitting_id" not in args
        or request.endpoint in ALLOWED_AFTER_SIGNOFF
    ):
        return None
    sitting = _signed_sitting(args)
    if sitting is None:
        return None
    message = str(states.LOCKED_MESSAGE)
    if request.is_json or request.accept_mimetypes.best == "application/json":
        return jsonify(code="sitting_signed", error=message), 409
    flash(message, "error")
    endpoint = _SITTING_PAGE.get(request.blueprint or "", "exams.sitting")
    return redirect(url_for(endpoint, code=sitting.body.code, sitting_id=sitting.id), 303)
