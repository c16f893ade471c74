"""Small shared forms."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DateTimeField,
    DecimalField,
    Field,
    FloatField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional, StopValidation

from examsite.core.controlchars import first_control
from examsite.core.params import DATE_MAX, DATE_MIN, ID_MAX


def select_choices(pairs: Iterable[tuple[str, Any]]) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices; labels may be lazy translations."""
    return [SelectChoice(value, label) for value, label in pairs]


class LanguageForm(FlaskForm):
    lang = HiddenField()
    next = HiddenField()


class ConfirmForm(FlaskForm):
    """An empty form: a button that posts with a CSRF token."""

    submit = SubmitField(_l("确认"))


class AuditFilterForm(FlaskForm):
    """Filters for the audit log; a GET form, so no CSRF token."""

    class Meta:
        csrf = False

    action = SelectField(_l("操作"), validators=[Optional()], default="")
    actor = StringField(_l("操作人"), validators=[Optional()])
    body = SelectField(_l("机关"), validators=[Optional()], default="")
    start = DateField(_l("起始日期"), validators=[Optional()])
    end = DateField(_l("截止日期"), validators=[Optional()])


# --------------------------------------------------------------------------- every form's fields

#: The limit of any whole number a form takes (a PostgreSQL ``integer``).
INTEGER_LIMIT = ID_MAX
#: The limit of any decimal a form takes (points, pass marks, percentages).
DECIMAL_LIMIT = 10**9
#: The longest text a field without a ``Length`` of its own takes: one line fills at most a
#: ``String(200)`` column (a field writing a shorter column declares its own ``Length``, or
#: PostgreSQL would refuse the row with a 500); a textarea writes a ``Text`` column; a hidden
#: field carries a path with its query (``next``) or a token.
TEXT_LIMIT = 200
TEXTAREA_LIMIT = 20_000
HIDDEN_LIMIT = 2_000


def _default_limit(field: Field) -> int | None:
    """The length cap a text field gets when it declares no ``Length`` validator."""
    if not isinstance(field, StringField):
        return None
    if any(isinstance(check, Length) for check in field.validators):
        return None
    if isinstance(field, TextAreaField):
        return TEXTAREA_LIMIT
    if isinstance(field, HiddenField):
        return HIDDEN_LIMIT
    return TEXT_LIMIT


def _max_length(limit: int) -> Callable[[Any, Field], None]:
    def check(form: Any, field: Field) -> None:
        for value in field.raw_data or ():
            if isinstance(value, str) and len(value) > limit:
                if len(value) > 10 * limit:
                    field.data = ""  # no one types that much: the page does not echo it back
                raise StopValidation(
                    _l("最多 %(max)s 个字符，现有 %(n)s 个。", max=limit, n=len(value))
                )

    return check


def _no_control_characters(form: Any, field: Field) -> None:
    """A single-line text holds no Cc/Cf character; a textarea only line breaks and tabs."""
    multiline = isinstance(field, TextAreaField)
    for value in field.raw_data or ():
        if isinstance(value, str) and first_control(value, multiline=multiline) is not None:
            raise StopValidation(_l("不能包含控制字符。"))


def _date_in_range(form: Any, field: Field) -> None:
    value = field.data
    day = value.date() if isinstance(value, datetime) else value
    if isinstance(day, date) and not DATE_MIN <= day <= DATE_MAX:
        raise StopValidation(
            _l(
                "日期应在 %(min)s 至 %(max)s 之间。",
                min=DATE_MIN.isoformat(),
                max=DATE_MAX.isoformat(),
            )
        )


def _number_in_range(form: Any, field: Field) -> None:
    value = field.data
    if value is None:
        return
    limit = INTEGER_LIMIT if isinstance(field, IntegerField) else DECIMAL_LIMIT
    finite = not isinstance(value, (float, Decimal)) or math.isfinite(value)
    if not finite or abs(value) > limit:
        raise StopValidation(_l("数值超出允许范围。"))


def _checks_for(field: Field) -> list[Callable[[Any, Field], None]]:
    if isinstance(field, StringField):
        limit = _default_limit(field)
        # The length first: a megabyte of text is refused before it is scanned.
        return [_max_length(limit), _no_control_characters] if limit else [_no_control_characters]
    if isinstance(field, (DateField, DateTimeField)):
        return [_date_in_range]
    if isinstance(field, (IntegerField, DecimalField, FloatField)):
        return [_number_in_range]
    return []


class _CheckedMeta(FlaskForm.Meta):
    """Flask-WTF's form options, and the checks above put first on every field they fit (so
    ``Optional()``, which takes some control characters for blanks, cannot skip them)."""

    def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Field:
        field = super().bind_field(form, unbound_field, options)
        checks = _checks_for(field)
        if checks:
            field.validators = [*checks, *field.validators]
        return field


def install_field_checks() -> None:
    """Give every Flask-WTF form of the site, present and future, the checks above: a text
    longer than its cap (``TEXT_LIMIT``, ``TEXTAREA_LIMIT``, ``HIDDEN_LIMIT`` unless the field
    has a ``Length`` of its own) or with a control character, a date beyond
    ``DATE_MIN``/``DATE_MAX`` or a number no column holds is a form error, and nothing is
    saved."""
    if FlaskForm.Meta is not _CheckedMeta:
        FlaskForm.Meta = _CheckedMeta
