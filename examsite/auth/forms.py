"""Forms for login, password change and staff accounts."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from examsite.auth.passwords import MIN_LENGTH, policy_problems
from examsite.core.forms import select_choices
from examsite.core.roles import ROLE_LABELS

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{2,63}$")


_POLICY_MESSAGES = {
    "too_short": _l("密码至少需要 %(n)s 个字符。", n=MIN_LENGTH),
    "letters_and_digits": _l("密码必须同时包含字母和数字。"),
    "contains_username": _l("密码不能包含用户名。"),
    "too_simple": _l("密码过于简单，请使用更多不同的字符。"),
}


def check_policy(password: str, username: str = "") -> None:
    problems = policy_problems(password, username)
    if problems:
        raise ValidationError(" ".join(str(_POLICY_MESSAGES[p]) for p in problems))


class LoginForm(FlaskForm):
    username = StringField(_l("用户名"), validators=[DataRequired(_l("请输入用户名。"))])
    password = PasswordField(_l("密码"), validators=[DataRequired(_l("请输入密码。"))])
    submit = SubmitField(_l("登录"))


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("当前密码"), validators=[DataRequired(_l("请输入当前密码。"))])
    new = PasswordField(_l("新密码"), validators=[DataRequired(_l("请输入新密码。"))])
    confirm = PasswordField(
        _l("再次输入新密码"),
        validators=[
            DataRequired(_l("请再次输入新密码。")),
            EqualTo("new", _l("两次输入的新密码不一致。")),
        ],
    )
    submit = SubmitField(_l("修改密码"))

    def __init__(self, *args: Any, username: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._username = username

    def validate_new(self, field: Any) -> None:
        check_policy(field.data or "", self._username)
        if field.data and field.data == self.current.data:
            raise ValidationError(_l("新密码不能与当前密码相同。"))


class StaffForm(FlaskForm):
    username = StringField(
        _l("用户名"),
        description=_l("小写字母、数字、点、下划线或连字符，3–64 个字符，创建后不可修改。"),
        validators=[DataRequired(_l("请输入用户名。")), Length(max=64)],
    )
    name = StringField(_l("姓名"), validators=[DataRequired(_l("请输入姓名。")), Length(max=64)])
    role = SelectField(_l("角色"), validators=[DataRequired()])
    submit = SubmitField(_l("保存"))

    def __init__(self, *args: Any, roles: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.role.choices = select_choices((r, ROLE_LABELS[r]) for r in roles)

    def validate_username(self, field: Any) -> None:
        value = (field.data or "").strip().lower()
        if not USERNAME_RE.match(value):
            raise ValidationError(
                _l("用户名只能包含小写字母、数字、点、下划线或连字符，长度 3–64。")
            )
        field.data = value


class StaffEditForm(FlaskForm):
    name = StringField(_l("姓名"), validators=[DataRequired(_l("请输入姓名。")), Length(max=64)])
    role = SelectField(_l("角色"), validators=[DataRequired()])
    submit = SubmitField(_l("保存"))

    def __init__(self, *args: Any, roles: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.role.choices = select_choices((r, ROLE_LABELS[r]) for r in roles)
