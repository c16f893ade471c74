"""Choose the parser for an uploaded file by its extension, checked against its content.

=========  ==================================================================
.xlsx      the import template (must be a zip holding a workbook)
.xlsm      refused: macros
.xls       refused: old binary Excel, save as .xlsx
.csv       the import template
.gift      GIFT
.txt       GIFT when it has more ``{`` answer blocks than ``ANSWER:`` lines,
           Aiken when it has at least as many ``ANSWER:`` lines; else refused
.xml       Moodle XML
.docx      a Word exam paper (``formats.docx_paper``; must be a zip holding a document)
.docm      refused: macros
.doc       refused: old binary Word, save as .docx
=========  ==================================================================

Binary content (zip, OLE, PE "MZ", ELF, PDF, images, gzip …) under a text extension, or
anything but a zip under .xlsx, is ``wrong_type``.  ``parse_file`` never raises for any
input: an unexpected failure inside a parser becomes a ``corrupt_file`` error.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from pathlib import PurePath
from typing import Final

from examsite.bank.formats import (
    aiken,
    docx_paper,
    gift,
    moodle_xml,
    template_csv,
    template_xlsx,
    xlsx,
)
from examsite.bank.formats.gift import write_gift
from examsite.bank.formats.laws import LawTable, check_result, shipped_laws
from examsite.bank.formats.model import N_, ParseResult, failed
from examsite.bank.formats.normalize import decode_text

__all__ = ["DEFAULT_MAX_BYTES", "SUPPORTED_EXTENSIONS", "parse_file", "write_gift"]

DEFAULT_MAX_BYTES: Final = 10 * 1024 * 1024
SUPPORTED_EXTENSIONS: Final = (".xlsx", ".csv", ".gift", ".txt", ".xml", ".docx")

_BINARY_MAGIC: Final = (
    xlsx.ZIP_MAGIC,
    b"PK\x05\x06",  # empty zip
    xlsx.OLE_MAGIC,
    b"\x7fELF",
    b"%PDF",
    b"\x89PNG",
    b"GIF8",
    b"\xff\xd8\xff",
    b"Rar!",
    b"7z\xbc\xaf",
    b"\x1f\x8b",
)
_GIFT_BLOCK_RE: Final = re.compile(r"(?<!\\)\{")
_TEXT_TYPES: Final = {".csv": "csv", ".gift": "gift", ".txt": "txt", ".xml": "moodle_xml"}


def parse_file(
    filename: str,
    data: bytes,
    *,
    existing: Collection[tuple[str, str]] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    laws: LawTable | None = None,
) -> ParseResult:
    """Parse an uploaded question file; every problem is in the result, nothing raises.

    Questions whose 法律依据 does not fit their law version (``laws``, by default the shipped
    ``question_bank/laws.csv``) are errors like any other."""
    try:
        result = _parse_file(filename, data, existing, max_bytes)
        return check_result(result, shipped_laws() if laws is None else laws)
    except Exception:
        return failed("corrupt_file", N_("文件已损坏或格式异常，无法读取。"))


def _parse_file(
    filename: str, data: bytes, existing: Collection[tuple[str, str]] | None, max_bytes: int
) -> ParseResult:
    ext = PurePath(filename or "").suffix.lower()
    if not data:
        return failed("empty_file", N_("文件为空。"))
    if len(data) > max_bytes:
        return failed(
            "too_large",
            N_("文件超过大小上限 %(limit)s MB。"),
            limit=_megabytes(max_bytes),
        )
    if ext == ".xlsm":
        return failed(
            "macros_refused",
            N_("文件包含宏（VBA），出于安全原因拒绝导入，请另存为不含宏的 .xlsx 文件。"),
        )
    if ext == ".xls":
        return failed(
            "unsupported_format", N_("不支持旧版 Excel（.xls）文件，请另存为 .xlsx 后再导入。")
        )
    if ext == ".xlsx":
        if data.startswith(b"MZ"):
            return _wrong_type(ext)
        return template_xlsx.parse_xlsx(data, existing=existing)
    if ext == ".docm":
        return failed(
            "macros_refused",
            N_("文件包含宏（VBA），出于安全原因拒绝导入，请另存为不含宏的 .docx 文件。"),
        )
    if ext == ".doc":
        return failed(
            "unsupported_format", N_("不支持旧版 Word（.doc）文件，请另存为 .docx 后再导入。")
        )
    if ext == ".docx":
        if data.startswith(b"MZ"):
            return _wrong_type(ext)
        return docx_paper.parse_docx_paper(data, existing=existing)
    if ext not in _TEXT_TYPES:
        return failed(
            "unsupported_format",
            N_("不支持的文件类型“%(ext)s”，请上传 .xlsx、.csv、.gift、.txt、.xml 或 .docx 文件。"),
            ext=ext or filename,
        )
    if _looks_binary(data):
        return _wrong_type(ext)
    if ext == ".csv":
        return template_csv.parse_csv(data, existing=existing)
    if ext == ".xml":
        if not data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<") and not data.startswith(
            (b"\xff\xfe", b"\xfe\xff")
        ):
            return _wrong_type(ext)
        return moodle_xml.parse_moodle_xml(data, existing=existing)

    text = decode_text(data)
    if text is None:
        return failed("bad_encoding", N_("文件编码无法识别，请使用 UTF-8 或 GBK 编码保存。"))
    if not text.strip():
        return failed("empty_file", N_("文件为空。"))
    if ext == ".gift":
        return gift.parse_gift(text, existing=existing)
    answer_lines = sum(1 for line in text.splitlines() if aiken.ANSWER_LINE_RE.match(line.strip()))
    gift_blocks = len(_GIFT_BLOCK_RE.findall(text))
    if answer_lines and answer_lines >= gift_blocks:
        return aiken.parse_aiken(text, existing=existing)
    if gift_blocks:
        return gift.parse_gift(text, existing=existing)
    return failed(
        "unsupported_format",
        N_(
            "无法识别 .txt 文件中的题目格式："
            "应为 GIFT（答案写在 { } 中）或 Aiken（有“ANSWER:”行）格式。"
        ),
    )


def _looks_binary(data: bytes) -> bool:
    head = data[:1024]
    if data.startswith(_BINARY_MAGIC):
        return True
    return data.startswith(b"MZ") and b"\x00" in head


def _wrong_type(ext: str) -> ParseResult:
    return failed(
        "wrong_type",
        N_("文件内容与扩展名“%(ext)s”不符，请确认文件类型后重新上传。"),
        ext=ext,
    )


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".rstrip("0").rstrip(".")
