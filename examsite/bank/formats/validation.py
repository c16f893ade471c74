"""The one set of validation rules every format shares, and the collector that gathers a
file's questions and problems (skipping duplicates in the file and in the bank).

Messages follow the convention of ``formats.model``: Chinese, ``N_``-marked, ``%``-formatted.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence

from examsite.bank.formats.fields import FIELD_LABELS
from examsite.bank.formats.model import (
    DEFAULT_DIFFICULTY,
    MAX_CATEGORY_CHARS,
    MAX_DIFFICULTY,
    MAX_EXPLANATION_CHARS,
    MAX_LEGAL_BASIS_CHARS,
    MAX_OPTION_CHARS,
    MAX_OPTIONS,
    MAX_STEM_CHARS,
    MIN_DIFFICULTY,
    MIN_OPTIONS,
    N_,
    TRUE_FALSE_OPTIONS,
    Msg,
    ParsedQuestion,
    ParseResult,
    Problem,
    QuestionType,
    build_problem,
    option_letter,
)
from examsite.bank.formats.normalize import clean_line, clean_text, normalize_stem

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
    law_version: str = "",
    category: str = "",
    difficulty: int = DEFAULT_DIFFICULTY,
    exclusion_group: str = "",
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
    law_version = clean_line(law_version)
    exclusion_group = clean_line(exclusion_group)
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
        ("law_version", law_version, MAX_CATEGORY_CHARS),
        ("exclusion_group", exclusion_group, MAX_CATEGORY_CHARS),
    ):
        if len(value) > limit:
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
            law_version=law_version,
            category=category,
            difficulty=difficulty,
            exclusion_group=exclusion_group,
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
