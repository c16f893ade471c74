"""The import template as .xlsx: the first worksheet on reading (through the safe reader of
``formats.xlsx``); on writing, one sheet 题库 with drop-down lists, and for the blank
template an example row and a 填写说明 sheet.  Columns and rows: ``formats.template``."""

from __future__ import annotations

import io
import os
from collections.abc import Collection, Iterable
from typing import IO, Any

from examsite.bank.formats import xlsx
from examsite.bank.formats.fields import COLUMN, FIELDS
from examsite.bank.formats.model import (
    LABEL_BY_PURPOSE,
    LABEL_BY_TYPE,
    MAX_DIFFICULTY,
    MIN_DIFFICULTY,
    N_,
    ParsedQuestion,
    ParseResult,
    QuestionType,
    failed,
)
from examsite.bank.formats.template import TEMPLATE_HEADERS, parse_rows, question_row

__all__ = ["blank_template_xlsx", "dump_xlsx", "parse_xlsx", "write_xlsx"]


def parse_xlsx(data: bytes, *, existing: Collection[tuple[str, str]] | None = None) -> ParseResult:
    """Parse the first worksheet of template .xlsx bytes."""
    refusal = xlsx.check_xlsx_container(data)
    if refusal is not None:
        return refusal
    try:
        rows = xlsx.read_first_sheet(data)
    except xlsx.TooManyRows:
        return failed(
            "too_large",
            N_("表格超过 %(limit)s 行，请拆分后分批导入。"),
            limit=xlsx.MAX_ROWS,
            fmt="xlsx",
        )
    except Exception:
        return failed("corrupt_file", N_("Excel 文件已损坏，无法读取。"), fmt="xlsx")
    return parse_rows(rows, "xlsx", existing)


def _new_sheet(rows: Iterable[list[str | int]]) -> Any:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet: Any = workbook.active
    sheet.title = "题库"
    sheet.append(list(TEMPLATE_HEADERS))
    for row in rows:
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in row])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    widths = {column: spec.width for spec in FIELDS for column in spec.columns}
    for index, name in enumerate(TEMPLATE_HEADERS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = widths[name]
    sheet.freeze_panes = "A2"

    def cells_of(field: str) -> str:
        column = get_column_letter(TEMPLATE_HEADERS.index(COLUMN[field]) + 1)
        return f"{column}2:{column}5000"

    type_list = ",".join(LABEL_BY_TYPE.values())
    types = DataValidation(type="list", formula1=f'"{type_list}"', allow_blank=True)
    types.add(cells_of("qtype"))
    difficulty = DataValidation(
        type="whole",
        operator="between",
        formula1=str(MIN_DIFFICULTY),
        formula2=str(MAX_DIFFICULTY),
    )
    difficulty.add(cells_of("difficulty"))
    purpose_list = ",".join(LABEL_BY_PURPOSE.values())
    purposes = DataValidation(type="list", formula1=f'"{purpose_list}"', allow_blank=True)
    purposes.add(cells_of("purpose"))
    sheet.add_data_validation(types)
    sheet.add_data_validation(difficulty)
    sheet.add_data_validation(purposes)
    return workbook


def write_xlsx(
    questions: Iterable[ParsedQuestion], buffer: str | os.PathLike[str] | IO[bytes]
) -> None:
    """Write the template as .xlsx (one sheet, 题库) to a binary buffer or a path."""
    workbook = _new_sheet(question_row(q) for q in questions)
    workbook.save(buffer)


def dump_xlsx(questions: Iterable[ParsedQuestion]) -> bytes:
    """``write_xlsx`` into bytes."""
    buffer = io.BytesIO()
    write_xlsx(questions, buffer)
    return buffer.getvalue()


_EXAMPLE = ParsedQuestion(
    qtype=QuestionType.SINGLE,
    stem="中华人民共和国的一切权力属于（　）。",
    options=("人民", "全国人民代表大会", "国家机关", "全体公民"),
    answer=(0,),
    explanation="宪法第二条第一款规定，中华人民共和国的一切权力属于人民。",
    legal_basis="《中华人民共和国宪法》第二条第一款",
    category="宪法",
    difficulty=1,
)

_INSTRUCTIONS = (
    N_("填写说明"),
    N_(
        "1. 只读取第一个工作表（题库）。第一行是表头，请勿修改表头文字；"
        "列的顺序可以调整，多余的列会被忽略。"
    ),
    N_("2. 题型：单选、多选 或 判断。"),
    N_("3. 选项：从 选项A 开始连续填写，2 至 8 个；判断题不填选项。"),
    N_("4. 答案：选择题填选项字母，如 A、ACD 或 A,C,D；判断题填 对 或 错。"),
    N_("5. 难度：1 至 5 的整数，不填默认为 3。解析、法律依据、分类 可以不填。"),
    N_("6. 请不要使用公式。以 = + - @ 开头的文字请在前面加一个英文单引号 '，导入时会去掉。"),
    N_("7. 第 2 行是示例，可以直接修改或删除。"),
    N_(
        "8. 用途：考试 或 练习。练习题只用于模拟练习，答案会展示给练习者，正式试卷不会抽到；"
        "不填时按导入页面的选择。"
    ),
)


def blank_template_xlsx() -> bytes:
    """The import template: header row plus one example row, and a 填写说明 sheet."""
    workbook = _new_sheet([question_row(_EXAMPLE)])
    notes = workbook.create_sheet("填写说明")
    for text in _INSTRUCTIONS:
        notes.append([text])
    notes.column_dimensions["A"].width = 100
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
