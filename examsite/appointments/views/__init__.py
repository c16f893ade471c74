"""Staff pages for appointments, statements and oath ceremonies; the public check-in.

The blueprints, and the labels their pages use. The routes are in ``meetings`` (meetings,
one person's record, the vote, the rules), ``statements``, ``ceremonies`` (staff pages of a
ceremony and its check-in), ``exports`` (the Excel files) and ``oath`` (the
public check-in, on ``public``); importing them registers them."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from examsite.appointments.forms import CHECK_IN_METHOD_LABELS, FORM_LABELS
from examsite.appointments.numerals import chinese_numeral

# import_name is the appointments package, not this one: template_folder resolves against it.
bp = Blueprint(
    "appointments",
    "examsite.appointments",
    template_folder="templates",
    url_prefix="/bodies/<code>/appointments",
)
public = Blueprint("oath", "examsite.appointments", template_folder="templates", url_prefix="/oath")
bp.add_app_template_filter(chinese_numeral, "chinese_numeral")


@bp.app_context_processor
def _labels() -> dict[str, Any]:
    return {"FORM_LABELS": FORM_LABELS, "CHECK_IN_METHOD_LABELS": CHECK_IN_METHOD_LABELS}


# After the blueprints: the route modules register on them.
from examsite.appointments.views import (  # noqa: E402
    ceremonies,
    exports,
    meetings,
    oath,
    statements,
)

__all__ = ["bp", "ceremonies", "exports", "meetings", "oath", "public", "statements"]
