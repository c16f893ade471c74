"""Pages for post-appointment performance reports, the ``reports`` blueprint: ``terms``
(what is due, terms, plans, the proposed schedule, the settings), ``subjects`` (one
subject's schedule, report, vote and rectification) and ``overview`` (the calendar, its
.ics file, a term's coverage). Each module adds its routes to ``bp``; importing this
package registers them all."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from examsite.reports import scheduling
from examsite.reports.forms import MODE_LABELS

# Named after the feature package, not this one: templates are in examsite/reports/templates.
bp = Blueprint(
    "reports", "examsite.reports", template_folder="templates", url_prefix="/bodies/<code>/reports"
)


@bp.app_context_processor
def _labels() -> dict[str, Any]:
    return {
        "MODE_LABELS": MODE_LABELS,
        "due_date": scheduling.due_date,
        "report_conflicts": scheduling.conflicts,
    }


# Last: the route modules import bp from here.
# timeline registers the reports on a person's timeline (appointments.timeline).
from examsite.reports import timeline  # noqa: E402, F401
from examsite.reports.views import overview, subjects, terms  # noqa: E402, F401
