"""The oath record (宣誓记录) of a ceremony: a document to file, on screen and as a PDF."""

from __future__ import annotations

from typing import Any

from flask import render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from examsite.appointments import ceremonies as ceremony_services
from examsite.appointments.models import Ceremony, Meeting
from examsite.appointments.views import bp
from examsite.appointments.views.common import PARTICIPANTS
from examsite.core import audit
from examsite.core.body import Body
from examsite.core.pdf import pdf_response
from examsite.core.roles import ROLE_STAFF
from examsite.core.tenancy import body_required
from examsite.core.tenancy import get_in_body_or_404 as _get


def meeting_label(meeting: Meeting) -> str:
    """A meeting as the ceremony pages name it, with its date."""
    return f"{meeting.name}（{meeting.date.isoformat()}）"


def _record_html(body: Body, ceremony: Ceremony, *, pdf: bool) -> str:
    return render_template(
        "appointments/oath_record.html",
        body=body,
        ceremony=ceremony,
        day=ceremony_services.ceremony_day(ceremony),
        sworn=[p for p in ceremony.participants if p.sworn],
        pdf=pdf,
    )


@bp.get("/ceremonies/<int:ceremony_id>/record")
@body_required(ROLE_STAFF)
def ceremony_record(body: Body, ceremony_id: int) -> Any:
    """The oath record on screen (the same page as the PDF)."""
    return _record_html(body, _get(Ceremony, body, ceremony_id, PARTICIPANTS), pdf=False)


@bp.get("/ceremonies/<int:ceremony_id>/record.pdf")
@body_required(ROLE_STAFF)
def ceremony_record_pdf(body: Body, ceremony_id: int) -> Any:
    ceremony_ = _get(Ceremony, body, ceremony_id, PARTICIPANTS)
    audit.record("ceremony.print_record", target=ceremony_, body=body)
    return pdf_response(
        _record_html(body, ceremony_, pdf=True),
        _("宪法宣誓记录-%(title)s", title=ceremony_.title),
    )


audit.register_actions({"ceremony.print_record": _l("打印宪法宣誓记录")})
