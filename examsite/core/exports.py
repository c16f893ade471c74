"""Spreadsheet exports shared by every feature, escaped against formula injection."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from examsite.core.cells import escape_cell

__all__ = ["escape_cell", "xlsx_bytes", "xlsx_response"]


def xlsx_bytes(
    headers: Sequence[str], rows: Sequence[Sequence[Any]], sheet: str = "Sheet1"
) -> bytes:
    """An .xlsx workbook of one sheet; every text cell escaped."""
    # Imported here: pandas adds about 50 MB to every worker that loads it, and only exports
    # need it (the load test measures workers' memory during a sitting).
    import pandas as pd

    frame = pd.DataFrame([[escape_cell(v) for v in row] for row in rows], columns=list(headers))
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        frame.to_excel(writer, index=False, sheet_name=sheet[:31])
        sheet_obj = writer.sheets[sheet[:31]]
        for idx, header in enumerate(headers, start=1):
            width = max([len(str(header)) * 2, *(len(str(r[idx - 1])) for r in rows[:200])])
            sheet_obj.column_dimensions[sheet_obj.cell(1, idx).column_letter].width = min(
                width + 2, 60
            )
    return buffer.getvalue()


def xlsx_response(name: str, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> Any:
    """An .xlsx download (escaped) named ``<name>.xlsx``."""
    from flask import Response

    return Response(
        xlsx_bytes(headers, rows),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f"attachment; filename={name}.xlsx"},
    )
