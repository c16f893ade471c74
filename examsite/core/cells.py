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
