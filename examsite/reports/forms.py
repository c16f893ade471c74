"""Forms for terms, plans, scheduling, recording reports, votes and rectification."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from examsite.core.forms import select_choices
from examsite.exams.forms import CATEGORY_CHOICES
from examsite.reports.states import ReportMode

MODE_LABELS = dict(ReportMode.labels())
MODE_CHOICES = select_choices(MODE_LABELS.items())


class TermForm(FlaskForm):
    number = IntegerField(
        _l("第几届"), validators=[DataRequired(_l("请填写届次。")), NumberRange(min=1, max=99)]
    )
    starts_on = DateField(_l("开始日期"), validators=[DataRequired(_l("请填写开始日期。"))])
    ends_on = DateField(_l("结束日期"), validators=[DataRequired(_l("请填写结束日期。"))])

    def validate_ends_on(self, field: Any) -> None:
        if self.starts_on.data and field.data and field.data <= self.starts_on.data:
            raise ValidationError(_l("结束日期必须晚于开始日期。"))


class PlanForm(FlaskForm):
    name = StringField(
        _l("计划名称"),
        validators=[DataRequired(_l("请填写名称。")), Length(max=200)],
        description=_l("例如：政府组成部门负责人，每届一次，口头报告"),
    )
    mode = SelectField(_l("报告方式"), choices=MODE_CHOICES)
    post_categories = SelectMultipleField(
        _l("职务类别"),
        choices=CATEGORY_CHOICES,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validators=[Optional()],
        description=_l("不选表示所有类别。"),
    )
    post_keyword = StringField(
        _l("职务包含"),
        validators=[Length(max=50)],
        description=_l(
            "按整个职务匹配：“局长”选中局长、公安局局长、党组书记、局长，不选中副局长；"
            "一人多职（以顿号、逗号或“兼”分隔）时任一职务符合即可。留空表示不限。"
        ),
    )


class ProposeForm(FlaskForm):
    max_per_meeting = IntegerField(
        _l("每次会议最多口头报告人数"),
        default=4,
        validators=[DataRequired(), NumberRange(min=1, max=50)],
    )
    deadline = DateField(_l("完成全覆盖的日期"), validators=[DataRequired(_l("请填写日期。"))])


class ScheduleConfirmForm(FlaskForm):
    """Confirming an item; the reason is required only when the meeting is full (the
    service decides, as only it knows the meeting's load)."""

    over_cap_reason = StringField(
        _l("超过人数上限的理由"),
        validators=[Optional(), Length(max=300)],
        description=_l("该次会议已达每次会议的人数上限时须填写。"),
    )


class ReportForm(FlaskForm):
    delivered_on = DateField(_l("报告日期"), validators=[DataRequired(_l("请填写报告日期。"))])
    mode = SelectField(_l("报告方式"), choices=MODE_CHOICES)
    guidance = TextAreaField(_l("指导意见与备注"), render_kw={"rows": 3})
    file = FileField(_l("报告文件"), description=_l("PDF 或 Word（.docx）。"))


class VoteForm(FlaskForm):
    present = IntegerField(
        _l("出席人数"), validators=[DataRequired(_l("请填写出席人数。")), NumberRange(min=1)]
    )
    satisfied = IntegerField(_l("满意"), default=0, validators=[Optional(), NumberRange(min=0)])
    basically = IntegerField(_l("基本满意"), default=0, validators=[Optional(), NumberRange(min=0)])
    unsatisfied = IntegerField(_l("不满意"), default=0, validators=[Optional(), NumberRange(min=0)])


class RectificationForm(FlaskForm):
    actions = TextAreaField(
        _l("整改要求"), validators=[DataRequired(_l("请填写整改要求。"))], render_kw={"rows": 3}
    )
    due_on = DateField(_l("整改期限"), validators=[DataRequired(_l("请填写整改期限。"))])


class FollowUpForm(FlaskForm):
    follow_up = TextAreaField(
        _l("整改情况报告"), validators=[DataRequired(_l("请填写整改情况。"))], render_kw={"rows": 3}
    )
    follow_up_on = DateField(_l("报告日期"), validators=[DataRequired(_l("请填写报告日期。"))])
    close = BooleanField(_l("整改完成，结束跟踪"))


class OpinionsForm(FlaskForm):
    opinions = TextAreaField(
        _l("审议意见"), validators=[DataRequired(_l("请填写审议意见。"))], render_kw={"rows": 4}
    )
    opinions_on = DateField(
        _l("审议意见送交日期"), validators=[DataRequired(_l("请填写送交日期。"))]
    )
    handling_due_on = DateField(
        _l("研究处理情况报告期限"), validators=[DataRequired(_l("请填写报告期限。"))]
    )

    def validate_handling_due_on(self, field: Any) -> None:
        if self.opinions_on.data and field.data and field.data < self.opinions_on.data:
            raise ValidationError(_l("报告期限不能早于审议意见送交日期。"))


class HandlingForm(FlaskForm):
    handling_report = TextAreaField(
        _l("研究处理情况报告"),
        validators=[DataRequired(_l("请填写研究处理情况。"))],
        render_kw={"rows": 4},
    )
    handling_reported_on = DateField(
        _l("报告日期"), validators=[DataRequired(_l("请填写报告日期。"))]
    )


class ReasonForm(FlaskForm):
    reason = StringField(_l("理由"), validators=[DataRequired(_l("请填写理由。")), Length(max=300)])


class SettingsForm(FlaskForm):
    threshold_percent = IntegerField(
        _l("满意票（满意 + 基本满意）须超过出席人数的百分之几"),
        default=50,
        validators=[DataRequired(), NumberRange(min=1, max=99)],
    )
    first_report_months = IntegerField(
        _l("首次报告距任命的月数"),
        default=12,
        validators=[Optional(), NumberRange(min=1, max=60)],
        description=_l("任职满这么多个月后才安排首次履职报告。"),
    )
    max_oral_per_meeting = IntegerField(
        _l("每次会议最多口头报告人数"),
        default=4,
        validators=[Optional(), NumberRange(min=1, max=50)],
    )
    rectification_months = IntegerField(
        _l("整改期限（月）"),
        default=3,
        validators=[Optional(), NumberRange(min=1, max=24)],
        description=_l("提出整改要求时默认的整改期限。"),
    )
    reminder_email = StringField(
        _l("提醒邮件接收地址"),
        validators=[
            Optional(),
            Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("邮件地址格式不正确。")),
        ],
    )
