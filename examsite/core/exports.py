"""Spreadsheet exports shared by every feature: one builder for every workbook a staff page
offers, ready to print on A4 and escaped against formula injection.

Each export is one sheet named in Chinese (given by the caller), with a title row (the
body's name, what is exported and the day), the header row, and the rows. Printing is set
up for A4: landscape when the columns are many, fitted to the page width, the title and the
header repeated on every page, page numbers in the footer; the panes are frozen below the
header. The download is named in Chinese (RFC 5987 ``filename*``, with an ASCII fallback)."""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Sequence
from datetime import date
from typing import Any
from urllib.parse import quote

from flask import Response
from flask_babel import gettext as _

from examsite.core.cells import escape_cell
from examsite.core.timeutil import utc_to_local, utcnow

__all__ = [
    "attachment",
    "day_text",
    "escape_cell",
    "safe_filename",
    "sheet_title",
    "text_width",
    "xlsx_bytes",
    "xlsx_response",
]

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: Excel refuses these in a sheet name, and names longer than 31 characters.
_SHEET_FORBIDDEN_RE = re.compile(r"[\\/?*\[\]:\x00-\x1f]")
_SHEET_MAX = 31
#: What a file name must not carry (path separators, quotes, Windows' reserved characters,
#: control characters and line breaks, which would break the header).
_FILENAME_FORBIDDEN_RE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')
_FILENAME_MAX = 120
#: Control characters openpyxl refuses in a cell (the same set as its ILLEGAL_CHARACTERS_RE).
_ILLEGAL_CELL_RE = re.compile(r"[\x00-\x08\x0b-\x0c\x0e-\x1f]")

#: Column widths, in Excel's character units (a CJK character counts two).
_MIN_WIDTH, _MAX_WIDTH = 6, 50
#: Rows looked at to size the columns (a long export costs no more than this).
_SIZED_ROWS = 500
#: Above this many columns, or this total width, the sheet prints in landscape.
_PORTRAIT_COLUMNS, _PORTRAIT_WIDTH = 6, 95


def text_width(value: Any) -> int:
    """Display width of a cell's text: wide (CJK, full-width) characters count two."""
    if value is None:
        return 0
    text = value if isinstance(value, str) else str(value)
    longest = max(text.split("\n"), key=len, default="")
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in longest)


def sheet_title(name: str) -> str:
    """A sheet name Excel accepts: no ``\\ / ? * [ ] :``, not blank, at most 31 characters,
    not starting or ending with an apostrophe."""
    clean = _SHEET_FORBIDDEN_RE.sub("_", name).strip().strip("'")
    clean = clean[:_SHEET_MAX].strip().strip("'")
    return clean or "Sheet"


def safe_filename(name: str) -> str:
    """A download name without path separators, quotes or control characters."""
    clean = _FILENAME_FORBIDDEN_RE.sub("_", name).strip(" .")
    return clean[:_FILENAME_MAX] or "export"


def attachment(filename: str) -> str:
    """A Content-Disposition value for a download named ``filename`` (any language): an
    ASCII ``filename`` for old clients and the UTF-8 ``filename*`` of RFC 5987/6266."""
    clean = safe_filename(filename)
    stem, dot, ext = clean.rpartition(".")
    if not dot:
        stem, ext = clean, ""
    ascii_stem = (
        unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii").strip()
    )
    ascii_stem = re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_stem).strip("-.") or "export"
    fallback = f"{ascii_stem}.{ext}" if ext else ascii_stem
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(clean, safe='')}"


def _cell(value: Any) -> Any:
    """What goes into a cell: text escaped (formula injection) and without the control
    characters a workbook cannot hold; booleans in words."""
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, str):
        return escape_cell(_ILLEGAL_CELL_RE.sub("", value))
    if value is None:
        return ""
    if isinstance(value, (int, float, date)):
        return value
    return escape_cell(_ILLEGAL_CELL_RE.sub("", str(value)))  # a lazy string, an enum …


def day_text(day: date | None) -> str:
    """“2026年12月7日”: a date as printed records write it ("" for none)."""
    if day is None:
        return ""
    return _("%(year)s年%(month)s月%(day)s日", year=day.year, month=day.month, day=day.day)


def exported_on_text(day: date) -> str:
    """“导出时间：2026年12月7日”."""
    return _("导出时间：%(date)s", date=day_text(day))


def xlsx_bytes(
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    sheet: str,
    title: str,
    body: str = "",
    today: date | None = None,
) -> bytes:
    """The workbook of one export: sheet ``sheet`` (Chinese), a title row naming ``body``,
    ``title`` (the sitting, the term …) and the day, the header row, the rows (every cell
    escaped), column widths that fit, and the A4 print set-up."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties

    workbook = Workbook()
    ws = workbook.active
    assert ws is not None
    ws.title = sheet_title(sheet)
    columns = max(len(headers), 1)
    now = utc_to_local(utcnow())
    day = today or (now.date() if now else date.today())  # the day in the site's zone

    heading = "　".join(part for part in (body.strip(), title.strip()) if part)
    ws.append([_cell(f"{heading}　{exported_on_text(day)}" if heading else exported_on_text(day))])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=columns)
    ws.cell(1, 1).font = Font(bold=True, size=14)
    ws.cell(1, 1).alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.row_dimensions[1].height = 30

    ws.append([_cell(h) for h in headers])
    thin = Side(style="thin", color="999999")
    for idx in range(1, len(headers) + 1):
        cell = ws.cell(2, idx)
        cell.font = Font(bold=True, size=11)
        cell.fill = PatternFill("solid", fgColor="DDE4EE")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)
    for row in rows:
        ws.append([_cell(v) for v in row])

    widths = []
    for idx, header in enumerate(headers):
        longest = max(
            [text_width(header), *(text_width(r[idx]) for r in rows[:_SIZED_ROWS] if idx < len(r))]
        )
        width = min(max(longest + 2, _MIN_WIDTH), _MAX_WIDTH)
        widths.append(width)
        ws.column_dimensions[get_column_letter(idx + 1)].width = width
    for row_cells in ws.iter_rows(min_row=3):
        for cell in row_cells:
            cell.alignment = Alignment(vertical="top", wrap_text=True)

    ws.freeze_panes = "A3"
    ws.print_title_rows = "1:2"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    landscape = len(headers) > _PORTRAIT_COLUMNS or sum(widths) > _PORTRAIT_WIDTH
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE if landscape else ws.ORIENTATION_PORTRAIT
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as the rows need
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.oddFooter.center.text = _("第 &P 页，共 &N 页")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(
    filename: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    sheet: str,
    title: str,
    body: str = "",
) -> Response:
    """An .xlsx download named ``<filename>.xlsx`` (Chinese allowed), built by
    ``xlsx_bytes``."""
    return Response(
        xlsx_bytes(headers, rows, sheet=sheet, title=title, body=body),
        mimetype=XLSX_MIMETYPE,
        headers={"Content-Disposition": attachment(f"{filename}.xlsx")},
    )
