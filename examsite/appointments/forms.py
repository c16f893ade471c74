"""Forms for meetings, appointment steps, statements and ceremonies."""

from __future__ import annotations

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


class RulesForm(FlaskForm):
    require_test = BooleanField(_l("未通过考试且无免考记录的，不能记为已任命"))
    require_statement = BooleanField(_l("未在会议上作任前表态发言的，不能记录表决结果"))


class PeriodForm(FlaskForm):
    class Meta:
        csrf = False

    start = DateField(_l("起始日期"), validators=[Optional()])
    end = DateField(_l("截止日期"), validators=[Optional()])
