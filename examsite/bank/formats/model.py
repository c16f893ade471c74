"""The question model every format parses into, its types and limits, and the problems a
file can have (the shared validation rules are in ``formats.validation``).

Messages are Chinese, marked with the no-op ``N_`` so that Babel can extract them (add
``N_`` to the extraction keywords) and formatted with ``%`` and named fields, the same
convention Flask-Babel's ``gettext(msg, **values)`` uses.  ``Problem.render(gettext)`` gives
the message in another language later.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Final

from examsite.bank.formats.normalize import normalize_stem


def N_(s: str) -> str:
    """Mark ``s`` for message extraction; returns it unchanged."""
    return s


class Msg(str):
    """A parameter value that is itself a marked message (``Msg(N_("解析"))``), so that
    ``Problem.render`` translates it along with the template."""

    __slots__ = ()


# --------------------------------------------------------------------------- types


class QuestionType:
    """The supported question types (stored values)."""

    SINGLE: Final = "single"  # 单选
    MULTIPLE: Final = "multiple"  # 多选
    TRUE_FALSE: Final = "true_false"  # 判断
    ALL: Final = (SINGLE, MULTIPLE, TRUE_FALSE)


#: Stored type -> canonical Chinese label (the one the template and exports use).
LABEL_BY_TYPE: Final[Mapping[str, str]] = {
    QuestionType.SINGLE: N_("单选"),
    QuestionType.MULTIPLE: N_("多选"),
    QuestionType.TRUE_FALSE: N_("判断"),
}

#: Every label accepted on import (after NFKC and stripping) -> stored type.
TYPE_BY_LABEL: Final[Mapping[str, str]] = {
    "单选": QuestionType.SINGLE,
    "单选题": QuestionType.SINGLE,
    "单项选择": QuestionType.SINGLE,
    "单项选择题": QuestionType.SINGLE,
    "多选": QuestionType.MULTIPLE,
    "多选题": QuestionType.MULTIPLE,
    "多项选择": QuestionType.MULTIPLE,
    "多项选择题": QuestionType.MULTIPLE,
    "判断": QuestionType.TRUE_FALSE,
    "判断题": QuestionType.TRUE_FALSE,
    QuestionType.SINGLE: QuestionType.SINGLE,
    QuestionType.MULTIPLE: QuestionType.MULTIPLE,
    QuestionType.TRUE_FALSE: QuestionType.TRUE_FALSE,
}

#: Both directions for the canonical labels: ``TYPE_LABELS["单选"] == "single"`` and
#: ``TYPE_LABELS["single"] == "单选"``.
TYPE_LABELS: Final[Mapping[str, str]] = {
    **{label: qtype for qtype, label in LABEL_BY_TYPE.items()},
    **LABEL_BY_TYPE,
}

#: The fixed options of a true/false question; answer (0,) = 正确/对, (1,) = 错误/错.
TRUE_FALSE_OPTIONS: Final = ("正确", "错误")
TRUE_FALSE_ANSWER_LABELS: Final = ("对", "错")

OPTION_LETTERS: Final = "ABCDEFGH"
#: The purposes a file may give (stored value -> the template's label) and every label
#: accepted on import.
LABEL_BY_PURPOSE: Final[Mapping[str, str]] = {"exam": N_("考试"), "practice": N_("练习")}
PURPOSE_BY_LABEL: Final[Mapping[str, str]] = {
    "考试": "exam",
    "考试题": "exam",
    "正式考试": "exam",
    "练习": "practice",
    "练习题": "practice",
    "模拟练习": "practice",
    "exam": "exam",
    "practice": "practice",
}

MIN_OPTIONS: Final = 2
MAX_OPTIONS: Final = 8
MAX_STEM_CHARS: Final = 2000
MAX_OPTION_CHARS: Final = 500
MAX_EXPLANATION_CHARS: Final = 5000
MAX_LEGAL_BASIS_CHARS: Final = 1000
MAX_CATEGORY_CHARS: Final = 100
MIN_DIFFICULTY: Final = 1
MAX_DIFFICULTY: Final = 5
DEFAULT_DIFFICULTY: Final = 3


#: Every ``Problem.code``.  File-level (``line`` None unless stated): the file is refused.
FILE_CODES: Final = frozenset(
    {
        "empty_file",  # no bytes, or no non-blank row/line
        "too_large",  # over max_bytes; xlsx over 100 MB unzipped or over MAX_ROWS rows
        "bad_encoding",  # neither UTF-8 nor GBK/GB18030
        "corrupt_file",  # unreadable xlsx/zip (incl. zip-bomb ratio), CSV syntax (with line)
        "encrypted_file",  # password-protected workbook
        "macros_refused",  # .xlsm, vbaProject.bin, macro-enabled content type
        "wrong_type",  # content does not match the extension
        "unsupported_format",  # unknown extension, .xls, unrecognisable .txt
        "unsafe_xml",  # DTD / entity / external reference (with line)
        "bad_xml",  # malformed XML or not a <quiz> (with line)
        "missing_column",  # template header lacks a required column (header line)
        "duplicate_column",  # template header names a column twice (header line)
        "no_questions",  # parsed fine but found nothing at all
    }
)
#: Errors in one question (always with the question's line).
QUESTION_CODES: Final = frozenset(
    {
        "bad_type", "missing_stem", "stem_too_long", "too_few_options", "too_many_options",
        "empty_option", "option_gap", "option_too_long", "duplicate_option", "missing_answer",
        "bad_answer", "answer_not_in_options", "wrong_answer_count", "bad_difficulty",
        "field_too_long", "formula_cell", "bad_syntax", "bad_purpose",
    }
)  # fmt: skip
#: Skipped items (``Problem.skipped`` True; they never make the file invalid).
SKIP_CODES: Final = frozenset({"unsupported_type", "duplicate_in_file", "duplicate_in_bank"})
PROBLEM_CODES: Final = FILE_CODES | QUESTION_CODES | SKIP_CODES


def option_letter(index: int) -> str:
    """``0`` -> ``"A"``; beyond H it keeps counting (``I``, ``J`` …) for messages."""
    return chr(ord("A") + index) if 0 <= index < 26 else f"#{index + 1}"


# --------------------------------------------------------------------------- data classes


@dataclass(frozen=True)
class ParsedQuestion:
    """One valid question from a file.

    ``source_line`` is excluded from equality and hashing: two questions with the same
    content are equal wherever they came from (this is what round-trip tests compare).
    """

    qtype: str
    stem: str
    options: tuple[str, ...]
    answer: tuple[int, ...]
    explanation: str = ""
    legal_basis: str = ""
    category: str = ""
    difficulty: int = DEFAULT_DIFFICULTY
    #: ``"exam"`` or ``"practice"`` when the file says so (the template's 用途 column);
    #: empty when it does not, and the import's own choice applies.
    purpose: str = ""
    #: The version of the law the key follows; the 互斥组 (see ``formats.fields``).
    law_version: str = ""
    exclusion_group: str = ""
    source_line: int = field(default=0, compare=False)

    @property
    def answer_letters(self) -> str:
        """``"ACD"`` for choice questions, ``"对"``/``"错"`` for true/false."""
        if self.qtype == QuestionType.TRUE_FALSE:
            return TRUE_FALSE_ANSWER_LABELS[self.answer[0]]
        return "".join(option_letter(i) for i in self.answer)

    @property
    def key(self) -> tuple[str, str]:
        """``(qtype, normalize_stem(stem))``: the duplicate-detection key."""
        return question_key(self.qtype, self.stem)


def question_key(qtype: str, stem: str) -> tuple[str, str]:
    """The duplicate key; build the ``existing`` set for the parsers with this."""
    return (qtype, normalize_stem(stem))


@dataclass(frozen=True)
class Problem:
    """Something wrong with (part of) a file.

    ``skipped`` True: an unsupported or duplicate item, listed in the report but not
    blocking the rest of the file.  ``skipped`` False: an error; the file is invalid.
    ``message`` is ready to show (Chinese); ``template`` and ``params`` are what it was
    built from, for ``render`` with another language.
    """

    line: int | None
    code: str
    message: str
    skipped: bool = False
    template: str = field(default="", compare=False, repr=False)
    params: tuple[tuple[str, object], ...] = field(default=(), compare=False, repr=False)

    def render(self, translate: Callable[[str], str]) -> str:
        """The message through ``translate`` (e.g. ``flask_babel.gettext``)."""
        if not self.template:
            return self.message
        values = {k: translate(v) if isinstance(v, Msg) else v for k, v in self.params}
        return translate(self.template) % values


def problem(
    code: str, template: str, *, line: int | None = None, skipped: bool = False, **params: object
) -> Problem:
    """Build a ``Problem``; ``template`` is an ``N_``-marked string with ``%(name)s`` fields,
    ``line`` fills ``%(line)s``."""
    return build_problem(code, template, line, skipped, params)


def build_problem(
    code: str, template: str, line: int | None, skipped: bool, params: Mapping[str, object]
) -> Problem:
    """``problem`` with the parameters as a mapping (for helpers that forward them)."""
    values: dict[str, object] = dict(params)
    if line is not None:
        values["line"] = line
    return Problem(
        line=line,
        code=code,
        message=template % values,
        skipped=skipped,
        template=template,
        params=tuple(values.items()),
    )


@dataclass
class ParseResult:
    """What a parser found: the valid questions and every problem, in file order.

    ``format`` names the format that was parsed (``"csv"``, ``"xlsx"``, ``"gift"``,
    ``"aiken"``, ``"moodle_xml"``; empty when the file was refused before parsing).
    """

    questions: list[ParsedQuestion] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    format: str = ""

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if not p.skipped]

    @property
    def skipped(self) -> list[Problem]:
        return [p for p in self.problems if p.skipped]

    @property
    def ok(self) -> bool:
        return not self.errors


def failed(
    code: str, template: str, *, line: int | None = None, fmt: str = "", **params: object
) -> ParseResult:
    """A result holding one error and nothing else (a refused file)."""
    return ParseResult(problems=[build_problem(code, template, line, False, params)], format=fmt)
