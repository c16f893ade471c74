"""Importing the list of candidates (拟任命人员) from .xlsx or .csv: pure, never raises.

Columns (``candidates_file``'s layout: the header row, order free, extra columns ignored;
a title row above the header is skipped)::

    姓名* 身份证号* 工作单位 拟任职务 职务类别 任命批次 联系电话

``职务类别`` is one of 人大 / 政府 / 监委 / 法院 / 检察院 / 其他 (or the stored value, e.g.
``court``); blank means 其他.  ``身份证号码`` and ``公民身份号码`` are accepted as the header
of the ID column.

Everything file-level is the question bank's: the size limit, encoding detection (UTF-8
with or without BOM, GBK/GB18030), the xlsx container checks (``check_xlsx_container``:
zip bombs, macros, encryption, old .xls), the read-only openpyxl reader with its row limit,
formula cells refused and the ``'`` escape of ``= + - @`` cells (``candidates_file``
writes it, the reader removes it).  Problems are ``examsite.bank.formats.model.Problem``
with ``N_``-marked Chinese templates; ID numbers in messages are always masked.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Final

from examsite.bank.formats import detect, tables, xlsx
from examsite.bank.formats.model import N_, Msg, Problem, build_problem, problem
from examsite.bank.formats.normalize import clean_line
from examsite.core.cells import Formula, NumberCell, unescape_cell
from examsite.core.headers import HeaderSpec, find_header
from examsite.exams.domain import idcard
from examsite.exams.domain.candidates_file import (
    CANDIDATE_HEADERS,
    MAX_BATCH_CHARS,
    MAX_NAME_CHARS,
    MAX_POST_CHARS,
    MAX_WORK_UNIT_CHARS,
    POST_CATEGORIES,
    REQUIRED_CANDIDATE_HEADERS,
    CandidateRow,
)

__all__ = ["CandidateParseResult", "check_id_cell", "parse_candidates"]

_CATEGORY_BY_TEXT: Final = {
    **{label: key for key, label in POST_CATEGORIES.items()},
    **{key: key for key in POST_CATEGORIES},
}

#: The header, up to 10 non-blank rows (a title) down.
_HEADER: Final = HeaderSpec(
    columns=CANDIDATE_HEADERS,
    required=REQUIRED_CANDIDATE_HEADERS,
    aliases={"身份证号码": "身份证号", "公民身份号码": "身份证号"},
)

_PHONE_RE: Final = re.compile(r"[0-9+\- ]{7,20}")
# An ID number Excel turned into a number, as it shows in a CSV saved from it.
_SCIENTIFIC_RE: Final = re.compile(r"[0-9](\.[0-9]+)?E\+?[0-9]{1,3}", re.IGNORECASE)
_POINT_ZERO_RE: Final = re.compile(r"([0-9]{6,18})\.0+")

_FIELD_WORK_UNIT = Msg(N_("工作单位"))
_FIELD_POST = Msg(N_("拟任职务"))
_FIELD_BATCH = Msg(N_("任命批次"))


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
    lines = [line for line in text.splitlines() if line.strip()][: _HEADER.search_rows]
    best, best_hits = ",", 0
    for delimiter in (",", "\t", ";"):
        for line in lines:
            try:
                cells = next(csv.reader([line], delimiter=delimiter), [])
            except csv.Error:
                continue
            hits = sum(1 for cell in cells if _HEADER.column(cell) is not None)
            if hits > best_hits:
                best, best_hits = delimiter, hits
    return best


def _parse_rows(
    rows: Sequence[tuple[int, Sequence[str]]], fmt: str, existing_ids: Collection[str]
) -> CandidateParseResult:
    result = CandidateParseResult(format=fmt)
    rows = [(line, row) for line, row in rows if any(cell.strip() for cell in row)]
    # The header is the first row naming a required column (a title row may come first).
    header = find_header(rows, _HEADER)
    if header is None:
        return _failed("empty_file", N_("文件中没有内容。"), fmt=fmt)
    result.problems = tables.duplicate_columns(header)
    if header.missing:
        result.problems.append(
            problem(
                "missing_column",
                N_("第 %(line)s 行：缺少必需的列：%(columns)s。请使用考生名单模板的表头。"),
                line=header.line,
                columns="、".join(header.missing),
            )
        )
    if result.problems:
        return result
    columns = header.columns

    body = rows[header.index + 1 :]
    if len(body) > xlsx.MAX_ROWS:
        return _failed(
            "too_large",
            N_("表格超过 %(limit)s 行，请拆分后分批导入。"),
            limit=xlsx.MAX_ROWS,
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
    if not _excel_number(cells["身份证号"], err):
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


def check_id_cell(cell: str, err: Callable[..., None]) -> str:
    """The normalized ID number of a cell, after reporting through ``err`` (called as
    ``err(code, template, **params)``) what this importer refuses in it: a number Excel
    made of it, a bad shape, birth date or check character.  For the other importers."""
    if not _excel_number(cell, err):
        _check_id_number(idcard.normalize(cell), err)
    return idcard.normalize(cell)


def _excel_number(cell: str, err: Callable[..., None]) -> bool:
    """An error when the ID cell is a number Excel made of it (a number cell of an .xlsx,
    ``1.10101E+17`` or ``110101199001011234.0`` in a .csv); True when it was one.

    The value is shown as Excel shows it: six significant digits (the first six of the
    number, which the mask shows anyway), or masked, so no digit of the login tail shows."""
    text = idcard.normalize(cell)
    if isinstance(cell, NumberCell) or _SCIENTIFIC_RE.fullmatch(text):
        try:
            shown = f"{float(text):.5E}"
        except ValueError:  # a number cell is always a float's text; be safe anyway
            shown = idcard.mask(text)
        err(
            "id_number_as_number",
            N_(
                "第 %(line)s 行：身份证号被 Excel 当成了数字（%(value)s），末几位已丢失；"
                "请把身份证号一列设为“文本”格式后重新填写。"
            ),
            value=shown,
        )
        return True
    match = _POINT_ZERO_RE.fullmatch(text)
    if match:
        err(
            "id_number_as_number",
            N_(
                "第 %(line)s 行：身份证号被 Excel 当成了数字（%(value)s），"
                "末尾多了“.0”，末几位可能已不准确；请把身份证号一列设为“文本”格式后重新填写。"
            ),
            value=idcard.mask(match.group(1)) + text[len(match.group(1)) :],
        )
        return True
    return False


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
