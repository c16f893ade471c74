"""Forms of the question bank: one question, the list filters, the import upload."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from examsite.bank.formats.fields import ANSWER, FIELD_LABELS, FIELDS, NUMBER, OPTIONS, TEXT
from examsite.bank.formats.model import (
    LABEL_BY_TYPE,
    MAX_CATEGORY_CHARS,
    MAX_LEGAL_BASIS_CHARS,
    MAX_OPTION_CHARS,
    OPTION_LETTERS,
    ParsedQuestion,
    Problem,
    QuestionType,
)
from examsite.bank.formats.validation import validate_question
from examsite.bank.models import PURPOSE_EXAM, PURPOSE_PRACTICE
from examsite.core.forms import select_choices

QTYPE_LABELS = {qtype: _l(label) for qtype, label in LABEL_BY_TYPE.items()}
STATUS_LABELS = {"active": _l("在用"), "retired": _l("已停用")}
PURPOSE_LABELS = {PURPOSE_EXAM: _l("考试题"), PURPOSE_PRACTICE: _l("练习题")}
DIFFICULTY_CHOICES = [(str(n), str(n)) for n in range(1, 6)]
_LINE_PREFIX = re.compile(r"^(第 \d+ 行：|Line \d+: )")


def _label(field: str) -> Any:
    """A question field's label (declared in formats.fields), translated when shown."""
    return _l(FIELD_LABELS[field])


class QuestionForm(FlaskForm):
    qtype = SelectField(_label("qtype"), choices=select_choices(QTYPE_LABELS.items()))
    stem = TextAreaField(
        _label("stem"), validators=[DataRequired(_l("请输入题干。"))], render_kw={"rows": 4}
    )
    option_a = StringField(_l("选项 A"), validators=[Length(max=MAX_OPTION_CHARS)])
    option_b = StringField(_l("选项 B"), validators=[Length(max=MAX_OPTION_CHARS)])
    option_c = StringField(_l("选项 C"), validators=[Length(max=MAX_OPTION_CHARS)])
    option_d = StringField(_l("选项 D"), validators=[Length(max=MAX_OPTION_CHARS)])
    option_e = StringField(_l("选项 E"), validators=[Length(max=MAX_OPTION_CHARS)])
    option_f = StringField(_l("选项 F"), validators=[Length(max=MAX_OPTION_CHARS)])
    option_g = StringField(_l("选项 G"), validators=[Length(max=MAX_OPTION_CHARS)])
    option_h = StringField(_l("选项 H"), validators=[Length(max=MAX_OPTION_CHARS)])
    correct = SelectMultipleField(
        _l("正确选项（选择题）"),
        choices=select_choices((letter, letter) for letter in OPTION_LETTERS),
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validators=[Optional()],
    )
    tf_answer = RadioField(
        _l("答案（判断题）"),
        choices=select_choices([("0", _l("对")), ("1", _l("错"))]),
        validators=[Optional()],
    )
    explanation = TextAreaField(_label("explanation"), render_kw={"rows": 3})
    legal_basis = StringField(
        _label("legal_basis"),
        description=_l("例如：《中华人民共和国宪法》第六十七条"),
        validators=[Length(max=MAX_LEGAL_BASIS_CHARS)],
    )
    law_version = StringField(
        _label("law_version"),
        description=_l("答案依据的法律版本，例如：2018年修正"),
        validators=[Length(max=MAX_CATEGORY_CHARS)],
    )
    category = StringField(
        _l("分类（法律）"),
        description=_l("例如：宪法、监督法"),
        validators=[Length(max=MAX_CATEGORY_CHARS)],
        render_kw={"list": "category-list", "autocomplete": "off"},
    )
    difficulty = SelectField(
        _label("difficulty"), choices=select_choices(DIFFICULTY_CHOICES), default="3"
    )
    exclusion_group = StringField(
        _label("exclusion_group"),
        description=_l("互相泄露答案的题目填同一组名，同一份试卷只抽其中一题"),
        validators=[Length(max=MAX_CATEGORY_CHARS)],
    )
    purpose = RadioField(
        _label("purpose"),
        choices=select_choices(PURPOSE_LABELS.items()),
        default=PURPOSE_EXAM,
        description=_l(
            "练习题只用于模拟练习（答案会展示给练习者），正式试卷不会抽到；"
            "考试题只进正式试卷。在练习中展示过的题目不能再改为考试题。"
        ),
    )

    option_fields = tuple(f"option_{c.lower()}" for c in OPTION_LETTERS)

    def fill_from(self, question: Any) -> None:
        """Load a stored question into the form: every field of formats.fields."""
        for spec in FIELDS:
            value = getattr(question, spec.name)
            if spec.kind == OPTIONS:
                for name, text in zip(self.option_fields, value, strict=False):
                    getattr(self, name).data = text
            elif spec.kind == ANSWER:
                if question.qtype == QuestionType.TRUE_FALSE:
                    self.tf_answer.data = str(value[0])
                else:
                    self.correct.data = [OPTION_LETTERS[i] for i in value]
            elif spec.kind == NUMBER:
                getattr(self, spec.name).data = str(value)
            else:
                getattr(self, spec.name).data = value

    def to_question(self) -> tuple[ParsedQuestion | None, list[Problem]]:
        """The question the form describes, checked by the bank's shared rules."""
        qtype = self.qtype.data or ""
        texts = [(getattr(self, name).data or "").strip() for name in self.option_fields]
        while texts and not texts[-1]:
            texts.pop()
        if qtype == QuestionType.TRUE_FALSE:
            answer = [int(self.tf_answer.data)] if self.tf_answer.data in ("0", "1") else []
        else:
            answer = [OPTION_LETTERS.index(c) for c in (self.correct.data or [])]
        fields: dict[str, Any] = {
            s.name: getattr(self, s.name).data or "" for s in FIELDS if s.kind == TEXT
        }
        question, problems = validate_question(
            line=0,
            qtype=qtype,
            options=texts,
            answer=answer,
            difficulty=int(self.difficulty.data or 3),
            **fields,
        )
        if question is not None:
            question = replace(question, purpose=self.purpose.data or PURPOSE_EXAM)
        return question, problems


def problem_text(problem: Problem, translate: Any) -> str:
    """A problem's message without the "line N" prefix (for a single form)."""
    return _LINE_PREFIX.sub("", problem.render(translate))


class QuestionFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("题干包含"), validators=[Optional()])
    category = SelectField(_label("category"), validators=[Optional()], default="")
    qtype = SelectField(
        _label("qtype"),
        choices=select_choices([("", _l("全部")), *QTYPE_LABELS.items()]),
        validators=[Optional()],
        default="",
    )
    difficulty = SelectField(
        _label("difficulty"),
        choices=select_choices([("", _l("全部")), *DIFFICULTY_CHOICES]),
        validators=[Optional()],
        default="",
    )
    status = SelectField(
        _l("状态"),
        choices=select_choices(
            [("active", _l("在用")), ("retired", _l("已停用")), ("all", _l("全部"))]
        ),
        validators=[Optional()],
        default="active",
    )
    purpose = SelectField(
        _label("purpose"),
        choices=select_choices([("", _l("全部")), *PURPOSE_LABELS.items()]),
        validators=[Optional()],
        default="",
    )
    owner = SelectField(
        _l("来源"),
        choices=select_choices(
            [("", _l("全部")), ("own", _l("本机关题目")), ("shared", _l("上级共享题目"))]
        ),
        validators=[Optional()],
        default="",
    )


class ImportForm(FlaskForm):
    file = FileField(
        _l("题库文件"),
        description=_l(
            "支持本系统模板（.xlsx、.csv）、GIFT（.gift、.txt）、"
            "Aiken（.txt）、Moodle XML（.xml）和 Word 试卷（.docx）。"
        ),
        validators=[FileRequired(_l("请选择要上传的文件。"))],
    )


class ConfirmImportForm(FlaskForm):
    valid_only = BooleanField(_l("只导入无误的题目，跳过有错误的行"))
    purpose = RadioField(
        _l("导入为"),
        choices=select_choices(PURPOSE_LABELS.items()),
        default=PURPOSE_EXAM,
        description=_l("文件中“用途”列已填写的题目按该列导入。"),
    )


class ExportForm(FlaskForm):
    class Meta:
        csrf = False

    format = SelectField(
        _l("格式"),
        choices=select_choices(
            [("xlsx", "Excel (.xlsx)"), ("csv", "CSV (.csv)"), ("gift", "GIFT (.txt)")]
        ),
        default="xlsx",
    )
    category = SelectField(_label("category"), validators=[Optional()], default="")
    purpose = SelectField(
        _label("purpose"),
        choices=select_choices([("", _l("全部")), *PURPOSE_LABELS.items()]),
        validators=[Optional()],
        default="",
    )
