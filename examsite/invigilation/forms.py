"""Forms of the invigilation panel."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from examsite.core.forms import select_choices

INCIDENT_LABELS = {
    "equipment": _l("设备故障"),
    "discipline": _l("违纪"),
    "other": _l("其他"),
}


class ReasonForm(FlaskForm):
    reason = StringField(_l("原因"), validators=[DataRequired(_l("请填写原因。")), Length(max=200)])


class ExtendForm(FlaskForm):
    minutes = IntegerField(
        _l("延长分钟数"),
        default=10,
        validators=[
            DataRequired(_l("请填写分钟数。")),
            NumberRange(min=1, max=120, message=_l("应为 1–120 分钟。")),
        ],
    )
    reason = StringField(_l("原因"), validators=[DataRequired(_l("请填写原因。")), Length(max=200)])


class IncidentForm(FlaskForm):
    attempt_id = HiddenField(validators=[Optional()])
    category = SelectField(_l("类别"), choices=select_choices(INCIDENT_LABELS.items()))
    note = TextAreaField(
        _l("情况说明"),
        validators=[DataRequired(_l("请填写情况说明。")), Length(max=2000)],
        render_kw={"rows": 2},
    )


class AddendumForm(FlaskForm):
    text = TextAreaField(
        _l("补充说明"),
        validators=[
            DataRequired(_l("请填写补充说明。")),
            Length(max=2000, message=_l("补充说明不能超过 2000 字。")),
        ],
        render_kw={"rows": 4, "maxlength": 2000},
    )
