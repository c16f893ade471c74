"""Importing the list of candidates (拟任命人员) from .xlsx or .csv: pure, never raises.

Columns (the header row, order free, extra columns ignored; a title row above the header
is skipped)::

    姓名* 身份证号* 工作单位 拟任职务 职务类别 任命批次 联系电话

``职务类别`` is one of 人大 / 政府 / 监委 / 法院 / 检察院 / 其他 (or the stored value, e.g.
``court``); blank means 其他.  ``身份证号码`` and ``公民身份号码`` are accepted as the header
of the ID column.

Everything file-level is the question bank's: the size limit, encoding detection (UTF-8
with or without BOM, GBK/GB18030), the xlsx container checks (``check_xlsx_container``:
zip bombs, macros, encryption, old .xls), the read-only openpyxl reader with its row limit,
formula cells refused and the ``'`` escape of ``= + - @`` cells (``dump_candidates_xlsx``
writes it, the reader removes it).  Problems are ``examsite.bank.formats.model.Problem``
with ``N_``-marked Chinese templates; ID numbers in messages are always masked.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from examsite.bank.formats import detect, tables, template
from examsite.bank.formats.model import N_, Msg, Problem, build_problem, problem
from examsite.bank.formats.normalize import clean_line
from examsite.core.cells import Formula, escape_cell, unescape_cell
from examsite.exams.domain import idcard

__all__ = [
    "CANDIDATE_HEADERS",
    "MAX_BATCH_CHARS",
    "MAX_NAME_CHARS",
    "MAX_POST_CHARS",
    "MAX_WORK_UNIT_CHARS",
    "POST_CATEGORIES",
    "REQUIRED_CANDIDATE_HEADERS",
    "CandidateParseResult",
    "CandidateRow",
    "candidates_template_xlsx",
    "dump_candidates_xlsx",
    "parse_candidates",
]

#: Stored value -> Chinese label: the one declaration of the post categories.  Files
#: always use the Chinese label (the import matches it whatever the UI language); pages
#: translate it (``exams.models.POST_CATEGORIES``).
POST_CATEGORIES: Final = {
    "renda": N_("人大"),
    "government": N_("政府"),
    "jianwei": N_("监委"),
    "court": N_("法院"),
    "procuratorate": N_("检察院"),
    "other": N_("其他"),
}
_CATEGORY_BY_TEXT: Final = {
    **{label: key for key, label in POST_CATEGORIES.items()},
    **{key: key for key in POST_CATEGORIES},
}

CANDIDATE_HEADERS: Final = (
    "姓名",
    "身份证号",
    "工作单位",
    "拟任职务",
    "职务类别",
    "任命批次",
    "联系电话",
)
REQUIRED_CANDIDATE_HEADERS: Final = ("姓名", "身份证号")
_HEADER_ALIASES: Final = {"身份证号码": "身份证号", "公民身份号码": "身份证号"}
_HEADER_SEARCH_ROWS: Final = 10  # how many non-blank rows may precede the header

MAX_NAME_CHARS: Final = 64
MAX_WORK_UNIT_CHARS: Final = 200
MAX_POST_CHARS: Final = 200
MAX_BATCH_CHARS: Final = 100
_PHONE_RE: Final = re.compile(r"[0-9+\- ]{7,20}")

_FIELD_WORK_UNIT = Msg(N_("工作单位"))
_FIELD_POST = Msg(N_("拟任职务"))
_FIELD_BATCH = Msg(N_("任命批次"))


@dataclass(frozen=True)
class CandidateRow:
    """One valid candidate; ``line`` (excluded from equality) is the row in the file.

    ``id_number`` is normalized (half-width, upper-case ``X``); ``post_category`` is the
    stored value (a key of ``POST_CATEGORIES``).
    """

    line: int = field(compare=False)
    name: str
    id_number: str
    work_unit: str = ""
    proposed_post: str = ""
    post_category: str = "other"
    batch: str = ""
    phone: str = ""


@dataclass
class CandidateParseResult:
    """The valid rows and every problem, in file order; ``format`` is ``"xlsx"`` or
    ``"csv"`` (empty when the file was refused before reading)."""

    rows: list[CandidateRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    format: str = ""

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if not p.skipped]

    @property
    def ok(self) -> bool:
        return not self.errors


def _failed(code: str, message: str, *, fmt: str = "", **params: object) -> CandidateParseResult:
    return CandidateParseResult(
        problems=[build_problem(code, message, None, False, params)], format=fmt
    )


# --------------------------------------------------------------------------- reading


def parse_candidates(
    filename: str,
    data: bytes,
    *,
    existing_ids: Collection[str] = (),
    max_bytes: int = detect.DEFAULT_MAX_BYTES,
) -> CandidateParseResult:
    """Parse an uploaded candidate list.  ``existing_ids``: ID numbers already on this
    body's list (an error when the file repeats one)."""
    try:
        return _parse(filename, data, existing_ids, max_bytes)
    except Exception:
        return _failed("corrupt_file", N_("文件已损坏或格式异常，无法读取。"))


def _parse(
    filename: str, data: bytes, existing_ids: Collection[str], max_bytes: int
) -> CandidateParseResult:
    read = tables.read_rows(filename, data, max_bytes, sniff=_sniff_delimiter)
    if read.problems:
        return CandidateParseResult(problems=read.problems, format=read.format)
    return _parse_rows(read.rows, read.format, existing_ids)


def _sniff_delimiter(text: str) -> str:
    """Comma, unless the header is clearly tab- or semicolon-separated."""
    lines = [line for line in text.splitlines() if line.strip()][:_HEADER_SEARCH_ROWS]
    best, best_hits = ",", 0
    for delimiter in (",", "\t", ";"):
        for line in lines:
            try:
                cells = next(csv.reader([line], delimiter=delimiter), [])
            except csv.Error:
                continue
            hits = sum(1 for cell in cells if _column_name(cell) in CANDIDATE_HEADERS)
            if hits > best_hits:
                best, best_hits = delimiter, hits
    return best


def _column_name(cell: str) -> str:
    name = template.header_name(cell)
    return _HEADER_ALIASES.get(name, name)


def _parse_rows(
    rows: Sequence[tuple[int, Sequence[str]]], fmt: str, existing_ids: Collection[str]
) -> CandidateParseResult:
    result = CandidateParseResult(format=fmt)
    rows = [(line, row) for line, row in rows if any(cell.strip() for cell in row)]
    if not rows:
        return _failed("empty_file", N_("文件中没有内容。"), fmt=fmt)
    # The header is the first row naming a required column (a title row may come first).
    header_at = next(
        (
            i
            for i, (_, row) in enumerate(rows[:_HEADER_SEARCH_ROWS])
            if any(_column_name(cell) in REQUIRED_CANDIDATE_HEADERS for cell in row)
        ),
        0,
    )
    header_line, header_row = rows[header_at]
    columns: dict[str, int] = {}
    for index, cell in enumerate(header_row):
        name = _column_name(cell)
        if name not in CANDIDATE_HEADERS:
            continue
        if name in columns:
            result.problems.append(
                problem(
                    "duplicate_column",
                    N_("第 %(line)s 行：列“%(column)s”出现了两次。"),
                    line=header_line,
                    column=name,
                )
            )
        else:
            columns[name] = index
    missing = [name for name in REQUIRED_CANDIDATE_HEADERS if name not in columns]
    if missing:
        result.problems.append(
            problem(
                "missing_column",
                N_("第 %(line)s 行：缺少必需的列：%(columns)s。请使用考生名单模板的表头。"),
                line=header_line,
                columns="、".join(missing),
            )
        )
    if result.problems:
        return result

    body = rows[header_at + 1 :]
    if len(body) > template.MAX_ROWS:
        return _failed(
            "too_large",
            N_("表格超过 %(limit)s 行，请拆分后分批导入。"),
            limit=template.MAX_ROWS,
            fmt=fmt,
        )
    existing = {idcard.normalize(number) for number in existing_ids}
    first_line: dict[str, int] = {}
    for line, row in body:
        candidate = _parse_row(line, row, columns, result.problems)
        if candidate is None:
            continue
        number = candidate.id_number
        if number in first_line:
            result.problems.append(
                problem(
                    "duplicate_in_file",
                    N_("第 %(line)s 行：身份证号“%(id)s”与第 %(first)s 行重复。"),
                    line=line,
                    id=idcard.mask(number),
                    first=first_line[number],
                )
            )
            continue
        first_line[number] = line
        if number in existing:
            result.problems.append(
                problem(
                    "already_candidate",
                    N_("第 %(line)s 行：身份证号为“%(id)s”的人员已在本机关的拟任命人员名单中。"),
                    line=line,
                    id=idcard.mask(number),
                )
            )
            continue
        result.rows.append(candidate)
    if not result.rows and not result.problems:
        result.problems.append(
            build_problem("no_candidates", N_("文件中没有找到任何人员信息。"), None, False, {})
        )
    return result


def _parse_row(
    line: int, row: Sequence[str], columns: dict[str, int], problems: list[Problem]
) -> CandidateRow | None:
    errors: list[Problem] = []

    def err(code: str, message: str, **params: object) -> None:
        errors.append(build_problem(code, message, line, False, params))

    def get(name: str) -> str:
        index = columns.get(name)
        if index is None or index >= len(row):
            return ""
        cell = row[index]
        if isinstance(cell, Formula):
            err(
                "formula_cell",
                N_(
                    "第 %(line)s 行：“%(column)s”列是公式 %(formula)s，"
                    "公式不会被计算，请改为纯文本。"
                ),
                column=name,
                formula=cell[:60],
            )
            return ""
        return unescape_cell(cell)

    cells = {name: get(name) for name in CANDIDATE_HEADERS}
    if errors:  # formulas: what the cells would say is unknown, so nothing more to check
        problems.extend(errors)
        return None

    name = clean_line(cells["姓名"])
    if not name:
        err("missing_name", N_("第 %(line)s 行：缺少姓名。"))
    elif len(name) > MAX_NAME_CHARS:
        err("name_too_long", N_("第 %(line)s 行：姓名超过 %(limit)s 字。"), limit=MAX_NAME_CHARS)

    number = idcard.normalize(cells["身份证号"])
    _check_id_number(number, err)

    values: dict[str, str] = {}
    for column, label, limit in (
        ("工作单位", _FIELD_WORK_UNIT, MAX_WORK_UNIT_CHARS),
        ("拟任职务", _FIELD_POST, MAX_POST_CHARS),
        ("任命批次", _FIELD_BATCH, MAX_BATCH_CHARS),
    ):
        values[column] = clean_line(cells[column])
        if len(values[column]) > limit:
            err(
                "field_too_long",
                N_("第 %(line)s 行：%(field)s超过 %(limit)s 字。"),
                field=label,
                limit=limit,
            )

    raw_category = "".join(unicodedata.normalize("NFKC", clean_line(cells["职务类别"])).split())
    category = _CATEGORY_BY_TEXT.get(raw_category.casefold(), "") if raw_category else "other"
    if not category:
        err(
            "bad_post_category",
            N_(
                "第 %(line)s 行：无法识别职务类别“%(value)s”，"
                "应为 人大、政府、监委、法院、检察院 或 其他。"
            ),
            value=clean_line(cells["职务类别"])[:40],
        )

    phone = " ".join(unicodedata.normalize("NFKC", clean_line(cells["联系电话"])).split())
    if phone and not (_PHONE_RE.fullmatch(phone) and sum(ch.isdigit() for ch in phone) >= 7):
        err(
            "bad_phone",
            N_(
                "第 %(line)s 行：联系电话“%(value)s”格式不正确，"
                "应为 7 到 20 位数字（可含 + - 和空格）。"
            ),
            value=phone[:40],
        )

    if errors:
        problems.extend(errors)
        return None
    return CandidateRow(
        line=line,
        name=name,
        id_number=number,
        work_unit=values["工作单位"],
        proposed_post=values["拟任职务"],
        post_category=category,
        batch=values["任命批次"],
        phone=phone,
    )


def _check_id_number(number: str, err: Callable[..., None]) -> None:
    if not number:
        err("missing_id_number", N_("第 %(line)s 行：缺少身份证号。"))
    elif not re.fullmatch(r"[0-9]{17}[0-9X]", number):
        err(
            "bad_id_number",
            N_(
                "第 %(line)s 行：身份证号“%(id)s”格式不正确，"
                "应为 18 位数字（最后一位可以是 X），现为 %(length)s 位。"
            ),
            id=idcard.mask(number),
            length=len(number),
        )
    elif idcard.birth_date(number) is None:
        err(
            "bad_id_birth_date",
            N_("第 %(line)s 行：身份证号“%(id)s”中的出生日期不正确。"),
            id=idcard.mask(number),
        )
    elif not idcard.is_valid(number):
        err(
            "bad_id_checksum",
            N_("第 %(line)s 行：身份证号“%(id)s”校验位不正确。"),
            id=idcard.mask(number),
        )


# --------------------------------------------------------------------------- writing

_EXAMPLE: Final = CandidateRow(
    line=2,
    name="张三",
    id_number="11010119800101001" + idcard.check_char("11010119800101001"),
    work_unit="某某区人民政府办公室",
    proposed_post="区人民政府办公室主任",
    post_category="government",
    batch="第十二次常委会会议",
    phone="010-12345678",
)

_INSTRUCTIONS: Final = (
    N_("填写说明"),
    N_(
        "1. 只读取第一个工作表。第一行是表头，请勿修改表头文字；"
        "列的顺序可以调整，多余的列会被忽略。"
    ),
    N_(
        "2. 姓名、身份证号必填；身份证号为 18 位，最后一位可以是 X。"
        "身份证号列须为文本格式，否则 Excel 会把它变成科学计数法而丢失末尾数字。"
    ),
    N_("3. 职务类别：人大、政府、监委、法院、检察院 或 其他，不填默认为 其他。"),
    N_("4. 任命批次：如 第十二次常委会会议。联系电话可以不填。"),
    N_("5. 第 2 行是虚构的示例，请修改或删除后再导入。"),
)


def _row_cells(row: CandidateRow) -> list[str]:
    return [
        escape_cell(row.name),
        escape_cell(row.id_number),
        escape_cell(row.work_unit),
        escape_cell(row.proposed_post),
        POST_CATEGORIES.get(row.post_category, row.post_category),
        escape_cell(row.batch),
        escape_cell(row.phone),
    ]


def _workbook(rows: Iterable[CandidateRow]) -> Any:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet: Any = workbook.active
    sheet.title = "拟任命人员"
    sheet.append(list(CANDIDATE_HEADERS))
    for row in rows:
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", value) for value in _row_cells(row)])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    widths = {"姓名": 10, "身份证号": 22, "工作单位": 30, "拟任职务": 30, "职务类别": 10,
              "任命批次": 22, "联系电话": 16}  # fmt: skip
    last_row = max(sheet.max_row, 2000)
    for index, name in enumerate(CANDIDATE_HEADERS, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = widths[name]
        if name in ("身份证号", "联系电话"):
            # Text format, so that Excel never turns a typed number into 1.10101E+17.
            sheet.column_dimensions[letter].number_format = "@"
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = "@"
    sheet.freeze_panes = "A2"
    letter = get_column_letter(CANDIDATE_HEADERS.index("职务类别") + 1)
    categories = DataValidation(
        type="list", formula1='"' + ",".join(POST_CATEGORIES.values()) + '"', allow_blank=True
    )
    categories.add(f"{letter}2:{letter}{last_row}")
    sheet.add_data_validation(categories)
    return workbook


def _save(workbook: Any) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def dump_candidates_xlsx(rows: Iterable[CandidateRow]) -> bytes:
    """The candidates as .xlsx in the import layout (cells starting with ``= + - @`` are
    written with a leading ``'``, which the import removes)."""
    return _save(_workbook(rows))


def candidates_template_xlsx() -> bytes:
    """The import template: the header row, one fictional example row (with a valid ID
    number) and a 填写说明 sheet."""
    workbook = _workbook([_EXAMPLE])
    notes = workbook.create_sheet("填写说明")
    for text in _INSTRUCTIONS:
        notes.append([text])
    notes.column_dimensions["A"].width = 110
    return _save(workbook)
