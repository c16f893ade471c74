"""A question's content fields, declared once (pure: no Flask, no database).

Everything that lists a question's fields derives from ``FIELDS``: the revision copy
(``QuestionRevision.CONTENT_FIELDS``, ``bank.editing``, ``bank.importing``), the revision
diff, the import template's columns and headers (``formats.template``), the question form's
copy and labels, and the detail and diff pages.  The order is the template's column order and the
order pages show the fields in.

Labels are Chinese, marked with ``N_``; translate them when shown (``gettext(spec.label)``).
The template headers are part of the file format and never translated.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from examsite.bank.formats.model import MIN_OPTIONS, N_, OPTION_LETTERS

# Kinds: how a field is stored, copied and written to a cell.
QTYPE: Final = "qtype"  # a stored type ("single"); the template writes its label (单选)
TEXT: Final = "text"  # free text, copied as is
OPTIONS: Final = "options"  # option texts: one column per letter; a tuple in ParsedQuestion
ANSWER: Final = "answer"  # 0-based option indexes; letters (ACD) or 对/错 in the template
NUMBER: Final = "number"  # a whole number (difficulty)
PURPOSE: Final = "purpose"  # "exam"/"practice"; the template writes 考试/练习
KINDS: Final = (QTYPE, TEXT, OPTIONS, ANSWER, NUMBER, PURPOSE)


@dataclass(frozen=True)
class FieldSpec:
    """One content field of a question."""

    #: The attribute of ``ParsedQuestion``, ``Question`` and (when ``revisioned``)
    #: ``QuestionRevision``.
    name: str
    #: The Chinese label (``N_``-marked): the form, detail and diff pages, audit details.
    label: str
    kind: str
    #: The import template's column header (for options, the prefix of 选项A … 选项H).
    header: str
    #: The template refuses a header row without this column (options: the first two).
    required: bool = False
    #: Part of a revision's content; an edit of it makes a new revision.
    revisioned: bool = True
    #: Shown with its line breaks (a text area in the form, a ``pre`` cell on the page).
    multiline: bool = False
    #: Width of the column in the template .xlsx.
    width: int = 18

    @property
    def columns(self) -> tuple[str, ...]:
        """The template columns holding this field, in order."""
        if self.kind == OPTIONS:
            return tuple(f"{self.header}{letter}" for letter in OPTION_LETTERS)
        return (self.header,)

    @property
    def required_columns(self) -> tuple[str, ...]:
        if not self.required:
            return ()
        return self.columns[:MIN_OPTIONS] if self.kind == OPTIONS else self.columns

    def stored(self, value: Any) -> Any:
        """A parsed value as the database keeps it (JSON lists for options and answer)."""
        return list(value) if self.kind in (OPTIONS, ANSWER) else value

    def parsed(self, value: Any) -> Any:
        """A stored value as ``ParsedQuestion`` holds it (tuples for options and answer)."""
        return tuple(value) if self.kind in (OPTIONS, ANSWER) else value


FIELDS: Final[tuple[FieldSpec, ...]] = (
    FieldSpec("qtype", N_("题型"), QTYPE, "题型", required=True, width=8),
    FieldSpec("stem", N_("题干"), TEXT, "题干", required=True, multiline=True, width=50),
    FieldSpec("options", N_("选项"), OPTIONS, "选项", required=True),
    FieldSpec("answer", N_("答案"), ANSWER, "答案", required=True, width=8),
    FieldSpec("explanation", N_("解析"), TEXT, "解析", multiline=True, width=40),
    FieldSpec("legal_basis", N_("法律依据"), TEXT, "法律依据", width=30),
    FieldSpec("category", N_("分类"), TEXT, "分类", width=14),
    FieldSpec("difficulty", N_("难度"), NUMBER, "难度", width=6),
    # Not part of a revision: a change of purpose alone makes none (bank.editing).
    FieldSpec("purpose", N_("用途"), PURPOSE, "用途", revisioned=False, width=8),
    # Added after the published columns, so that files without a header row keep their
    # meaning. The version of the law the key follows (question_bank/laws.csv).
    FieldSpec("law_version", N_("法律版本"), TEXT, "法律版本", width=12),
    # 互斥组: questions that give each other away share a group; a paper draws one of it.
    FieldSpec("exclusion_group", N_("互斥组"), TEXT, "互斥组", width=10),
)

FIELD: Final[Mapping[str, FieldSpec]] = {spec.name: spec for spec in FIELDS}
#: The fields every revision copies, in order.
REVISION_FIELDS: Final = tuple(spec for spec in FIELDS if spec.revisioned)
REVISION_FIELD_NAMES: Final = tuple(spec.name for spec in REVISION_FIELDS)
#: Field name -> its Chinese label (``N_``-marked; translate when shown).
FIELD_LABELS: Final[Mapping[str, str]] = {spec.name: spec.label for spec in FIELDS}
#: Field name -> its template column (options excluded: they have one per letter).
COLUMN: Final[Mapping[str, str]] = {spec.name: spec.header for spec in FIELDS}
#: Every template column in order, and the ones a header row must have.
TEMPLATE_COLUMNS: Final = tuple(column for spec in FIELDS for column in spec.columns)
REQUIRED_COLUMNS: Final = tuple(column for spec in FIELDS for column in spec.required_columns)


def revision_content(question: Any) -> dict[str, Any]:
    """The revisioned fields of a ``ParsedQuestion`` (or any object with them) as stored."""
    return {spec.name: spec.stored(getattr(question, spec.name)) for spec in REVISION_FIELDS}


def parsed_values(question: Any) -> dict[str, Any]:
    """Every field of a stored question as ``ParsedQuestion(**…)`` takes it."""
    return {spec.name: spec.parsed(getattr(question, spec.name)) for spec in FIELDS}
