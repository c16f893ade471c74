"""Reading an uploaded .xlsx safely: refuse what must not reach openpyxl, then the first
sheet's non-blank rows as text.

Shared by the bank's import template (``formats.template_xlsx``) and every other spreadsheet
importer (``formats.tables``).  A formula cell (or text starting with ``=``) comes back as a
``Formula`` (a ``str``): it is never evaluated, and the caller decides what to say about it.

The reader uses openpyxl directly (read-only, ``data_only=False``) rather than
``pandas.read_excel``: it needs the true row numbers, the cell types (to tell a formula from
text) and hard limits on rows and columns, which pandas would pad to the sheet's declared
size before we could check them.
"""

from __future__ import annotations

import io
import warnings
import zipfile
from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Any, Final

from examsite.bank.formats.model import N_, ParseResult, failed
from examsite.core.cells import Formula, NumberCell

__all__ = [
    "MAX_ROWS",
    "MAX_XLSX_RATIO",
    "MAX_XLSX_UNCOMPRESSED",
    "OLE_MAGIC",
    "ZIP_MAGIC",
    "TooManyRows",
    "check_xlsx_container",
    "read_first_sheet",
]

MAX_XLSX_UNCOMPRESSED: Final = 100 * 1024 * 1024
MAX_XLSX_RATIO: Final = 50
MAX_ZIP_ENTRIES: Final = 5000
MAX_ROWS: Final = 20000
MAX_COLUMNS: Final = 100

OLE_MAGIC: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC: Final = b"PK\x03\x04"
_ENCRYPTION_INFO: Final = "EncryptionInfo".encode("utf-16-le")


class TooManyRows(Exception):
    """The sheet has more than ``MAX_ROWS`` rows."""


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


def read_first_sheet(data: bytes) -> list[tuple[int, Sequence[str]]]:
    """The first sheet's non-blank rows as (row number, cell texts); raises
    ``TooManyRows``, and whatever openpyxl raises on a broken file."""
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
                        raise TooManyRows
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
    if isinstance(value, float):
        return NumberCell(str(int(value)) if value.is_integer() else str(value))
    if isinstance(value, datetime) and value.time() == time(0):
        return value.date().isoformat()
    return str(value)
