"""Finding and reading the header row of an uploaded spreadsheet, for every importer (pure).

An importer says which columns it knows (``HeaderSpec``); ``find_header`` picks the header
among the first rows (a title row may come first) and maps its cells to those columns,
with the duplicate and missing columns it found.  The wording of the problems stays with
each importer: this module only says what is wrong.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from examsite.core.controlchars import FILE_JUNK_RE

__all__ = ["DEFAULT_SEARCH_ROWS", "Header", "HeaderSpec", "find_header", "header_key"]

#: How many rows (a title, a note) may precede the header by default.
DEFAULT_SEARCH_ROWS: Final = 10


def header_key(cell: str) -> str:
    """A cell as compared with column names and labels: no junk characters, NFKC (full-width
    letters and spaces become half-width), no whitespace at all."""
    return "".join(unicodedata.normalize("NFKC", FILE_JUNK_RE.sub("", cell)).split())


@dataclass(frozen=True)
class HeaderSpec:
    """The columns an importer knows.

    ``aliases``: a header variant -> its column, or None for a column that is known but
    read past (it is neither a column nor unknown).  ``required_mark``: a mark such as
    ``*`` that templates put before or after a required column's name, ignored when set.
    ``search_rows``: how many of the first rows may be the header (1: the first row is).
    """

    columns: tuple[str, ...]
    required: tuple[str, ...]
    aliases: Mapping[str, str | None] = field(default_factory=dict)
    required_mark: str = ""
    search_rows: int = DEFAULT_SEARCH_ROWS

    def name(self, cell: str) -> str:
        """A header cell as compared with names: ``header_key``, without the required mark."""
        name = header_key(cell)
        if self.required_mark:
            name = name.removeprefix(self.required_mark).removesuffix(self.required_mark)
        return name

    def column(self, cell: str) -> str | None:
        """The column a header cell names, or None (blank, read past or unknown)."""
        name = self.name(cell)
        canonical = self.aliases.get(name, name)
        return canonical if canonical in self.columns else None


@dataclass(frozen=True)
class Header:
    """The header row found: ``index`` in the rows given, ``line`` its line in the file,
    ``columns`` column -> cell index (the first cell naming it).

    ``duplicates``: a column once for each further cell naming it, in row order;
    ``missing``: the required columns no cell names, in the spec's order; ``unknown``: the
    header cells naming no known column, as written."""

    index: int
    line: int
    columns: dict[str, int]
    duplicates: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """No duplicate and no missing column (unknown columns are ignored)."""
        return not self.duplicates and not self.missing


def find_header(rows: Sequence[tuple[int, Sequence[str]]], spec: HeaderSpec) -> Header | None:
    """The header among ``rows`` (line, cells): the first of the first ``spec.search_rows``
    rows naming a required column, else the first row; None when there are no rows.

    The rows are taken as given: an importer that skips blank rows passes only the others.
    """
    if not rows:
        return None
    index = next(
        (
            i
            for i, (_, cells) in enumerate(rows[: spec.search_rows])
            if any(spec.column(cell) in spec.required for cell in cells)
        ),
        0,
    )
    line, cells = rows[index]
    columns: dict[str, int] = {}
    duplicates: list[str] = []
    unknown: list[str] = []
    for position, cell in enumerate(cells):
        name = spec.column(cell)
        if name is None:
            written = spec.name(cell)
            if written and written not in spec.aliases:
                unknown.append(cell)
        elif name in columns:
            duplicates.append(name)
        else:
            columns[name] = position
    missing = tuple(name for name in spec.required if name not in columns)
    return Header(index, line, columns, tuple(duplicates), missing, tuple(unknown))
