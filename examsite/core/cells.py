"""Spreadsheet cells against formula injection, one rule for every export and import (pure).

A text cell a spreadsheet would read as a formula gets a leading quote on the way out, and
loses exactly one on the way in, so a value survives export and re-import unchanged."""

from __future__ import annotations

import re
from typing import Any

_DANGEROUS_START_RE = re.compile(r"^'*[=+\-@\t\r]")
_ESCAPED_START_RE = re.compile(r"^'+[=+\-@\t\r]")


def escape_cell(value: Any) -> Any:
    """Prefix a text cell that a spreadsheet would read as a formula with a quote."""
    if isinstance(value, str) and _DANGEROUS_START_RE.match(value):
        return "'" + value
    return value


def unescape_cell(cell: str) -> str:
    """Undo ``escape_cell`` on a cell read back from a file."""
    return cell[1:] if _ESCAPED_START_RE.match(cell) else cell


class Formula(str):
    """Text of a cell that is a formula (never evaluated; importers report it as an error)."""

    __slots__ = ()


class NumberCell(str):
    """Text of a spreadsheet cell stored as a floating-point number (``110101199001011232``
    for Excel's ``1.10101E+17``): an importer that expects text, such as an ID number whose
    last digits the float already lost, can tell it from a text cell."""

    __slots__ = ()
