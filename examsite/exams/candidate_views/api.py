"""The paper page's JSON API: saving an answer, the clock and deadline (and any notice),
and the page's events.  ``candidate_api`` checks the session and the size of each call."""

from __future__ import annotations

from typing import Any, TypeGuard

from flask import current_app, jsonify, request
from flask_babel import gettext as _

from examsite.core.timeutil import utcnow
from examsite.exams import access, answering
from examsite.exams.candidate_views import bp, candidate_api, iso
from examsite.exams.models import Attempt

#: Sequence numbers fit the database's 32-bit integer column.
MAX_SEQ = 2**31 - 1


def _is_int(value: Any) -> bool:
    return type(value) is int  # JSON true/false are bools, which Python counts as ints


def _valid_answer_payload(data: Any) -> TypeGuard[dict[str, Any]]:
    return (
        isinstance(data, dict)
        and _is_int(data.get("position"))
        and _is_int(data.get("seq"))
        and 1 <= data["seq"] <= MAX_SEQ
        and isinstance(data.get("choice"), list)
        and len(data["choice"]) <= 26
        and all(_is_int(c) for c in data["choice"])
        and type(data.get("flagged", False)) is bool
    )


@bp.post("/api/answer")
@candidate_api
def api_answer(attempt: Attempt) -> Any:
    """Save one answer: {"position", "choice" (displayed indexes), "seq", "flagged"}."""
    data = request.get_json(silent=True)
    if not _valid_answer_payload(data):
        current_app.logger.warning("bad answer payload from attempt %s", attempt.id)
        return jsonify(code="bad_request", error=_("请求格式不正确。")), 400
    deadline = attempt.deadline
    outcome = answering.save_answer(
        attempt,
        data["position"],
        data["choice"],
        data["seq"],
        flagged=data.get("flagged", False),
        grace_seconds=current_app.config["EXAMSITE_SAVE_GRACE_SECONDS"],
    )
    if outcome.code == "ok":
        return jsonify(
            ok=True,
            position=data["position"],
            seq=data["seq"],
            server_now=iso(utcnow()),
            deadline=iso(deadline),
        )
    current_app.logger.info("answer refused (%s) for attempt %s", outcome.code, attempt.id)
    status = {"stale_sequence": 409, "deadline_passed": 403, "submitted": 403}.get(
        outcome.code, 400
    )
    return jsonify(code=outcome.code, error=outcome.message), status


@bp.get("/api/state")
@candidate_api
def api_state(attempt: Attempt) -> Any:
    """The server's clock and the deadline (which an invigilator may extend)."""
    answering.finalize_if_expired(attempt)
    response = jsonify(
        server_now=iso(utcnow()),
        deadline=iso(attempt.deadline),
        state=attempt.status,
        notice=attempt.notice or None,
        notice_id=attempt.notice_id or None,
    )
    access.touch(attempt, request.remote_addr or "")  # after: it may end the transaction
    return response


@bp.post("/api/event")
@candidate_api
def api_event(attempt: Attempt) -> Any:
    data = request.get_json(silent=True) or {}
    if data.get("type") == "blur":
        access.record_event(attempt, "blur")
    return jsonify(ok=True)
