"""The import template as CSV: UTF-8 with or without BOM, or GBK/GB18030, on reading; UTF-8
with a BOM and CRLF on writing.  Columns and rows: ``formats.template``."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Collection, Iterable, Sequence
from pathlib import Path
from typing import IO, Any

from examsite.bank.formats.model import N_, ParsedQuestion, ParseResult, failed
from examsite.bank.formats.normalize import decode_text
from examsite.bank.formats.template import (
    TEMPLATE_HEADERS,
    header_column,
    parse_rows,
    question_row,
)

__all__ = ["csv_rows", "dump_csv", "parse_csv", "write_csv"]


def parse_csv(data: bytes, *, existing: Collection[tuple[str, str]] | None = None) -> ParseResult:
    """Parse template CSV bytes (UTF-8 with or without BOM, or GBK/GB18030)."""
    text = decode_text(data)
    if text is None:
        return failed(
            "bad_encoding", N_("文件编码无法识别，请使用 UTF-8 或 GBK 编码保存。"), fmt="csv"
        )
    try:
        rows = csv_rows(text)
    except _BadRow as exc:
        return failed(
            "corrupt_file",
            N_("第 %(line)s 行：CSV 格式错误（引号不配对或单元格过长），无法读取。"),
            line=exc.line,
            fmt="csv",
        )
    return parse_rows(rows, "csv", existing)


class _BadRow(csv.Error):
    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


def csv_rows(text: str) -> list[tuple[int, Sequence[str]]]:
    """The rows of decoded template CSV as (first physical line, cells); raises
    ``csv.Error`` (with ``.line``) on broken syntax.  Other readers of the template's
    columns (the lint's 互斥组) share it, so lines match the questions' ``source_line``."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text))
    rows: list[tuple[int, Sequence[str]]] = []
    previous_end = 0
    try:
        for row in reader:
            rows.append((previous_end + 1, row))
            previous_end = reader.line_num
    except csv.Error as exc:
        raise _BadRow(previous_end + 1) from exc
    return rows


def _sniff_delimiter(text: str) -> str:
    """Comma, unless the header line is clearly tab- or semicolon-separated."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    best, best_hits = ",", -1
    for delimiter in (",", "\t", ";"):
        cells = next(csv.reader([first], delimiter=delimiter), [])
        hits = sum(1 for cell in cells if header_column(cell) is not None)
        if hits > best_hits:
            best, best_hits = delimiter, hits
    return best


def dump_csv(questions: Iterable[ParsedQuestion]) -> bytes:
    """The template as CSV bytes: UTF-8 with a BOM (so Excel opens it correctly), CRLF."""
    return ("\ufeff" + _csv_text(questions)).encode("utf-8")


def _csv_text(questions: Iterable[ParsedQuestion]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(TEMPLATE_HEADERS)
    for question in questions:
        writer.writerow(question_row(question))
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
