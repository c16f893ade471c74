"""Small shared forms."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional


def select_choices(pairs: Iterable[tuple[str, Any]]) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices; labels may be lazy translations."""
    return [SelectChoice(value, label) for value, label in pairs]


class LanguageForm(FlaskForm):
    lang = HiddenField()
    next = HiddenField()


class AuditFilterForm(FlaskForm):
    """Filters for the audit log; a GET form, so no CSRF token."""

    class Meta:
        csrf = False

    action = SelectField(_l("操作"), validators=[Optional()], default="")
    actor = StringField(_l("操作人"), validators=[Optional()])
    body = SelectField(_l("机关"), validators=[Optional()], default="")
    start = DateField(_l("起始日期"), validators=[Optional()])
    end = DateField(_l("截止日期"), validators=[Optional()])
