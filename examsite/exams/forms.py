"""Staff forms: candidates, paper templates, sittings and interventions."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Collection, Mapping
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    DecimalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from examsite.core.forms import select_choices
from examsite.exams.models import (
    POST_CATEGORIES,
    SCHEME_ALL_OR_NOTHING,
    SCHEME_PARTIAL,
    SECOND_LOGIN_REFUSE,
    SECOND_LOGIN_TAKEOVER,
    SHOW_AFTER_RELEASE,
    SHOW_AT_SUBMIT,
)

CATEGORY_CHOICES = select_choices(POST_CATEGORIES.items())
_QUOTA = re.compile(r"^\s*([^=:：＝,，]+?)\s*[=:：＝]\s*(\d+)\s*$")


def parse_quotas(text: str) -> dict[str, int]:
    """ "宪法=10, 法官法=5" → {"宪法": 10, "法官法": 5}; raises ValueError on bad parts."""
    quotas: dict[str, int] = {}
    for part in re.split(r"[,，;；\n]", text or ""):
        if not part.strip():
            continue
        match = _QUOTA.match(part)
        if not match:
            raise ValueError(part.strip())
        quotas[match.group(1).strip()] = int(match.group(2))
    return quotas


def format_quotas(quotas: dict[str, Any] | None) -> str:
    return ", ".join(f"{k}={v}" for k, v in (quotas or {}).items())


class CandidateForm(FlaskForm):
    name = StringField(_l("姓名"), validators=[DataRequired(_l("请输入姓名。")), Length(max=64)])
    id_number = StringField(
        _l("身份证号"),
        validators=[DataRequired(_l("请输入身份证号。")), Length(max=20)],
        render_kw={"autocomplete": "off"},
    )
    work_unit = StringField(_l("工作单位"), validators=[Length(max=200)])
    proposed_post = StringField(_l("拟任职务"), validators=[Length(max=200)])
    post_category = SelectField(_l("职务类别"), choices=CATEGORY_CHOICES, default="other")
    batch = StringField(
        _l("任命批次"),
        description=_l("对应的常委会会议，例如：第十二次常委会会议"),
        validators=[Length(max=100)],
    )
    phone = StringField(_l("联系电话"), validators=[Length(max=32)])
    reason = StringField(
        _l("修改姓名或身份证号的原因"),
        description=_l("只修改其他信息时不用填写；修改姓名或身份证号时必填，记入操作日志。"),
        validators=[Length(max=200)],
    )

    def validate_phone(self, field: Any) -> None:
        if field.data and not re.fullmatch(r"[0-9+\- ]{7,20}", field.data.strip()):
            raise ValidationError(_l("电话号码应为 7–20 位数字，可含 +、- 和空格。"))


class CandidateFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("姓名或单位"), validators=[Optional()])
    batch = SelectField(_l("任命批次"), validators=[Optional()], default="")
    category = SelectField(
        _l("职务类别"),
        choices=select_choices([("", _l("全部")), *POST_CATEGORIES.items()]),
        validators=[Optional()],
        default="",
    )


class UploadForm(FlaskForm):
    file = FileField(
        _l("人员名单文件"),
        description=_l("Excel（.xlsx）或 CSV 文件，使用下载的模板填写。"),
        validators=[FileRequired(_l("请选择要上传的文件。"))],
    )


_SECTION_FIELDS = ("single", "multiple", "true_false")


class TemplateForm(FlaskForm):
    name = StringField(
        _l("方案名称"), validators=[DataRequired(_l("请输入名称。")), Length(max=100)]
    )
    duration_minutes = IntegerField(
        _l("考试时长（分钟）"),
        default=90,
        validators=[
            DataRequired(),
            NumberRange(min=10, max=300, message=_l("时长应为 10–300 分钟。")),
        ],
    )
    pass_mark = DecimalField(
        _l("及格分"),
        default=60,
        places=1,
        validators=[DataRequired(), NumberRange(min=0, message=_l("及格分不能为负数。"))],
    )
    single_count = IntegerField(
        _l("单选题数量"), default=30, validators=[NumberRange(min=0, max=200)]
    )
    single_points = DecimalField(
        _l("单选题每题分值"), default=2, places=2, validators=[NumberRange(min=0)]
    )
    single_laws = StringField(_l("单选题法律配额"), validators=[Optional()])
    single_levels = StringField(_l("单选题难度配额"), validators=[Optional()])
    multiple_count = IntegerField(
        _l("多选题数量"), default=10, validators=[NumberRange(min=0, max=200)]
    )
    multiple_points = DecimalField(
        _l("多选题每题分值"), default=2, places=2, validators=[NumberRange(min=0)]
    )
    multiple_laws = StringField(_l("多选题法律配额"), validators=[Optional()])
    multiple_levels = StringField(_l("多选题难度配额"), validators=[Optional()])
    true_false_count = IntegerField(
        _l("判断题数量"), default=10, validators=[NumberRange(min=0, max=200)]
    )
    true_false_points = DecimalField(
        _l("判断题每题分值"), default=2, places=2, validators=[NumberRange(min=0)]
    )
    true_false_laws = StringField(_l("判断题法律配额"), validators=[Optional()])
    true_false_levels = StringField(_l("判断题难度配额"), validators=[Optional()])
    post_categories = SelectMultipleField(
        _l("适用的职务类别"),
        description=_l("不选表示适用于所有人员。"),
        choices=CATEGORY_CHOICES,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validators=[Optional()],
    )

    #: Set by the view: the law names of the body's bank (``papers.bank_laws``); a law
    #: quota must name one of them (a typed "宪法 " or "中华人民共和国宪法" never matches).
    law_names: Collection[str] = ()

    def sections(self) -> list[dict[str, Any]]:
        """The sections as stored; call after validate()."""
        out = []
        for qtype in _SECTION_FIELDS:
            count = getattr(self, f"{qtype}_count").data or 0
            points = float(getattr(self, f"{qtype}_points").data or 0)
            laws = parse_quotas(getattr(self, f"{qtype}_laws").data or "")
            levels = parse_quotas(getattr(self, f"{qtype}_levels").data or "")
            out.append(
                {
                    "qtype": qtype,
                    "count": count,
                    "points": points,
                    "law_quotas": laws,
                    "difficulty_quotas": levels,
                }
            )
        return out

    def fill_from(self, template: Any) -> None:
        self.name.data = template.name
        self.duration_minutes.data = template.duration_minutes
        self.pass_mark.data = template.pass_mark
        self.post_categories.data = list(template.post_categories or [])
        for section in template.sections:
            qtype = section["qtype"]
            getattr(self, f"{qtype}_count").data = section["count"]
            getattr(self, f"{qtype}_points").data = section["points"]
            getattr(self, f"{qtype}_laws").data = format_quotas(section.get("law_quotas"))
            getattr(self, f"{qtype}_levels").data = format_quotas(section.get("difficulty_quotas"))

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        if not ok:
            return False
        total_count = 0
        total_points = 0.0
        for qtype in _SECTION_FIELDS:
            count = getattr(self, f"{qtype}_count").data or 0
            total_count += count
            total_points += count * float(getattr(self, f"{qtype}_points").data or 0)
            for suffix, kind in (("laws", "law"), ("levels", "level")):
                field = getattr(self, f"{qtype}_{suffix}")
                try:
                    quotas = parse_quotas(field.data or "")
                except ValueError as exc:
                    field.errors.append(
                        str(_l("无法识别“%(part)s”，请写成 法律=数量，用逗号分隔。", part=str(exc)))
                    )
                    ok = False
                    continue
                unknown = [k for k in quotas if kind == "law" and k not in self.law_names]
                if unknown:
                    field.errors.append(
                        str(
                            _l(
                                "题库中没有“%(names)s”这一法律分类，请从下方列出的法律中选择。",
                                names="、".join(unknown),
                            )
                        )
                    )
                    ok = False
                if kind == "level" and any(k not in {"1", "2", "3", "4", "5"} for k in quotas):
                    field.errors.append(str(_l("难度只能是 1–5。")))
                    ok = False
                if sum(quotas.values()) > count:
                    field.errors.append(
                        str(
                            _l(
                                "配额合计 %(sum)s 超过了该题型的题数 %(count)s。",
                                sum=sum(quotas.values()),
                                count=count,
                            )
                        )
                    )
                    ok = False
        if total_count == 0:
            self.single_count.errors.append(str(_l("试卷至少要有一道题。")))
            ok = False
        if ok and float(self.pass_mark.data or 0) > total_points:
            self.pass_mark.errors.append(
                str(_l("及格分不能高于总分 %(total)s。", total=round(total_points, 2)))
            )
            ok = False
        return ok


class SittingForm(FlaskForm):
    title = StringField(
        _l("考试名称"), validators=[DataRequired(_l("请输入名称。")), Length(max=200)]
    )
    room = StringField(_l("考场"), validators=[Length(max=100)])
    starts_at = DateTimeLocalField(
        _l("开始时间"),
        format="%Y-%m-%dT%H:%M",
        validators=[DataRequired(_l("请填写开始时间。"))],
    )
    ends_at = DateTimeLocalField(
        _l("结束时间"),
        format="%Y-%m-%dT%H:%M",
        validators=[DataRequired(_l("请填写结束时间。"))],
    )
    late_entry_minutes = IntegerField(
        _l("迟到入场截止（开考后分钟数）"),
        default=15,
        validators=[NumberRange(min=0, max=240, message=_l("应为 0–240 分钟。"))],
    )
    template_id = SelectField(
        _l("试卷方案"), coerce=int, validators=[DataRequired(_l("请选择试卷方案。"))]
    )
    show_score = SelectField(
        _l("成绩显示"),
        choices=select_choices(
            [(SHOW_AT_SUBMIT, _l("交卷后立即显示")), (SHOW_AFTER_RELEASE, _l("发布后显示"))]
        ),
    )
    allow_review = BooleanField(_l("允许考生查看错题和解析"))
    scoring = SelectField(
        _l("多选题评分"),
        choices=select_choices(
            [
                (SCHEME_ALL_OR_NOTHING, _l("全对才得分")),
                (SCHEME_PARTIAL, _l("少选按比例得分，错选不得分")),
            ]
        ),
    )
    second_login = SelectField(
        _l("重复登录"),
        choices=select_choices(
            [
                (SECOND_LOGIN_REFUSE, _l("拒绝（须监考人员重置）")),
                (SECOND_LOGIN_TAKEOVER, _l("允许，新登录使原登录失效")),
            ]
        ),
    )
    allowed_networks = TextAreaField(
        _l("允许的网络"),
        description=_l("每行一个 CIDR，例如 10.1.2.0/24；留空表示不限制。"),
        render_kw={"rows": 2},
    )
    invigilators = SelectMultipleField(
        _l("监考人员"),
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validators=[Optional()],
    )

    #: Set by the view: the templates the sitting's papers come from, {id: (name,
    #: duration in minutes)}, and those its per-category choices name (with the
    #: general one they are checked against the window).
    template_durations: Mapping[int, tuple[str, int]] = {}
    category_template_ids: Collection[int] = ()

    def validate_ends_at(self, field: Any) -> None:
        if self.starts_at.data and field.data and field.data <= self.starts_at.data:
            raise ValidationError(_l("结束时间必须晚于开始时间。"))
        if not (self.starts_at.data and field.data):
            return
        window = int((field.data - self.starts_at.data).total_seconds() // 60)
        used = [
            self.template_durations[i]
            for i in {self.template_id.data, *self.category_template_ids}
            if i in self.template_durations
        ]
        name, duration = max(used, key=lambda nd: nd[1], default=("", 0))
        if window < duration:
            raise ValidationError(
                _l(
                    "考试时间只有 %(window)s 分钟，短于试卷方案“%(name)s”的考试时长 %(duration)s "
                    "分钟，请延后结束时间或缩短考试时长。",
                    window=window,
                    name=name,
                    duration=duration,
                )
            )

    def validate_allowed_networks(self, field: Any) -> None:
        for line in (field.data or "").splitlines():
            if line.strip():
                try:
                    ipaddress.ip_network(line.strip(), strict=False)
                except ValueError as exc:
                    raise ValidationError(
                        _l("“%(value)s”不是有效的网络地址。", value=line.strip())
                    ) from exc


class MakeupForm(FlaskForm):
    starts_at = DateTimeLocalField(
        _l("补考开始时间"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()]
    )
    ends_at = DateTimeLocalField(
        _l("补考结束时间"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()]
    )

    def validate_ends_at(self, field: Any) -> None:
        if self.starts_at.data and field.data and field.data <= self.starts_at.data:
            raise ValidationError(_l("结束时间必须晚于开始时间。"))
