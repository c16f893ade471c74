"""The question model every format parses into, the problems it reports, and the one set of
validation rules all formats share.

Messages are Chinese, marked with the no-op ``N_`` so that Babel can extract them (add
``N_`` to the extraction keywords) and formatted with ``%`` and named fields, the same
convention Flask-Babel's ``gettext(msg, **values)`` uses.  ``Problem.render(gettext)`` gives
the message in another language later.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from examsite.bank.formats.normalize import clean_line, clean_text, normalize_stem


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


# --------------------------------------------------------------------------- validation


def validate_question(
    *,
    line: int,
    qtype: str,
    stem: str,
    options: Sequence[str] = (),
    answer: Iterable[int] = (),
    explanation: str = "",
    legal_basis: str = "",
    category: str = "",
    difficulty: int = DEFAULT_DIFFICULTY,
    one_correct_means_single: bool = False,
) -> tuple[ParsedQuestion | None, list[Problem]]:
    """Check one question against the shared rules; return it (cleaned) or its errors.

    Text fields go through ``clean_text`` (the category through ``clean_line``).  For
    true/false the options are always ``TRUE_FALSE_OPTIONS`` and ``options`` is ignored.
    ``one_correct_means_single``: a multiple-choice question with exactly one correct
    answer becomes single choice instead of an error (GIFT and Moodle XML, where
    "multiple" is only inferred from the markup).
    """
    errors: list[Problem] = []

    def err(code: str, template: str, **params: object) -> None:
        errors.append(build_problem(code, template, line, False, params))

    stem = clean_text(stem)
    explanation = clean_text(explanation)
    legal_basis = clean_text(legal_basis)
    category = clean_line(category)
    answers = sorted(set(answer))

    if qtype not in QuestionType.ALL:
        err(
            "bad_type",
            N_("第 %(line)s 行：无法识别题型“%(value)s”，应为 单选、多选 或 判断。"),
            value=qtype,
        )
        return None, errors

    if not stem:
        err("missing_stem", N_("第 %(line)s 行：题干为空。"))
    elif len(stem) > MAX_STEM_CHARS:
        err("stem_too_long", N_("第 %(line)s 行：题干超过 %(limit)s 字。"), limit=MAX_STEM_CHARS)

    if qtype == QuestionType.TRUE_FALSE:
        cleaned: tuple[str, ...] = TRUE_FALSE_OPTIONS
        if not answers:
            err("missing_answer", N_("第 %(line)s 行：缺少答案。"))
        elif len(answers) != 1 or answers[0] not in (0, 1):
            err("bad_answer", N_("第 %(line)s 行：判断题的答案只能是“对”或“错”中的一个。"))
    else:
        cleaned = tuple(clean_text(o) for o in options)
        _check_options(cleaned, err)
        if not answers:
            err("missing_answer", N_("第 %(line)s 行：缺少答案。"))
        else:
            outside = [i for i in answers if not 0 <= i < len(cleaned)]
            if outside:
                err(
                    "answer_not_in_options",
                    N_("第 %(line)s 行：答案“%(answer)s”不在选项中。"),
                    answer="".join(option_letter(i) for i in outside),
                )
            elif qtype == QuestionType.SINGLE and len(answers) != 1:
                err(
                    "wrong_answer_count",
                    N_("第 %(line)s 行：单选题只能有一个正确答案，现有 %(count)s 个。"),
                    count=len(answers),
                )
            elif qtype == QuestionType.MULTIPLE and len(answers) < 2:
                if one_correct_means_single:
                    qtype = QuestionType.SINGLE
                else:
                    err(
                        "wrong_answer_count",
                        N_("第 %(line)s 行：多选题至少需要两个正确答案。"),
                    )

    if not isinstance(difficulty, int) or not MIN_DIFFICULTY <= difficulty <= MAX_DIFFICULTY:
        err(
            "bad_difficulty",
            N_("第 %(line)s 行：难度“%(value)s”无效，应为 1 到 5 的整数。"),
            value=difficulty,
        )
    for name, value, limit in (
        ("explanation", explanation, MAX_EXPLANATION_CHARS),
        ("legal_basis", legal_basis, MAX_LEGAL_BASIS_CHARS),
        ("category", category, MAX_CATEGORY_CHARS),
    ):
        if len(value) > limit:
            # Here, not at the top: the field declaration imports this module.
            from examsite.bank.formats.fields import FIELD_LABELS

            err(
                "field_too_long",
                N_("第 %(line)s 行：%(field)s超过 %(limit)s 字。"),
                field=Msg(FIELD_LABELS[name]),
                limit=limit,
            )

    if errors:
        return None, errors
    return (
        ParsedQuestion(
            qtype=qtype,
            stem=stem,
            options=cleaned,
            answer=tuple(answers),
            explanation=explanation,
            legal_basis=legal_basis,
            category=category,
            difficulty=difficulty,
            source_line=line,
        ),
        [],
    )


def _check_options(options: tuple[str, ...], err: Callable[..., None]) -> None:
    if len(options) < MIN_OPTIONS:
        err(
            "too_few_options",
            N_("第 %(line)s 行：选择题至少需要 %(min)s 个选项。"),
            min=MIN_OPTIONS,
        )
    elif len(options) > MAX_OPTIONS:
        err(
            "too_many_options",
            N_("第 %(line)s 行：选择题最多 %(max)s 个选项，现有 %(count)s 个。"),
            max=MAX_OPTIONS,
            count=len(options),
        )
    seen: dict[str, int] = {}
    for i, text in enumerate(options):
        if not text:
            err(
                "empty_option",
                N_("第 %(line)s 行：选项 %(letter)s 为空。"),
                letter=option_letter(i),
            )
            continue
        if len(text) > MAX_OPTION_CHARS:
            err(
                "option_too_long",
                N_("第 %(line)s 行：选项 %(letter)s 超过 %(limit)s 字。"),
                letter=option_letter(i),
                limit=MAX_OPTION_CHARS,
            )
        key = normalize_stem(text) or text
        if key in seen:
            err(
                "duplicate_option",
                N_("第 %(line)s 行：选项 %(letter)s 与选项 %(other)s 内容相同。"),
                letter=option_letter(i),
                other=option_letter(seen[key]),
            )
        else:
            seen[key] = i


# --------------------------------------------------------------------------- collecting


class Collector:
    """Accumulates questions and problems for one file, detecting duplicates.

    ``existing``: ``(qtype, normalize_stem(stem))`` keys already active in the bank.
    """

    def __init__(self, fmt: str, existing: Collection[tuple[str, str]] | None = None) -> None:
        self.format = fmt
        self.existing = existing if existing is not None else frozenset()
        self.questions: list[ParsedQuestion] = []
        self.problems: list[Problem] = []
        self._first_line: dict[tuple[str, str], int] = {}

    def error(self, code: str, template: str, *, line: int | None = None, **params: object) -> None:
        self.problems.append(build_problem(code, template, line, False, params))

    def skip(self, code: str, template: str, *, line: int | None = None, **params: object) -> None:
        self.problems.append(build_problem(code, template, line, True, params))

    def unsupported(self, line: int, type_name: str) -> None:
        self.skip(
            "unsupported_type",
            N_("第 %(line)s 行：不支持的题型“%(type)s”，已跳过。"),
            line=line,
            type=type_name,
        )

    def accept(self, validated: tuple[ParsedQuestion | None, list[Problem]]) -> None:
        """Take the outcome of ``validate_question``: ``add`` the question or record its
        errors."""
        question, errors = validated
        self.problems.extend(errors)
        if question is not None:
            self.add(question)

    def add(self, question: ParsedQuestion) -> bool:
        """Add a valid question unless it duplicates one; False when it was skipped."""
        key = question.key
        line = question.source_line
        if key in self._first_line:
            self.skip(
                "duplicate_in_file",
                N_("第 %(line)s 行：与第 %(first)s 行的题目重复，已跳过。"),
                line=line,
                first=self._first_line[key],
            )
            return False
        if key in self.existing:
            self.skip(
                "duplicate_in_bank", N_("第 %(line)s 行：题库中已有相同的题目，已跳过。"), line=line
            )
            return False
        self._first_line[key] = line
        self.questions.append(question)
        return True

    def result(self) -> ParseResult:
        if not self.questions and not self.problems:
            self.error("no_questions", N_("文件中没有找到任何题目。"))
        return ParseResult(questions=self.questions, problems=self.problems, format=self.format)
