"""The calendar of reports (a month page and an .ics file) and a term's coverage."""

from __future__ import annotations

import calendar
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from flask import Response, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from examsite.core.body import Body
from examsite.core.exports import attachment, xlsx_response
from examsite.core.params import month_arg
from examsite.core.roles import ROLE_STAFF
from examsite.core.tenancy import body_required
from examsite.core.tenancy import get_in_body_or_404 as _get
from examsite.extensions import db
from examsite.reports import exports, scheduling
from examsite.reports.models import ReportSubject, Term
from examsite.reports.views import bp


@bp.get("/calendar")
@body_required(ROLE_STAFF)
def calendar_view(body: Body) -> Any:
    """A month of reports: oral ones on their meeting day, written ones on their due date."""
    today = date.today()
    first = month_arg("month", default=today.replace(day=1), label=_l("月份"))
    days_in = calendar.monthrange(first.year, first.month)[1]
    last = first.replace(day=days_in)
    rows = db.session.scalars(
        select(ReportSubject)
        .where(ReportSubject.body_id == body.id, ReportSubject.exempt_reason == "")
        .options(*scheduling.SUBJECT_ROW)
    )
    by_day: dict[date, list[ReportSubject]] = defaultdict(list)
    for s in rows:
        due = scheduling.due_date(s)
        if due is not None and first <= due <= last:
            by_day[due].append(s)
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    prev_month = (first - timedelta(days=1)).strftime("%Y-%m")
    next_month = (last + timedelta(days=1)).strftime("%Y-%m")
    return render_template(
        "reports/calendar.html",
        body=body,
        weeks=weeks,
        by_day=by_day,
        first=first,
        prev_month=prev_month,
        next_month=next_month,
        today=today,
    )


@bp.get("/calendar.ics")
@body_required(ROLE_STAFF)
def calendar_ics(body: Body) -> Response:
    subjects = list(
        db.session.scalars(
            select(ReportSubject)
            .where(ReportSubject.body_id == body.id, ReportSubject.exempt_reason == "")
            .options(*scheduling.SUBJECT_ROW)
        )
    )
    return Response(
        exports.ics(subjects, body),
        content_type="text/calendar; charset=utf-8",
        headers={
            "Content-Disposition": attachment(_("履职报告日历-%(body)s", body=body.name) + ".ics")
        },
    )


@bp.get("/terms/<int:term_id>/coverage")
@body_required(ROLE_STAFF)
def coverage(body: Body, term_id: int) -> Any:
    """全覆盖: who has reported in the term, oral vs written, who has not."""
    term_ = _get(Term, body, term_id)
    result = exports.coverage(term_)
    if request.args.get("format") == "xlsx":
        term_name = _("第%(t)s届", t=term_.number)
        return xlsx_response(
            _("履职报告覆盖-%(term)s", term=term_name),
            [str(h) for h in exports.COVERAGE_HEADERS],
            exports.coverage_rows(term_),
            sheet=_("履职报告覆盖"),
            title=_("%(term)s任后履职报告覆盖情况", term=term_name),
            body=body.name,
        )
    return render_template("reports/coverage.html", body=body, term=term_, result=result)
