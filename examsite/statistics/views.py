"""工作统计: the figures of the work reports for a year, a term or any dates — a body's own,
or every visible body and their total for the municipal administrator — with the same
rows as an .xlsx and the work report's 人事任免 section as a .docx."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from examsite.appointments.matters import MatterKind
from examsite.core import audit
from examsite.core.body import Body
from examsite.core.exports import attachment, day_text, xlsx_response
from examsite.core.params import YEAR_MAX, YEAR_MIN, InvalidParameter, date_arg, int_arg
from examsite.core.roles import ROLE_ADMIN, ROLE_STAFF
from examsite.core.tenancy import role_required, scoped
from examsite.extensions import db
from examsite.statistics import figures, services, workreport
from examsite.statistics.docx import docx_bytes
from examsite.statistics.figures import BodyStatistics
from examsite.statistics.services import Period

bp = Blueprint("statistics", __name__, template_folder="templates")

audit.register_actions({"statistics.export": _l("导出工作统计")})
audit.register_details(
    {"what": _l("导出内容"), "period": _l("统计期间")}, action="statistics.export"
)
audit.register_values(
    "what",
    {
        "xlsx": _l("Excel 表格"),
        "docx": _l("工作报告（Word）"),
        "docx-all": _l("本级及所辖区县工作报告（Word）"),
    },
    action="statistics.export",
)

#: ``scope`` of the .docx: the whole city (the municipal administrator's roll-up).
SCOPE_ALL = "all"

DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True)
class Column:
    """One figure of the table and the sheet: its words, its unit and how to read it."""

    key: str
    label: str
    unit: str
    value: Callable[[BodyStatistics], Any]

    @property
    def header(self) -> str:
        return f"{self.label}（{self.unit}）"


def _attr(name: str) -> Callable[[BodyStatistics], Any]:
    return lambda row: getattr(row, name)


def _kind(value: str) -> Callable[[BodyStatistics], Any]:
    return lambda row: row.by_kind.get(value, 0)


def _post_kind(name: str) -> Callable[[BodyStatistics], Any]:
    return lambda row: row.by_post_kind.get(name, 0)


def _percent(name: str) -> Callable[[BodyStatistics], Any]:
    def value(row: BodyStatistics) -> Any:
        number = getattr(row, name)
        return "" if number is None else number

    return value


def groups(total: BodyStatistics) -> list[tuple[str, list[Column]]]:
    """The table's column groups; the kinds and post kinds those with a matter in the total."""
    person_times, persons, times = _("人次"), _("人"), _("次")
    kinds = [
        Column(f"kind-{k.value}", str(k.label), person_times, _kind(k.value))
        for k in MatterKind
        if k != MatterKind.ELECT and total.by_kind.get(k.value)  # 选举: the first group's
    ]
    post_kinds = [
        Column(
            f"post-{name}",
            _(name) if name else _("未分类"),  # built-in kinds are msgids; a body's own as typed
            person_times,
            _post_kind(name),
        )
        for name in workreport.post_kind_order(total.by_post_kind)
    ]
    return [
        (
            _("任免"),
            [
                Column("matters", _("任免合计"), person_times, _attr("matters")),
                Column("appointed", _("任命类"), person_times, _attr("appointed")),
                Column("removed", _("免职类"), person_times, _attr("removed")),
                Column("elected", _("选举"), person_times, _attr("elected")),
            ],
        ),
        (_("按任免类型"), kinds),
        (_("按职务类别"), post_kinds),
        (
            _("考试、表态与宣誓"),
            [
                Column("sittings", _("考试场次"), times, _attr("sittings")),
                Column("tested", _("参加考试"), persons, _attr("tested")),
                Column("passed", _("考试合格"), persons, _attr("passed")),
                Column("passed_first", _("首次考试合格"), persons, _attr("passed_first")),
                Column("passed_makeup", _("补考后合格"), persons, _attr("passed_makeup")),
                Column("pass_rate", _("合格率"), "%", _percent("pass_rate")),
                Column("statements", _("表态发言"), person_times, _attr("statements")),
                Column("ceremonies", _("宪法宣誓仪式"), times, _attr("ceremonies")),
                Column("oaths", _("宪法宣誓"), person_times, _attr("oaths")),
                Column(
                    "oaths_appointed", _("其中任命人员"), person_times, _attr("oaths_appointed")
                ),
                Column("oaths_elected", _("其中选举人员"), person_times, _attr("oaths_elected")),
            ],
        ),
        (
            _("任后履职报告"),
            [
                Column("report_rounds", _("报告轮次"), times, _attr("report_rounds")),
                Column("reporters", _("报告人数"), persons, _attr("reporters")),
                Column("reports_oral", _("口头报告"), person_times, _attr("reports_oral")),
                Column("reports_written", _("书面报告"), person_times, _attr("reports_written")),
                Column("satisfied", _("测评满意"), person_times, _attr("satisfied")),
                Column("unsatisfied", _("测评不满意"), person_times, _attr("unsatisfied")),
                Column(
                    "rectifications_open", _("整改中"), person_times, _attr("rectifications_open")
                ),
                Column(
                    "rectifications_closed",
                    _("整改完成"),
                    person_times,
                    _attr("rectifications_closed"),
                ),
                Column("report_subjects", _("应报告"), person_times, _attr("report_subjects")),
                Column("coverage", _("覆盖率"), "%", _percent("coverage")),
            ],
        ),
    ]


def _bodies() -> list[Body]:
    """The municipal administrator's every visible body; anyone else's own body."""
    if current_user.role != ROLE_ADMIN:
        return [current_user.body]
    return list(db.session.scalars(scoped(select(Body), Body, current_user).order_by(Body.code)))


def _period(body: Body) -> Period:
    """The period asked for: a term, else dates, else a year (this year by default)."""
    term = int_arg("term", min=1, max=99, label=_l("届次"))
    if term is not None:
        found = services.term_period(body, term)
        if found is None:
            raise InvalidParameter(services.no_term_message(body, term))
        return found
    start = date_arg("start", label=_l("起始日期"))
    end = date_arg("end", label=_l("截止日期"))
    year = int_arg("year", min=YEAR_MIN, max=YEAR_MAX, default=date.today().year, label=_l("年份"))
    assert year is not None
    if start is None and end is None:
        return services.year_period(year)
    period = Period(start or date(year, 1, 1), end or date(year, 12, 31))
    if period.end < period.start:
        raise InvalidParameter(services.BACKWARDS)
    return period


def _period_text(period: Period) -> str:
    if period.term is not None:
        return services.term_label(period.term.number)
    if period.year is not None:
        return _("%(year)s年", year=period.year)
    return _("%(start)s至%(end)s", start=day_text(period.start), end=day_text(period.end))


@bp.get("/statistics")
@role_required(ROLE_STAFF)
def index() -> Any:
    """The figures of the work reports, per body and in total, for a year, a term or dates."""
    own = current_user.body
    fmt = request.args.get("format", "")
    rollup = fmt == "docx" and request.args.get("scope") == SCOPE_ALL
    if rollup and current_user.role != ROLE_ADMIN:
        abort(403)  # whatever the period: only the municipal administrator sees the counties
    period = _period(own)
    bodies = _bodies()
    zone = current_app.config["BABEL_DEFAULT_TIMEZONE"]
    if fmt == "docx":
        return _docx(own, period, zone, bodies if rollup else None)
    rows = figures.compute(bodies, period.start, period.end, zone)
    total = figures.total(rows)
    column_groups = [(name, cols) for name, cols in groups(total) if cols]
    text = _period_text(period)
    if fmt == "xlsx":
        columns = [c for _name, cols in column_groups for c in cols]
        data = [[r.body.name if r.body else "", *(c.value(r) for c in columns)] for r in rows]
        data.append([_("合计"), *(c.value(total) for c in columns)])
        audit.record("statistics.export", target=own, body=own, what="xlsx", period=text)
        return xlsx_response(
            _("工作统计-%(period)s", period=text),
            [_("机关"), *(c.header for c in columns)],
            data,
            sheet=_("各机关工作统计"),
            title=_("%(period)s 各机关工作统计", period=text),
            body=own.name,
        )
    return render_template(
        "statistics/index.html",
        rows=rows,
        total=total,
        groups=column_groups,
        period=period,
        period_text=text,
        years=services.data_years(bodies),
        terms=services.terms_of(own),
        term_label=services.term_label,
        today=date.today(),
        many=len(rows) > 1,
        own=own,
        rollup=current_user.role == ROLE_ADMIN,
    )


def _docx(body: Body, period: Period, zone: str, bodies: list[Body] | None = None) -> Response:
    """The body's own 人事任免 section for the year or the term, as a .docx; with
    ``bodies``, the roll-up of them (the municipal body and its counties)."""
    if period.year is None and period.term is None:
        raise InvalidParameter(_l("工作报告按年度或届期生成：请选择年度或届期。"))
    section = services.report_section(body, period, zone, date.today(), bodies)
    audit.record(
        "statistics.export",
        target=body,
        body=body,
        what="docx" if bodies is None else "docx-all",
        period=_period_text(period),
    )
    return Response(
        docx_bytes(section),
        mimetype=DOCX_MIMETYPE,
        headers={"Content-Disposition": attachment(f"{section.title}.docx")},
    )
