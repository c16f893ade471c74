"""The candidates spreadsheet (拟任命人员名单): its columns, the post categories, the field
limits and a row (``CandidateRow``); and writing it, as the import template and as the
export.  Pure.  Reading an uploaded list is ``candidates_import``'s.

Cells starting with ``= + - @`` are written with a leading ``'`` (so that a spreadsheet
never reads them as formulas), which the import removes.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Final

from examsite.bank.formats.model import N_
from examsite.core.cells import escape_cell
from examsite.exams.domain import idcard

__all__ = [
    "CANDIDATE_HEADERS",
    "MAX_BATCH_CHARS",
    "MAX_NAME_CHARS",
    "MAX_POST_CHARS",
    "MAX_WORK_UNIT_CHARS",
    "POST_CATEGORIES",
    "REQUIRED_CANDIDATE_HEADERS",
    "CandidateRow",
    "candidates_template_xlsx",
    "dump_candidates_xlsx",
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

MAX_NAME_CHARS: Final = 64
MAX_WORK_UNIT_CHARS: Final = 200
MAX_POST_CHARS: Final = 200
MAX_BATCH_CHARS: Final = 100


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
