"""Question-bank pages: the blueprint, and the labels every bank page uses.

The routes are in ``questions`` (list, question, edit with history, retire, hide, publish)
and ``files`` (import, the blank template, export); importing them registers them on ``bp``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from examsite.bank.formats.fields import FIELD_LABELS, FIELDS
from examsite.bank.forms import PURPOSE_LABELS, QTYPE_LABELS, STATUS_LABELS

# import_name is the bank package, not this one: template_folder resolves against it.
bp = Blueprint(
    "bank", "examsite.bank", template_folder="templates", url_prefix="/bodies/<code>/bank"
)


@bp.app_context_processor
def _labels() -> dict[str, Any]:
    return {
        "QTYPE_LABELS": QTYPE_LABELS,
        "STATUS_LABELS": STATUS_LABELS,
        "PURPOSE_LABELS": PURPOSE_LABELS,
        # The question's fields (formats.fields); labels are N_-marked: pages translate.
        "QUESTION_FIELDS": FIELDS,
        "QUESTION_FIELD_LABELS": FIELD_LABELS,
    }


# After bp: the route modules register on it.
from examsite.bank.views import files, questions  # noqa: E402

__all__ = ["bp", "files", "questions"]
