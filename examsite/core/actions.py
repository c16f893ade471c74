"""The one shape of a staff action's view: run the service, show its refusal or its success,
and go back to the page the action came from.

A view loads its rows (through its feature's loader, which checks the body), validates its
form, then returns ``act(...)``: a refused operation (any ``UserError``) is rolled back, so
nothing half-done stays, and becomes the flash message."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, request

from examsite.core.errors import UserError
from examsite.core.params import safe_next
from examsite.core.transaction import refused


def back_to(default: str) -> str:
    """The page to return to: the form's or the URL's ``next`` when it is a path of this
    site (one action serves several pages), else ``default``."""
    return safe_next(request.args.get("next") or request.form.get("next")) or default


def act(
    action: Callable[[], Any],
    done: Any,
    back: Any,
    *,
    form: Any = None,
    invalid: Any = None,
) -> Any:
    """Run ``action``; flash ``done`` (a text, ``done(result)``, or None for no message) or
    the refusal; then go ``back``: a URL (the request's safe ``next`` wins) or a response.

    With ``form``, the action runs only when the form validates; otherwise ``invalid`` is
    the message."""
    if form is not None and not form.validate_on_submit():
        flash(str(invalid), "error")
        return redirect(back_to(back)) if isinstance(back, str) else back
    try:
        result = action()
    except UserError as exc:
        flash(refused(exc), "error")
    else:
        message = done(result) if callable(done) else done
        if message:
            flash(str(message), "success")
    return redirect(back_to(back)) if isinstance(back, str) else back
