"""任免事项 entered by kind: a matter on a meeting, its edit, the congress session's
elections, and the body's post kinds (on the rules page)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from wtforms import Field

from examsite.appointments import matter_records
from examsite.appointments.forms import NEW_PERSON, ElectionForm, MatterForm, PostKindForm
from examsite.appointments.matters import MatterKind, kind_choices
from examsite.appointments.models import Appointment, Meeting, PostKind
from examsite.appointments.states import AppointmentError
from examsite.appointments.views import bp
from examsite.core.actions import act
from examsite.core.body import Body
from examsite.core.forms import ConfirmForm, select_choices
from examsite.core.pagination import paginate
from examsite.core.roles import ROLE_BODY_ADMIN, ROLE_STAFF
from examsite.core.tenancy import body_required
from examsite.core.tenancy import get_in_body_or_404 as _get
from examsite.core.transaction import refused
from examsite.exams.models import Candidate
from examsite.extensions import db


def _fill_choices(body: Body, form: MatterForm, *, person: bool = True) -> None:
    """The selects: kinds (no 选举 at a meeting), the body's people, its post kinds."""
    if form.kind is not None:
        form.kind.choices = select_choices(
            (v, label) for v, label in kind_choices() if v != MatterKind.ELECT.value
        )
    if person:
        people = db.session.scalars(
            select(Candidate).where(Candidate.body_id == body.id).order_by(Candidate.name)
        )
        form.candidate_id.choices = [
            (NEW_PERSON, _l("（新人员：在下方填写姓名和身份证号）")),
            *((c.id, f"{c.name}（{c.masked_id}）") for c in people),
        ]
    form.post_kind.choices = select_choices(matter_records.post_kind_choices(body))


def _fields(form: MatterForm, kind: MatterKind) -> matter_records.MatterFields:
    return matter_records.MatterFields(
        kind=kind,
        post=form.proposed_post.data or "",
        post_kind=form.post_kind.data or "",
        nominating_organ=form.nominating_organ.data or "",
    )


def _person(body: Body, form: MatterForm) -> Candidate:
    return matter_records.person_for_matter(
        body, form.candidate_id.data or NEW_PERSON, form.name.data or "", form.id_number.data or ""
    )


def _save_matter(
    body: Body,
    form: MatterForm,
    save: Callable[[], Appointment],
    refusal_field: Field,
    done: str,
    template: str,
    **context: Any,
) -> Any:
    """On a valid submit, ``save`` and go to the matter (a refusal shows under
    ``refusal_field``); otherwise the form page again."""
    if form.validate_on_submit():
        try:
            matter = save()
        except AppointmentError as exc:
            refusal_field.errors.append(refused(exc))
        else:
            flash(done, "success")
            return redirect(
                url_for("appointments.appointment", code=body.code, appointment_id=matter.id)
            )
    return render_template(template, body=body, form=form, **context)


@bp.route("/meetings/<int:meeting_id>/matters/new", methods=["GET", "POST"])
@body_required(ROLE_STAFF)
def matter_new(body: Body, meeting_id: int) -> Any:
    """A matter of any kind decided at the meeting (任命, 免职, 接受辞职, ...)."""
    meeting = _get(Meeting, body, meeting_id)
    form = MatterForm()
    _fill_choices(body, form)

    def save() -> Appointment:
        person = _person(body, form)
        return matter_records.add_matter(
            body, meeting, person, _fields(form, MatterKind(form.kind.data))
        )

    return _save_matter(
        body,
        form,
        save,
        form.candidate_id,
        _("已添加任免事项。"),
        "appointments/matter_form.html",
        meeting=meeting,
        matter=None,
    )


@bp.route("/<int:appointment_id>/edit", methods=["GET", "POST"])
@body_required(ROLE_STAFF)
def matter_edit(body: Body, appointment_id: int) -> Any:
    """Change a matter's kind (before its vote), post, post kind and nominating organ."""
    matter = _get(Appointment, body, appointment_id, joinedload(Appointment.candidate))
    form = MatterForm(obj=matter, kind=matter.kind.value)
    _fill_choices(body, form, person=False)
    if matter.kind is MatterKind.ELECT:
        form.kind.choices = select_choices([(MatterKind.ELECT.value, MatterKind.ELECT.label)])
    # The person stays: a different person is a different matter.
    form.candidate_id.choices = [(matter.candidate_id, matter.candidate.name)]
    form.candidate_id.data = matter.candidate_id

    def save() -> Appointment:
        matter_records.update_matter(body, matter, _fields(form, MatterKind(form.kind.data)))
        return matter

    return _save_matter(
        body,
        form,
        save,
        form.kind,
        _("已保存。"),
        "appointments/matter_form.html",
        meeting=matter.meeting,
        matter=matter,
    )


# --------------------------------------------------------------------------- elections


@bp.get("/elections")
@body_required(ROLE_STAFF)
def elections(body: Body) -> Any:
    """The persons the congress sessions elected (选举), newest first."""
    page = paginate(
        select(Appointment)
        .where(Appointment.body_id == body.id, Appointment.kind == MatterKind.ELECT)
        .order_by(Appointment.vote_date.desc(), Appointment.id.desc())
        .options(joinedload(Appointment.candidate))
    )
    return render_template("appointments/elections.html", body=body, page=page)


@bp.route("/elections/new", methods=["GET", "POST"])
@body_required(ROLE_STAFF)
def election_new(body: Body) -> Any:
    """选举: a person the congress session elected, with the session and the day."""
    form = ElectionForm()
    _fill_choices(body, form)

    def save() -> Appointment:
        person, fields = _person(body, form), _fields(form, MatterKind.ELECT)
        return matter_records.add_election(
            body, person, fields, form.session_name.data or "", form.elected_on.data
        )

    return _save_matter(
        body,
        form,
        save,
        form.candidate_id,
        _("已登记选举结果。"),
        "appointments/election_form.html",
    )


# --------------------------------------------------------------------------- post kinds


def _rules_url(body: Body) -> str:
    return url_for("appointments.rules", code=body.code) + "#post-kinds"


@bp.post("/rules/post-kinds")
@body_required(ROLE_BODY_ADMIN)
def post_kind_add(body: Body) -> Any:
    """A post kind of the body's own."""
    form = PostKindForm()
    return act(
        lambda: matter_records.add_post_kind(body, form.name.data or ""),
        _("已添加职务类别。"),
        _rules_url(body),
        form=form,
        invalid=_("请填写职务类别名称（不超过 64 个字）。"),
    )


@bp.post("/rules/post-kinds/<int:post_kind_id>")
@body_required(ROLE_BODY_ADMIN)
def post_kind_rename(body: Body, post_kind_id: int) -> Any:
    """Rename one of the body's post kinds (its matters follow)."""
    kind = _get(PostKind, body, post_kind_id)
    form = PostKindForm()
    return act(
        lambda: matter_records.rename_post_kind(body, kind, form.name.data or ""),
        _("已修改职务类别名称。"),
        _rules_url(body),
        form=form,
        invalid=_("请填写职务类别名称（不超过 64 个字）。"),
    )


@bp.post("/rules/post-kinds/<int:post_kind_id>/delete")
@body_required(ROLE_BODY_ADMIN)
def post_kind_delete(body: Body, post_kind_id: int) -> Any:
    """Remove a post kind no matter uses."""
    kind = _get(PostKind, body, post_kind_id)
    form = ConfirmForm()
    return act(
        lambda: matter_records.remove_post_kind(body, kind),
        _("已删除职务类别。"),
        _rules_url(body),
        form=form,
        invalid=_("请求已过期，请重试。"),
    )
