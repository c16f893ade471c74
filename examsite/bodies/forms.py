"""Forms for congress bodies."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from examsite.core.body import LEVEL_COUNTY, LEVEL_MUNICIPAL, LEVEL_PROVINCIAL
from examsite.core.forms import select_choices

CODE_RE = re.compile(r"^[a-z][a-z0-9-]{1,31}$")

LEVEL_LABELS = {
    LEVEL_PROVINCIAL: _l("省级"),
    LEVEL_MUNICIPAL: _l("市级"),
    LEVEL_COUNTY: _l("区县级"),
}


class BodyForm(FlaskForm):
    code = StringField(
        _l("代码"),
        description=_l("小写字母开头，可含数字和连字符，2–32 个字符，用于网址，创建后不可修改。"),
        validators=[DataRequired(_l("请输入代码。")), Length(max=32)],
    )
    name = StringField(
        _l("名称"),
        description=_l("例如：东城区人大常委会"),
        validators=[DataRequired(_l("请输入名称。")), Length(max=100)],
    )
    level = SelectField(
        _l("级别"), choices=select_choices(LEVEL_LABELS.items()), default=LEVEL_COUNTY
    )
    parent = SelectField(_l("上级机关"), validators=[Optional()])
    submit = SubmitField(_l("保存"))

    def __init__(self, *args: Any, parents: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.parent.choices = select_choices(parents)

    def validate_code(self, field: Any) -> None:
        value = (field.data or "").strip().lower()
        if not CODE_RE.match(value):
            raise ValidationError(
                _l("代码须以小写字母开头，只含小写字母、数字和连字符，2–32 个字符。")
            )
        field.data = value


class BodyEditForm(FlaskForm):
    name = StringField(_l("名称"), validators=[DataRequired(_l("请输入名称。")), Length(max=100)])
    uses_parent_bank = BooleanField(_l("使用上级机关发布的题库"))
    own_questions = BooleanField(_l("可以添加本机关的题目"))
    public_practice = BooleanField(
        _l("向本机关网络开放模拟练习（无需登录）"),
        description=_l(
            "开放后，任何人可在 /practice/机关代码 练习本机关的练习题；正式考试题不受影响。"
        ),
    )
    submit = SubmitField(_l("保存"))


class BodyFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("名称或代码"), validators=[Optional()])
    level = SelectField(
        _l("级别"),
        choices=select_choices([("", _l("全部")), *LEVEL_LABELS.items()]),
        validators=[Optional()],
        default="",
    )


class StaffFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("姓名或用户名"), validators=[Optional()])
    status = SelectField(
        _l("状态"),
        choices=select_choices(
            [("", _l("全部")), ("active", _l("启用")), ("disabled", _l("停用"))]
        ),
        validators=[Optional()],
        default="",
    )


class OnboardForm(FlaskForm):
    code = StringField(
        _l("代码"),
        validators=[DataRequired(_l("请输入代码。")), Length(max=32)],
        description=_l("小写字母开头，可含数字和连字符，例如 dongcheng。"),
    )
    name = StringField(
        _l("名称"),
        validators=[DataRequired(_l("请输入名称。")), Length(max=100)],
        description=_l("例如：东城区人大常委会"),
    )
    parent = SelectField(_l("上级机关"))
    username = StringField(
        _l("首位管理员用户名"), validators=[DataRequired(_l("请输入用户名。")), Length(max=64)]
    )
    admin_name = StringField(
        _l("首位管理员姓名"), validators=[DataRequired(_l("请输入姓名。")), Length(max=64)]
    )
    copy_templates = BooleanField(_l("复制上级机关的试卷方案"), default=True)
    uses_parent_bank = BooleanField(_l("使用上级机关发布的题库"), default=True)
    own_questions = BooleanField(_l("可以添加本机关的题目"), default=True)

    def __init__(self, *args: Any, parents: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.parent.choices = select_choices(parents)


class OnboardUploadForm(FlaskForm):
    file = FileField(
        _l("批量接入文件"),
        validators=[FileRequired(_l("请选择要上传的文件。"))],
        description=_l(
            "Excel（.xlsx）或 CSV，表头：代码、名称、上级代码、管理员用户名、管理员姓名。"
        ),
    )
    copy_templates = BooleanField(_l("复制上级机关的试卷方案"), default=True)
