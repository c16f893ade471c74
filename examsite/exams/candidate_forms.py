"""Forms the candidate sees."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length


class CandidateLoginForm(FlaskForm):
    code = StringField(
        _l("准考证号"),
        validators=[DataRequired(_l("请输入准考证号。")), Length(max=16)],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )
    id_tail = StringField(
        _l("身份证号后 6 位"),
        description=_l("请输入身份证号后 6 位"),
        validators=[
            DataRequired(_l("请输入身份证号后 6 位。")),
            Length(min=6, max=6, message=_l("请输入 6 位。")),
        ],
        render_kw={"autocomplete": "off", "inputmode": "text", "maxlength": 6},
    )
