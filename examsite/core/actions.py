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
from examsite.extensions import db


def back_to(default: str) -> str:
    """The page to return to: the form's or the URL's ``next`` when it is a path of this
    site (one action serves several pages), else ``default``."""
    return safe_next(request.args.get("next") or request.form.get("next")) or default


def act(
    action: Callable[[], Any],
    done: str | Callable[[Any], str],
    back: str,
) -> Any:
    """Run ``action``; flash ``done`` (or ``done(result)``) or the refusal; redirect back."""
    try:
        result = action()
    except UserError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        flash(done(result) if callable(done) else str(done), "success")
    return redirect(back_to(back))
