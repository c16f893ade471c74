"""Reading the rows of an uploaded spreadsheet (.xlsx or .csv) safely, for any importer.

Shared by the candidate list and the bulk onboarding of bodies: the same refusals (empty,
too large, macros, old .xls, renamed files, zip bombs, bad encodings) with the same messages;
and the problems of a header row (``core.headers``) for every spreadsheet importer.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from examsite.bank.formats import detect, xlsx
from examsite.bank.formats.model import N_, Problem, problem
from examsite.bank.formats.normalize import decode_text
from examsite.core.headers import Header


@dataclass
class TableRead:
    """The non-blank rows as (first physical line, cells), or the problems that stopped it."""

    rows: list[tuple[int, Sequence[str]]] = field(default_factory=list)
    format: str = ""
    problems: list[Problem] = field(default_factory=list)


def _fail(code: str, message: str, fmt: str = "", **params: Any) -> TableRead:
    return TableRead(problems=[problem(code, message, **params)], format=fmt)


def read_rows(
    filename: str, data: bytes, max_bytes: int, sniff: Callable[[str], str] | None = None
) -> TableRead:
    """Rows of an .xlsx (first sheet) or .csv file; never raises.

    ``sniff`` picks the CSV delimiter from the text (default: the commonest in line one).
    """
    ext = PurePath(filename or "").suffix.lower()
    if not data:
        return _fail("empty_file", N_("文件为空。"))
    if len(data) > max_bytes:
        return _fail(
            "too_large", N_("文件超过大小上限 %(limit)s MB。"), limit=detect._megabytes(max_bytes)
        )
    if ext == ".xlsm":
        return _fail(
            "macros_refused",
            N_("文件包含宏（VBA），出于安全原因拒绝导入，请另存为不含宏的 .xlsx 文件。"),
        )
    if ext == ".xls":
        return _fail(
            "unsupported_format", N_("不支持旧版 Excel（.xls）文件，请另存为 .xlsx 后再导入。")
        )
    if ext == ".xlsx":
        refusal = None if not data.startswith(b"MZ") else detect._wrong_type(ext)
        refusal = refusal or xlsx.check_xlsx_container(data)
        if refusal is not None:
            return TableRead(problems=refusal.problems, format="xlsx")
        try:
            return TableRead(rows=xlsx.read_first_sheet(data), format="xlsx")
        except xlsx.TooManyRows:
            return _fail(
                "too_large",
                N_("表格超过 %(limit)s 行，请拆分后分批导入。"),
                "xlsx",
                limit=xlsx.MAX_ROWS,
            )
        except Exception:
            return _fail("corrupt_file", N_("Excel 文件已损坏，无法读取。"), "xlsx")
    if ext == ".csv":
        if detect._looks_binary(data):
            return TableRead(problems=detect._wrong_type(ext).problems, format="csv")
        text = decode_text(data)
        if text is None:
            return _fail(
                "bad_encoding", N_("文件编码无法识别，请使用 UTF-8 或 GBK 编码保存。"), "csv"
            )
        rows = _read_csv(text, (sniff or _sniff_delimiter)(text))
        if isinstance(rows, int):
            return TableRead(
                problems=[
                    problem(
                        "corrupt_file",
                        N_("第 %(line)s 行：CSV 格式错误（引号不配对或单元格过长），无法读取。"),
                        line=rows,
                    )
                ],
                format="csv",
            )
        return TableRead(rows=rows, format="csv")
    return _fail(
        "unsupported_format",
        N_("不支持的文件类型“%(ext)s”，请上传 .xlsx 或 .csv 文件。"),
        ext=ext or filename,
    )


def _sniff_delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    return max((",", "\t", ";"), key=first.count) if first else ","


def _read_csv(text: str, delimiter: str) -> list[tuple[int, Sequence[str]]] | int:
    """The non-blank rows with their first physical line, or the line of a syntax error."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, Sequence[str]]] = []
    previous_end = 0
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                rows.append((previous_end + 1, row))
            previous_end = reader.line_num
    except csv.Error:
        return previous_end + 1
    return rows


def duplicate_columns(header: Header) -> list[Problem]:
    """A problem for each further header cell naming a column already named (the missing
    columns are each importer's to word)."""
    return [
        problem(
            "duplicate_column",
            N_("第 %(line)s 行：列“%(column)s”出现了两次。"),
            line=header.line,
            column=name,
        )
        for name in header.duplicates
    ]
