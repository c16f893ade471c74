"""The candidate's side, the ``exam`` blueprint: ``login`` (the admission code, logging
out), ``taking`` (the waiting room, the paper, submitting, the result), ``api`` (the paper
page's JSON calls) and ``practice`` (模拟练习, also the public ``practice`` blueprint's).
Each module adds its routes; importing this package registers them all."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps
from typing import Any

from flask import Blueprint, flash, g, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from examsite.core.transaction import keep_writes
from examsite.exams import identity
from examsite.exams.models import Attempt

# Named after the feature package, not this one: templates are in examsite/exams/templates.
bp = Blueprint("exam", "examsite.exams", template_folder="templates", url_prefix="/exam")

#: The public practice of a body (no login), when the body has opened it.
practice_bp = Blueprint(
    "practice", "examsite.exams", template_folder="templates", url_prefix="/practice"
)

#: The largest request body the candidates' JSON API reads (an answer is ~100 bytes).
API_MAX_BYTES = 16 * 1024

#: What a candidate whose cookie was refused is told (see exams/identity.py).
REFUSAL_MESSAGES = {
    identity.REPLACED: _l("已在其他设备登录，请联系监考人员。"),
    identity.MOVED: _l("本次登录只能在登录时使用的电脑上继续。如需换一台电脑，请联系监考人员。"),
}


def iso(value: datetime | None) -> str | None:
    """A UTC time as the page script reads it (ISO 8601, milliseconds, ``Z``)."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def current_attempt() -> Attempt | None:
    """The signed-in candidate's attempt; None for nobody or for a staff member."""
    user = current_user._get_current_object() if current_user.is_authenticated else None
    return user if isinstance(user, Attempt) else None


def candidate_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Pages for a logged-in candidate; others go to the candidate login."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        attempt = current_attempt()
        if attempt is None:
            refused = identity.refusal()
            if refused is not None:
                flash(str(REFUSAL_MESSAGES[refused]), "error")
            else:
                flash(_("请用准考证号登录。"), "info")
            return redirect(url_for("exam.login"))
        g.attempt = attempt
        return view(attempt, *args, **kwargs)

    return wrapped


def candidate_api(view: Callable[..., Any]) -> Callable[..., Any]:
    """JSON endpoints: a missing or replaced session is a 401 the page explains."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        # An answer is a few hundred bytes: a larger body is refused (413) unread.
        if (request.content_length or 0) > API_MAX_BYTES:
            return jsonify(code="too_large", error=_("请求过大。")), 413
        # The API's 4xx answers report the paper's state (time up, handed in, an older
        # save); what was written on the way (grading an expired paper) stands.
        keep_writes()
        attempt = current_attempt()
        if attempt is None:
            refusal = identity.refusal()
            if refusal is not None:
                return jsonify(code=refusal, error=str(REFUSAL_MESSAGES[refusal])), 401
            return jsonify(code="session_ended", error=_("登录已失效。")), 401
        return view(attempt, *args, **kwargs)

    return wrapped


# Last: the route modules import bp and the decorators from here.
from examsite.exams.candidate_views import api, login, practice, taking  # noqa: E402, F401
