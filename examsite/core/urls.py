"""Links that leave the browser: QR codes and printed addresses (admission slips, sign-in
sheets, score report verification, oath check-in).

They are scanned or typed on another machine, so they must name the address the room's
computers and phones reach the site at, ``EXTERNAL_URL`` (docs/configuration.md), not the
host the staff member happened to use (often ``127.0.0.1`` on the server itself)."""

from __future__ import annotations

from typing import Any

from flask import current_app, has_request_context, request, url_for


def configured_external_url() -> str:
    """``EXTERNAL_URL`` without its trailing slash; empty when unset."""
    return str(current_app.config.get("EXTERNAL_URL") or "").rstrip("/")


def external_url(endpoint: str, **values: Any) -> str:
    """The absolute URL of ``endpoint``: on ``EXTERNAL_URL`` when it is set, else on the
    host of the current request (``url_for(..., _external=True)``)."""
    base = configured_external_url()
    if not base:
        return url_for(endpoint, _external=True, **values)
    path = url_for(endpoint, **values)
    root = request.script_root if has_request_context() else ""
    if root and path.startswith(root):  # EXTERNAL_URL already names any prefix
        path = path[len(root) :]
    return base + path
