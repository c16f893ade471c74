"""任免事项 as staff enter them: a matter of any kind on a meeting (the person chosen among
the body's people or entered with name and ID number), a 选举 by the congress session, and
the post kinds a body adds to the built-in ones."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from examsite.appointments import records
from examsite.appointments.matters import BUILTIN_POST_KIND_LABELS, MatterKind
from examsite.appointments.models import Appointment, Meeting, PostKind
from examsite.appointments.states import AppointmentError, VoteOutcome
from examsite.core import audit
from examsite.core.body import Body
from examsite.exams import candidates as people
from examsite.exams.models import Candidate
from examsite.exams.states import ExamError
from examsite.extensions import db

# --------------------------------------------------------------------------- post kinds


def post_kinds(body: Body) -> list[PostKind]:
    """The body's own post kinds, in their order."""
    return list(
        db.session.scalars(
            select(PostKind)
            .where(PostKind.body_id == body.id)
            .order_by(PostKind.position, PostKind.id)
        )
    )


def post_kind_choices(body: Body) -> list[tuple[str, Any]]:
    """The post kind select: none, the built-in kinds, then the body's own."""
    return [
        ("", _l("（不填）")),
        *BUILTIN_POST_KIND_LABELS.items(),
        *((k.name, k.name) for k in post_kinds(body)),
    ]


def post_kind_uses(body: Body) -> dict[str, int]:
    """How many matters of the body name each post kind (one grouped query)."""
    return dict(
        db.session.execute(
            select(Appointment.post_kind, func.count())
            .where(Appointment.body_id == body.id, Appointment.post_kind != "")
            .group_by(Appointment.post_kind)
        ).all()
    )


def _check_name(body: Body, name: str, keep: PostKind | None = None) -> str:
    name = name.strip()
    if not name:
        raise AppointmentError(_("请填写职务类别名称。"))
    if len(name) > 64:
        raise AppointmentError(_("职务类别名称不能超过 64 个字。"))
    taken = name in BUILTIN_POST_KIND_LABELS or any(
        k.name == name for k in post_kinds(body) if k is not keep
    )
    if taken:
        raise AppointmentError(_("已有名为“%(name)s”的职务类别。", name=name))
    return name


def add_post_kind(body: Body, name: str) -> PostKind:
    """A post kind of the body's own, listed after the built-in ones."""
    name = _check_name(body, name)
    last = db.session.scalar(select(func.max(PostKind.position)).where(PostKind.body_id == body.id))
    kind = PostKind(body_id=body.id, name=name, position=(last or 0) + 1)
    db.session.add(kind)
    audit.record("post_kind.create", target=kind, body=body, name=name)
    db.session.flush()
    return kind


def rename_post_kind(body: Body, kind: PostKind, name: str) -> None:
    """Rename a post kind; the matters that name it follow (they store the name)."""
    old = kind.name
    name = _check_name(body, name, keep=kind)
    for matter in db.session.scalars(
        select(Appointment).where(Appointment.body_id == body.id, Appointment.post_kind == old)
    ):
        matter.post_kind = name
    kind.name = name
    audit.record("post_kind.rename", target=kind, body=body, old=old, name=name)
    db.session.flush()


def remove_post_kind(body: Body, kind: PostKind) -> None:
    """Remove a post kind no matter names (one in use stays: the figures count by it)."""
    used = post_kind_uses(body).get(kind.name, 0)
    if used:
        raise AppointmentError(
            _(
                "职务类别“%(name)s”已用于 %(n)s 项任免事项，不能删除："
                "请先修改这些事项的职务类别，或将其改名。",
                name=kind.name,
                n=used,
            )
        )
    audit.record("post_kind.delete", target=kind, body=body, name=kind.name)
    db.session.delete(kind)
    db.session.flush()


# --------------------------------------------------------------------------- matters


@dataclass(frozen=True)
class MatterFields:
    """What the matter form gives, checked by the form (the post kind here)."""

    kind: MatterKind
    post: str
    post_kind: str
    nominating_organ: str


def _check_post_kind(body: Body, name: str) -> str:
    if (
        name
        and name not in BUILTIN_POST_KIND_LABELS
        and name not in {k.name for k in post_kinds(body)}
    ):
        raise AppointmentError(_("职务类别无效。"))
    return name


def person_for_matter(body: Body, candidate_id: int, name: str, id_number: str) -> Candidate:
    """The body's person chosen in the form, or a new one (name and a valid ID number,
    unique in the body, as the candidates form checks them)."""
    if candidate_id:
        person = db.session.get(Candidate, candidate_id)
        if person is None or person.body_id != body.id:
            raise AppointmentError(_("请选择本机关的人员。"))
        return person
    if not name.strip() or not id_number.strip():
        raise AppointmentError(_("请选择人员，或填写新人员的姓名和身份证号。"))
    try:
        return people.save_candidate(
            body,
            None,
            {
                "name": name.strip(),
                "id_number": id_number,
                "work_unit": "",
                "proposed_post": "",
                "post_category": "other",
                "batch": "",
                "phone": "",
            },
        )
    except ExamError as exc:
        raise AppointmentError(str(exc)) from None


def add_matter(
    body: Body, meeting: Meeting, person: Candidate, fields: MatterFields
) -> Appointment:
    """A matter decided at the meeting (any kind but 选举, which is the session's)."""
    if fields.kind is MatterKind.ELECT:
        raise AppointmentError(_("选举由人民代表大会会议进行，请在“选举”页面登记。"))
    return records.create_appointment(
        body,
        person,
        meeting,
        fields.post.strip(),
        kind=fields.kind,
        post_kind=_check_post_kind(body, fields.post_kind),
        nominating_organ=fields.nominating_organ.strip(),
    )


def update_matter(body: Body, matter: Appointment, fields: MatterFields) -> None:
    """Change a matter's kind, post, post kind and nominating organ; the kind stays once a
    vote is recorded (the vote was checked against that kind's steps)."""
    if fields.kind != matter.kind:
        if matter.voted:
            raise AppointmentError(_("已记录表决结果的，不能修改事项类型。"))
        if (matter.kind is MatterKind.ELECT) != (fields.kind is MatterKind.ELECT):
            raise AppointmentError(_("选举与常委会的任免事项不能互相修改。"))
    matter.kind = fields.kind
    matter.proposed_post = fields.post.strip()
    matter.post_kind = _check_post_kind(body, fields.post_kind)
    matter.nominating_organ = fields.nominating_organ.strip()
    audit.record("appointment.update", target=matter, kind=fields.kind.value)
    db.session.flush()


def add_election(
    body: Body, person: Candidate, fields: MatterFields, session_name: str, on: date
) -> Appointment:
    """选举: a person the congress session elected, recorded as elected on the day (no
    committee meeting, no vote counts); they are offered for the oath as their steps say."""
    if not session_name.strip():
        raise AppointmentError(_("请填写人民代表大会会议名称。"))
    matter = records.create_appointment(
        body,
        person,
        None,
        fields.post.strip(),
        kind=MatterKind.ELECT,
        post_kind=_check_post_kind(body, fields.post_kind),
        nominating_organ=fields.nominating_organ.strip(),
        session_name=session_name.strip(),
    )
    records.record_vote(matter, VoteOutcome.APPOINTED.value, on)
    return matter


audit.register_actions(
    {
        "post_kind.create": _l("新增职务类别"),
        "post_kind.rename": _l("修改职务类别名称"),
        "post_kind.delete": _l("删除职务类别"),
        "appointment.update": _l("修改任免事项"),
    }
)
audit.register_targets({"PostKind": _l("职务类别")})
audit.register_details({"old": _l("原名称")}, action="post_kind.rename")
