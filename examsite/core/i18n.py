"""Locale choice: the user's switch in the session, else Chinese."""

from __future__ import annotations

from flask import current_app, has_request_context, session


def select_locale() -> str:
    lang = session.get("lang") if has_request_context() else None
    if lang in current_app.config["EXAMSITE_LANGUAGES"]:
        return str(lang)
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])
