"""A person's page: their timeline over the term (matters, tests, statements, oaths,
reports)."""

from __future__ import annotations

from typing import Any

from flask import render_template

from examsite.appointments.timeline import person_timeline
from examsite.appointments.views import bp
from examsite.core.body import Body
from examsite.core.roles import ROLE_STAFF
from examsite.core.tenancy import body_required
from examsite.core.tenancy import get_in_body_or_404 as _get
from examsite.exams.models import Candidate


@bp.get("/people/<int:candidate_id>")
@body_required(ROLE_STAFF)
def person(body: Body, candidate_id: int) -> Any:
    """Everything recorded about one person of the body, oldest first."""
    person_ = _get(Candidate, body, candidate_id)
    return render_template(
        "appointments/person.html",
        body=body,
        person=person_,
        entries=person_timeline(body, person_),
    )
