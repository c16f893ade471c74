"""Staff page action for a make-up sitting (补考) of a closed sitting: the ticked absent
and failed candidates are enrolled in a new sitting with the same settings."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _

from examsite.core.body import Body
from examsite.core.errors import UserError
from examsite.core.params import ids_arg
from examsite.core.roles import ROLE_BODY_ADMIN
from examsite.core.tenancy import body_required
from examsite.core.timeutil import local_to_utc
from examsite.core.transaction import refused
from examsite.exams import loaders
from examsite.exams import sittings as exam_sittings
from examsite.exams.forms import MakeupForm
from examsite.exams.views import bp


def _page(body: Body, sitting_id: int) -> str:
    return url_for("exams.sitting", code=body.code, sitting_id=sitting_id)


@bp.post("/sittings/<int:sitting_id>/makeup")
@body_required(ROLE_BODY_ADMIN)
def sitting_makeup(body: Body, sitting_id: int) -> Any:
    sitting_ = loaders.sitting_in(body, sitting_id)
    form = MakeupForm()
    if not form.validate_on_submit():
        flash(_("请填写补考的开始和结束时间，结束须晚于开始。"), "error")
        return redirect(_page(body, sitting_.id))
    starts_at, ends_at = local_to_utc(form.starts_at.data), local_to_utc(form.ends_at.data)
    assert starts_at is not None and ends_at is not None  # DataRequired
    try:
        made = exam_sittings.create_makeup(
            sitting_,
            starts_at=starts_at,
            ends_at=ends_at,
            # Only the ticked ones (none ticked: none enrolled).
            candidate_ids=ids_arg("candidate_ids", source=request.form),
        )
    except UserError as exc:
        flash(refused(exc), "error")
        return redirect(_page(body, sitting_.id))
    flash(_("已安排补考，已报名 %(n)s 人。", n=int(made.enrolled)), "success")
    if made.enrolled.skipped or made.enrolled.too_long:
        flash(made.enrolled.skipped_message(), "error")
    return redirect(_page(body, made.sitting.id))
