"""Staff pages for exams, the ``exams`` blueprint: ``candidates`` (the list, a person's
form, the import), ``sittings`` (paper templates, sittings, enrolment, admission slips),
``makeups`` (a make-up sitting) and ``results`` (results, the score report, item
analysis).  Each module adds its routes to ``bp``; importing this package registers them
all."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort

from examsite.core.forms import ConfirmForm
from examsite.exams.domain.scores import format_score
from examsite.exams.models import POST_CATEGORIES
from examsite.exams.signed import refuse_changes_to_signed_sittings

# Named after the feature package, not this one: templates are in examsite/exams/templates.
bp = Blueprint(
    "exams", "examsite.exams", template_folder="templates", url_prefix="/bodies/<code>/exams"
)
# App-wide, so every blueprint's routes under a sitting are covered (invigilation's too).
bp.before_app_request(refuse_changes_to_signed_sittings)


@bp.app_context_processor
def _labels() -> dict[str, Any]:
    return {"POST_CATEGORIES": POST_CATEGORIES}


# App-wide: the candidate's pages, the invigilation record and the appointment page print
# scores too ("52 / 100", never "52.0 / 100.0").
bp.add_app_template_filter(format_score, "score")


def confirmed() -> None:
    """Abort with 400 unless the post is the confirm button's form, its CSRF token valid."""
    if not ConfirmForm().validate_on_submit():
        abort(400)


# Last: the route modules import bp from here.
from examsite.exams.views import candidates, makeups, results, sittings  # noqa: E402, F401
