"""Forms for meetings, appointment steps, statements and ceremonies."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from examsite.appointments.matters import MatterKind, Steps
from examsite.appointments.models import (
    CHECK_IN_MANUAL,
    CHECK_IN_SELF,
    CHECK_IN_STAFF,
    FORM_GROUP,
    FORM_SINGLE,
    KIND_MEETING,
    KIND_SESSION,
)
from examsite.appointments.states import VoteOutcome
from examsite.core.forms import select_choices

FORM_LABELS = {FORM_SINGLE: _l("单独宣誓"), FORM_GROUP: _l("集体宣誓")}
CHECK_IN_METHOD_LABELS = {
    CHECK_IN_SELF: _l("手机签到"),
    CHECK_IN_STAFF: _l("工作人员扫码"),
    CHECK_IN_MANUAL: _l("签到表"),
}


class MeetingForm(FlaskForm):
    term = IntegerField(
        _l("届次"),
        default=0,
        validators=[NumberRange(min=0, max=99)],
        description=_l("例如第十六届填 16；不填为 0。"),
    )
    number = IntegerField(
        _l("第几次会议"),
        validators=[DataRequired(_l("请填写会议次数。")), NumberRange(min=1, max=999)],
    )
    date = DateField(_l("会议日期"), validators=[DataRequired(_l("请填写会议日期。"))])
    agenda = TextAreaField(_l("任免事项"), render_kw={"rows": 3})


#: What the vote form records: a vote with its counts (the outcome is computed from them),
#: a withdrawal, or back to 待表决.
VOTE_BALLOT = "ballot"
VOTE_ACTIONS = {
    VOTE_BALLOT: _l("表决（按票数计算结果）"),
    VoteOutcome.WITHDRAWN.value: _l("撤回"),
    VoteOutcome.PENDING.value: _l("恢复为待表决"),
}


def _count(label: Any) -> IntegerField:
    return IntegerField(
        label,
        validators=[
            Optional(),
            NumberRange(min=0, max=9999, message=_l("请填写不小于 0 的整数。")),
        ],
        render_kw={"min": 0, "inputmode": "numeric", "size": 5},
    )


class VoteForm(FlaskForm):
    vote = SelectField(_l("记录"), choices=select_choices(VOTE_ACTIONS.items()))
    vote_date = DateField(_l("表决日期"), validators=[DataRequired(_l("请填写表决日期。"))])
    present = _count(_l("实到"))
    votes_for = _count(_l("赞成"))
    votes_against = _count(_l("反对"))
    abstentions = _count(_l("弃权"))

    def validate_present(self, field: Any) -> None:
        counts = (field, self.votes_for, self.votes_against, self.abstentions)
        if self.vote.data == VOTE_BALLOT and any(f.data is None for f in counts):
            raise ValidationError(_l("表决请填写实到人数和赞成、反对、弃权票数。"))


class CommitteeTermForm(FlaskForm):
    term = IntegerField(
        _l("届次"),
        validators=[DataRequired(_l("请填写届次。")), NumberRange(min=1, max=99)],
        description=_l("例如第十七届填 17。"),
    )
    members = IntegerField(
        _l("常委会组成人员数（应到）"),
        validators=[
            DataRequired(_l("请填写组成人员数。")),
            NumberRange(min=1, max=999, message=_l("组成人员数应在 1 到 999 之间。")),
        ],
    )


class ExemptForm(FlaskForm):
    reason = StringField(
        _l("免考理由"),
        validators=[DataRequired(_l("请填写免考理由。")), Length(max=300)],
        description=_l("例如：本届内已考试合格，转任同一常委会任命的其他职务。"),
    )


class StatementForm(FlaskForm):
    order = IntegerField(
        _l("发言顺序"), default=1, validators=[Optional(), NumberRange(min=0, max=999)]
    )
    delivered = BooleanField(_l("已发言"))
    delivered_on = DateField(_l("发言日期"), validators=[Optional()])
    text = TextAreaField(
        _l("发言内容"),
        render_kw={"rows": 8, "data-statement-editor": ""},
        description=_l("空一行开始新的段落；可使用加粗和列表。"),
    )
    #: "html" when the page's editor wrote the text, "plain" from the bare textarea.
    text_format = HiddenField(default="plain")
    file = FileField(_l("发言稿文件"), description=_l("PDF 或 Word（.docx），不超过上传大小上限。"))

    def validate_delivered_on(self, field: Any) -> None:
        if self.delivered.data and not field.data:
            raise ValidationError(_l("已发言的请填写发言日期。"))


class CeremonyForm(FlaskForm):
    title = StringField(
        _l("仪式名称"), validators=[DataRequired(_l("请填写名称。")), Length(max=200)]
    )
    kind = SelectField(
        _l("所属会议类型"),
        choices=select_choices(
            [(KIND_MEETING, _l("常委会会议")), (KIND_SESSION, _l("人民代表大会会议"))]
        ),
        default=KIND_MEETING,
    )
    #: The body's meetings, filled in by the view.
    meeting_id = SelectField(_l("常委会会议"), coerce=int, validate_choice=False, default=0)
    session_name = StringField(
        _l("人民代表大会会议名称"),
        validators=[Length(max=200)],
        description=_l("例如：第十七届人民代表大会第一次会议（人代会选举产生的人员宣誓时填写）。"),
    )
    starts_at = DateTimeLocalField(
        _l("开始日期和时间"),
        format="%Y-%m-%dT%H:%M",
        validators=[DataRequired(_l("请填写开始日期和时间。"))],
    )
    ends_at = DateTimeLocalField(
        _l("签到截止日期和时间"),
        format="%Y-%m-%dT%H:%M",
        validators=[DataRequired(_l("请填写签到截止日期和时间。"))],
    )
    venue = StringField(_l("地点"), validators=[Length(max=200)])
    form = SelectField(
        _l("宣誓形式"), choices=select_choices(FORM_LABELS.items()), default=FORM_GROUP
    )
    leader = StringField(_l("领誓人"), validators=[Length(max=64)])
    presiding = StringField(_l("主持人"), validators=[Length(max=64)])

    def validate_ends_at(self, field: Any) -> None:
        if self.starts_at.data and field.data and field.data <= self.starts_at.data:
            raise ValidationError(_l("结束时间必须晚于开始时间。"))

    def validate_meeting_id(self, field: Any) -> None:
        if self.kind.data == KIND_MEETING and not field.data:
            raise ValidationError(_l("请选择宣誓仪式所属的常委会会议。"))

    def validate_session_name(self, field: Any) -> None:
        if self.kind.data == KIND_SESSION and not (field.data or "").strip():
            raise ValidationError(_l("请填写人民代表大会会议名称。"))


class ElectedForm(FlaskForm):
    """A person elected by the congress session, sworn at the session's ceremony."""

    name = StringField(_l("姓名"), validators=[DataRequired(_l("请填写姓名。")), Length(max=64)])
    post = StringField(_l("当选职务"), validators=[Length(max=200)])


class CheckInForm(FlaskForm):
    name = StringField(
        _l("姓名"),
        validators=[DataRequired(_l("请输入姓名。")), Length(max=64)],
        render_kw={"autocomplete": "name", "maxlength": 64},
    )
    id_tail = StringField(
        _l("身份证号后 6 位"),
        validators=[
            DataRequired(_l("请输入身份证号后 6 位。")),
            Length(min=6, max=6, message=_l("请输入 6 位。")),
        ],
        render_kw={"autocomplete": "off", "maxlength": 6},
    )


#: The rules table's columns: Steps' fields and their headings.
STEP_COLUMNS = (
    ("test", _l("测试")),
    ("statement", _l("表态发言")),
    ("oath", _l("宪法宣誓")),
    ("reports", _l("履职报告")),
)


def step_field_name(kind: MatterKind, step: str) -> str:
    """The checkbox of one kind's step in the rules table (e.g. "remove_test")."""
    return f"{kind.value}_{step}"


class StepsForm(FlaskForm):
    """The rules table: one row per kind of matter, one checkbox per step (fields added
    below, one per kind and step)."""

    def steps(self) -> dict[MatterKind, Steps]:
        return {
            kind: Steps(
                **{step: bool(self[step_field_name(kind, step)].data) for step, _ in STEP_COLUMNS}
            )
            for kind in MatterKind
        }

    def fill(self, steps: Mapping[MatterKind, Steps]) -> None:
        for kind, value in steps.items():
            for step, _ in STEP_COLUMNS:
                self[step_field_name(kind, step)].data = getattr(value, step)


for _kind in MatterKind:
    for _step, _heading in STEP_COLUMNS:
        setattr(
            StepsForm,
            step_field_name(_kind, _step),
            BooleanField(_l("%(kind)s：%(step)s", kind=_kind.label, step=_heading)),
        )


class PostKindForm(FlaskForm):
    name = StringField(
        _l("职务类别名称"),
        validators=[DataRequired(_l("请填写职务类别名称。")), Length(max=64)],
    )


#: The person select's entry for a person not yet in the body's list.
NEW_PERSON = 0


class MatterForm(FlaskForm):
    """A 任免事项 at a meeting: its kind, the person (chosen, or new with name and ID
    number), the post, post kind and nominating organ. The view fills the choices."""

    kind = SelectField(_l("事项类型"), default=MatterKind.APPOINT.value)
    candidate_id = SelectField(_l("人员"), coerce=int, default=NEW_PERSON, validate_choice=False)
    name = StringField(
        _l("新人员姓名"),
        validators=[Length(max=64)],
        description=_l("名单中没有此人时填写姓名和身份证号。"),
    )
    id_number = StringField(
        _l("新人员身份证号"), validators=[Length(max=20)], render_kw={"autocomplete": "off"}
    )
    proposed_post = StringField(
        _l("职务"),
        validators=[DataRequired(_l("请填写职务。")), Length(max=200)],
        description=_l("任命的填拟任职务，免职、撤职、辞职的填所免的职务。"),
    )
    post_kind = SelectField(_l("职务类别"), default="")
    nominating_organ = StringField(
        _l("提请机关"),
        validators=[Length(max=100)],
        description=_l("例如：市人民政府市长、市人民检察院检察长。"),
    )

    def validate_candidate_id(self, field: Any) -> None:
        if field.data == NEW_PERSON and not (
            (self.name.data or "").strip() and (self.id_number.data or "").strip()
        ):
            raise ValidationError(_l("请选择人员，或填写新人员的姓名和身份证号。"))


class ElectionForm(MatterForm):
    """选举: the congress session elects; no kind to choose, the session and day instead."""

    kind = None
    proposed_post = StringField(
        _l("当选职务"), validators=[DataRequired(_l("请填写职务。")), Length(max=200)]
    )

    session_name = StringField(
        _l("人民代表大会会议名称"),
        validators=[DataRequired(_l("请填写人民代表大会会议名称。")), Length(max=200)],
        description=_l("例如：第十七届人民代表大会第一次会议。"),
    )
    elected_on = DateField(_l("当选日期"), validators=[DataRequired(_l("请填写当选日期。"))])
