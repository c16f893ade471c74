"""The site's own import template: a sheet with one question per row, as .csv or .xlsx.

Columns (header row, order free, extra columns ignored)::

    题型 题干 选项A … 选项H 答案 解析 法律依据 分类 难度 用途

用途 (考试/练习) is optional: blank means the purpose the import chose.

Required: 题型, 题干, 选项A, 选项B, 答案.  The first non-blank row is the header; blank rows
are ignored.  ``source_line`` is the physical line (CSV; where a quoted multi-line record
starts) or the spreadsheet row number (xlsx).

Cells beginning with ``= + - @`` (or tab/CR) are written with a leading ``'`` so that
spreadsheet programs do not run them as formulas; on reading, one leading ``'`` is removed
when what follows it is ``'``* and then one of those characters, so export → import
round-trips exactly.  In .xlsx a real formula cell (or a text cell starting with ``=``) is an
error: formulas are never evaluated.

The xlsx reader uses openpyxl directly (read-only, ``data_only=False``) rather than
``pandas.read_excel``: it needs the true row numbers, the cell types (to tell a formula from
text) and hard limits on rows and columns, which pandas would pad to the sheet's declared
size before we could check them.
"""

from __future__ import annotations

import csv
import io
import os
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Collection, Iterable, Sequence
from dataclasses import replace
from datetime import date, datetime, time
from pathlib import Path
from typing import IO, Any, Final

from examsite.bank.formats.fields import (
    ANSWER,
    COLUMN,
    FIELD,
    FIELDS,
    NUMBER,
    OPTIONS,
    PURPOSE,
    QTYPE,
    REQUIRED_COLUMNS,
    TEMPLATE_COLUMNS,
    TEXT,
    FieldSpec,
)
from examsite.bank.formats.model import (
    DEFAULT_DIFFICULTY,
    LABEL_BY_PURPOSE,
    LABEL_BY_TYPE,
    MAX_DIFFICULTY,
    MIN_DIFFICULTY,
    N_,
    OPTION_LETTERS,
    PURPOSE_BY_LABEL,
    TRUE_FALSE_ANSWER_LABELS,
    TYPE_BY_LABEL,
    Collector,
    ParsedQuestion,
    ParseResult,
    Problem,
    QuestionType,
    failed,
    problem,
    validate_question,
)
from examsite.bank.formats.normalize import clean_line, clean_text, decode_text
from examsite.core.cells import Formula, escape_cell, unescape_cell

__all__ = [
    "MAX_ROWS",
    "MAX_XLSX_RATIO",
    "MAX_XLSX_UNCOMPRESSED",
    "OPTION_HEADERS",
    "REQUIRED_HEADERS",
    "TEMPLATE_HEADERS",
    "blank_template_xlsx",
    "check_xlsx_container",
    "dump_csv",
    "dump_xlsx",
    "parse_csv",
    "parse_xlsx",
    "write_csv",
    "write_xlsx",
]

# The columns are the question's fields (formats.fields), in their order.
OPTION_HEADERS: Final = FIELD["options"].columns
TEMPLATE_HEADERS: Final = TEMPLATE_COLUMNS
REQUIRED_HEADERS: Final = REQUIRED_COLUMNS

#: Labels of question types we know but do not support: those rows are skipped, not errors.
UNSUPPORTED_LABELS: Final = frozenset(
    {
        "填空", "填空题", "简答", "简答题", "问答", "问答题", "论述", "论述题", "案例分析",
        "案例分析题", "材料分析题", "不定项", "不定项选择", "不定项选择题", "名词解释",
        "计算题", "排序题", "连线题", "匹配题",
    }
)  # fmt: skip
TRUE_ANSWERS: Final = frozenset({"对", "正确", "√", "✓", "✔", "T", "TRUE"})
FALSE_ANSWERS: Final = frozenset({"错", "错误", "×", "✗", "✘", "✕", "F", "FALSE"})

MAX_XLSX_UNCOMPRESSED: Final = 100 * 1024 * 1024
MAX_XLSX_RATIO: Final = 50
MAX_ZIP_ENTRIES: Final = 5000
MAX_ROWS: Final = 20000
MAX_COLUMNS: Final = 100

OLE_MAGIC: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC: Final = b"PK\x03\x04"
_ENCRYPTION_INFO: Final = "EncryptionInfo".encode("utf-16-le")

_ANSWER_SEPARATORS_RE = re.compile(r"[\s,;、/|，；]+")


class _TooManyRows(Exception):
    pass


# --------------------------------------------------------------------------- reading


def parse_csv(data: bytes, *, existing: Collection[tuple[str, str]] | None = None) -> ParseResult:
    """Parse template CSV bytes (UTF-8 with or without BOM, or GBK/GB18030)."""
    text = decode_text(data)
    if text is None:
        return failed(
            "bad_encoding", N_("文件编码无法识别，请使用 UTF-8 或 GBK 编码保存。"), fmt="csv"
        )
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text))
    rows: list[tuple[int, Sequence[str]]] = []
    previous_end = 0
    try:
        for row in reader:
            rows.append((previous_end + 1, row))
            previous_end = reader.line_num
    except csv.Error:
        return failed(
            "corrupt_file",
            N_("第 %(line)s 行：CSV 格式错误（引号不配对或单元格过长），无法读取。"),
            line=previous_end + 1,
            fmt="csv",
        )
    return _parse_rows(rows, "csv", existing)


def _sniff_delimiter(text: str) -> str:
    """Comma, unless the header line is clearly tab- or semicolon-separated."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    best, best_hits = ",", -1
    for delimiter in (",", "\t", ";"):
        cells = next(csv.reader([first], delimiter=delimiter), [])
        hits = sum(1 for cell in cells if header_name(cell) in TEMPLATE_HEADERS)
        if hits > best_hits:
            best, best_hits = delimiter, hits
    return best


def check_xlsx_container(data: bytes) -> ParseResult | None:
    """Refuse what must not reach openpyxl; ``None`` when the zip looks like a sane xlsx.

    Encrypted (OLE) workbooks, legacy .xls, non-zip content, zips that are not workbooks,
    macro-bearing workbooks, zip bombs (over 100 MB uncompressed or over 50x the file).
    """
    if data.startswith(OLE_MAGIC):
        if _ENCRYPTION_INFO in data:
            return failed(
                "encrypted_file",
                N_("Excel 文件设置了打开密码，请取消密码保护后再导入。"),
                fmt="xlsx",
            )
        return failed(
            "wrong_type",
            N_("这是旧版 Excel（.xls）等格式的文件，请另存为 .xlsx 后再导入。"),
            fmt="xlsx",
        )
    if not data.startswith(ZIP_MAGIC):
        return failed(
            "wrong_type", N_("文件内容不是 Excel（.xlsx）格式，请确认文件类型。"), fmt="xlsx"
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}
            content_types = b""
            ct_info = next((i for i in infos if i.filename == "[Content_Types].xml"), None)
            if ct_info is not None and ct_info.file_size < 1024 * 1024:
                content_types = archive.read(ct_info)
    except Exception:
        return failed("corrupt_file", N_("Excel 文件已损坏，无法读取。"), fmt="xlsx")
    if any(name.lower().endswith("vbaproject.bin") for name in names) or (
        b"macroenabled" in content_types.lower()
    ):
        return failed(
            "macros_refused",
            N_("文件包含宏（VBA），出于安全原因拒绝导入，请另存为不含宏的 .xlsx 文件。"),
            fmt="xlsx",
        )
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        return failed(
            "wrong_type", N_("这是一个压缩文件，但不是 Excel（.xlsx）工作簿。"), fmt="xlsx"
        )
    if len(infos) > MAX_ZIP_ENTRIES:
        return failed("corrupt_file", N_("Excel 文件结构异常，已拒绝导入。"), fmt="xlsx")
    total = sum(info.file_size for info in infos)
    if total > MAX_XLSX_UNCOMPRESSED:
        return failed(
            "too_large",
            N_("Excel 文件解压后超过 %(limit)s MB，已拒绝导入。"),
            limit=MAX_XLSX_UNCOMPRESSED // (1024 * 1024),
            fmt="xlsx",
        )
    if total > MAX_XLSX_RATIO * len(data):
        return failed(
            "corrupt_file",
            N_("Excel 文件的压缩比异常（可能是恶意构造的文件），已拒绝导入。"),
            fmt="xlsx",
        )
    return None


def parse_xlsx(data: bytes, *, existing: Collection[tuple[str, str]] | None = None) -> ParseResult:
    """Parse the first worksheet of template .xlsx bytes."""
    refusal = check_xlsx_container(data)
    if refusal is not None:
        return refusal
    try:
        rows = _read_first_sheet(data)
    except _TooManyRows:
        return failed(
            "too_large", N_("表格超过 %(limit)s 行，请拆分后分批导入。"), limit=MAX_ROWS, fmt="xlsx"
        )
    except Exception:
        return failed("corrupt_file", N_("Excel 文件已损坏，无法读取。"), fmt="xlsx")
    return _parse_rows(rows, "xlsx", existing)


def _read_first_sheet(data: bytes) -> list[tuple[int, Sequence[str]]]:
    import openpyxl

    with warnings.catch_warnings():
        # openpyxl warns about styles/extensions it drops; none of that matters here.
        warnings.simplefilter("ignore")
        workbook = openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=False, keep_links=False, keep_vba=False
        )
        try:
            if not workbook.worksheets:
                return []
            sheet: Any = workbook.worksheets[0]
            if hasattr(sheet, "reset_dimensions"):
                sheet.reset_dimensions()  # never trust the declared size
            rows: list[tuple[int, Sequence[str]]] = []
            for number, row in enumerate(sheet.iter_rows(min_row=1, max_col=MAX_COLUMNS), start=1):
                cells = [_cell_text(cell) for cell in row]
                if any(cells):
                    if number > MAX_ROWS:
                        raise _TooManyRows
                    rows.append((number, cells))
            return rows
        finally:
            workbook.close()


def _cell_text(cell: Any) -> str:
    value = getattr(cell, "value", None)
    if value is None:
        return ""
    if getattr(cell, "data_type", None) == "f" or not isinstance(
        value, str | int | float | bool | datetime | date | time
    ):
        text = getattr(value, "text", None) or str(value)
        return Formula(text if text.startswith("=") else "=" + text)
    if isinstance(value, str):
        return Formula(value) if value.startswith("=") else value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime) and value.time() == time(0):
        return value.date().isoformat()
    return str(value)


def header_name(cell: str) -> str:
    return "".join(unicodedata.normalize("NFKC", clean_line(cell)).split())


def _parse_rows(
    rows: Iterable[tuple[int, Sequence[str]]],
    fmt: str,
    existing: Collection[tuple[str, str]] | None,
) -> ParseResult:
    collector = Collector(fmt, existing)
    iterator = iter(rows)
    header: tuple[int, Sequence[str]] | None = None
    for line, row in iterator:
        if any(cell.strip() for cell in row):
            header = (line, row)
            break
    if header is None:
        return failed("empty_file", N_("文件中没有内容。"), fmt=fmt)

    header_line, header_row = header
    columns: dict[str, int] = {}
    for index, cell in enumerate(header_row):
        name = header_name(cell)
        if name not in TEMPLATE_HEADERS:
            continue
        if name in columns:
            collector.error(
                "duplicate_column",
                N_("第 %(line)s 行：列“%(column)s”出现了两次。"),
                line=header_line,
                column=name,
            )
        else:
            columns[name] = index
    missing = [name for name in REQUIRED_HEADERS if name not in columns]
    if missing:
        collector.error(
            "missing_column",
            N_("第 %(line)s 行：缺少必需的列：%(columns)s。请使用导入模板的表头。"),
            line=header_line,
            columns="、".join(missing),
        )
    if collector.problems:
        return collector.result()

    for line, row in iterator:
        if not any(cell.strip() for cell in row):
            continue
        _parse_row(line, row, columns, collector)
    return collector.result()


def _parse_row(line: int, row: Sequence[str], columns: dict[str, int], c: Collector) -> None:
    formula_errors: list[Problem] = []

    def get(name: str) -> str:
        index = columns.get(name)
        if index is None or index >= len(row):
            return ""
        cell = row[index]
        if isinstance(cell, Formula):
            formula_errors.append(
                problem(
                    "formula_cell",
                    N_(
                        "第 %(line)s 行：“%(column)s”列是公式 %(formula)s，"
                        "公式不会被计算，请改为纯文本。"
                    ),
                    line=line,
                    column=name,
                    formula=cell[:60],
                )
            )
            return ""
        return unescape_cell(cell)

    cells = {name: get(name) for name in TEMPLATE_HEADERS}
    if formula_errors:
        c.problems.extend(formula_errors)
        return

    label = "".join(unicodedata.normalize("NFKC", clean_line(cells[COLUMN["qtype"]])).split())
    if not label:
        c.error("bad_type", N_("第 %(line)s 行：缺少题型（应为 单选、多选 或 判断）。"), line=line)
        return
    qtype = TYPE_BY_LABEL.get(label.casefold())
    if qtype is None:
        if label in UNSUPPORTED_LABELS:
            c.unsupported(line, label)
        else:
            c.error(
                "bad_type",
                N_("第 %(line)s 行：无法识别题型“%(value)s”，应为 单选、多选 或 判断。"),
                line=line,
                value=label,
            )
        return

    pre_errors: list[Problem] = []
    options: list[str] = []
    answer: tuple[int, ...] = ()
    raw_answer = clean_text(cells[COLUMN["answer"]])
    answer_text = "".join(unicodedata.normalize("NFKC", raw_answer).split()).upper()

    if qtype == QuestionType.TRUE_FALSE:
        if answer_text in TRUE_ANSWERS:
            answer = (0,)
        elif answer_text in FALSE_ANSWERS:
            answer = (1,)
        elif answer_text:
            pre_errors.append(
                problem(
                    "bad_answer",
                    N_("第 %(line)s 行：无法识别判断题答案“%(answer)s”，应填 对 或 错。"),
                    line=line,
                    answer=raw_answer,
                )
            )
    else:
        raw_options = [clean_text(cells[h]) for h in OPTION_HEADERS]
        last = max((i for i, text in enumerate(raw_options) if text), default=-1)
        options = raw_options[: last + 1]
        for i, text in enumerate(options):
            if not text:
                pre_errors.append(
                    problem(
                        "option_gap",
                        N_(
                            "第 %(line)s 行：选项 %(letter)s 为空，但后面还有选项；"
                            "选项须从 A 开始连续填写。"
                        ),
                        line=line,
                        letter=OPTION_LETTERS[i],
                    )
                )
        letters = _ANSWER_SEPARATORS_RE.sub("", answer_text)
        if letters and not re.fullmatch(r"[A-Z]+", letters):
            pre_errors.append(
                problem(
                    "bad_answer",
                    N_("第 %(line)s 行：无法识别答案“%(answer)s”，应填选项字母，如 A 或 ACD。"),
                    line=line,
                    answer=raw_answer,
                )
            )
        else:
            answer = tuple(ord(ch) - ord("A") for ch in letters)

    difficulty = DEFAULT_DIFFICULTY
    raw_difficulty = unicodedata.normalize("NFKC", clean_line(cells[COLUMN["difficulty"]]))
    if raw_difficulty:
        match = re.fullmatch(r"(\d{1,3})(?:\.0*)?", raw_difficulty)
        if match:
            difficulty = int(match.group(1))
        else:
            pre_errors.append(
                problem(
                    "bad_difficulty",
                    N_("第 %(line)s 行：难度“%(value)s”无效，应为 1 到 5 的整数。"),
                    line=line,
                    value=raw_difficulty,
                )
            )

    texts: dict[str, Any] = {spec.name: cells[spec.header] for spec in FIELDS if spec.kind == TEXT}
    question, errors = validate_question(
        line=line, qtype=qtype, options=options, answer=answer, difficulty=difficulty, **texts
    )
    gap = any(p.code == "option_gap" for p in pre_errors)
    pre_codes = {p.code for p in pre_errors}
    errors = [
        e
        for e in errors
        if not (gap and e.code == "empty_option")
        and not ("bad_answer" in pre_codes and e.code == "missing_answer")
    ]
    purpose_cell = clean_line(cells[COLUMN["purpose"]])
    raw_purpose = "".join(unicodedata.normalize("NFKC", purpose_cell).split())
    purpose = PURPOSE_BY_LABEL.get(raw_purpose.casefold(), "") if raw_purpose else ""
    if raw_purpose and not purpose:
        pre_errors.append(
            problem(
                "bad_purpose",
                N_(
                    "第 %(line)s 行：用途“%(value)s”无效，应为 考试 或 练习（不填按导入时的选择）。"
                ),
                line=line,
                value=raw_purpose,
            )
        )
    elif purpose and question is not None:
        question = replace(question, purpose=purpose)
    c.problems.extend(pre_errors)
    c.accept((None if pre_errors else question, errors))


# --------------------------------------------------------------------------- writing


def _answer_cell(question: ParsedQuestion) -> str:
    if question.qtype == QuestionType.TRUE_FALSE:
        return TRUE_FALSE_ANSWER_LABELS[question.answer[0]]
    return "".join(OPTION_LETTERS[i] for i in question.answer)


def _field_cells(spec: FieldSpec, question: ParsedQuestion) -> list[str | int]:
    """The cells of one field, as many as its columns."""
    value = getattr(question, spec.name)
    if spec.kind == QTYPE:
        return [LABEL_BY_TYPE[value]]
    if spec.kind == OPTIONS:
        width = len(spec.columns)
        options = () if question.qtype == QuestionType.TRUE_FALSE else value[:width]
        return [escape_cell(text) for text in options] + [""] * (width - len(options))
    if spec.kind == ANSWER:
        return [_answer_cell(question)]
    if spec.kind == PURPOSE:
        return [LABEL_BY_PURPOSE.get(value, "")]
    if spec.kind == NUMBER:
        return [value]
    return [escape_cell(value)]


def _row(question: ParsedQuestion) -> list[str | int]:
    return [cell for spec in FIELDS for cell in _field_cells(spec, question)]


def dump_csv(questions: Iterable[ParsedQuestion]) -> bytes:
    """The template as CSV bytes: UTF-8 with a BOM (so Excel opens it correctly), CRLF."""
    return ("\ufeff" + _csv_text(questions)).encode("utf-8")


def _csv_text(questions: Iterable[ParsedQuestion]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(TEMPLATE_HEADERS)
    for question in questions:
        writer.writerow(_row(question))
    return buffer.getvalue()


def write_csv(
    questions: Iterable[ParsedQuestion], path_or_buffer: str | os.PathLike[str] | IO[Any]
) -> None:
    """Write the template CSV to a path or a file object.

    A path or binary buffer gets ``dump_csv`` bytes; a text buffer (``io.StringIO``, a file
    opened in text mode) gets the same text without the BOM.
    """
    if isinstance(path_or_buffer, str | os.PathLike):
        Path(path_or_buffer).write_bytes(dump_csv(questions))
    elif isinstance(path_or_buffer, io.TextIOBase):
        path_or_buffer.write(_csv_text(questions))
    else:
        path_or_buffer.write(dump_csv(questions))


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
    workbook = _new_sheet(_row(q) for q in questions)
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
    workbook = _new_sheet([_row(_EXAMPLE)])
    notes = workbook.create_sheet("填写说明")
    for text in _INSTRUCTIONS:
        notes.append([text])
    notes.column_dimensions["A"].width = 100
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
